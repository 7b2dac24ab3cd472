# rrdcached killed (kill -9) while the daemon writes a few files, each at
# its own point of a write_delay longer than STORE_REPLAY_S, and started
# again at once. rrdcached writes its journal through a stdio buffer: at
# a few files' rate what it took in the last tens of seconds is still in
# that buffer, and the kill loses all of it. The daemon must send again
# what it sent that long ago (not only the last 10 s), and a file it
# writes late after the restart must still have its rows to send again
# then: every series keeps a value at every step.
. "$(dirname "$0")/lib.bash"

rrdcached_ground

# write_delay 16: the files' writes spread over 16 s, so that some were
# written more than 10 s before a kill, and some more than 10 s after
# the first write that finds the new rrdcached.
rrdcached_six_conf 16

rrdcached_six_start
sleep 24

# Twice: killed between the files' writes, with nothing flushed before;
# back at once, then two write_delays for every file to be written.
for round in 1 2; do
	kill -KILL "$RC_PID"
	wait "$RC_PID" 2>/dev/null || true
	start_rrdcached
	sleep 34
done
rrdcached_six_stop
expect_num "restarts seen" "$(metric_of itfollow_rrdcached_reconnects_total)" ">=" 2
expect_num "updates sent again" "$(metric_of itfollow_rrdcached_replayed_total)" ">" 0

# Every series: a value at every step from its first to its last, and
# most of the steps since the start (its first values may be made before
# the file; what the daemon holds at the end is written as it stops).
rrdcached_every_step "$t_start" "$t_end" 40
if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error' "$T/log"; then
	fail "sanitizer report"
	cat "$T/log"
else
	ok
fi
finish
