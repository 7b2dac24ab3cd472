# Writing through rrdcached (Debian's), split over two daemons: one
# configuration, shard 0/2 talking to rrdcached on a unix socket and shard
# 1/2 over loopback TCP. rrdcached is killed and started again while they
# run: every value must arrive once (no gap in any series, no update
# rrdcached refuses as not after the last), and each collector must have
# run in exactly one daemon. Then: the tool reads through rrdcached, and
# values beyond store.buffer_max are dropped and counted.
. "$(dirname "$0")/lib.bash"
# The graph below: librrd's graph leaks legend strings, suppressed by
# library, which needs full stacks.
export LSAN_OPTIONS="${LSAN_OPTIONS:-}:fast_unwind_on_malloc=0"

rrdcached_ground
free_port S1
free_port RPORT

# -R: directories made as needed; a TCP listener too. Up when both are.
start_rrdcached_tcp() {
	start_rrdcached -R -l "127.0.0.1:$RPORT" || return 1
	for _ in $(seq 1 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$RPORT") 2>/dev/null && return 0
		sleep 0.1
	done
	fail "rrdcached did not listen on $RPORT: $(cat "$T/rrdcached.log")"
}

# The shared part: every daemon reads it.
{
	echo "defaults = { interval = 2; timeout = 1; };"
	echo "systems = ("
	for s in 0 1 2; do
		echo "  { id = \"sys$s\"; category = \"basic\"; portfolio = \"service\";"
		echo "    collectors = ("
		for k in 0 1 2; do
			echo "      { type = \"http\"; series = \"ok$k\"; url = \"$H/ok?s=$s&k=$k\"; },"
		done
		echo "      { type = \"tcp\"; series = \"down\"; host = \"127.0.0.1\"; port = $REFUSED; }"
		echo "    ); }$([ $s -lt 2 ] && echo ,)"
	done
	echo ");"
} >"$T/common.conf"
# conf N ADDRESS BUFFER: the configuration of shard N/2.
conf() {
	cat >"$T/d$1.conf" <<CONF
daemon = { data_dir = "$D"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$( [ "$1" = 0 ] && echo "$S0" || echo "$S1")";
  log_level = "info"; shard = "$1/2"; };
store = { write_delay = 0; rrdcached = "$2"; buffer_max = $3; };
@include "$T/common.conf"
CONF
}
conf 0 "unix:$SOCK" 10000
conf 1 "127.0.0.1:$RPORT" 10000

"$BIN/itfollowd" -n -c "$T/d0.conf" || fail "-n rejects shard 0"

# -T: each collector in exactly one shard.
"$BIN/itfollowd" -T -c "$T/d0.conf" >"$T/t0" 2>"$T/t0.err" || true
"$BIN/itfollowd" -T -c "$T/d1.conf" >"$T/t1" 2>"$T/t1.err" || true
grep -q '^# shard 0/2: [0-9]* of 12 collectors run here' "$T/t0" && ok ||
    fail "-T does not say the shard: $(head -1 "$T/t0")"
grep -q '^# shard 1/2: [0-9]* of 12 collectors run here' "$T/t1" && ok ||
    fail "-T does not say the shard: $(head -1 "$T/t1")"
# (rrdcached is not up yet: -T says which series it ran, not stored.)
cat "$T/t0" "$T/t1" | grep -v '^#' | awk '{ print $1 "/" $3 }' | sort >"$T/ran"
expect_eq "every collector ran once" "$(wc -l <"$T/ran")" 12
expect_eq "none twice" "$(uniq -d <"$T/ran" | wc -l)" 0
n0=$(grep -vc '^#' "$T/t0" || true)
expect_num "shard 0 has some" "$n0" ">" 0
expect_num "shard 1 has some" "$((12 - n0))" ">" 0
grep -q "unreachable at stop" "$T/t0.err" && ok ||
    fail "no rrdcached: -T does not say values were not written"

start_rrdcached_tcp
t_start=$(date +%s)
"$BIN/itfollowd" -f -c "$T/d0.conf" 2>"$T/log0" &
P0=$!
"$BIN/itfollowd" -f -c "$T/d1.conf" 2>"$T/log1" &
P1=$!
PIDS="$PIDS $P0 $P1"
wait_http "http://127.0.0.1:$S0/health"
wait_http "http://127.0.0.1:$S1/health"
grep -q "shard 0/2: $n0 of 12 collectors run here" "$T/log0" && ok ||
    fail "log does not say the shard"
sleep 8

# Graphs read through rrdcached: sys2's files hold nothing yet (rrdcached
# writes every hour), so a number means the tool flushed them first.
"$BIN/itfollow" graph availability -c "$T/d0.conf" --system sys2 --last 1h \
    --table csv -o "$T/a.png" >"$T/a.csv" 2>"$T/a.err"
grep -q '^# availability sys2: [0-9.]* %' "$T/a.csv" && ok ||
    fail "graph through rrdcached: $(grep '^#' "$T/a.csv") $(cat "$T/a.err")"

# The tool reads through rrdcached: it flushes before reading.
f=$(grep -v '^#' "$T/t1" | head -1 | awk '{ print $1 " " $3 }')
lt=$("$BIN/itfollow" last -c "$T/d1.conf" $f | sed -n 's/^time=//p')
expect_num "itfollow last through rrdcached is recent" "$lt" ">=" \
    "$(($(date +%s) - 6))"

# rrdcached goes away for 6 s, and comes back.
kill -TERM "$RC_PID"
wait "$RC_PID" 2>/dev/null || true
sleep 3
code=$(curl -s -o "$T/h" -w '%{http_code}' "http://127.0.0.1:$S1/health")
expect_eq "/health while rrdcached is away" "$code" 503
grep -q 'rrdcached is unreachable' "$T/h" && ok || fail "/health reason: $(cat "$T/h")"
buffered=$(curl -s "http://127.0.0.1:$S1/metrics" |
    awk '$1 == "itfollow_rrdcached_buffered" { print $2 }')
expect_num "values buffered" "$buffered" ">" 0
sleep 3
start_rrdcached_tcp
sleep 8
for s in 0 1; do
	port=$([ $s = 0 ] && echo "$S0" || echo "$S1")
	curl -s "http://127.0.0.1:$port/metrics" >"$T/m$s"
	m() { awk -v k="$1" '$1 == k { print $2 }' "$T/m$s"; }
	expect_num "d$s reconnected" "$(m itfollow_rrdcached_reconnects_total)" ">=" 1
	expect_eq "d$s up" "$(m itfollow_rrdcached_up)" 1
	expect_eq "d$s nothing dropped" "$(m itfollow_rrdcached_dropped_total)" 0
	expect_eq "d$s nothing refused as old" "$(m itfollow_store_rejected_total)" 0
	expect_eq "d$s no write errors" "$(m itfollow_store_errors_total)" 0
	expect_eq "d$s healthy" \
	    "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$port/health")" 200
	grep -q "connected again" "$T/log$s" && ok || fail "d$s: no reconnect logged"
done
kill -TERM "$P0" "$P1"
wait "$P0" || fail "d0 exit code"
wait "$P1" || fail "d1 exit code"
t_end=$(date +%s)

# A replaced series (cost) through rrdcached: rebuilt here, flushed
# first, forgotten after; a corrected day is what the new file says.
cost_csv() {
	printf 'BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ChargeClass,EffectiveCost,Tags\n'
	printf 'SEK,2026-01-05T00:00:00Z,2026-01-06T00:00:00Z,,10.00,"{""sys"": ""sys0""}"\n'
	printf 'SEK,2026-01-06T00:00:00Z,2026-01-07T00:00:00Z,,%s,"{""sys"": ""sys0""}"\n' "$1"
	printf 'SEK,2026-01-07T00:00:00Z,2026-01-08T00:00:00Z,,30.00,"{""sys"": ""sys0""}"\n'
}
cat >"$T/c.conf" <<CONF
daemon = { data_dir = "$D"; status_listen = "127.0.0.1:$S0"; };
store = { write_delay = 0; rrdcached = "unix:$SOCK"; };
systems = ( { id = "sys0"; category = "basic"; portfolio = "service"; } );
feeds = ( { id = "cloud"; type = "focus"; url = "file://$T/cost.csv";
  cost_column = "EffectiveCost"; system_key = "tag:sys"; currency = "SEK"; } );
CONF
costs() {
	"$BIN/itfollow" export -c "$T/c.conf" --perspective cost --system sys0 \
	    --from 2026-01-05 --to 2026-01-08 --step 1d --format csv |
	    awk -F, 'NR > 1 && !/^#/ { printf "%s ", $2 }'
}
cost_csv 20.00 >"$T/cost.csv"
"$BIN/itfollowd" -T -c "$T/c.conf" >/dev/null 2>"$T/cost.err" ||
    fail "cost -T: $(cat "$T/cost.err")"
expect_eq "cost through rrdcached" "$(costs)" "10 20 30 "
cost_csv 25.00 >"$T/cost.csv"
sleep 1
"$BIN/itfollowd" -T -c "$T/c.conf" >/dev/null 2>"$T/cost.err" ||
    fail "cost -T again: $(cat "$T/cost.err")"
expect_eq "corrected cost through rrdcached" "$(costs)" "10 25 30 "

kill -TERM "$RC_PID"
wait "$RC_PID" 2>/dev/null || true

# Every series: a value at every step from its first to its last.
for s in 0 1 2; do
	for series in ok0 ok1 ok2 down; do
		f=$D/rrd/quality/sys$s/$series.rrd
		[ -f "$f" ] || { fail "no $f"; continue; }
		rrdtool fetch "$f" AVERAGE -r 2 --start "$t_start" \
		    --end "$t_end" | awk 'NR > 2 { print ($2 ~ /nan/) ? "-" : "v" }' |
		    tr -d '\n' >"$T/seq"
		# Known values from the first to the last, with none missing.
		run=$(sed -e 's/^-*//' -e 's/-*$//' "$T/seq")
		case $run in
		*-*) fail "sys$s/$series: a gap: $(cat "$T/seq")" ;;
		*) expect_num "sys$s/$series: steps stored" "${#run}" ">=" 10 ;;
		esac
	done
done
if grep -q 'illegal attempt' "$T/rrdcached.log"; then
	fail "rrdcached refused an update: $(grep -m1 'illegal attempt' "$T/rrdcached.log")"
else
	ok
fi

# Beyond store.buffer_max: dropped, counted and logged.
conf 1 "127.0.0.1:$REFUSED" 1
"$BIN/itfollowd" -T -c "$T/d1.conf" >/dev/null 2>"$T/drop.err" || true
grep -q 'dropping new values until it is back' "$T/drop.err" && ok ||
    fail "drop beyond buffer_max not logged: $(cat "$T/drop.err")"
grep -q 'unreachable at stop: 1 held values not written' "$T/drop.err" && ok ||
    fail "held values at stop not reported: $(cat "$T/drop.err")"

for l in "$T/log0" "$T/log1"; do
	if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error' "$l"; then
		fail "sanitizer report in $l"
		cat "$l"
	else
		ok
	fi
done
finish
