# A quarter of learning records counted exactly: 250 xAPI statements over
# three verbs and four courses, stored across 2026Q3 and its edges (equal
# stored times across page boundaries, relative and absolute "more"
# links), served by a learning record store (tests/tools/feedsrv.py) in
# three phases: runs of -T, a running daemon (several runs), a gap and a
# restart. Statements that become visible late (stored before what was
# counted: covered by Consistent-Through, then by the overlap) are
# counted once. Every day's count and the quarter's total, read back with
# itfollow export and librrd, equal python's count of the statements.
. "$(dirname "$0")/lib.bash"

free_port LRS
free_port STATUS
mkdir -p "$T/lrs"
"$SRC/tests/tools/feedsrv.py" --port "$LRS" --dir "$T/lrs" \
    --pidfile "$T/lrs.pid" 2>"$T/lrs.err" &
PIDS="$PIDS $!"
wait_file "$T/lrs.pid"
printf 's3cret\n' >"$T/password"
chmod 600 "$T/password"

# The statements, and what each phase serves (lrs.json).
python3 - "$T" <<'PY'
import json, random, sys, datetime
T = sys.argv[1]
random.seed(15)
V = "http://adlnet.gov/expapi/verbs/"
C = "https://lms.example/course/"
verbs = ["completed", "attempted", "passed"]
objects = ["gdpr", "security", "onboarding", "excel"]
q3 = datetime.datetime(2026, 7, 1, tzinfo=datetime.timezone.utc).timestamp()
q4 = datetime.datetime(2026, 10, 1, tzinfo=datetime.timezone.utc).timestamp()
def iso(t):
    d = datetime.datetime.fromtimestamp(t, datetime.timezone.utc)
    return d.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (round(t * 1000) % 1000)
times = [q3 + random.random() * (q4 - q3) for _ in range(224)]
# The quarter's edges: the first and last millisecond in, one out each.
times += [q3, q3 + 0.001, q4 - 0.001, q4 - 0.001, q3 - 0.001, q4, q4 + 0.5]
# Ten at one time: a page boundary falls among them.
same = q3 + 40 * 86400 + 1234.5
times += [same] * 10
times += [q4 + 86400 * 3 + i for i in range(7)]
times = sorted(times)
# Phase b serves what is stored before b_end; two more stored less than
# the overlap (300 s) before the last of those become visible only later.
b_end, b_last = times[180], times[179]
times += [b_last - 100, b_last - 40]
times = sorted(round(t, 3) for t in times)
assert len(times) == 250
sts = []
for i, t in enumerate(times):
    sts.append({"id": "%08x-0000-4000-8000-%012x" % (i, i * 7919),
                "verb": V + random.choice(verbs),
                "object": C + random.choice(objects),
                "stored": iso(t), "t": t})
# Late in phase a: hidden, and the store consistent only up to them.
a_end = times[100]
late_a = [s for s in sts if times[60] <= s["t"] < times[90]][::6]
late_b = [s for s in sts if s["t"] in (round(b_last - 100, 3),
                                        round(b_last - 40, 3))]
assert len(late_b) == 2
def phase(name, until, hidden, ct):
    doc = {"page_size": 7, "more": "alternate", "user": "itf",
           "password": "s3cret",
           "statements": [dict(s, hidden=(s["t"] >= until or s in hidden))
                          for s in sts]}
    if ct is not None:
        doc["consistent_through"] = ct
    json.dump(doc, open("%s/phase-%s.json" % (T, name), "w"))
phase("a", a_end, late_a, min(s["stored"] for s in late_a))
phase("b", b_end, late_b, None)
phase("c", 1e12, [], "2100-01-01T00:00:00.000Z")
json.dump(sts, open(T + "/statements.json", "w"))
PY

cat >"$T/x.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
systems = ( { id = "learning"; category = "basic"; portfolio = "training"; } );
feeds = (
  { id = "lrs"; type = "xapi"; system = "learning"; interval = 2; timeout = 1.8;
    url = "http://127.0.0.1:$LRS/xapi/statements";
    username = "itf"; password_file = "$T/password";
    verbs = ( ("http://adlnet.gov/expapi/verbs/completed", "completed"),
              ("http://adlnet.gov/expapi/verbs/attempted", "attempted"),
              ("http://adlnet.gov/expapi/verbs/passed", "passed") );
    courses = ( ("https://lms.example/course/gdpr", "gdpr"),
                ("https://lms.example/course/security", "security"),
                ("https://lms.example/course/onboarding", "onboarding") ); }
);
CONF

# Phase A: a -T run; some statements are not visible yet, and the store
# says it is consistent only up to the first of them.
cp "$T/phase-a.json" "$T/lrs/lrs.json"
rc=0
"$BIN/itfollowd" -T -c "$T/x.conf" >"$T/out-a" 2>"$T/err-a" || rc=$?
expect_eq "phase a: -T exit" "$rc" 0
expect_eq "phase a: every series up" \
    "$(grep -c '^learning maturity .* status=up reason=ok' "$T/out-a")" 12

# Phase B: the late ones and more; the daemon runs a few times; no
# Consistent-Through (the overlap alone must catch what comes late).
cp "$T/phase-b.json" "$T/lrs/lrs.json"
"$BIN/itfollowd" -f -c "$T/x.conf" 2>"$T/err-b" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "http://127.0.0.1:$STATUS/health"
# A run asks for the first page of "passed" once (phase a did once).
for i in $(seq 1 100); do
	runs=$(grep -c '"path": "/xapi/statements?verb=[^"]*passed&ascending' \
	    "$T/lrs/requests.log" || true)
	runs=$((runs - 1))
	[ "$runs" -ge 3 ] && break
	sleep 0.2
done
kill -TERM "$DPID"
wait "$DPID" || true
expect_num "phase b: runs of the daemon" "$runs" ">=" 3

# Phase C (after a gap and a restart): the rest, and one stored just
# before what was counted, visible only now.
cp "$T/phase-c.json" "$T/lrs/lrs.json"
"$BIN/itfollowd" -T -c "$T/x.conf" >"$T/out-c" 2>"$T/err-c" || rc=$?
expect_eq "phase c: -T exit" "$rc" 0
"$BIN/itfollowd" -T -c "$T/x.conf" >"$T/out-d" 2>"$T/err-d" || rc=$?
expect_eq "again: nothing new" \
    "$(awk '{ print $NF }' "$T/out-d" | sort -u)" "count=0"

# What python counts: per series (course-verb, "other" for the rest) and
# UTC day, the statements stored in that day.
python3 - "$T" <<'PY'
import json, sys, datetime, collections
T = sys.argv[1]
sts = json.load(open(T + "/statements.json"))
course = {"gdpr": "gdpr", "security": "security", "onboarding": "onboarding"}
days = collections.Counter()
for s in sts:
    c = course.get(s["object"].rsplit("/", 1)[1], "other")
    v = s["verb"].rsplit("/", 1)[1]
    d = datetime.datetime.fromtimestamp(int(s["t"] // 1), datetime.timezone.utc)
    days[(c + "-" + v, d.strftime("%Y-%m-%d"))] += 1
series = sorted({k[0] for k in days} | {c + "-" + v for c in
    ["gdpr", "security", "onboarding", "other"] for v in
    ["completed", "attempted", "passed"]})
start = datetime.date(2026, 6, 29)
with open(T + "/expected.csv", "w") as f:
    for s in series:
        for i in range(0, 100):
            d = (start + datetime.timedelta(days=i)).strftime("%Y-%m-%d")
            n = days.get((s, d), 0)
            f.write("%s %sT00:00:00Z %s\n" % (s, d, n if n else ""))
with open(T + "/series.txt", "w") as f:
    f.write("\n".join(series) + "\n")
q3 = sum(n for (s, d), n in days.items() if "2026-07-01" <= d < "2026-10-01")
open(T + "/q3.txt", "w").write("%d\n" % q3)
PY
: >"$T/got.csv"
while read -r s; do
	"$BIN/itfollow" export -c "$T/x.conf" --system learning --series "$s" \
	    --from 2026-06-29 --to 2026-10-07 --step 1d |
	    awk -F, -v s="$s" 'NR > 1 { print s, $1, $2 }' >>"$T/got.csv"
done <"$T/series.txt"
if diff "$T/expected.csv" "$T/got.csv" >"$T/days.diff"; then
	ok
else
	fail "daily counts differ from the statements served (< python, > stored):"
	head -20 "$T/days.diff"
fi

# The quarter's total over every series, read with librrd (rrdtool) and
# summed by awk: the statements stored in 2026Q3, to the unit.
Q3=$(date -u -d 2026-07-01 +%s)
Q4=$(date -u -d 2026-10-01 +%s)
total=$(for f in "$T"/data/rrd/maturity/learning/*.rrd; do
	rrdtool fetch "$f" AVERAGE -r 86400 -s "$Q3" -e $((Q4 - 86400))
done | awk -v q3="$Q3" -v q4="$Q4" '$1 ~ /:$/ && $2 != "-nan" && $2 != "nan" {
	t = $1 + 0; if (t > q3 && t <= q4) n += $2 * 86400 }
	END { printf "%.6f", n }')
expect_eq "2026Q3 total" "$total" "$(cat "$T/q3.txt").000000"
expect_eq "250 served, 250 counted" \
    "$(awk 'NF == 3 { n += $3 } END { print n }' "$T/got.csv")" 250

# itfollow last finds the feed's series by system and series.
rc=0
"$BIN/itfollow" last -c "$T/x.conf" learning gdpr-completed >"$T/last" || rc=$?
expect_eq "last of a feed series" "$rc:$(grep -c '^count=' "$T/last")" "0:1"

# The state: floors and remembered ids, in the second format.
expect_eq "state file format" "$(head -1 "$T/data/state/feed-lrs")" \
    "itfollow-xapi 2"
# Every request carried the credentials, and only to the store's port.
expect_eq "requests elsewhere" \
    "$(python3 -c 'import json,sys
print(sum(1 for l in open(sys.argv[1]) if json.loads(l)["port"] != int(sys.argv[2])))' \
    "$T/lrs/requests.log" "$LRS")" 0
finish
