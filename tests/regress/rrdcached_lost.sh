# rrdcached killed (kill -9) while the daemon writes a few files, each at
# its own point of a write_delay longer than STORE_REPLAY_S, and started
# again at once. rrdcached writes its journal through a stdio buffer: at
# a few files' rate what it took in the last tens of seconds is still in
# that buffer, and the kill loses all of it. The daemon must send again
# what it sent that long ago (not only the last 10 s), and a file it
# writes late after the restart must still have its rows to send again
# then: every series keeps a value at every step.
. "$(dirname "$0")/lib.bash"

command -v rrdcached >/dev/null || { fail "no rrdcached (scripts/bootstrap)"; finish; }
start_targets
free_port S0
H="http://127.0.0.1:$HTTP"
D=$T/data
SOCK=$T/rrdcached.sock
mkdir -p "$D" "$T/tmpl"

# 2 s steps, and a heartbeat that makes a missing value a gap.
for f in "$SRC"/rrd-templates/*.tmpl; do
	sed -e 's/^step 60$/step 2/' -e 's/ 1m / 2 /' \
	    -e 's/^\(ds [a-z_]* *GAUGE\) 120 /\1 3 /' "$f" >"$T/tmpl/${f##*/}"
done

# write_delay 16: the files' writes spread over 16 s, so that some were
# written more than 10 s before a kill, and some more than 10 s after
# the first write that finds the new rrdcached.
cat >"$T/d.conf" <<CONF
daemon = { data_dir = "$D"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$S0"; log_level = "info"; };
store = { write_delay = 16; rrdcached = "unix:$SOCK"; };
defaults = { interval = 2; timeout = 1; };
systems = (
  { id = "sys0"; category = "basic"; portfolio = "service";
    collectors = (
      { type = "http"; series = "a"; url = "$H/ok?k=a"; },
      { type = "http"; series = "b"; url = "$H/ok?k=b"; },
      { type = "http"; series = "c"; url = "$H/ok?k=c"; },
      { type = "http"; series = "d"; url = "$H/ok?k=d"; },
      { type = "tcp"; series = "e"; host = "127.0.0.1"; port = $CLOSE; },
      { type = "tcp"; series = "f"; host = "127.0.0.1"; port = $REFUSED; }
    ); }
);
CONF

start_rrdcached
t_start=$(date +%s)
"$BIN/itfollowd" -f -c "$T/d.conf" 2>"$T/log" &
P=$!
PIDS="$PIDS $P"
wait_http "http://127.0.0.1:$S0/health"
sleep 24

# Twice: killed between the files' writes, with nothing flushed before;
# back at once, then two write_delays for every file to be written.
for round in 1 2; do
	kill -KILL "$RC_PID"
	wait "$RC_PID" 2>/dev/null || true
	start_rrdcached
	sleep 34
done
curl -s "http://127.0.0.1:$S0/metrics" >"$T/m"
m() { awk -v k="$1" '$1 == k { print $2 }' "$T/m"; }
expect_num "restarts seen" "$(m itfollow_rrdcached_reconnects_total)" ">=" 2
expect_num "updates sent again" "$(m itfollow_rrdcached_replayed_total)" ">" 0
expect_eq "nothing dropped" "$(m itfollow_rrdcached_dropped_total)" 0
expect_eq "no write errors" "$(m itfollow_store_errors_total)" 0
expect_eq "nothing refused as old" "$(m itfollow_store_rejected_total)" 0
kill -TERM "$P"
wait "$P" || fail "itfollowd exit code"
t_end=$(date +%s)
kill -TERM "$RC_PID"
wait "$RC_PID" 2>/dev/null || true

# Every series: a value at every step from its first to its last, and
# most of the steps since the start (its first values may be made before
# the file; what the daemon holds at the end is written as it stops).
for series in a b c d e f; do
	f=$D/rrd/quality/sys0/$series.rrd
	[ -f "$f" ] || { fail "no $f"; continue; }
	rrdtool fetch "$f" AVERAGE -r 2 --start "$t_start" --end "$t_end" |
	    awk 'NR > 2 { print ($2 ~ /nan/) ? "-" : "v" }' | tr -d '\n' >"$T/seq"
	run=$(sed -e 's/^-*//' -e 's/-*$//' "$T/seq")
	case $run in
	*-*) fail "$series: a gap: $(cat "$T/seq")" ;;
	*) expect_num "$series: steps stored" "${#run}" ">=" 40 ;;
	esac
done
if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error' "$T/log"; then
	fail "sanitizer report"
	cat "$T/log"
else
	ok
fi
finish
