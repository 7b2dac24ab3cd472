# daemon.timezone: the zone code (daemon/util/tz.c, through tests/tools/itf-tz)
# against python3's zoneinfo on every zone of the system's tzdata and
# every quarter hour of 2026 in Stockholm; the periods of the report,
# scorecard and graphs beginning at local midnight in zones east and west
# of UTC, with and without DST; graph axes drawn in local time; cost
# keeping the UTC billing days of a local period's dates; bad input at -n
# with file and line; a reload that names another zone.
. "$(dirname "$0")/lib.bash"
export LSAN_OPTIONS="${LSAN_OPTIONS:-}:fast_unwind_on_malloc=0"

I() { "$BIN/itfollow" "$@"; }
e() { date -d "$1" +%s; }

# The zone code against zoneinfo: offsets and abbreviations of random
# instants 1900-2100 (the files' tables and their POSIX rules after),
# random local clock times back to UTC (fold 0), in every zone; then every
# quarter hour of 2026 in Stockholm both ways, both DST changes included.
python3 - "$BIN/itf-tz" >"$T/tz.out" <<'PY'
import datetime, random, subprocess, sys, zoneinfo
rnd = random.Random(2026)
UTC = datetime.timezone.utc
zones = sorted(z for z in zoneinfo.available_timezones()
               if not z.startswith(("right/", "posix/")))
lines, want = [], []
for zn in zones:
    Z = zoneinfo.ZoneInfo(zn)
    for i in range(30):
        t = rnd.randrange(-2208988800, 4102444800)
        d = datetime.datetime.fromtimestamp(t, UTC).astimezone(Z)
        lines.append(f"off {zn} {t}")
        # "UTC" is the default zone, whose times end in Z.
        iso = d.isoformat()[:-6] + "Z" if zn == "UTC" else d.isoformat()
        want.append(f"{int(d.utcoffset().total_seconds())} {d.tzname()} " + iso)
    for i in range(15):
        y, m, dd = rnd.randrange(1971, 2100), rnd.randrange(1, 13), rnd.randrange(1, 29)
        s = rnd.randrange(0, 86400)
        dt = datetime.datetime(y, m, dd, s // 3600, s % 3600 // 60, s % 60, tzinfo=Z)
        lines.append(f"utc {zn} {y} {m} {dd} {s}")
        want.append(str(int(dt.timestamp())))
Z = zoneinfo.ZoneInfo("Europe/Stockholm")
t0 = int(datetime.datetime(2026, 1, 1, tzinfo=UTC).timestamp())
for k in range(365 * 96):
    t = t0 + 900 * k
    d = datetime.datetime.fromtimestamp(t, UTC).astimezone(Z)
    lines.append(f"off Europe/Stockholm {t}")
    want.append(f"{int(d.utcoffset().total_seconds())} {d.tzname()} " + d.isoformat())
    w = datetime.datetime(2026, 1, 1) + datetime.timedelta(minutes=15 * k)
    s = w.hour * 3600 + w.minute * 60
    lines.append(f"utc Europe/Stockholm {w.year} {w.month} {w.day} {s}")
    want.append(str(int(w.replace(tzinfo=Z).timestamp())))
got = subprocess.run([sys.argv[1]], input="\n".join(lines) + "\n",
                     capture_output=True, text=True, check=True).stdout.split("\n")
bad = [f"{l} -> {g} (zoneinfo: {w})" for l, g, w in zip(lines, got, want) if g != w]
print(len(zones), len(lines), len(bad))
for b in bad[:10]:
    print(b)
PY
read -r nz nl nbad <"$T/tz.out"
expect_num "zones compared" "$nz" ">" 300
expect_eq "lines compared" "$nl" "$((nz * 45 + 2 * 365 * 96))"
expect_eq "answers that differ from zoneinfo ($(sed -n 2,4p "$T/tz.out"))" "$nbad" 0
# The changes themselves, as a check on the comparison.
printf 'utc Europe/Stockholm 2026 3 29 9000\nutc Europe/Stockholm 2026 10 25 9000\noff Europe/Stockholm %s\n' \
    "$(e 2026-03-29T01:00:00Z)" | "$BIN/itf-tz" >"$T/chg.out"
expect_eq "02:30 on the spring change is read before it (01:30Z)" \
    "$(sed -n 1p "$T/chg.out")" "$(e 2026-03-29T01:30:00Z)"
expect_eq "02:30 on the autumn change is the first one (00:30Z)" \
    "$(sed -n 2p "$T/chg.out")" "$(e 2026-10-25T00:30:00Z)"
expect_eq "the spring change at 01:00Z" "$(sed -n 3p "$T/chg.out")" \
    "7200 CEST 2026-03-29T03:00:00+02:00"

# Periods at local midnight: the scorecard says from and to; zoneinfo
# works them out. East and west of UTC, DST north and south, half hours.
for zone in Europe/Stockholm America/New_York Australia/Sydney Asia/Kolkata UTC; do
	mkdir -p "$T/p"
	cat >"$T/p.conf" <<CONF
daemon = { data_dir = "$T/p"; templates_dir = "$SRC/rrd-templates"; timezone = "$zone"; };
systems = ( { id = "portal"; category = "basic"; portfolio = "service"; collectors = ( ); } );
CONF
	for per in "--quarter 2026Q1" "--quarter 2026Q2" "--quarter 2026Q4" \
	    "--month 2026-03" "--month 2026-10" "--year 2026" \
	    "--from 2026-03-29 --to 2026-03-30" "--last 7d" "--last 30d" "--last 24h"; do
		# shellcheck disable=SC2086
		I report scorecard -c "$T/p.conf" $per --format json >"$T/p.json"
		got="$(jq -r '"\(.from) \(.to) \(.timezone)"' "$T/p.json")"
		want=$(python3 - "$zone" "$per" "$got" <<'PY'
import datetime, sys, zoneinfo
zn, per, got = sys.argv[1], sys.argv[2].split(), sys.argv[3].split()
Z = zoneinfo.ZoneInfo(zn)
def mid(y, m, d=1):
    while m > 12:
        y, m = y + 1, m - 12
    return datetime.datetime(y, m, d, tzinfo=Z)
if per[0] == "--quarter":
    y, q = int(per[1][:4]), int(per[1][5])
    a, b = mid(y, 3 * q - 2), mid(y, 3 * q + 1)
elif per[0] == "--month":
    y, m = int(per[1][:4]), int(per[1][5:])
    a, b = mid(y, m), mid(y, m + 1)
elif per[0] == "--year":
    a, b = mid(int(per[1]), 1), mid(int(per[1]) + 1, 1)
elif per[0] == "--from":
    f = [datetime.date.fromisoformat(x) for x in (per[1], per[3])]
    a, b = (datetime.datetime(x.year, x.month, x.day, tzinfo=Z) for x in f)
else:
    # --last: it ends at the tool's now; days begin at local midnight.
    b = datetime.datetime.fromisoformat(got[1]).astimezone(Z)
    n, unit = int(per[1][:-1]), per[1][-1]
    if unit == "h":
        a = b - datetime.timedelta(hours=n)
    else:
        d = b.date() - datetime.timedelta(days=n)
        a = datetime.datetime(d.year, d.month, d.day, tzinfo=Z)
def iso(t):
    s = t.astimezone(Z).isoformat()
    return s[:-6] + "Z" if zn == "UTC" else s
print(iso(a), iso(b), zn)
PY
)
		expect_eq "$zone $per" "$got" "$want"
	done
done

# Graph axes in local time: 00:00-02:00 in Stockholm is 23:00-01:00 UTC.
cat >"$T/a.conf" <<CONF
daemon = { data_dir = "$T/a"; templates_dir = "$SRC/rrd-templates"; timezone = "Europe/Stockholm"; };
systems = ( { id = "portal"; category = "basic"; portfolio = "service";
  collectors = ( { type = "tcp"; series = "web"; host = "127.0.0.1"; port = 1; } ); },
  { id = "gw"; category = "basic"; portfolio = "service";
  collectors = ( { type = "icmp"; series = "ping"; host = "127.0.0.1"; } ); } );
CONF
sed 's/ timezone = "Europe\/Stockholm";//' "$T/a.conf" >"$T/u.conf"
A="--from @$(e 2026-01-14T23:00:00Z) --to @$(e 2026-01-15T01:00:00Z)"
for c in a u; do
	# shellcheck disable=SC2086
	I graph -c "$T/$c.conf" availability --system portal $A -o "$T/$c.pdf"
	pdftotext -layout "$T/$c.pdf" "$T/$c.txt"
done
grep -q "Availability of portal, 2026-01-15 00:00–02:00 Europe/Stockholm" "$T/a.txt" &&
    ok || fail "local title: $(head -3 "$T/a.txt")"
grep -Eq "^ +00:00 +00:20 +00:40 +01:00 +01:20 +01:40 +02:00 *$" "$T/a.txt" && ok ||
    fail "the axis is not in local time: $(cat "$T/a.txt")"
grep -q "times in Europe/Stockholm" "$T/a.txt" && ok || fail "the graph does not say its zone"
grep -Eq "^ +23:00 +23:20 +23:40 +00:00 +00:20 +00:40 +01:00 *$" "$T/u.txt" && ok ||
    fail "the UTC axis: $(cat "$T/u.txt")"
grep -q "2026-01-14 23:00–2026-01-15 01:00 UTC" "$T/u.txt" && ok || fail "UTC title"
# The smoke preset's axis like every other graph's.
# shellcheck disable=SC2086
I graph -c "$T/a.conf" smoke --system gw $A -o "$T/s.pdf"
pdftotext -layout "$T/s.pdf" "$T/s.txt"
grep -Eq "^ +00:00 +00:20 +00:40 +01:00 +01:20 +01:40 +02:00 *$" "$T/s.txt" && ok ||
    fail "the smoke axis is not in local time: $(cat "$T/s.txt")"

# Cost keeps the UTC billing days: a period takes the days of its dates,
# whatever the offset. One amount a day, 2025-12-20 to 2026-04-18.
D0=$(e 2025-12-20T00:00:00Z)
mkdir -p "$T/c/rrd/cost/portal"
rrdtool create "$T/c/rrd/cost/portal/cost.rrd" --start $((D0 - 86400)) \
    --step 86400 DS:cost:GAUGE:172800:U:U RRA:AVERAGE:0.5:1:400
for d in $(seq 0 119); do echo "$((D0 + d * 86400 + 86400)):$((d * 7 % 113)).37"; done |
    xargs rrdtool update "$T/c/rrd/cost/portal/cost.rrd"
sumdays() { # FROM-DATE TO-DATE (exclusive): the amounts of those UTC days
	python3 - "$D0" "$1" "$2" <<'PY'
import datetime, decimal, sys
d0 = datetime.date(2025, 12, 20)
a, b = (datetime.date.fromisoformat(x) for x in sys.argv[2:4])
s = sum(decimal.Decimal(f"{(d * 7 % 113)}.37") for d in range((a - d0).days, (b - d0).days))
print(f"{s:.2f}")
PY
}
for zone in America/New_York Europe/Stockholm Pacific/Kiritimati UTC; do
	cat >"$T/c.conf" <<CONF
daemon = { data_dir = "$T/c"; templates_dir = "$SRC/rrd-templates"; timezone = "$zone"; };
systems = ( { id = "portal"; category = "basic"; portfolio = "service"; collectors = ( ); } );
CONF
	I report scorecard -c "$T/c.conf" --quarter 2026Q1 --format csv >"$T/c.csv"
	expect_eq "$zone: the scorecard's Q1 cost is the days 2026-01-01..03-31" \
	    "$(awk -F, '$1 == "portal" { print $6 }' "$T/c.csv")" \
	    "$(sumdays 2026-01-01 2026-04-01)"
	I graph -c "$T/c.conf" cost --system portal --quarter 2026Q1 --table csv >"$T/cg.csv"
	for m in 01:02 02:03 03:04; do
		expect_eq "$zone: the cost graph's 2026-${m%:*}" \
		    "$(awk -F, -v m="2026-${m%:*}" '$1 == m { print $2 }' "$T/cg.csv")" \
		    "$(sumdays "2026-${m%:*}-01" "2026-${m#*:}-01")"
	done
	I export -c "$T/c.conf" --system portal --series cost --month 2026-03 \
	    --step 1d --format csv >"$T/ce.csv"
	expect_eq "$zone: March exported is its 31 days" \
	    "$(sed -n '2p;32p' "$T/ce.csv" | cut -d, -f1 | tr '\n' ' ')" \
	    "2026-03-01T00:00:00Z 2026-03-31T00:00:00Z "
	expect_eq "$zone: and nothing else" "$(grep -c '^2026' "$T/ce.csv")" 31
done

# Bad input: each error with its file and line at -n.
cat >"$T/bad.conf" <<'CONF'
daemon = { data_dir = "/nonexistent";
  timezone = "Europe/Stokholm"; };
service_hours = (
  ("mon-fry", "07:00", "18:00"),
  ("mon-fri", "7:00", "18:00"),
  ("mon-fri", "07:00", "24:30"),
  ("sat", "18:00", "07:00"),
  ("sun", "10:00") );
holidays = ( "2026-12-24", "2026-02-30", "christmas" );
systems = ( { id = "portal"; category = "basic"; portfolio = "service";
    holidays = ( "2026-13-01" ); service_hours = ( );
    collectors = ( ); } );
CONF
"$BIN/itfollowd" -n -c "$T/bad.conf" >"$T/bad.out" 2>&1 && fail "-n accepted bad input" || ok
for want in \
    "bad.conf:2: unknown time zone \"Europe/Stokholm\"" \
    "bad.conf:4: bad service_hours days \"mon-fry\"" \
    "bad.conf:5: bad service_hours start \"7:00\" (want \"HH:MM\", local time)" \
    "bad.conf:6: bad service_hours end \"24:30\"" \
    "bad.conf:7: service hours end (\"07:00\") before they start (\"18:00\")" \
    "bad.conf:8: a service_hours line is (\"DAYS\", \"HH:MM\", \"HH:MM\")" \
    "bad.conf:9: holiday \"2026-02-30\" is not a date (want YYYY-MM-DD)" \
    "bad.conf:9: holiday \"christmas\" is not a date (want YYYY-MM-DD)" \
    "bad.conf:11: holiday \"2026-13-01\" is not a date (want YYYY-MM-DD)" \
    "bad.conf:11: service_hours is empty"; do
	grep -qF "$T/$want" "$T/bad.out" && ok || fail "missing: $want in $(cat "$T/bad.out")"
done
for z in "../../etc/passwd" "right/Europe/Stockholm" "/usr/share/zoneinfo/UTC" "Europe"; do
	printf 'daemon = { data_dir = "/nonexistent"; timezone = "%s"; };\n' "$z" >"$T/z.conf"
	"$BIN/itfollowd" -n -c "$T/z.conf" >"$T/z.out" 2>&1 && fail "-n accepted zone $z" || ok
	grep -q "z.conf:1: .*\"$z\"" "$T/z.out" && ok || fail "zone $z: $(cat "$T/z.out")"
done
printf 'daemon = { data_dir = "/nonexistent"; timezone = "right/Europe/Stockholm"; };\n' >"$T/z.conf"
if [ -e /usr/share/zoneinfo/right/Europe/Stockholm ]; then
	"$BIN/itfollowd" -n -c "$T/z.conf" 2>&1 | grep -q "it counts leap seconds" && ok ||
	    fail "a right/ zone is not refused for its leap seconds"
fi

# A reload that names another zone keeps the running one until a restart.
free_port STATUS
cat >"$T/r.conf" <<CONF
daemon = { data_dir = "$T/r"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; timezone = "Europe/Stockholm"; };
systems = ( { id = "portal"; category = "basic"; portfolio = "service"; collectors = ( ); } );
CONF
"$BIN/itfollowd" -f -c "$T/r.conf" 2>"$T/r.log" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "http://127.0.0.1:$STATUS/health"
expect_eq "api: the zone" "$(curl -s "http://127.0.0.1:$STATUS/api/v1/availability" | jq -r .timezone)" \
    Europe/Stockholm
sed -i 's|Europe/Stockholm|America/New_York|' "$T/r.conf"
kill -HUP "$DPID"
for i in $(seq 1 50); do grep -q "timezone changed" "$T/r.log" && break; sleep 0.1; done
grep -q "reload: daemon.timezone changed; takes effect at restart" "$T/r.log" && ok ||
    fail "the reload does not say the zone waits for a restart: $(cat "$T/r.log")"
expect_eq "api: the running zone kept" \
    "$(curl -s "http://127.0.0.1:$STATUS/api/v1/availability" | jq -r .timezone)" Europe/Stockholm
kill "$DPID"
wait "$DPID" 2>/dev/null || true
finish
