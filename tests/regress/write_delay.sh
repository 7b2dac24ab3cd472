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
wait_file "$F"
# Made with its first value at once. Its first held period after that
# lasts the series' own point of the delay (README, "Storage"), worked out
# apart here; each one after lasts the delay.
p=$(python3 "$SRC/tests/regress/due_point.py" 5 rrd/quality/w/self.rrd)
echo "own point: $p s of 5"
# For 13 s, each time the newest value on disk changes: when, and to what.
: >"$T/writes"
prev="" q="" qat=""
end=$(($(date +%s) + 13))
while [ "$(date +%s)" -lt "$end" ]; do
	l=$(rrdtool last "$F")
	if [ "$l" != "$prev" ]; then
		echo "$(date +%s) $l" >>"$T/writes"
		prev=$l
		# 3 s after the first period's write, values are held again.
		[ "$(wc -l <"$T/writes")" != 2 ] || qat=$(($(date +%s) + 3))
	fi
	if [ -n "$qat" ] && [ -z "$q" ] && [ "$(date +%s)" -ge "$qat" ]; then
		q=$(curl -s "http://127.0.0.1:$STATUS/metrics" |
		    awk '$1 == "itfollow_store_queue_depth" { print $2 }')
	fi
	sleep 0.25
done
cat "$T/writes"
nw=$(wc -l <"$T/writes")
# Written together, not value by value (that would be 13 writes).
expect_num "writes in 13 s" "$nw" ">=" 3
expect_num "writes in 13 s" "$nw" "<=" 4
expect_num "held updates are queued" "${q:-0}" ">=" 2
# The first held period's values: about its own point's worth.
j1=$(awk 'NR == 1 { a = $2 } NR == 2 { print $2 - a }' "$T/writes")
expect_num "first held period's values (point $p)" "$j1" ">=" 1
expect_num "first held period's values (point $p)" "$j1" "<=" "$((p + 2))"
# Then the delay's worth at a time.
j2=$(awk 'NR == 2 { a = $2 } NR == 3 { print $2 - a }' "$T/writes")
expect_num "steps written together" "$j2" ">=" 4
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
