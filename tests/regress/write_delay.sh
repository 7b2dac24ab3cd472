# store.write_delay: updates are held back and written together; SIGTERM
# writes what is held, so nothing is lost on a clean stop.
. "$(dirname "$0")/lib.bash"

free_port STATUS
free_port PORT
mkdir -p "$T/tmpl"
for f in "$SRC"/rrd-templates/*.tmpl; do
	sed -e 's/^step 60$/step 1/' -e 's/ 1m / 1 /' "$f" >"$T/tmpl/${f##*/}"
done
cat >"$T/w.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$STATUS"; log_level = "warning"; };
store = { write_delay = 5; };
defaults = { interval = 1; timeout = 0.5; };
systems = ( { id = "w"; category = "basic"; portfolio = "service";
  collectors = ( { type = "tcp"; series = "self"; host = "127.0.0.1"; port = $STATUS; } ); } );
CONF
F=$T/data/rrd/quality/w/self.rrd
"$BIN/itfollowd" -f -c "$T/w.conf" 2>"$T/log" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "http://127.0.0.1:$STATUS/health"
sleep 3.5
# Made with its first value at once; what came since is held back, queued.
[ -f "$F" ] && ok || fail "not made at its first value"
n0=$(rrdtool fetch "$F" AVERAGE --start end-20s | grep -c ': 1.0' || true)
expect_num "only the first value written" "$n0" "<=" 1
q=$(curl -s "http://127.0.0.1:$STATUS/metrics" |
    awk '$1 == "itfollow_store_queue_depth" { print $2 }')
expect_num "held updates are queued" "$q" ">=" 2
sleep 5
[ -f "$F" ] && ok || fail "not written after the delay"
n1=$(rrdtool fetch "$F" AVERAGE --start end-20s | grep -c ': 1.0')
expect_num "steps written together" "$n1" ">=" 4
sleep 2
stop=$(date +%s)
kill -TERM $DPID
rc=0
wait $DPID || rc=$?
expect_eq "exit" "$rc" 0
last=$(rrdtool last "$F")
# The updates held at SIGTERM were written: the last is from the end.
expect_num "last update at the stop (last=$last stop=$stop)" \
    "$((stop - last))" "<=" 2
finish
