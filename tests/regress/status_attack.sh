# The status server under attack, with a low descriptor limit (256) while
# probes run, one of them the daemon's own /health: 1,100 slowloris
# connections trickling a byte each, 64 connections that make one request
# and trickle the next, and connections that pipeline requests and never
# read. Throughout, /health from a new connection is answered 200 within
# 2 s; afterwards the journal holds no outage, every run started on time,
# the RRD has a value at every step, the daemon's memory stayed bounded
# and the log did not flood. The attackers are tests/tools/itf-attack.
. "$(dirname "$0")/lib.bash"

start_targets
free_port STATUS
H="http://127.0.0.1:$HTTP"
S="http://127.0.0.1:$STATUS"

mkdir -p "$T/tmpl"
for f in "$SRC"/rrd-templates/*.tmpl; do
	sed -e 's/^step 60$/step 2/' -e 's/ 1m / 2 /' "$f" >"$T/tmpl/${f##*/}"
done
cat >"$T/a.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
store = { write_delay = 0; };
defaults = { interval = 2; timeout = 1.8; fail_after = 2; };
systems = (
  { id = "web"; category = "basic"; portfolio = "service";
    collectors = (
      { type = "http"; series = "ok"; url = "$H/ok"; },
      { type = "http"; series = "ok2"; url = "$H/ok?2"; },
      { type = "tcp"; series = "tcp"; host = "127.0.0.1"; port = $HTTP; },
      { type = "http"; series = "self"; url = "$S/health"; }
    ); }
);
CONF

# A descriptor limit the attack alone would exhaust. Under ASan the
# memory freed is held in its quarantine (256 MB by default) before it
# is used again, so RSS would grow by what ASan keeps, not by what the
# daemon keeps: a small quarantine makes the growth below the daemon's.
(ulimit -n 256 &&
	ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=16" \
	exec "$BIN/itfollowd" -f -c "$T/a.conf") 2>"$T/log" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "$S/health"
sleep 3
grep -q 'open files: at most 256' "$T/log" && ok ||
    fail "the descriptor limit is not logged: $(grep 'open files' "$T/log")"

metric() {
	curl -s -m 5 "$S/metrics" | awk -v k="$1" '$1 == k { print $2 }'
}
cpu_ticks() {
	awk '{ print $14 + $15 }' "/proc/$DPID/stat"
}
rss_kb() {
	awk '$1 == "VmRSS:" { print $2 }' "/proc/$DPID/status"
}

# health_during SECONDS NAME: /health from a new connection every 0.5 s.
health_during() {
	local end=$(($(date +%s) + $1)) n=0 good=0 code
	while [ "$(date +%s)" -lt "$end" ]; do
		code=$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$S/health" ||
		    true)
		n=$((n + 1))
		[ "$code" = 200 ] && good=$((good + 1))
		[ "$code" = 200 ] || echo "$2: /health answered '$code'" >>"$T/health.log"
		sleep 0.5
	done
	expect_eq "$2: /health answered 200 every time" "$good" "$n"
}

# One connection trickling a byte every 200 ms is closed at its request's
# deadline (5 s), however steadily it sends.
"$BIN/itf-attack" slowloris --target "127.0.0.1:$STATUS" --conns 1 \
    --interval 200 --duration 8 >"$T/one.out"
echo "one slow connection: $(cat "$T/one.out")"
closed=$(sed -n 's/.*closed \([0-9]*\).*/\1/p' "$T/one.out")
expect_num "a trickling connection was closed at its deadline" "$closed" ">=" 1
expect_num "deadlines struck" "$(metric itfollow_status_timeouts_total)" ">=" 1

t0=$(date +%s)
started0=$(metric itfollow_runs_started_total)
ontime0=$(metric itfollow_runs_ontime_total)
ticks0=$(cpu_ticks)

# 1,100 slowloris connections, each opened again when closed.
"$BIN/itf-attack" slowloris --target "127.0.0.1:$STATUS" --conns 1100 \
    --interval 500 --duration 14 >"$T/slowloris.out" &
APID=$!
PIDS="$PIDS $APID"
sleep 2
health_during 10 slowloris
wait "$APID" || true
echo "slowloris: $(cat "$T/slowloris.out")"
ticks1=$(cpu_ticks)
# The loop must not spin: well under one core over the 14 s.
expect_num "slowloris: daemon CPU ticks" "$((ticks1 - ticks0))" "<" \
    "$((14 * $(getconf CLK_TCK) * 6 / 10))"

# 64 connections: one request each, then the next trickled.
"$BIN/itf-attack" trickle --target "127.0.0.1:$STATUS" --conns 64 \
    --interval 300 --duration 12 >"$T/trickle.out" &
APID=$!
PIDS="$PIDS $APID"
sleep 2
health_during 8 trickle
wait "$APID" || true
echo "trickle: $(cat "$T/trickle.out")"
answers=$(sed -n 's/.*answers \([0-9]*\).*/\1/p' "$T/trickle.out")
expect_num "trickle: the first requests were answered" "$answers" ">=" 64

# Pipelined requests that are never read: memory stays bounded.
rss0=$(rss_kb)
"$BIN/itf-attack" pipeline --target "127.0.0.1:$STATUS" --conns 8 \
    --duration 6 >"$T/pipeline.out" &
APID=$!
PIDS="$PIDS $APID"
peak=$rss0
for i in $(seq 1 30); do
	r=$(rss_kb)
	[ "$r" -gt "$peak" ] && peak=$r
	sleep 0.2
done
health_during 2 pipeline
wait "$APID" || true
echo "pipeline: $(cat "$T/pipeline.out"); RSS $rss0 -> peak $peak KiB"
sent=$(sed -n 's/.*bytes \([0-9]*\).*/\1/p' "$T/pipeline.out")
expect_num "pipeline: requests were sent" "$sent" ">" 100000
expect_num "pipeline: RSS growth (KiB)" "$((peak - rss0))" "<" 65536

sleep 3
curl -s "$S/metrics" >"$T/metrics"
m() { awk -v k="$1" '$1 == k { print $2 }' "$T/metrics"; }
started1=$(m itfollow_runs_started_total)
ontime1=$(m itfollow_runs_ontime_total)
expect_num "probes ran during the attack" "$((started1 - started0))" ">=" 40
expect_eq "every run on time" "$((ontime1 - ontime0))" "$((started1 - started0))"
expect_eq "no slot missed" "$(m itfollow_runs_missed_total)" 0
expect_num "connections made to give way were counted" \
    "$(m itfollow_status_refused_total)" ">" 0
expect_eq "no probe failed" "$(m 'itfollow_runs_failed_total{reason="connect"}')" ""

# No false outage, and the probes' values at every step.
expect_eq "no outage in the journal" \
    "$(sqlite3 "$T/data/journal.sqlite" 'SELECT count(*) FROM outages')" 0
expect_eq "no failed run in the journal" \
    "$(sqlite3 "$T/data/journal.sqlite" 'SELECT count(*) FROM failed_runs')" 0
for s in ok self; do
	R=$T/data/rrd/quality/web/$s.rrd
	n=$(rrdtool fetch "$R" AVERAGE --start "$t0" \
	    --end "$(($(date +%s) - 4))" |
	    awk 'NR > 2 && $2 !~ /nan/ && $2 == 1' | wc -l)
	want=$(( ($(date +%s) - 4 - t0) / 2 - 1 ))
	expect_num "$s stored up at each step ($want)" "$n" ">=" "$want"
done

# The log: nothing about descriptors running out, few lines in all.
expect_eq "no descriptor exhaustion logged" \
    "$(grep -c -i 'too many open files' "$T/log")" 0
expect_num "log lines" "$(wc -l <"$T/log")" "<" 200
[ -f "$T/health.log" ] && cat "$T/health.log"

# The descriptor reserve: with 100 descriptors the status server keeps
# no connection at or above descriptor 36 (64 are kept for the probes and
# the store): in a flood a new connection takes the place of the slowest,
# the daemon's own /health probe keeps being answered, the descriptors in
# use stay below the ceiling, and nothing spins.
kill "$DPID"
wait "$DPID" || true
(ulimit -n 100 && exec "$BIN/itfollowd" -f -c "$T/a.conf") 2>"$T/log2" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "$S/health"
sleep 2
started0=$(metric itfollow_runs_started_total)
ontime0=$(metric itfollow_runs_ontime_total)
ticks0=$(cpu_ticks)
"$BIN/itf-attack" slowloris --target "127.0.0.1:$STATUS" --conns 300 \
    --interval 300 --duration 8 >"$T/reserve.out" &
APID=$!
PIDS="$PIDS $APID"
most=0
for i in $(seq 1 35); do
	n=$(ls "/proc/$DPID/fd" | wc -l)
	[ "$n" -gt "$most" ] && most=$n
	sleep 0.2
done
wait "$APID" || true
echo "reserve: $(cat "$T/reserve.out"); at most $most descriptors open"
ticks1=$(cpu_ticks)
# The status server keeps none at 36 or above; the writer's and the
# probes' own come and go above it: half the 100 stayed free throughout.
expect_num "descriptors open at most" "$most" "<=" 50
sleep 2
curl -s "$S/metrics" >"$T/metrics2"
m2() { awk -v k="$1" '$1 == k { print $2 }' "$T/metrics2"; }
expect_eq "the ceiling" "$(m2 itfollow_status_fd_ceiling)" 36
expect_num "slow connections made room" \
    "$(m2 itfollow_status_refused_total)" ">" 100
expect_num "a pause, if any, said at most once" \
    "$(grep -c 'status server: not accepting connections' "$T/log2")" "<=" 1
expect_num "no spinning: daemon CPU ticks over 8 s" "$((ticks1 - ticks0))" \
    "<" "$((8 * $(getconf CLK_TCK) * 6 / 10))"
started1=$(m2 itfollow_runs_started_total)
expect_num "probes ran" "$((started1 - started0))" ">=" 16
expect_eq "on time" "$(($(m2 itfollow_runs_ontime_total) - ontime0))" \
    "$((started1 - started0))"
expect_eq "no outage" \
    "$(sqlite3 "$T/data/journal.sqlite" 'SELECT count(*) FROM outages')" 0
expect_eq "no descriptor exhaustion logged" \
    "$(grep -c -i 'too many open files' "$T/log2")" 0

if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error' "$T/log" "$T/log2"; then
	fail "sanitizer report"
	cat "$T/log" "$T/log2"
else
	ok
fi
finish
