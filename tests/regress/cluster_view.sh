# One view from any host: one daemon runs every collector with the SQLite
# journal and direct RRD writes; beside it, three daemons share the same
# collectors through PostgreSQL and rrdcached, and a fourth runs none
# (daemon.role = "viewer"). Both setups probe the same targets at the same
# slots (series named so that every slot falls in the first quarter of the
# interval, daemons started between slots), through the same injected
# outages. The viewer's live dashboard and the tool against the shared
# stores (availability report, scorecard, graph table, static dashboard)
# give the same figures as the single daemon and its files; one system's
# availability is also worked out here from the target's request log.
. "$(dirname "$0")/lib.bash"
export LSAN_OPTIONS="${LSAN_OPTIONS:-}:fast_unwind_on_malloc=0"

command -v rrdcached >/dev/null || { fail "no rrdcached (scripts/bootstrap)"; finish; }
start_postgres || { finish; exit 1; }
free_port HTTP
free_port RPORT
mkdir -p "$T/ref" "$T/cdata" "$T/rrdj"
"$BIN/itf-testsrv" --http "$HTTP" --pidfile "$T/testsrv.pid" \
    --log "$T/req.log" 2>"$T/testsrv.log" &
PIDS="$PIDS $!"
wait_file "$T/testsrv.pid"
rrdcached -g -F -R -w 3600 -f 7200 -j "$T/rrdj" -l "127.0.0.1:$RPORT" \
    -b "$T/cdata" -B -p "$T/rrdcached.pid" >"$T/rrdcached.log" 2>&1 &
PIDS="$PIDS $!"
wait_file "$T/rrdcached.pid"
RUNS="python3 $SRC/tests/tools/runs.py"
IV=4
H="http://127.0.0.1:$HTTP"
# sleep_to P: until the clock is P seconds into an interval.
sleep_to() {
	sleep "$(python3 -c "import time; print(($1 - time.time()) % $IV)")"
}
# pick SYSTEM PREFIX N: N series names whose slots fall in the first
# second of the interval.
pick() {
	for i in $(seq 0 99); do echo "$1/$2$i"; done | xargs $RUNS offset $((IV * 1000)) |
	    awk '$2 < 1000 { sub(/.*\//, "", $1); print $1 }' | head -n "$3"
}

tags=("basic service" "basic service" "differentiating information"
    "differentiating information" "innovative training" "innovative training")
{
	echo "defaults = { interval = $IV; timeout = 1; fail_after = 2; };"
	echo "systems = ("
	for s in 0 1 2 3 4 5; do
		set -- ${tags[$s]}
		echo "  { id = \"sys$s\"; owner = \"o$((s % 2))\"; category = \"$1\"; portfolio = \"$2\";"
		echo "    collectors = ("
		for n in $(pick "sys$s" a 2); do
			echo "      { type = \"http\"; series = \"$n\"; url = \"$H/ok?s=$s&n=$n\"; },"
		done
		f=$(pick "sys$s" f 1)
		echo "      { type = \"http\"; series = \"$f\"; url = \"$H/flip?file=$T/down$s&s=$s\"; }"
		echo "    ); }$([ $s -lt 5 ] && echo ,)"
	done
	echo ");"
} >"$T/common.conf"
free_port SR
cat >"$T/ref.conf" <<CONF
daemon = { data_dir = "$T/ref"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$SR"; };
@include "$T/common.conf"
CONF
# member NAME ROLE: a configuration of the shared setup.
member() {
	free_port port
	eval "S_$1=$port"
	cat >"$T/$1.conf" <<CONF
daemon = { data_dir = "$T/cdata"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$port"; name = "$1"; role = "$2";
  heartbeat = 1; lease = 3; };
store = { rrdcached = "127.0.0.1:$RPORT"; journal = "$PGURL";
  journal_password_file = "$T/pgpass"; };
@include "$T/common.conf"
CONF
}
member d0 collector
member d1 collector
member d2 collector
member view viewer
start() {
	"$BIN/itfollowd" -f -c "$T/$1.conf" 2>"$T/log.$1" &
	eval "P_$1=$!"
	PIDS="$PIDS $!"
}

start view
wait_http "http://127.0.0.1:$S_view/health"
# The first slots come at the next interval: both setups run them.
sleep_to 1.2
T0=$(python3 -c "import time; print(int(time.time()) // $IV * $IV + $IV)")
start ref
start d0
sleep 1.5
start d1
sleep 0.5
start d2

# Outages at known cycles, switched mid-interval, away from every slot:
# cycle: "+system" down, "-system" up.
plan=("" "" "" "" "+1" "" "+3" "-1" "+4" "-4" "+5" "-3" "+1" "" "-1" "" "")
for c in $(seq 0 16); do
	sleep_to 2.5
	for a in ${plan[$c]}; do
		case $a in
		+*) touch "$T/down${a#+}" ;;
		-*) rm "$T/down${a#-}" ;;
		esac
		echo "$(date +%s.%N) $a" >>"$T/toggles"
	done
done

# Every URL's first slot ran in both setups at once (the comparison below
# assumes the two started together).
aligned=$(awk '{ n[$2]++; if (n[$2] == 1) a[$2] = $1; if (n[$2] == 2) d[$2] = $1 - a[$2] }
    END { bad = 0; for (u in d) if (d[u] > 0.5) bad++; print bad }' "$T/req.log")
expect_eq "both setups started at the same slots" "$aligned" 0

# The live dashboards, read at once, late in an interval.
sleep_to 3.5
curl -s "http://127.0.0.1:$SR/" >"$T/ref.html" &
curl -s "http://127.0.0.1:$S_view/" >"$T/view.html"
wait $!
# Rows of the systems' table: what is shown of each system (but its last
# value, a response time each setup measured for itself, and when it was
# stored, which the single daemon's writer may not have done yet).
rows() {
	grep '^<tr><td><a' "$1" |
	    sed -e 's/<img[^>]*>//g' -e 's/<td>[0-9T:-]*Z<\/td>/<td>(time)<\/td>/' \
	        -e 's/<td class="value"[^>]*>[^<]*<\/td>/<td class="value">(value)<\/td>/' \
	        -e 's/<td class="avail"[^>]*>/<td class="avail">/g'
}
expect_num "the dashboard lists the systems" "$(rows "$T/ref.html" | wc -l)" "==" 6
if [ "$(rows "$T/ref.html")" = "$(rows "$T/view.html")" ]; then
	ok
else
	fail "the viewer's dashboard differs: $(diff <(rows "$T/ref.html") <(rows "$T/view.html") | head -6)"
fi
grep -q 'sys5.*class="down"' "$T/view.html" && ok ||
    fail "the viewer does not show sys5's open outage"
curl -s "http://127.0.0.1:$S_view/api/v1/systems" >"$T/view.json"
expect_eq "the viewer's API has the outage" \
    "$(jq -r '.systems[] | select(.id == "sys5") | .series[] | select(.outage != null) | .outage.reason' "$T/view.json" 2>/dev/null ||
        jq -r '.[] | select(.id == "sys5") | .series[] | select(.outage != null) | .outage.reason' "$T/view.json")" http_status
curl -s "http://127.0.0.1:$S_view/metrics" >"$T/view.metrics"
expect_eq "the viewer runs no collector" \
    "$(awk '$1 == "itfollow_cluster_collectors" { print $2 }' "$T/view.metrics")" 0
grep -q '^itfollow_runs_total' "$T/view.metrics" && fail "the viewer ran something" || ok

sleep_to 3.5
T1=$(date +%s)
kill -TERM "$P_ref" "$P_d0" "$P_d1" "$P_d2" "$P_view"
for p in "$P_ref" "$P_d0" "$P_d1" "$P_d2" "$P_view"; do wait "$p" || fail "a daemon's exit code"; done

# The tool, against each setup's stores.
W="--from @$T0 --to @$T1"
same() {
	local what=$1
	shift
	"$BIN/itfollow" "$@" -c "$T/ref.conf" >"$T/a.out" 2>"$T/a.err" || true
	"$BIN/itfollow" "$@" -c "$T/view.conf" >"$T/b.out" 2>"$T/b.err" || true
	if [ -s "$T/a.out" ] && cmp -s "$T/a.out" "$T/b.out"; then
		ok
	else
		fail "$what differs: $(diff "$T/a.out" "$T/b.out" | head -4) $(cat "$T/a.err" "$T/b.err")"
	fi
}
same "availability by portfolio" report availability --by portfolio $W --format csv
for s in 0 1 2 3 4 5; do
	same "availability of sys$s" report availability --system "sys$s" $W --format csv
done
q=$(date -u -d "@$T0" +%Y)Q$((($(date -u -d "@$T0" +%-m) - 1) / 3 + 1))
same "the scorecard" report scorecard --quarter "$q" --format csv
same "the graph's table" graph availability --system sys1 $W --table csv -o "$T/g.png"
"$BIN/itfollow" dashboard -c "$T/ref.conf" -o "$T/dash-ref" 2>"$T/dref.err" &&
    "$BIN/itfollow" dashboard -c "$T/view.conf" -o "$T/dash-view" 2>"$T/dview.err" ||
    fail "itfollow dashboard: $(cat "$T/dref.err" "$T/dview.err")"
if [ "$(rows "$T/dash-ref/index.html")" = "$(rows "$T/dash-view/index.html")" ]; then
	ok
else
	fail "the static dashboards differ"
fi

# sys3, worked out from what the target saw: its flip series failed from
# the slot after it was switched down to the slot before it was switched
# up (an outage from the first failing slot to the first that answered,
# two failures being enough), every run of its series covering [slot,
# slot + interval).
got=$("$BIN/itfollow" report availability -c "$T/view.conf" --system sys3 $W --format csv |
    awk -F, 'NR == 2 { print $4 }')
want=$(python3 - "$T/req.log" "$T/toggles" "$T0" "$T1" "/flip?file=$T/down3&s=3" <<'EOF'
import sys
from decimal import Decimal
log, toggles, t0, t1, flip = sys.argv[1:6]
t0, t1, iv = int(t0), int(t1), 4
sw = {}
for line in open(toggles):
    ts, what = line.split()
    if what[1:] == "3":
        sw[what[0]] = float(ts)
known, fails, answers = set(), [], []
for line in open(log):
    ts, uri = line.split()
    if "s=3" not in uri:
        continue
    slot = int(float(ts))  # slots fall in the first second
    known.update(x for x in range(slot, slot + iv) if t0 <= x < t1)
    if uri == flip:
        (fails if sw["+"] <= float(ts) < sw["-"] else answers).append(slot)
start = min(fails)
end = min(a for a in answers if a > start)
down = {x for x in range(start, end) if x in known}
up = len(known) - len(down)
print((Decimal(100) * up / len(known)).quantize(Decimal("0.0001")))
EOF
)
expect_num "sys3's availability is a figure" "$got" ">" 0
expect_eq "sys3's availability, worked out from the request log" "$got" "$want"
finish
