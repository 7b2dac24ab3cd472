# The demo city (scripts/demo) in a temporary directory on free ports,
# started as a terminal starts it (a session of its own, SIGINT as it
# comes), with the binaries of this build. Refused first: a port it wants
# that is taken; then, while it runs, a second demo on its directory and
# one on its ports, each leaving nothing running. It runs without
# warnings, as the daemon's user when started by root, with its files in
# the package's modes. Once the first outage is recorded, headless
# Chromium loads every page (screenshots kept in the build directory as
# demo-*.png), every graph of every page has data, the three commands it
# printed succeed, and the figures they and the graphs show (the
# scorecard's cost, cost per user and benefit of the last full quarter,
# cost by portfolio per quarter, applications, tickets and completions
# per month) are python's decimal sums of the files the feeds read. Then
# a SIGINT to its process group stops everything it started.
. "$(dirname "$0")/lib.bash"
# librrd's graph leaks legend strings; suppressed by library, which needs
# full stacks.
export LSAN_OPTIONS="${LSAN_OPTIONS:-}:fast_unwind_on_malloc=0"
OUT=${ITF_BUILD_DIR:-$T}
chmod 755 "$T" # the daemon's user reaches the demo through $T
free_port STATUS
free_port TARGETS
free_port FEEDS
free_port OTHER
D=$T/demo
U=http://127.0.0.1:$STATUS

# demo DIR STATUS TARGETS FEEDS: scripts/demo in a session of its own with
# SIGINT at its default, as from a terminal; its pid in DEMO.
demo() {
	setsid python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' bash "$SRC/scripts/demo" \
	    --bin "$BIN" --dir "$1" --port "$2" --targets-port "$3" \
	    --feeds-port "$4" </dev/null
}
# running DIR: processes whose command line names DIR.
running() { ps -eo pid=,args= | grep -F -- "$1/" | grep -v grep || true; }

# A taken port: refused, naming it, and nothing started.
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen()
open(sys.argv[2], "w").write("x"); time.sleep(600)' "$OTHER" "$T/held" &
PIDS="$PIDS $!"
wait_file "$T/held"
rc=0
demo "$T/d3" "$STATUS" "$OTHER" "$FEEDS" >"$T/d3.out" 2>&1 || rc=$?
expect_eq "a taken port: exit" "$rc" 1
grep -q "port $OTHER (the probes' targets, --targets-port) is taken" \
    "$T/d3.out" && ok || fail "the taken port is not named: $(cat "$T/d3.out")"
grep -q "nothing was started" "$T/d3.out" && ok ||
    fail "a taken port: $(cat "$T/d3.out")"
expect_eq "a taken port: nothing running" "$(running "$T/d3")" ""

# The demo: in the background, its pid the session's and the group's.
setsid python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execvp(sys.argv[1], sys.argv[1:])' bash "$SRC/scripts/demo" --bin "$BIN" \
    --dir "$D" --port "$STATUS" --targets-port "$TARGETS" \
    --feeds-port "$FEEDS" </dev/null >"$T/demo.out" 2>&1 &
DEMO=$!
PIDS="$PIDS $DEMO"
for _ in $(seq 1 1200); do
	grep -q "Ctrl-C stops everything" "$T/demo.out" && break
	kill -0 "$DEMO" 2>/dev/null || break
	sleep 0.1
done
grep -q "dashboard  $U/" "$T/demo.out" && ok ||
    fail "the demo did not come up: $(tail -5 "$T/demo.out")"
# shellcheck disable=SC1091
. "$D/world.env"

# Its files and its user.
mode() { stat -c '%a %U:%G' "$1"; }
if [ "$(id -u)" = 0 ]; then
	WHO=itfollow
	GRP=$(id -gn itfollow)
	expect_eq "configuration" "$(mode "$D/itfollowd.conf")" "640 root:$GRP"
	expect_eq "secrets" "$(mode "$D/secrets")" "750 root:$GRP"
	expect_eq "a secret" "$(mode "$D/secrets/lrs.password")" "640 root:$GRP"
	expect_eq "data" "$(mode "$D/data")" "755 itfollow:$GRP"
else
	WHO=$(id -un)
	expect_eq "configuration" "$(stat -c %a "$D/itfollowd.conf")" 640
fi
daemon=$(ps -eo pid=,user=,args= | grep -F "itfollowd -f -c $D/" |
    grep -v grep | awk '{ print $2 }')
expect_eq "the daemon runs as" "$daemon" "$WHO"
for s in testsrv feedsrv; do
	expect_eq "$s runs as" "$(ps -o user= -p "$(cat "$D/run/$s.pid")")" \
	    "$WHO"
done

# While it runs: a second demo on its directory, and one on its ports.
rc=0
demo "$D" "$OTHER" "$((OTHER + 1))" "$((OTHER + 2))" >"$T/d2.out" 2>&1 ||
    rc=$?
expect_eq "a second demo: exit" "$rc" 1
grep -q "a demo already runs in $D (pid $DEMO); nothing was started" \
    "$T/d2.out" && ok || fail "a second demo: $(cat "$T/d2.out")"
rc=0
demo "$T/d4" "$STATUS" "$TARGETS" "$FEEDS" >"$T/d4.out" 2>&1 || rc=$?
expect_eq "a demo on the same ports: exit" "$rc" 1
grep -q "port $STATUS (the dashboard, --port) is taken" "$T/d4.out" && ok ||
    fail "the dashboard's port is not named: $(cat "$T/d4.out")"
grep -q "port $FEEDS (the Graph and learning record store, --feeds-port) is taken" \
    "$T/d4.out" && ok || fail "the feeds' port is not named"
expect_eq "a demo on the same ports: nothing running" "$(running "$T/d4")" ""

# The first outage (permits fails PERMITS_FROM + 0 s; three runs make it).
for _ in $(seq 1 3000); do
	grep -q "outage from" "$D/log/itfollowd.log" && break
	sleep 0.1
done
grep -q "permits/start-page: outage from .* (http_status)" \
    "$D/log/itfollowd.log" && ok || fail "no outage of permits"
curl -s "$U/api/v1/systems" >"$T/systems.json"
expect_eq "the open outage on /api" "$(jq -r '.systems[] |
    select(.id == "permits") | .series[] | select(.series == "start-page") |
    .outage.reason' "$T/systems.json")" http_status

# Every page: it answers, and every graph on it is a PNG with data (the
# numbers `itfollow graph` prints for the same graph).
pages="/"
for p in service information training cooperation innovation; do
	pages="$pages /portfolio/$p"
done
for p in external-benefit internal-benefit maturity cost quality; do
	pages="$pages /perspective/$p"
done
for s in portal booking permits gis records lms office servicedesk \
    integration twin chatbot; do
	pages="$pages /system/$s"
done
for p in $pages; do
	expect_eq "GET $p" "$(curl -s -o "$T/page" -w '%{http_code}' "$U$p")" 200
	grep -o '<img src="[^"]*"' "$T/page" | sed 's/<img src="//; s/"$//'
done | sort -u >"$T/graphs"
expect_num "graphs on the pages" "$(wc -l <"$T/graphs")" ">=" 40
C=$D/itfollowd.conf
while read -r g; do
	IFS=/ read -r _ _ preset scope id last _ <<<"$g"
	got=$(curl -s -o "$T/g.png" -w '%{http_code} %{content_type}' "$U$g")
	expect_eq "$g" "$got" "200 image/png"
	args=(--"$scope" "$id" --last "$last")
	[ "$scope" = by ] || args=(--system "$id" --last "$last")
	case $preset in cost*) args+=(--per quarter) ;; esac
	"$BIN/itfollow" graph -c "$C" "$preset" "${args[@]}" --table csv \
	    >"$T/g.csv" 2>/dev/null || fail "itfollow graph for $g"
	known=$(grep -v '^#' "$T/g.csv" | tail -n +2 | grep -c ',[-0-9]' || true)
	expect_num "$g has data" "$known" ">" 0
done <"$T/graphs"

# Headless Chromium: every page of the overview, the portfolios and the
# perspectives, and two systems' pages, loaded and shot.
chrome() {
	timeout 120 chromium --headless --disable-gpu --no-sandbox \
	    --disable-dev-shm-usage --user-data-dir="$T/chrome" \
	    --enable-logging=stderr --v=0 "$@"
}
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{ print $3 * 256 + $4 "x" $7 * 256 + $8 }'; }
chrome --dump-dom "$U/" >"$T/dom.html" 2>"$T/chrome.err" || true
grep -q 'Building permits' "$T/dom.html" && ok ||
    fail "Chromium did not load the page: $(tail -3 "$T/chrome.err")"
expect_eq "images in the DOM" "$(grep -o '<img ' "$T/dom.html" | wc -l)" 11
expect_eq "console messages" "$(grep -c 'CONSOLE' "$T/chrome.err")" 0
for p in $pages; do
	case $p in /system/*) case $p in */lms | */permits) ;; *) continue ;; esac ;; esac
	name=demo$(echo "${p%/}" | tr / -)
	[ "$p" = / ] && name=demo-index
	rm -f "$OUT/$name.png"
	chrome --screenshot="$OUT/$name.png" --window-size=1280,2400 "$U$p" \
	    >/dev/null 2>"$T/shot.err" || true
	expect_eq "screenshot $name" "$(png_size "$OUT/$name.png")" 1280x2400
done

# The three commands it printed, run as printed.
sed -n '/^Try:/,/^Ctrl-C/p' "$T/demo.out" | grep '^  ' >"$T/commands"
expect_eq "commands printed" "$(wc -l <"$T/commands")" 3
while read -r cmd; do
	bash -o pipefail -c "$cmd" >"$T/cmd.out" 2>"$T/cmd.err" && rc=0 || rc=$?
	expect_eq "$cmd" "$rc" 0
done <"$T/commands"
SC=$D/out/scorecard-$LAST_QUARTER.html
expect_eq "scorecard HTML" "$(head -c 15 "$SC")" "<!DOCTYPE html>"
expect_eq "availability report: a row per portfolio" \
    "$(grep -c '^[a-z]* *20' "$D/out/availability-24h.txt")" 5
expect_eq "cost chart" "$(head -c 4 "$D/out/cost-by-portfolio.png" | tail -c 3)" \
    PNG

# The figures, against python's decimal sums of what the feeds read.
"$BIN/itfollow" graph -c "$C" cost --by portfolio --per quarter \
    --from "$COST_FROM" --to "$COST_TO" --table csv >"$T/cost.csv"
month_end=$(date -u -d "$(date -u +%Y-%m-01) + 1 month" +%F)
for p in external-benefit internal-benefit learning; do
	s=portal
	[ "$p" = internal-benefit ] && s=servicedesk
	[ "$p" = learning ] && s=lms
	"$BIN/itfollow" graph -c "$C" "$p" --system "$s" --from "$COST_FROM" \
	    --to "$month_end" --table csv >"$T/$p.csv"
done
python3 - "$D" "$LAST_QUARTER" "$SC" "$T" >"$T/figures" <<'PY' || fail "figures"
import csv, datetime, gzip, io, json, os, re, sys
from decimal import Decimal
d, quarter, sc, t = sys.argv[1:5]

def epoch(s):
    return int(datetime.datetime.fromisoformat(s.replace("Z", "+00:00"))
               .timestamp())

conf = open(os.path.join(d, "itfollowd.conf")).read()
portfolio, users = {}, {}
for block in conf.split("{ id = ")[1:]:
    sid = block.split('"')[1]
    m = re.search(r'portfolio = "([a-z]+)"', block)
    if m:
        portfolio[sid] = m.group(1)
    m = re.search(r"users = ([0-9]+);", block)
    if m and sid in portfolio:
        users[sid] = Decimal(m.group(1))

# The FOCUS deliveries: per billing period, the newest file's rows.
newest = {}
for root, _, names in os.walk(os.path.join(d, "feeds", "focus")):
    for n in names:
        if n.startswith(".") or not n.endswith((".csv", ".csv.gz")):
            continue
        p = os.path.join(root, n)
        op = gzip.open if n.endswith(".gz") else open
        with op(p, "rt", newline="") as f:
            rows = list(csv.DictReader(f))
        for bp in {r["BillingPeriodStart"] for r in rows}:
            key = (os.stat(p).st_mtime_ns, n)
            if bp not in newest or key > newest[bp][0]:
                newest[bp] = (key, [r for r in rows
                                    if r["BillingPeriodStart"] == bp])

def cost(a, b):
    """Per system (unallocated too), the cost charged in [a, b)."""
    out = {}
    for _, rows in newest.values():
        for r in rows:
            s, e = epoch(r["ChargePeriodStart"]), epoch(r["ChargePeriodEnd"])
            o = min(e, b) - max(s, a)
            if o <= 0:
                continue
            sys_ = json.loads(r["Tags"]).get("itfollow-system", "unallocated")
            out[sys_] = out.get(sys_, Decimal(0)) + \
                Decimal(r["EffectiveCost"]) * o / (e - s)
    return out

def q_bounds(q):
    y, n = int(q[:4]), int(q[5])
    a = datetime.datetime(y, 3 * n - 2, 1, tzinfo=datetime.timezone.utc)
    b = datetime.datetime(y + (n == 4), 1 if n == 4 else 3 * n + 1, 1,
                          tzinfo=datetime.timezone.utc)
    return int(a.timestamp()), int(b.timestamp())

def money(v):
    return "{:,.2f}".format(v.quantize(Decimal("0.01")))

bad = []
def check(what, got, want, tol=Decimal(0)):
    if got is None or abs(Decimal(got.replace(",", "")) -
                          Decimal(want.replace(",", ""))) > tol:
        bad.append("%s: got %s, want %s" % (what, got, want))
    print("%s %s %s" % (what, got, want))

# The scorecard of the last full quarter.
a, b = q_bounds(quarter)
want = cost(a, b)
html = open(sc).read()
cells = {m.group(1): re.findall(r"<td>([^<]*)</td>", m.group(0))
         for m in re.finditer(r'<tr(?: class="[a-z]+")?><td>([a-z0-9_-]+)'
                              r"</td>.*?</tr>", html)}
days = {}
for r in json.load(open(os.path.join(d, "feeds", "eservices.json")))["days"]:
    days[("portal", r["date"])] = Decimal(r["applications"])
with open(os.path.join(d, "feeds", "servicedesk.csv")) as f:
    for r in csv.DictReader(f):
        days[("servicedesk", r["date"])] = Decimal(r["Tickets solved"])
def benefit(sid, a, b):
    return sum((v for (s, day), v in days.items()
                if s == sid and a <= epoch(day + "T00:00:00Z") < b),
               Decimal(0))
for sid in sorted(portfolio):
    row = cells.get(sid)
    if sid in want:
        check("scorecard %s cost" % sid, row and row[5], money(want[sid]))
        check("scorecard %s cost/user" % sid, row and row[6],
              money(want[sid] / users[sid]), Decimal("0.005"))
    elif row is None or row[5] != "-":
        bad.append("scorecard %s: a cost where the feeds have none" % sid)
check("scorecard unallocated cost", cells["unallocated"][5],
      money(want["unallocated"]))
check("scorecard total cost", cells["total"][5], money(sum(want.values())))
check("scorecard portal external benefit", cells["portal"][9],
      money(benefit("portal", a, b)))
check("scorecard servicedesk internal benefit", cells["servicedesk"][10],
      money(benefit("servicedesk", a, b)))

# Cost by portfolio, each quarter.
with open(os.path.join(t, "cost.csv")) as f:
    for r in csv.DictReader(row for row in f if not row.startswith("#")):
        per = cost(*q_bounds(r["period"]))
        for g in r:
            if g == "period":
                continue
            w = sum((v for s, v in per.items()
                     if portfolio.get(s, "unallocated") == g), Decimal(0))
            check("cost %s %s" % (r["period"], g), r[g], money(w))

# Applications, tickets and completions per month.
lrs = json.load(open(os.path.join(d, "serve", "lrs.json")))["statements"]
for p, sid in (("external-benefit", "portal"),
               ("internal-benefit", "servicedesk"), ("learning", "lms")):
    with open(os.path.join(t, p + ".csv")) as f:
        for r in csv.DictReader(row for row in f if not row.startswith("#")):
            for col in r:
                if col == "period":
                    continue
                if p == "learning":
                    course = col.split("-")[0]
                    w = sum(1 for s in lrs if s["stored"].startswith(
                        r["period"]) and s["object"].endswith(
                            "/" + {"intranet": "new-intranet"}.get(course,
                                                                   course)))
                    w = str(w) if w else ""
                else:
                    w = sum((v for (s, day), v in days.items()
                             if s == sid and day.startswith(r["period"])),
                            Decimal(0))
                    w = str(w)
                if r[col] != w and {r[col], w} != {"", "0"}:
                    bad.append("%s %s %s: got %s, want %s" %
                               (p, r["period"], col, r[col], w))
for line in bad:
    print("BAD " + line)
sys.exit(1 if bad else 0)
PY
expect_eq "figures against the feeds" "$(grep -c '^BAD' "$T/figures")" 0
grep '^BAD' "$T/figures" | head -5
expect_num "figures compared" "$(wc -l <"$T/figures")" ">" 40

# No warning in its log about anything, and none of the sanitizers'.
for l in "$D/log/prime.log" "$D/log/itfollowd.log"; do
	expect_eq "warnings in ${l##*/}" \
	    "$(grep -c '\[warning\]\|\[err\]\|\[crit\]' "$l")" 0
	grep '\[warning\]\|\[err\]' "$l" | head -3
done

# Ctrl-C: SIGINT to its process group, as a terminal sends it.
kill -INT -- "-$DEMO"
for _ in $(seq 1 300); do
	kill -0 "$DEMO" 2>/dev/null || break
	sleep 0.1
done
rc=0
wait "$DEMO" || rc=$?
expect_eq "Ctrl-C: exit" "$rc" 0
grep -q "scripts/demo: stopped" "$T/demo.out" && ok || fail "no 'stopped'"
expect_eq "Ctrl-C: nothing running" "$(running "$D")" ""
for p in "$STATUS" "$TARGETS" "$FEEDS"; do
	if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		fail "port $p still answers"
	else
		ok
	fi
done
[ ! -e "$D/demo.pid" ] && ok || fail "demo.pid left behind"
if grep -q 'ERROR: \(Address\|Leak\)Sanitizer\|runtime error' \
    "$D/log/itfollowd.log" "$D/log/prime.log"; then
	fail "sanitizers: $(grep -m3 'ERROR\|runtime error' "$D"/log/*.log)"
else
	ok
fi
finish
