# rrdcached that refuses BATCH, and one that stops answering. First an
# rrdcached whose -P lacks BATCH: the daemon says so and sends each
# file's updates alone, all written. Then one that allows it, stopped
# (SIGSTOP) for 25 s: the writer gives up on it after its 15 s deadline
# (logged, /health fails), holds what comes, and once it is continued
# sends it all: every 2 s slot of the stall is in the files, read back
# with rrdtool, and nothing is dropped or counted as an error.
. "$(dirname "$0")/lib.bash"

rrdcached_ground
mkdir -p "$T/journal"
SERIES="a b c d"

{
	echo "daemon = { data_dir = \"$D\"; templates_dir = \"$T/tmpl\";"
	echo "  status_listen = \"127.0.0.1:$S0\"; log_level = \"info\"; };"
	echo "store = { write_delay = 0; rrdcached = \"unix:$SOCK\"; };"
	echo "defaults = { interval = 2; timeout = 1; };"
	echo "systems = ( { id = \"sys0\"; category = \"basic\"; portfolio = \"service\";"
	echo "    collectors = ("
	for s in $SERIES; do
		echo "      { type = \"http\"; series = \"$s\"; url = \"$H/ok?k=$s\"; },"
	done | sed '$ s/,$//'
	echo "    ); } );"
} >"$T/d.conf"
m() { curl -s "http://127.0.0.1:$S0/metrics" | awk -v k="$1" '$1 == k { print $2 }'; }

start_rrdcached -P UPDATE,FLUSH,INFO,STATS,CREATE,FORGET,PING
"$BIN/itfollowd" -f -c "$T/d.conf" 2>"$T/log" &
P=$!
PIDS="$PIDS $P"
wait_http "http://127.0.0.1:$S0/health"
sleep 8
grep -q "store: rrdcached unix:$SOCK refuses BATCH (its -P does not allow it)" \
    "$T/log" && ok || fail "BATCH refused, not said: $(grep store "$T/log")"
for s in $SERIES; do
	lt=$(rrdtool lastupdate --daemon "unix:$SOCK" "$D/rrd/quality/sys0/$s.rrd" |
	    awk 'NR == 3 { sub(/:/, "", $1); print $1 }')
	expect_num "$s written without BATCH" "$lt" ">=" "$(($(date +%s) - 5))"
done
expect_eq "no write errors without BATCH" "$(m itfollow_store_errors_total)" 0

# Every command allowed again: batches, said once.
kill -KILL "$RC_PID"
wait "$RC_PID" 2>/dev/null || true
start_rrdcached
sleep 6
grep -q "store: rrdcached unix:$SOCK takes BATCH again" "$T/log" && ok ||
    fail "BATCH taken again, not said: $(grep store "$T/log" | tail -5)"

# Stopped: it takes connections (the kernel does) but reads nothing.
grep -c "taken as gone" "$T/log" >"$T/before" || true
t0=$(date +%s)
kill -STOP "$RC_PID"
sleep 19
gone=$(grep -c "no answer within 15 s: taken as gone" "$T/log" || true)
expect_num "the stalled rrdcached taken as gone" "$gone" ">=" 1
code=$(curl -s -o "$T/h" -w '%{http_code}' "http://127.0.0.1:$S0/health")
expect_eq "/health while rrdcached does not answer" "$code" 503
sleep 6
kill -CONT "$RC_PID"
t1=$(date +%s)
sleep 8
curl -sf -o /dev/null "http://127.0.0.1:$S0/api/v1/flush" || fail "flush"
expect_eq "up again" "$(m itfollow_rrdcached_up)" 1
expect_eq "nothing dropped" "$(m itfollow_rrdcached_dropped_total)" 0
expect_eq "no write errors" "$(m itfollow_store_errors_total)" 0
expect_eq "nothing refused as old" "$(m itfollow_store_rejected_total)" 0
# Every slot from the stop to the continue holds a value.
s0=$(((t0 / 2 + 1) * 2))
s1=$(((t1 / 2 - 1) * 2))
for s in $SERIES; do
	f=$D/rrd/quality/sys0/$s.rrd
	rrdtool fetch --daemon "unix:$SOCK" "$f" AVERAGE -r 2 -s "$s0" \
	    -e "$s1" >"$T/fetch.$s"
	rows=$(awk '/^[0-9]+:/ { n++ } END { print n + 0 }' "$T/fetch.$s")
	# up, the first data source: 1 (every probe of /ok succeeds).
	gaps=$(awk '/^[0-9]+:/ && $2 + 0 != 1 { n++ } END { print n + 0 }' \
	    "$T/fetch.$s")
	expect_num "$s: slots of the stall read back" "$rows" ">=" \
	    "$(((s1 - s0) / 2))"
	expect_eq "$s: none lost in the stall" "$gaps" 0
done
kill -TERM "$P"
wait "$P" || fail "itfollowd exit code"
if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error' "$T/log"; then
	fail "sanitizer report"
	cat "$T/log"
else
	ok
fi
finish
