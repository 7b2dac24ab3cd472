# /metrics streamed at a few thousand series: the per-series lines are
# made a piece at a time (HTTP/1.1 chunks; to HTTP/1.0 until the close;
# HEAD the headers only). Every answer has every series (counted against
# the configuration), promtool accepts each, /health is answered fast
# while a client reads slowly, a client that stops reading is closed at
# the write deadline, and a reload while a client reads ends its answer
# cleanly, without a sanitizer report.
. "$(dirname "$0")/lib.bash"
start_targets
free_port STATUS
S="http://127.0.0.1:$STATUS"
SYSTEMS=300 # of 10 series each: 8 up, 2 refused

mkdir -p "$T/tmpl"
cp "$SRC"/rrd-templates/*.tmpl "$T/tmpl/"
cat >"$T/tmpl/tcp.tmpl" <<TMPL
step 10
ds up      GAUGE 20 0 1
ds connect GAUGE 20 0 U
ds reason  GAUGE 20 0 255
rra AVERAGE 0.5 10 1h
TMPL
# conf N: N systems, the status server and small files.
conf() {
	cat <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
defaults = { interval = 10; timeout = 2; fail_after = 1; };
systems = (
CONF
	awk -v n="$1" -v up="$HTTP" -v down="$REFUSED" 'BEGIN {
	    for (i = 0; i < n; i++) {
		printf "  { id = \"sys%04d\"; category = \"basic\"; portfolio = \"service\";\n    collectors = (", i
		for (k = 0; k < 10; k++)
			printf "%s\n      { type = \"tcp\"; series = \"s%d\"; host = \"127.0.0.1\"; port = %d; }", \
			    k ? "," : "", k, k < 8 ? up : down
		printf " ); }%s\n", i < n - 1 ? "," : ""
	    } }'
	echo ");"
}
conf "$SYSTEMS" >"$T/m.conf"
"$BIN/itfollowd" -f -c "$T/m.conf" 2>"$T/log" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "$S/health"
# Until every series has run once.
for i in $(seq 1 90); do
	curl -s "$S/metrics" >"$T/m0"
	[ "$(grep -c '^itfollow_up{' "$T/m0")" -eq $((SYSTEMS * 10)) ] && break
	sleep 1
done

# check NAME FILE: promtool is silent, and every series is there.
check() {
	local rc=0
	promtool check metrics <"$2" >"$T/promtool.out" 2>&1 || rc=$?
	expect_eq "$1: promtool exit" "$rc" 0
	expect_eq "$1: promtool says" "$(cat "$T/promtool.out")" ""
	expect_eq "$1: itfollow_up lines" \
	    "$(grep -c '^itfollow_up{' "$2")" $((SYSTEMS * 10))
	expect_eq "$1: series up" "$(awk '/^itfollow_up\{/ { s += $2 } END { print s }' "$2")" \
	    $((SYSTEMS * 8))
	expect_eq "$1: last success lines" \
	    "$(grep -c '^itfollow_last_success_timestamp_seconds{' "$2")" \
	    $((SYSTEMS * 8))
	expect_eq "$1: ends with the build" \
	    "$(tail -1 "$2" | cut -d'{' -f1)" itfollow_build_info
	# The same metrics in the same order as the first answer.
	expect_eq "$1: metric order" "$(grep '^# TYPE' "$2" | md5sum)" \
	    "$(grep '^# TYPE' "$T/m0" | md5sum)"
	expect_eq "$1: itfollow_up as the first answer" \
	    "$(grep '^itfollow_up{' "$2" | md5sum)" \
	    "$(grep '^itfollow_up{' "$T/m0" | md5sum)"
}
check "first" "$T/m0"
expect_num "the answer is large" "$(wc -c <"$T/m0")" ">" 300000

curl -s -D "$T/h11" "$S/metrics" >"$T/m11"
grep -qi '^transfer-encoding: chunked' "$T/h11" && ok || fail "HTTP/1.1: not chunked"
grep -qi '^content-length' "$T/h11" && fail "HTTP/1.1: a Content-Length" || ok
check "HTTP/1.1" "$T/m11"

curl -s --http1.0 -D "$T/h10" "$S/metrics" >"$T/m10"
grep -qi '^transfer-encoding' "$T/h10" && fail "HTTP/1.0: chunked" || ok
grep -qi '^connection: close' "$T/h10" && ok || fail "HTTP/1.0: not Connection: close"
check "HTTP/1.0" "$T/m10"

curl -s -I "$S/metrics" >"$T/hhead"
expect_eq "HEAD: 200" "$(head -1 "$T/hhead" | tr -d '\r')" "HTTP/1.1 200 OK"
# Two answers on one connection (keep-alive), then /health on it.
curl -s "$S/metrics" "$S/metrics" "$S/health" -w '%{num_connects}\n' -o "$T/mka" -o "$T/mka2" -o /dev/null >"$T/conns"
expect_eq "keep-alive: one connection" "$(paste -sd' ' "$T/conns")" "1 0 0"
check "keep-alive 2nd" "$T/mka2"

# A slow reader (1 KB per 100 ms) while /health is asked: fast each time.
python3 "$SRC/tests/regress/metrics_stream.py" "$STATUS" slow "$T/mslow" >"$T/slow.out" &
SLOW=$!
sleep 0.5
worst=0
for i in 1 2 3 4 5 6; do
	t=$(curl -s -o /dev/null -w '%{time_total}' "$S/health")
	worst=$(awk -v a="$worst" -v b="$t" 'BEGIN { print (b > a ? b : a) }')
	sleep 0.4
done
expect_num "health while a client reads slowly (s)" "$worst" "<" 0.5
wait "$SLOW"
expect_eq "slow reader: 200" "$(head -1 "$T/slow.out")" "HTTP/1.1 200 OK"
expect_eq "slow reader: whole" "$(tail -1 "$T/slow.out")" whole
check "slow reader" "$T/mslow"

# A client that stops reading is closed at the write deadline.
t0=$(awk '$1 == "itfollow_status_timeouts_total" { print $2 }' "$T/m10")
python3 "$SRC/tests/regress/metrics_stream.py" "$STATUS" stall "$T/mstall" >"$T/stall.out"
expect_eq "stalled reader: cut" "$(tail -1 "$T/stall.out")" cut
t1=$(curl -s "$S/metrics" | awk '$1 == "itfollow_status_timeouts_total" { print $2 }')
expect_eq "stalled reader: a timeout counted" "$((t1 - t0))" 1

# A reload to fewer systems while a client reads slowly.
python3 "$SRC/tests/regress/metrics_stream.py" "$STATUS" slow "$T/mreload" >"$T/reload.out" &
SLOW=$!
sleep 1
conf 100 >"$T/m.conf"
kill -HUP "$DPID"
wait "$SLOW"
expect_eq "reload: whole" "$(tail -1 "$T/reload.out")" whole
rc=0
promtool check metrics <"$T/mreload" >"$T/promtool.out" 2>&1 || rc=$?
expect_eq "reload: promtool exit" "$rc" 0
expect_eq "reload: promtool says" "$(cat "$T/promtool.out")" ""
expect_eq "reload: ends with the build" \
    "$(tail -1 "$T/mreload" | cut -d'{' -f1)" itfollow_build_info
# The reload came while the itfollow_up lines were being made: they end
# there; the last-success lines are all the new configuration's.
expect_num "reload: itfollow_up cut short" \
    "$(grep -c '^itfollow_up{' "$T/mreload")" "<" $((SYSTEMS * 10))
expect_eq "reload: last success of the new series" \
    "$(grep -c '^itfollow_last_success_timestamp_seconds{' "$T/mreload")" 800
for i in $(seq 1 30); do
	n=$(curl -s "$S/metrics" | grep -c '^itfollow_up{' || true)
	[ "$n" -eq 1000 ] && break
	sleep 0.5
done
expect_eq "after the reload: its series" "$n" 1000

kill -TERM "$DPID"
wait "$DPID" || fail "the daemon's exit status"
if grep -q -e 'ERROR: AddressSanitizer' -e 'ERROR: LeakSanitizer' \
    -e 'runtime error' "$T/log"; then
	fail "sanitizer report"
	cat "$T/log"
else
	ok
fi
finish
