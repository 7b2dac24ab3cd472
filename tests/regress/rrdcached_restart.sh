# rrdcached killed (kill -9) and started again between two of the daemon's
# writes. librrd connects again by itself on the next request, so no call
# fails; what rrdcached acknowledged just before (its journal not yet on
# disk) is gone all the same. The daemon must notice the new rrdcached
# (its count of update requests went down) and send again what it sent in
# the seconds before: every series keeps a value at every step.
. "$(dirname "$0")/lib.bash"

rrdcached_ground

# write_delay 6: each file's updates go out together every 6 s, or at
# once on /api/v1/flush; right after one, nothing is sent for seconds.
rrdcached_six_conf 6

rrdcached_six_start
sleep 9

# Three times: everything held is sent, rrdcached dies before its journal
# reaches the disk and is back well before the next write.
for round in 1 2 3; do
	curl -sf -o /dev/null "http://127.0.0.1:$S0/api/v1/flush" ||
	    fail "flush $round"
	kill -KILL "$RC_PID"
	wait "$RC_PID" 2>/dev/null || true
	start_rrdcached
	sleep 7
done
rrdcached_six_stop
expect_num "restarts seen" "$(metric_of itfollow_rrdcached_reconnects_total)" ">=" 3
grep -q "was started again" "$T/log" && ok ||
    fail "no restart logged: $(grep store: "$T/log" | tail -n 3)"
echo "updates sent again: $(metric_of itfollow_rrdcached_replayed_total)"

# Every series: a value at every step from its first to its last, and
# the steps since the start (some 15 of 2 s; the values rrdcached lost at
# the first kill leave only the last rounds' otherwise).
rrdcached_every_step "$t_start" "$t_end" 12
if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error' "$T/log"; then
	fail "sanitizer report"
	cat "$T/log"
else
	ok
fi
finish
