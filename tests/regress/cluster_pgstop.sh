# The shared journal goes away and comes back: three daemons share one
# configuration through PostgreSQL (reached through a relay that can lose
# a commit's answer, tests/tools/pgproxy.py); PostgreSQL is stopped for a
# minute and started again, then a batch's commit is answered to nobody.
# Meanwhile /health says so and records wait; afterwards every failed run
# the target saw is in the journal exactly once, as is every state change
# and outage, and the covered time has no hole: nothing lost, nothing
# written twice. Nobody took anybody over.
. "$(dirname "$0")/lib.bash"

command -v rrdcached >/dev/null || { fail "no rrdcached (scripts/bootstrap)"; finish; }
start_postgres || { finish; exit 1; }
free_port HTTP
free_port RPORT
free_port PROXY
D=$T/data
mkdir -p "$D" "$T/rrdj"
"$BIN/itf-testsrv" --http "$HTTP" --pidfile "$T/testsrv.pid" \
    --log "$T/req.log" 2>"$T/testsrv.log" &
PIDS="$PIDS $!"
wait_file "$T/testsrv.pid"
rrdcached -g -F -R -w 3600 -f 7200 -j "$T/rrdj" -l "127.0.0.1:$RPORT" \
    -b "$D" -B -p "$T/rrdcached.pid" >"$T/rrdcached.log" 2>&1 &
PIDS="$PIDS $!"
wait_file "$T/rrdcached.pid"
python3 "$SRC/tests/tools/pgproxy.py" "$PROXY" "$PGPORT" "$T/cut" \
    2>"$T/proxy.log" &
PIDS="$PIDS $!"
for i in $(seq 1 100); do
	(exec 3<>"/dev/tcp/127.0.0.1/$PROXY") 2>/dev/null && break
	sleep 0.1
done
RUNS="python3 $SRC/tests/tools/runs.py"
IV=2
H="http://127.0.0.1:$HTTP"

{
	echo "defaults = { interval = $IV; timeout = 1; fail_after = 2; };"
	echo "systems = ("
	for s in 0 1 2 3 4 5; do
		echo "  { id = \"sys$s\"; category = \"basic\"; portfolio = \"service\";"
		echo "    collectors = ("
		echo "      { type = \"http\"; series = \"up\"; url = \"$H/ok?s=$s\"; },"
		echo "      { type = \"http\"; series = \"down\"; url = \"$H/status/503?s=$s\"; }"
		echo "    ); }$([ $s -lt 5 ] && echo ,)"
	done
	echo ");"
} >"$T/common.conf"
for d in 0 1 2; do
	free_port port
	eval "S$d=$port"
	cat >"$T/d$d.conf" <<CONF
daemon = { data_dir = "$D"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$port"; log_level = "info"; name = "d$d";
  heartbeat = 1; lease = 3; };
store = { rrdcached = "127.0.0.1:$RPORT";
  journal = "postgresql://itf@127.0.0.1:$PROXY/postgres";
  journal_password_file = "$T/pgpass"; };
@include "$T/common.conf"
CONF
done
metric() {
	curl -s "http://127.0.0.1:$(eval echo "\$S$1")/metrics" |
	    awk -v k="$2" '$1 == k { print $2 }'
}
for d in 0 1 2; do
	"$BIN/itfollowd" -f -c "$T/d$d.conf" 2>"$T/log$d" &
	eval "P$d=$!"
	PIDS="$PIDS $!"
	sleep 0.3
done
for d in 0 1 2; do wait_http "http://127.0.0.1:$(eval echo "\$S$d")/health"; done
sleep 8

echo "stopping PostgreSQL for a minute"
stop_postgres
sleep 8
for d in 0 1 2; do
	code=$(curl -s -o "$T/h$d" -w '%{http_code}' "http://127.0.0.1:$(eval echo "\$S$d")/health")
	expect_eq "d$d /health while the journal is away" "$code" 503
	grep -q '"reason":"journal postgresql://itf@127.0.0.1:'"$PROXY"'/postgres: cannot' "$T/h$d" &&
	    ok || fail "d$d /health reason: $(cat "$T/h$d")"
	expect_num "d$d records wait" "$(metric $d itfollow_journal_queue_depth)" ">" 0
	expect_eq "d$d journal down" "$(metric $d itfollow_journal_up)" 0
done
sleep 52
start_postgres_again
sleep 10
for d in 0 1 2; do
	expect_eq "d$d /health once it is back" \
	    "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$(eval echo "\$S$d")/health")" 200
	expect_num "d$d nothing waits long" "$(metric $d itfollow_journal_oldest_seconds)" "<" 3
	expect_eq "d$d nothing dropped" "$(metric $d itfollow_journal_dropped_total)" 0
	expect_num "d$d written again" "$(grep -c 'written again' "$T/log$d")" ">=" 1
done

# A commit whose answer is lost: the batch is not written twice.
touch "$T/cut"
for i in $(seq 1 50); do [ -e "$T/cut" ] || break; sleep 0.2; done
sleep 8
expect_eq "a commit lost its answer" "$(cat "$T/cut.log" 2>/dev/null)" cut
grep -q 'whose commit went unanswered was written; not writing it again' \
    "$T"/log? && ok || fail "the unanswered batch was not recognised"

sleep "$($RUNS quiet "$T/req.log" $IV)"
kill -TERM "$P0" "$P1" "$P2"
for d in 0 1 2; do wait "$(eval echo "\$P$d")" || fail "d$d exit code"; done

for s in 0 1 2 3 4 5; do
	want=$($RUNS count "$T/req.log" "/status/503?s=$s")
	got=$(pgq "SELECT count(*) FROM failed_runs WHERE system = 'sys$s' AND series = 'down'")
	expect_eq "sys$s: every failed run once ($want requests)" "$got" "$want"
done
expect_eq "no failed run twice" \
    "$(pgq "SELECT count(*) FROM (SELECT 1 FROM failed_runs GROUP BY system, series, time HAVING count(*) > 1) d")" 0
expect_eq "one state change per series" \
    "$(pgq "SELECT count(*), count(DISTINCT (system, series)) FROM state_changes")" "12|12"
expect_eq "one outage per failing series, open" \
    "$(pgq "SELECT count(*), count(*) FILTER (WHERE \"end\" IS NULL) FROM outages")" "6|6"
expect_eq "no hole in the covered time" "$(pgq "SELECT count(*) FROM coverage")" 0
for s in 0 1 2 3 4 5; do
	f=$(awk -v u="/ok?s=$s" '$2 == u { printf "%d", $1; exit }' "$T/req.log")
	l=$(awk -v u="/ok?s=$s" '$2 == u { t = $1 } END { printf "%d", t }' "$T/req.log")
	span=$(pgq "SELECT span_start, span_end FROM series_state WHERE system = 'sys$s' AND series = 'up'")
	expect_num "sys$s covered from its first run" "${span%|*}" ">=" $((f - 1))
	expect_num "sys$s covered from its first run" "${span%|*}" "<=" "$f"
	expect_num "sys$s covered to its last" "${span#*|}" ">" "$l"
done
if grep -q 'took over\|evicted' "$T"/log?; then
	fail "a member was taken over: $(grep -h 'took over\|evicted' "$T"/log? | head -3)"
else
	ok
fi
finish
