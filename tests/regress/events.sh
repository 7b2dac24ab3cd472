# Counts from generic feeds stored as counts (template events): per-run
# counts of a JSON feed at times that do not line up with the days
# (several in a day, across midnight, a gap of weeks), running totals
# (cumulative = true: their growth, a reset), CSV rows of daily counts
# read again after a restart (each row once), and a file of the earlier
# events layout (5-minute ABSOLUTE rates) rebuilt into the new one with
# its days kept. Each -T run is a restart. What itfollow export prints
# per day, and the scorecard's benefit columns for 2026Q3, are compared
# with python's sums (decimal) of what the feeds gave.
. "$(dirname "$0")/lib.bash"
# librrd's graph leaks legend strings (the scorecard draws nothing here,
# but the library is loaded); suppressed by library, which needs stacks.
export LSAN_OPTIONS="${LSAN_OPTIONS:-}:fast_unwind_on_malloc=0"

free_port STATUS
D=$T/data/rrd
cat >"$T/e.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; };
systems = ( { id = "portal"; owner = "city"; category = "differentiating";
  portfolio = "service"; } );
feeds = (
  { id = "tx"; type = "json"; system = "portal"; url = "file://$T/tx.json";
    template = "events"; time = "/at"; values = { tx = "/n"; }; },
  { id = "sessions"; type = "json"; system = "portal"; url = "file://$T/s.json";
    template = "events"; cumulative = true; time = "/at";
    values = { sessions = "/total"; }; },
  { id = "legacy"; type = "json"; system = "portal"; url = "file://$T/l.json";
    perspective = "internal-benefit"; template = "events"; time = "/at";
    values = { legacy = "/n"; }; },
  { id = "visits"; type = "csv"; system = "portal"; url = "file://$T/v.csv";
    perspective = "internal-benefit"; template = "events";
    date_column = "date"; values = { visits = "visits"; }; }
);
CONF

# The runs: per-run counts (tx) and running totals (sessions), each pair
# one -T run (a restart each time).
cat >"$T/runs.txt" <<'RUNS'
2026-06-30T23:59:59Z 6 2026-07-01T06:00:00Z 1000
2026-07-01T00:00:00Z 5 2026-07-01T12:00:00Z 1010
2026-08-03T09:13:07Z 5 2026-07-02T00:00:01Z 1035
2026-08-03T17:59:59Z 3 2026-07-02T23:59:59Z 1035
2026-08-03T23:59:59Z 2 2026-07-10T08:30:00Z 5
2026-08-04T00:00:00Z 4 2026-08-04T00:00:00Z 17
2026-08-20T12:00:00Z 7 2026-09-30T22:00:00Z 20
2026-09-30T23:59:59Z 1 2026-09-30T23:59:59Z 31
2026-10-01T00:00:00Z 9 2026-10-01T01:00:00Z 40
RUNS
printf '{ "at": "2026-09-12T10:00:00Z", "n": 100 }\n' >"$T/l.json"
printf 'date,visits\n2026-07-05,12\n2026-07-06,30\n' >"$T/v.csv"

# A file of the earlier events layout, with 4 days of 5-minute counts.
S0=$(date -u -d 2026-09-10 +%s)
L=$D/internal-benefit/portal/legacy.rrd
mkdir -p "$(dirname "$L")"
rrdtool create "$L" --start "$S0" --step 300 DS:count:ABSOLUTE:600:0:U \
    RRA:AVERAGE:0.5:5m:2d RRA:MAX:0.5:5m:2d RRA:AVERAGE:0.5:1h:1y \
    RRA:MAX:0.5:1h:1y RRA:AVERAGE:0.5:1d:7y RRA:MAX:0.5:1d:7y
awk -v s0="$S0" 'BEGIN { for (i = 1; i <= 4 * 288; i++)
	print s0 + 300 * i ":" (i * 7) % 5 }' >"$T/legacy.txt"
xargs -n 500 rrdtool update "$L" <"$T/legacy.txt"
rrdtool fetch "$L" AVERAGE -r 86400 -s $((S0 - 86400)) -e $((S0 + 4 * 86400)) |
    awk '$1 ~ /:$/ && $2 !~ /nan/ { printf "%d %.6f\n", $1 - 86400, $2 * 86400 }' \
    >"$T/legacy-days.txt"
expect_eq "legacy: librrd reads the 4 days as python sums them" \
    "$(awk '{ printf "%d ", $2 }' "$T/legacy-days.txt")" \
    "$(python3 -c 'import sys
s0 = int(sys.argv[1])
days = [0] * 4
for i in range(1, 4 * 288 + 1):
    days[(300 * i - 1) // 86400] += (i * 7) % 5
print(" ".join(map(str, days)), end=" ")' "$S0")"

rc=0
while read -r tt tn st sv; do
	printf '{ "at": "%s", "n": %s }\n' "$tt" "$tn" >"$T/tx.json"
	printf '{ "at": "%s", "total": %s }\n' "$st" "$sv" >"$T/s.json"
	"$BIN/itfollowd" -T -c "$T/e.conf" >>"$T/out" 2>>"$T/err" || rc=$?
	# The CSV gains a row after the first restart: the old rows are
	# not counted again. The legacy feed counted its 100 once.
	if ! grep -q 2026-07-07 "$T/v.csv"; then
		printf '2026-07-07,8\n' >>"$T/v.csv"
	fi
	printf '{ "at": "2026-09-12T10:00:00Z", "n": 0 }\n' >"$T/l.json"
done <"$T/runs.txt"
expect_eq "-T runs" "$rc" 0
expect_eq "legacy rebuilt into the events layout" \
    "$(rrdtool info "$L" | grep -E '^(step|rra\[[0-9]+\]\.cf)' | tr '\n' ' ')" \
    'step = 86400 rra[0].cf = "AVERAGE" '

# python's sums, per series and day, and per quarter.
python3 - "$T" <<'PY'
import sys, datetime, collections
from decimal import Decimal
T = sys.argv[1]
day = lambda s: s[:10]
sums = collections.defaultdict(Decimal)
prev = None
for line in open(T + "/runs.txt"):
    tt, tn, st, sv = line.split()
    sums[("tx", day(tt))] += Decimal(tn)
    sv = Decimal(sv)
    if prev is not None:
        sums[("sessions", day(st))] += sv - prev if sv >= prev else sv
    prev = sv
for line in open(T + "/v.csv").read().split("\n")[1:]:
    if line:
        d, n = line.split(",")
        sums[("visits", d)] += Decimal(n)
for line in open(T + "/legacy-days.txt"):
    t, n = line.split()
    d = datetime.datetime.fromtimestamp(int(t), datetime.timezone.utc)
    sums[("legacy", d.strftime("%Y-%m-%d"))] += Decimal(n)
sums[("legacy", "2026-09-12")] += 100
start = datetime.date(2026, 6, 29)
with open(T + "/expected.csv", "w") as f:
    for s in ["tx", "sessions", "visits", "legacy"]:
        for i in range(100):
            d = (start + datetime.timedelta(days=i)).strftime("%Y-%m-%d")
            v = sums.get((s, d))
            f.write("%s %sT00:00:00Z %s\n" % (s, d, "" if v is None else
                    format(v.normalize(), "f")))
q3 = lambda s: sum((v for (k, d), v in sums.items()
                    if k in s and "2026-07-01" <= d < "2026-10-01"), Decimal(0))
open(T + "/ext.txt", "w").write("%.2f\n" % q3(["tx", "sessions"]))
open(T + "/int.txt", "w").write("%.2f\n" % q3(["visits", "legacy"]))
PY
: >"$T/got.csv"
for s in tx sessions visits legacy; do
	"$BIN/itfollow" export -c "$T/e.conf" --system portal --series "$s" \
	    --from 2026-06-29 --to 2026-10-07 --step 1d |
	    awk -F, -v s="$s" 'NR > 1 { print s, $1, $2 }' >>"$T/got.csv"
done
# A day a run marked with nothing counted holds 0, shown as such.
if diff "$T/expected.csv" "$T/got.csv" >"$T/days.diff"; then
	ok
else
	fail "daily counts differ from the feeds' (< python, > stored):"
	head -20 "$T/days.diff"
fi

"$BIN/itfollow" report scorecard -c "$T/e.conf" --quarter 2026Q3 \
    --format csv >"$T/sc.csv"
col() { awk -F, -v c="$1" 'NR == 1 { for (i = 1; i <= NF; i++)
    if ($i == c) k = i } $1 == "portal" { print $k }' "$T/sc.csv"; }
expect_eq "scorecard external benefit: tx and sessions in 2026Q3" \
    "$(col external_benefit)" "$(cat "$T/ext.txt")"
expect_eq "scorecard internal benefit: visits and legacy in 2026Q3" \
    "$(col internal_benefit)" "$(cat "$T/int.txt")"

rc=0
"$BIN/itfollow" last -c "$T/e.conf" portal sessions >"$T/last" || rc=$?
expect_eq "last of a feed series" "$rc:$(sed -n 's/^count=//p' "$T/last")" \
    "0:9"

# Bad keys: each reported at its line.
cat >"$T/bad.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates"; };
systems = ( { id = "portal"; category = "basic"; portfolio = "service"; } );
feeds = (
  { id = "g"; type = "json"; system = "portal"; url = "file://$T/s.json";
    cumulative = true; values = { s = "/total"; }; },
  { id = "lrs"; type = "xapi"; system = "portal"; url = "http://127.0.0.1:1/x";
    overlap = -5; verbs = ( ("http://adlnet.gov/expapi/verbs/completed", "c") ); }
);
CONF
out=$("$BIN/itfollowd" -n -c "$T/bad.conf" 2>&1) && rc=0 || rc=$?
expect_eq "bad keys: exit 1 and each at its line" "$rc:$out" \
    "1:$T/bad.conf:5: cumulative counts growth: it wants template = \"events\"
$T/bad.conf:7: overlap is seconds from 0 to 604800 (a week)"
finish
