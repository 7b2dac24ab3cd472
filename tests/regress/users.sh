# Cost-efficiency denominators: a system's users series (cost perspective)
# from a constant, from a licence series' daily in_use, and from a generic
# CSV feed's series, each stored by the daemon and read back with export;
# a copied source that is corrected is copied again; bad users settings are
# reported with file:line.
. "$(dirname "$0")/lib.bash"

free_port STATUS
now=$(date -u +%s)
today=$((now - now % 86400))
d0=$((today - 3 * 86400)) # three whole days ago
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
day() { date -u -d "@$1" +%Y-%m-%d; }

# A licence series as the licence feed keeps it (rrd-templates/licence.tmpl),
# with three whole days of 5-minute values: day 1 in_use 10 all day; day 2
# 10 for the first half and 30 for the second (average 20); day 3 40.
# Today has values too, but is not over.
L=$T/data/rrd/maturity/lab
mkdir -p "$L"
rrdtool create "$L/licence-matlab.rrd" --step 300 --start $((d0 - 300)) \
    DS:issued:GAUGE:600:0:U DS:in_use:GAUGE:600:0:U DS:queued:GAUGE:600:0:U \
    DS:reserved:GAUGE:600:0:U DS:warning:GAUGE:600:0:U \
    DS:suspended:GAUGE:600:0:U \
    RRA:AVERAGE:0.5:1:576 RRA:MAX:0.5:1:576 RRA:AVERAGE:0.5:12:8784 \
    RRA:MAX:0.5:12:8784 RRA:AVERAGE:0.5:288:2562 RRA:MAX:0.5:288:2562
awk -v d0="$d0" -v now="$now" 'BEGIN {
	for (t = d0 + 300; t <= now; t += 300) {
		k = int((t - 300 - d0) / 86400)
		s = (t - 300 - d0) % 86400
		v = k == 0 ? 10 : k == 1 ? (s < 43200 ? 10 : 30) : 40
		printf "%d:50:%d:0:0:U:U\n", t, v
	}
}' | xargs -n 200 rrdtool update "$L/licence-matlab.rrd" --template \
    issued:in_use:queued:reserved:warning:suspended

# A generic CSV feed of daily staff counts (rows at their own dates).
{
	echo "date,Staff"
	echo "$(day $((d0 + 86400))),120"
	echo "$(day $((d0 + 2 * 86400))),125"
	echo "$(day $((d0 + 3 * 86400))),130"
} >"$T/staff.csv"

conf() {
	cat <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
systems = (
  { id = "portal"; category = "differentiating"; portfolio = "service";
    users = 1200; },
  { id = "lab"; category = "innovative"; portfolio = "innovation";
    users = { licence = "licence-matlab"; }; },
  { id = "desk"; category = "basic"; portfolio = "cooperation";
    users = { series = "internal-benefit/staff"; ds = "value"; }; }
);
feeds = (
  { id = "staff"; type = "csv"; system = "desk"; perspective = "internal-benefit";
    url = "file://$T/staff.csv"; date_column = "date"; template = "daily";
    values = { staff = "Staff"; }; }
);
CONF
}
conf >"$T/u.conf"
"$BIN/itfollowd" -n -c "$T/u.conf" && ok || fail "the configuration is refused"

export_users() {
	"$BIN/itfollow" export -c "$T/u.conf" --perspective cost --system "$1" \
	    --series users --from "$(iso $((d0 - 86400)))" \
	    --to "$(iso $((today + 86400)))" --step 1d --format csv
}
# The value of day $2 (epoch of its start) in export $1.
at() { awk -F, -v t="$(iso "$2")" '$1 == t { print $2 }' "$1"; }

# First run: the feed stores staff; the users of desk find no series yet.
rc=0
"$BIN/itfollowd" -T -c "$T/u.conf" >"$T/out1" 2>"$T/err1" || rc=$?
expect_eq "first -T exit" "$rc" 0
grep -q "no series internal-benefit/staff of desk yet" "$T/err1" && ok ||
    fail "a missing source is not reported"
[ ! -e "$T/data/rrd/cost/desk/users.rrd" ] && ok ||
    fail "users were stored with nothing to copy"
# Second run: desk's users copy the stored staff series.
"$BIN/itfollowd" -T -c "$T/u.conf" >"$T/out2" 2>"$T/err2" || true
grep -q "^desk cost users status=up reason=ok users=130" "$T/out2" && ok ||
    fail "desk's users did not copy the staff series"

# The constant: today's row.
export_users portal >"$T/portal"
expect_eq "export header" "$(head -1 "$T/portal")" "time,users"
expect_eq "constant users today" "$(at "$T/portal" "$today")" 1200
expect_eq "constant users yesterday (it holds every day)" \
    "$(at "$T/portal" $((today - 86400)))" 1200
[ -f "$T/data/rrd/cost/portal/users.rrd" ] && ok ||
    fail "users not stored at cost/portal/users.rrd"

# The licence: each whole day's average in_use; today is not over.
export_users lab >"$T/lab"
expect_eq "licence users day 1" "$(at "$T/lab" "$d0")" 10
expect_eq "licence users day 2 (10 then 30)" "$(at "$T/lab" $((d0 + 86400)))" 20
expect_eq "licence users day 3" "$(at "$T/lab" $((d0 + 2 * 86400)))" 40
expect_eq "licence users today (not over)" "$(at "$T/lab" "$today")" ""

# The generic feed: its rows copied at their own times.
export_users desk >"$T/desk"
"$BIN/itfollow" export -c "$T/u.conf" --perspective internal-benefit \
    --system desk --series staff --from "$(iso $((d0 - 86400)))" \
    --to "$(iso $((today + 86400)))" --step 1d --format csv |
    tail -n +2 | awk -F, '$2 != ""' >"$T/staff"
expect_eq "staff rows stored" "$(wc -l <"$T/staff")" 3
tail -n +2 "$T/desk" | awk -F, '$2 != ""' >"$T/desk-rows"
expect_eq "desk users = the staff series, day by day" \
    "$(cat "$T/desk-rows")" "$(cat "$T/staff")"
expect_eq "desk users sum" "$(awk -F, '{ s += $2 } END { print s }' \
    "$T/desk-rows")" 375

# The source corrected (a new day-3 figure in the file, stored anew by
# the feed's own replacing store): the copy follows it.
rm -f "$T/data/rrd/internal-benefit/desk/staff.rrd"
sed -i "s/,130\$/,131/" "$T/staff.csv"
"$BIN/itfollowd" -T -c "$T/u.conf" >"$T/out3" 2>"$T/err3" || true
"$BIN/itfollowd" -T -c "$T/u.conf" >"$T/out4" 2>"$T/err4" || true
export_users desk | tail -n +2 | awk -F, '$2 != ""' >"$T/desk-rows3"
expect_eq "desk users day 3 corrected" "$(tail -1 "$T/desk-rows3")" \
    "$(tail -1 "$T/desk-rows" | cut -d, -f1),131"
expect_eq "desk users days 1-2 kept" "$(head -2 "$T/desk-rows3")" \
    "$(head -2 "$T/desk-rows")"

# Bad settings: each with its file and line.
cat >"$T/bad.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates"; };
systems = (
  { id = "a"; category = "basic"; portfolio = "service";
    users = -3; },
  { id = "b"; category = "basic"; portfolio = "service";
    users = { licence = "licence-x"; series = "maturity/y"; }; },
  { id = "c"; category = "basic"; portfolio = "service";
    users = { series = "nowhere/y"; }; },
  { id = "d"; category = "basic"; portfolio = "service";
    users = "many"; },
  { id = "e"; category = "basic"; portfolio = "service";
    users = { licence = "licence-x"; colour = "red"; }; }
);
CONF
rc=0
"$BIN/itfollowd" -n -c "$T/bad.conf" >"$T/bad" 2>&1 || rc=$?
expect_eq "bad users exit" "$rc" 1
grep -q "bad.conf:4: users must be a number of 0 or more" "$T/bad" && ok ||
    fail "a negative constant is not reported at its line"
grep -q "bad.conf:6: users needs one of licence" "$T/bad" && ok ||
    fail "licence and series together are not reported"
grep -q 'bad.conf:8: users: unknown perspective "nowhere"' "$T/bad" && ok ||
    fail "a bad perspective is not reported"
grep -q "bad.conf:10: users must be a number" "$T/bad" && ok ||
    fail "a string users is not reported"
grep -q 'bad.conf:12: unknown key "colour" in users' "$T/bad" && ok ||
    fail "an unknown key in users is not reported"
finish
