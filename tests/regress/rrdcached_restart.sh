# rrdcached killed (kill -9) and started again between two of the daemon's
# writes. librrd connects again by itself on the next request, so no call
# fails; what rrdcached acknowledged just before (its journal not yet on
# disk) is gone all the same. The daemon must notice the new rrdcached
# (its count of update requests went down) and send again what it sent in
# the seconds before: every series keeps a value at every step.
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

# write_delay 6: each file's updates go out together every 6 s, or at
# once on /api/v1/flush; right after one, nothing is sent for seconds.
cat >"$T/d.conf" <<CONF
daemon = { data_dir = "$D"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$S0"; log_level = "info"; };
store = { write_delay = 6; rrdcached = "unix:$SOCK"; };
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
curl -s "http://127.0.0.1:$S0/metrics" >"$T/m"
m() { awk -v k="$1" '$1 == k { print $2 }' "$T/m"; }
expect_num "restarts seen" "$(m itfollow_rrdcached_reconnects_total)" ">=" 3
expect_eq "nothing dropped" "$(m itfollow_rrdcached_dropped_total)" 0
expect_eq "no write errors" "$(m itfollow_store_errors_total)" 0
expect_eq "nothing refused as old" "$(m itfollow_store_rejected_total)" 0
grep -q "was started again" "$T/log" && ok ||
    fail "no restart logged: $(grep store: "$T/log" | tail -n 3)"
echo "updates sent again: $(m itfollow_rrdcached_replayed_total)"
kill -TERM "$P"
wait "$P" || fail "itfollowd exit code"
t_end=$(date +%s)
kill -TERM "$RC_PID"
wait "$RC_PID" 2>/dev/null || true

# Every series: a value at every step from its first to its last, and
# the steps since the start (some 15 of 2 s; the values rrdcached lost at
# the first kill leave only the last rounds' otherwise).
for series in a b c d e f; do
	f=$D/rrd/quality/sys0/$series.rrd
	[ -f "$f" ] || { fail "no $f"; continue; }
	rrdtool fetch "$f" AVERAGE -r 2 --start "$t_start" --end "$t_end" |
	    awk 'NR > 2 { print ($2 ~ /nan/) ? "-" : "v" }' | tr -d '\n' >"$T/seq"
	run=$(sed -e 's/^-*//' -e 's/-*$//' "$T/seq")
	case $run in
	*-*) fail "$series: a gap: $(cat "$T/seq")" ;;
	*) expect_num "$series: steps stored" "${#run}" ">=" 12 ;;
	esac
done
if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error' "$T/log"; then
	fail "sanitizer report"
	cat "$T/log"
else
	ok
fi
finish
