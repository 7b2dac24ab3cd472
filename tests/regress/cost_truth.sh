# FOCUS deliveries against an independent computation (python3 decimal and
# fractions): two quarters of monthly deliveries in nested folders, one
# gzip-compressed; a newer re-delivery of February beside the original
# (substituted, never added); a re-delivery of May without one system (0
# on its days, not its old amounts); a charge period at +02:00 crossing
# the quarter end (split by its seconds); a one-time purchase over a year;
# a contract across the quarter end; credits; quoted fields with commas,
# quotes and newlines; rows no system claims (unallocated). Export,
# scorecard (CSV, JSON, text), graph --table and the total row are each
# compared per system and quarter with the files' own sum, to the cent;
# cost per user with constant users (users_from too); a quarter no
# delivery covers is no data, not 0. The charts are drawn as PNG, SVG and
# PDF and kept in the build directory. Bad input: rows in two currencies,
# a cut gzip file, an unknown cost_column and a users_from that is not a
# date are reported with their file and row or line, and nothing stored
# changes.
. "$(dirname "$0")/lib.bash"
# librrd's graph and fontconfig keep caches: suppressed by library.
export LSAN_OPTIONS="${LSAN_OPTIONS:-}:fast_unwind_on_malloc=0"
OUT=${ITF_BUILD_DIR:-$T}

F=$T/focus
mkdir -p "$F"
# The deliveries: one folder per billing period (as providers export
# them), February gzip-compressed, and two re-deliveries made later.
python3 - "$F" <<'PY'
import csv, gzip, io, os, random, sys
from datetime import datetime, timedelta, timezone

root = sys.argv[1]
rnd = random.Random(20260413)
systems = ["portal", "desk", "wiki", "lab", "mail", "hr"]
keys = systems + ["legacy-portal", "nobody-knows", None]
HDR = ["BillingAccountId", "BillingCurrency", "BillingPeriodStart",
       "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd",
       "ChargeCategory", "ChargeFrequency", "ChargeDescription",
       "BilledCost", "EffectiveCost", "ListCost", "ServiceName", "Tags",
       "x_Note"]

def iso(t):
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")

def tags(k):
    if k is None:
        return "{}"
    return '{"itfollow-system": "%s", "env": "prod"}' % k

def month(y, m):
    return datetime(y, m, 1, tzinfo=timezone.utc)

def nextmonth(t):
    return month(t.year + (t.month == 12), t.month % 12 + 1)

def rows_of(y, m, n, skip=None, seed=0):
    r = random.Random(seed or y * 100 + m)
    bp0, bp1 = month(y, m), nextmonth(month(y, m))
    days = (bp1 - bp0).days
    out = []
    for i in range(n):
        k = keys[r.randrange(len(keys))]
        if skip is not None and k == skip:
            continue
        d = r.randrange(days)
        start = bp0 + timedelta(days=d)
        length = 3 if i % 29 == 0 else 1
        end = min(start + timedelta(days=length), bp1)
        cost = "%.2f" % (r.random() * 400 - (150 if i % 17 == 0 else 0))
        desc = r.choice(["Compute", 'Backup, "gold" tier',
                         "Storage\nline two", "Support, 24/7"])
        out.append([f"{y}{m:02d}", "SEK", iso(bp0), iso(bp1), iso(start),
                    iso(end), "Credit" if cost.startswith("-") else "Usage",
                    "Usage-Based", desc, cost, cost, cost, "Svc", tags(k),
                    "x"])
    return out

def write(path, rows, gz=False, mtime=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(HDR)
    w.writerows(rows)
    data = buf.getvalue().encode()
    if gz:
        with gzip.open(path, "wb") as f:
            f.write(data)
    else:
        with open(path, "wb") as f:
            f.write(data)
    if mtime is not None:
        os.utime(path, (mtime, mtime))

base = datetime(2026, 7, 2, tzinfo=timezone.utc).timestamp()
for m in range(1, 7):
    rows = rows_of(2026, m, 700)
    if m == 3:
        # A contract across the quarter end, in March's period; a charge
        # of a local (+02:00) day crossing it too.
        rows.append(["202603", "SEK", iso(month(2026, 3)),
                     iso(month(2026, 4)), "2026-03-15T00:00:00Z",
                     "2026-04-15T00:00:00Z", "Purchase", "Recurring",
                     "Contract, March 15 to April 15", "310.00", "310.00",
                     "310.00", "Svc", tags("mail"), ""])
        rows.append(["202603", "SEK", iso(month(2026, 3)),
                     iso(month(2026, 4)), "2026-04-01T00:00:00+02:00",
                     "2026-04-02T00:00:00+02:00", "Usage", "Usage-Based",
                     "Local day", "100.00", "100.00", "100.00", "Svc",
                     tags("hr"), ""])
    if m == 4:
        # A one-time purchase covering a year.
        rows.append(["202604", "SEK", iso(month(2026, 4)),
                     iso(month(2026, 5)), "2026-04-01T00:00:00Z",
                     "2027-04-01T00:00:00Z", "Purchase", "One-Time",
                     "Licences for a year", "12000.00", "12000.00",
                     "12000.00", "Svc", tags("lab"), ""])
    write(f"{root}/2026-{m:02d}/focus.csv" + (".gz" if m == 2 else ""),
          rows, gz=(m == 2), mtime=base + m * 60)
# The corrected February, later; and May again without wiki, in a
# folder below another.
write(f"{root}/2026-02-corrected/focus.csv",
      rows_of(2026, 2, 650, seed=777), mtime=base + 3600)
write(f"{root}/redelivered/2026-05/focus-v2.csv",
      rows_of(2026, 5, 700, skip="wiki"), mtime=base + 7200)
PY

free_port STATUS
cat >"$T/c.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
systems = (
  { id = "portal"; owner = "norrmalm"; category = "differentiating";
    portfolio = "service"; users = 1200; },
  { id = "desk"; owner = "city"; category = "basic"; portfolio = "cooperation";
    users = 40; },
  { id = "wiki"; owner = "city"; category = "basic"; portfolio = "service"; },
  { id = "lab"; owner = "norrmalm"; category = "innovative";
    portfolio = "innovation"; users = 25; users_from = "2026-04-15"; },
  { id = "mail"; owner = "city"; category = "basic"; portfolio = "information"; },
  { id = "hr"; owner = "norrmalm"; category = "basic"; portfolio = "service"; }
);
feeds = (
  { id = "cloud"; type = "focus"; url = "file://$F";
    map = ( ("legacy-portal", "portal") ); }
);
CONF
rc=0
"$BIN/itfollowd" -T -c "$T/c.conf" >"$T/out" 2>"$T/err" || rc=$?
expect_eq "-T exit" "$rc" 0
grep -q "^unallocated cost cost status=up" "$T/out" && ok ||
    fail "the feed stored nothing: $(cat "$T/out" "$T/err")"
expect_eq "the state says the currency and basis" \
    "$(grep -E '^(currency|basis) ' "$T/data/state/feed-cloud" | tr '\n' ' ')" \
    "currency SEK basis EffectiveCost "

# The files' own sums, computed apart from itfollow: exact fractions over
# the taken rows, each split over its UTC days by seconds, rounded to the
# cent at the end. Prints "KEY VALUE" lines.
python3 - "$F" >"$T/want" <<'PY'
import csv, gzip, io, json, os, sys
from datetime import datetime, timezone
from decimal import Decimal, ROUND_HALF_EVEN
from fractions import Fraction

root = sys.argv[1]
systems = {"portal": ("service", 1200, None), "desk": ("cooperation", 40, None),
           "wiki": ("service", None, None),
           "lab": ("innovation", 25, "2026-04-15"),
           "mail": ("information", None, None), "hr": ("service", None, None)}
DAY = 86400

def ts(s):
    return int(datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp())

files = []
for d, _, names in os.walk(root):
    for n in names:
        if n.endswith(".csv") or n.endswith(".csv.gz"):
            p = os.path.join(d, n)
            files.append((os.stat(p).st_mtime, os.path.relpath(p, root), p))
deliveries = {}  # billing period start -> (mtime, name, rows)
for mtime, name, path in files:
    data = (gzip.open if path.endswith(".gz") else open)(path, "rb").read()
    for row in csv.DictReader(io.StringIO(data.decode())):
        bp = ts(row["BillingPeriodStart"])
        got = deliveries.setdefault(bp, {})
        got.setdefault((int(mtime), name), []).append(row)
taken = []
for bp, byfile in deliveries.items():
    taken += byfile[max(byfile)]

def system(row):
    k = json.loads(row["Tags"]).get("itfollow-system")
    if k == "legacy-portal":
        k = "portal"
    return k if k in systems else "unallocated"

Q = {"2025Q4": (ts("2025-10-01T00:00:00Z"), ts("2026-01-01T00:00:00Z")),
     "2026Q1": (ts("2026-01-01T00:00:00Z"), ts("2026-04-01T00:00:00Z")),
     "2026Q2": (ts("2026-04-01T00:00:00Z"), ts("2026-07-01T00:00:00Z"))}
cost = {}  # (system, quarter) -> Fraction
may_wiki = Fraction(0)
for mtime, name, path in files:
    if name == "2026-05/focus.csv":
        for row in csv.DictReader(open(path, newline="")):
            if system(row) == "wiki":
                may_wiki += Fraction(Decimal(row["EffectiveCost"]))
for row in taken:
    s = system(row)
    a, b = ts(row["ChargePeriodStart"]), ts(row["ChargePeriodEnd"])
    amount = Fraction(Decimal(row["EffectiveCost"]))
    for q, (q0, q1) in Q.items():
        inside = max(0, min(b, q1) - max(a, q0))
        if inside:
            cost[(s, q)] = cost.get((s, q), 0) + amount * inside / (b - a)

def cents(f):
    d = Decimal(f.numerator) / Decimal(f.denominator)
    return str(d.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN))

def users(s, q):
    u, since = systems[s][1], systems[s][2]
    if u is None:
        return None
    q0, q1 = Q[q]
    if since is not None and ts(since + "T00:00:00Z") >= q1:
        return None
    return Fraction(u)

for q in Q:
    total = Fraction(0)
    known = False
    for s in list(systems) + ["unallocated"]:
        if (s, q) in cost:
            print(f"cost {s} {q} {cents(cost[(s, q)])}")
            total += cost[(s, q)]
            known = True
        else:
            print(f"cost {s} {q} ")
        if s in systems and (s, q) in cost and users(s, q):
            print(f"cpu {s} {q} {cents(cost[(s, q)] / users(s, q))}")
        elif s in systems:
            print(f"cpu {s} {q} ")
    print(f"cost total {q} {cents(total) if known else ''}")
    groups = {}
    for s, (g, _, _) in systems.items():
        gs = groups.setdefault(g, {"cost": Fraction(0), "known": False,
                                   "cpu": Fraction(0), "users": Fraction(0),
                                   "none": 0})
        if (s, q) in cost:
            gs["cost"] += cost[(s, q)]
            gs["known"] = True
        if users(s, q) and (s, q) in cost:
            gs["cpu"] += cost[(s, q)]
            gs["users"] += users(s, q)
        elif not users(s, q):
            gs["none"] += 1
    for g, gs in sorted(groups.items()):
        print(f"gcost {g} {q} {cents(gs['cost']) if gs['known'] else ''}")
        print(f"gcpu {g} {q} {cents(gs['cpu'] / gs['users']) if gs['users'] else ''}")
        print(f"gnone {g} {q} {gs['none']}")
print(f"may-wiki-old {cents(may_wiki)}")
PY
want() { awk -v k="$1 $2 $3" 'substr($0, 1, length(k) + 1) == k " " { print substr($0, length(k) + 2) }' "$T/want"; }
expect_num "rows taken" "$(grep -c '^cost ' "$T/want")" ">" 10

I() { "$BIN/itfollow" "$@"; }
# 1. Export: each system's days summed per quarter.
for q in 2025Q4 2026Q1 2026Q2; do
	for s in portal desk wiki lab mail hr unallocated; do
		I export -c "$T/c.conf" --perspective cost --system "$s" \
		    --quarter "$q" --step 1d --format csv >"$T/x.csv"
		got=$(python3 -c '
import sys
from decimal import Decimal
rows = [l.rstrip("\n").split(",") for l in open(sys.argv[1])][1:]
vals = [Decimal(r[1]) for r in rows if len(r) > 1 and r[1] != ""]
print(str(sum(vals).quantize(Decimal("0.01"))) if vals else "")' "$T/x.csv")
		expect_eq "export $s $q" "$got" "$(want cost "$s" "$q")"
	done
done
expect_eq "export: the currency and basis" "$(tail -1 "$T/x.csv")" \
    "# currency=SEK basis=EffectiveCost"
I export -c "$T/c.conf" --perspective cost --system portal --quarter 2026Q1 \
    --format json | grep -m1 '"time"' >"$T/x.json"
grep -q '"currency": "SEK", "basis": "EffectiveCost"' "$T/x.json" && ok ||
    fail "export json says no currency: $(cat "$T/x.json")"
# wiki's May: the re-delivery holds no wiki, so every May day is 0.
I export -c "$T/c.conf" --perspective cost --system wiki --month 2026-05 \
    >"$T/wiki-may.csv"
expect_eq "wiki's May days (the re-delivery holds no wiki)" \
    "$(awk -F, 'NR > 1 && !/^#/ { print $2 }' "$T/wiki-may.csv" | sort -u)" 0
expect_num "wiki had May amounts in the first delivery" \
    "$(awk '$1 == "may-wiki-old" { print ($2 < 0 ? -$2 : $2) }' "$T/want")" ">" 100

# 2. The scorecard, per system and per portfolio, with its total.
col() { # FILE NAME COLUMN
	awk -F, -v s="$2" -v c="$3" 'NR == 1 { for (i = 1; i <= NF; i++)
	    if ($i == c) k = i } $1 == s { print $k }' "$1"
}
for q in 2025Q4 2026Q1 2026Q2; do
	I report scorecard -c "$T/c.conf" --quarter "$q" --format csv \
	    >"$T/sc-$q.csv"
	for s in portal desk wiki lab mail hr unallocated; do
		expect_eq "scorecard cost $s $q" "$(col "$T/sc-$q.csv" "$s" cost)" \
		    "$(want cost "$s" "$q")"
	done
	for s in portal desk wiki lab mail hr; do
		expect_eq "scorecard cost per user $s $q" \
		    "$(col "$T/sc-$q.csv" "$s" cost_per_user)" "$(want cpu "$s" "$q")"
	done
	expect_eq "scorecard total $q (the files' sum)" \
	    "$(col "$T/sc-$q.csv" total cost)" "$(want cost total "$q")"
	I report scorecard -c "$T/c.conf" --quarter "$q" --by portfolio \
	    --format csv >"$T/scp-$q.csv"
	for g in cooperation information innovation service; do
		expect_eq "scorecard $g $q cost" "$(col "$T/scp-$q.csv" "$g" cost)" \
		    "$(want gcost "$g" "$q")"
		expect_eq "scorecard $g $q cost per user" \
		    "$(col "$T/scp-$q.csv" "$g" cost_per_user)" "$(want gcpu "$g" "$q")"
		expect_eq "scorecard $g $q systems without users" \
		    "$(col "$T/scp-$q.csv" "$g" systems_without_users)" \
		    "$(want gnone "$g" "$q")"
	done
	expect_eq "scorecard by portfolio: unallocated $q" \
	    "$(col "$T/scp-$q.csv" unallocated cost)" "$(want cost unallocated "$q")"
	expect_eq "scorecard by portfolio: total $q" \
	    "$(col "$T/scp-$q.csv" total cost)" "$(want cost total "$q")"
done
expect_eq "scorecard csv: the currency and basis" \
    "$(tail -1 "$T/sc-2026Q1.csv")" "# currency=SEK basis=EffectiveCost"
expect_eq "a quarter no delivery covers: no data, not 0" \
    "$(col "$T/sc-2025Q4.csv" total cost):$(col "$T/sc-2025Q4.csv" portal cost)" ":"
I report scorecard -c "$T/c.conf" --quarter 2026Q1 --format json >"$T/sc.json"
expect_eq "scorecard json: currency, basis and total" \
    "$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
t = [r for r in d["rows"] if r["kind"] == "total"][0]
print(d["currency"], d["basis"], "%.2f" % t["cost"])' "$T/sc.json")" \
    "SEK EffectiveCost $(want cost total 2026Q1)"
I report scorecard -c "$T/c.conf" --quarter 2026Q1 >"$T/sc.txt"
grep -q "amounts in SEK (EffectiveCost)" "$T/sc.txt" && ok ||
    fail "the text scorecard says no currency"
expect_eq "text: the total with thousands separators" \
    "$(awk '$1 == "total" { print $6 }' "$T/sc.txt")" \
    "$(python3 -c 'import sys; print(f"{float(sys.argv[1]):,.2f}")' \
        "$(want cost total 2026Q1)")"

# 3. graph --table: per system and quarter, by portfolio with unallocated.
for s in portal lab unallocated; do
	I graph -c "$T/c.conf" cost --system "$s" --from 2026-01-01 \
	    --to 2026-07-01 --per quarter --table csv >"$T/g.csv"
	for q in 2026Q1 2026Q2; do
		expect_eq "graph $s $q" \
		    "$(awk -F, -v q="$q" '$1 == q { print $2 }' "$T/g.csv")" \
		    "$(want cost "$s" "$q")"
	done
done
I graph -c "$T/c.conf" cost --by portfolio --from 2026-01-01 --to 2026-07-01 \
    --per quarter --table csv >"$T/gp.csv"
expect_eq "graph by portfolio: header" "$(head -1 "$T/gp.csv")" \
    "period,cooperation,information,innovation,service,unallocated"
for q in 2026Q1 2026Q2; do
	expect_eq "graph by portfolio: service $q" \
	    "$(awk -F, -v q="$q" '$1 == q { print $5 }' "$T/gp.csv")" \
	    "$(want gcost service "$q")"
	expect_eq "graph by portfolio: unallocated $q" \
	    "$(awk -F, -v q="$q" '$1 == q { print $6 }' "$T/gp.csv")" \
	    "$(want cost unallocated "$q")"
	expect_eq "graph by portfolio: the row's sum is the total $q" \
	    "$(awk -F, -v q="$q" '$1 == q { printf "%.2f", $2 + $3 + $4 + $5 + $6 }' "$T/gp.csv")" \
	    "$(want cost total "$q")"
done
grep -q "^# amounts in SEK (EffectiveCost)" "$T/gp.csv" && ok ||
    fail "the graph table says no currency"
I graph -c "$T/c.conf" cost-per-user --by portfolio --quarter 2026Q2 \
    --table csv >"$T/gc.csv"
expect_eq "graph cost per user: service 2026Q2 (portal's users only)" \
    "$(awk -F, '$1 == "2026Q2" { print $5 }' "$T/gc.csv")" \
    "$(want gcpu service 2026Q2)"
grep -q "^# service: 2 of 3 systems have no users figure" "$T/gc.csv" && ok ||
    fail "the systems without users are not told"
I graph -c "$T/c.conf" cost --system portal --quarter 2025Q4 --table csv \
    >"$T/g4.csv"
expect_eq "graph: a quarter no delivery covers is no data" \
    "$(grep -c '^2025-1[012],$' "$T/g4.csv")" 3

# 4. The charts: bars per quarter, values on them; each format made and
# kept in the build directory to be looked at.
pic() { # NAME ARGS...
	local name=$1
	shift
	I graph -c "$T/c.conf" "$@" -o "$OUT/$name" && ok ||
	    fail "graph $name: $*"
}
pic cost-by-portfolio.png cost --by portfolio --from 2026-01-01 \
    --to 2026-07-01 --per quarter --width 900 --height 420
pic cost-by-portfolio.svg cost --by portfolio --from 2026-01-01 \
    --to 2026-07-01 --per quarter --width 900 --height 420
pic cost-by-portfolio.pdf cost --by portfolio --from 2026-01-01 \
    --to 2026-07-01 --per quarter --width 900 --height 420
pic cost-q1.png cost --per quarter --quarter 2026Q1 --system portal
pic cost-per-user-q2.png cost-per-user --by portfolio --quarter 2026Q2
pic cost-by-month.png cost --by owner --from 2026-01-01 --to 2026-07-01 \
    --per month --width 1000 --height 420
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{ print $3 * 256 + $4 "x" $7 * 256 + $8 }'; }
expect_eq "png size" "$(png_size "$OUT/cost-by-portfolio.png")" 900x420
grep -q '<svg' "$OUT/cost-by-portfolio.svg" && ok || fail "not an SVG"
pdftoppm -png -r 72 -singlefile "$OUT/cost-by-portfolio.pdf" \
    "$OUT/cost-by-portfolio-pdf" && ok || fail "pdftoppm cannot read the PDF"
expect_eq "pdf page" "$(png_size "$OUT/cost-by-portfolio-pdf.png")" 900x420
pdftotext "$OUT/cost-by-portfolio.pdf" - >"$T/pdf.txt"
grep -q "Cost by portfolio, 2026 Q1.Q2, SEK (EffectiveCost)" "$T/pdf.txt" &&
    ok || fail "the chart's title: $(head -3 "$T/pdf.txt")"
for q in 2026Q1 2026Q2; do
	v=$(python3 -c 'import sys; print(f"{float(sys.argv[1]):,.2f}")' \
	    "$(want cost total "$q")")
	grep -qF "$v" "$T/pdf.txt" && ok ||
	    fail "the $q stack's total $v is not written on it"
done
grep -q "2026 Q1" "$T/pdf.txt" && grep -q "2026 Q2" "$T/pdf.txt" && ok ||
    fail "the categories are not 2026 Q1 and 2026 Q2"
pdf() { I graph -c "$T/c.conf" "$@" -o "$T/one.pdf" && pdftotext "$T/one.pdf" -; }
v=$(python3 -c 'import sys; print(f"{float(sys.argv[1]):,.2f}")' \
    "$(want gcpu service 2026Q2)")
pdf cost-per-user --by portfolio --quarter 2026Q2 | grep -qF "$v" && ok ||
    fail "a single quarter's cost per user bar does not show $v"
v=$(python3 -c 'import sys; print(f"{float(sys.argv[1]):,.2f}")' \
    "$(want cost portal 2026Q1)")
pdf cost --system portal --quarter 2026Q1 --per quarter | grep -qF "$v" &&
    ok || fail "a single quarter's cost bar does not show $v"

# 5. The scorecard as HTML: the table with units and totals, its charts.
I report scorecard -c "$T/c.conf" --quarter 2026Q2 --by portfolio \
    --html "$OUT/scorecard-cost.html" >/dev/null
H=$OUT/scorecard-cost.html
grep -q "<th>cost, SEK (EffectiveCost)</th>" "$H" && ok ||
    fail "the HTML table has no unit"
grep -q '<tr class="total"><td>total</td>' "$H" && ok ||
    fail "the HTML table has no total row"
expect_eq "html: four charts" \
    "$(grep -c '<img alt="[^"]*" src="data:image/png;base64,' "$H")" 4
i=0
for b64 in $(grep -o 'base64,[A-Za-z0-9+/=]*' "$H" | cut -c8-); do
	i=$((i + 1))
	echo "$b64" | base64 -d >"$OUT/scorecard-cost-$i.png"
done
expect_eq "html charts kept" "$i" 4

# 6. The re-deliveries are logged once each, by the running daemon, and
# its loop stays on time while the worker reads.
sed 's/map = ( ("legacy-portal", "portal") ); }/map = ( ("legacy-portal", "portal") ); interval = 5; timeout = 4; }/' \
    "$T/c.conf" >"$T/f.conf"
"$BIN/itfollowd" -f -c "$T/f.conf" 2>"$T/daemon.err" &
PIDS="$PIDS $!"
DPID=$!
wait_http "http://127.0.0.1:$STATUS/health"
lag=0
for i in $(seq 1 40); do
	l=$(curl -s "http://127.0.0.1:$STATUS/health" | jq -r '.loop_lag_ms // 0')
	[ "$l" -gt "$lag" ] && lag=$l
	grep -q "feed/cloud: up" "$T/daemon.err" && break
	sleep 0.2
done
grep -q "feed/cloud: up" "$T/daemon.err" && ok ||
    fail "the daemon did not run the feed: $(tail -5 "$T/daemon.err")"
expect_num "loop lag while the worker reads (ms)" "$lag" "<" 500
grep -q "billing period from 2026-02-01: 2026-02-corrected/focus.csv replaces 2026-02/focus.csv.gz" \
    "$T/daemon.err" && ok || fail "the re-delivery of February is not logged"
grep -q "billing period from 2026-05-01: redelivered/2026-05/focus-v2.csv replaces 2026-05/focus.csv" \
    "$T/daemon.err" && ok || fail "the re-delivery of May is not logged"
kill "$DPID"
wait "$DPID" 2>/dev/null || true

# 6b. Over http: a gzip'd delivery streamed to the worker (decompressed
# by its magic, not its name), the total of February to the cent.
start_targets
sed -e "s#url = \"file://$F\";#url = \"http://127.0.0.1:$HTTP/file?path=$F/2026-02/focus.csv.gz\";#" \
    -e "s#data_dir = \"$T/data\"#data_dir = \"$T/hdata\"#" "$T/c.conf" >"$T/h.conf"
"$BIN/itfollowd" -T -c "$T/h.conf" >"$T/hout" 2>"$T/herr" || true
grep -q "^unallocated cost cost status=up" "$T/hout" && ok ||
    fail "the http feed stored nothing: $(cat "$T/hout" "$T/herr")"
expect_eq "http gzip: February's total" \
    "$(I report scorecard -c "$T/h.conf" --month 2026-02 --format csv |
        awk -F, '$1 == "total" { print $6 }')" \
    "$(python3 -c '
import csv, gzip, io, sys
from decimal import Decimal
rows = csv.DictReader(io.StringIO(gzip.open(sys.argv[1]).read().decode()))
print(sum(Decimal(r["EffectiveCost"]) for r in rows).quantize(Decimal("0.01")))' \
        "$F/2026-02/focus.csv.gz")"

# 7. Bad input: nothing stored changes, the cause is named.
sums() { md5sum "$T"/data/rrd/cost/*/cost.rrd; }
before=$(sums)
printf '%s\r\n%s\r\n%s\r\n' \
    "BillingCurrency,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,EffectiveCost,Tags" \
    'SEK,2026-06-01T00:00:00Z,2026-07-01T00:00:00Z,2026-06-02T00:00:00Z,2026-06-03T00:00:00Z,5,"{""itfollow-system"": ""hr""}"' \
    'EUR,2026-06-01T00:00:00Z,2026-07-01T00:00:00Z,2026-06-02T00:00:00Z,2026-06-03T00:00:00Z,7,"{""itfollow-system"": ""hr""}"' \
    >"$F/2026-06/zz-eur.csv"
"$BIN/itfollowd" -T -c "$T/c.conf" >"$T/out2" 2>"$T/err2" || true
grep -q "^feed/cloud - (nothing stored) status=down reason=parse_error" \
    "$T/out2" && ok || fail "rows in two currencies do not fail the run"
grep -q "2026-06/zz-eur.csv: row 2: BillingCurrency EUR, not SEK as in 2026-01/focus.csv row 1" \
    "$T/err2" && ok || fail "the EUR row is not named: $(grep -i eur "$T/err2")"
expect_eq "nothing stored changed (currencies)" "$(sums)" "$before"
rm "$F/2026-06/zz-eur.csv"
# A re-delivery cut half-way (gzip ends early): its period keeps its days.
head -c 3000 "$F/2026-02/focus.csv.gz" >"$F/2026-02-corrected/focus-2.csv.gz"
"$BIN/itfollowd" -T -c "$T/c.conf" >"$T/out3" 2>"$T/err3" || true
grep -q "^feed/cloud - (nothing stored) status=down reason=parse_error" \
    "$T/out3" && ok || fail "a cut gzip file does not fail the run"
grep -q "2026-02-corrected/focus-2.csv.gz: gzip: the data ends early" \
    "$T/err3" && ok || fail "the cut file is not named: $(tail -3 "$T/err3")"
expect_eq "nothing stored changed (a cut file)" "$(sums)" "$before"
rm "$F/2026-02-corrected/focus-2.csv.gz"
# Settings: an unknown cost_column, a users_from that is not a date.
sed -e 's/map = ( ("legacy-portal", "portal") ); }/cost_column = "AmortizedCost"; }/' \
    -e 's/users_from = "2026-04-15"/users_from = "15 April"/' \
    "$T/c.conf" >"$T/bad.conf"
rc=0
"$BIN/itfollowd" -n -c "$T/bad.conf" >"$T/bad" 2>&1 || rc=$?
expect_eq "bad settings: exit 1" "$rc" 1
grep -q "bad.conf:$(grep -n 'users_from' "$T/bad.conf" | cut -d: -f1): users_from \"15 April\" is not a date (YYYY-MM-DD)" \
    "$T/bad" && ok || fail "users_from is not reported at its line: $(cat "$T/bad")"
grep -q "bad.conf:$(grep -n 'AmortizedCost' "$T/bad.conf" | cut -d: -f1): unknown cost_column \"AmortizedCost\"" \
    "$T/bad" && ok || fail "cost_column is not reported at its line: $(cat "$T/bad")"
finish
