# Three daemons share one configuration through a PostgreSQL journal (a
# throwaway cluster started here) and write through one rrdcached on a
# loopback TCP port. Checked against the target's own request log: every
# collector runs exactly once per interval across the three, and one of a
# zone only on the member of that zone; kill -9 of a member: its
# collectors run on the others within its lease and two intervals, its
# open outage goes on (one row, the same start) and the gap is unknown
# time in the report; started again, it gets its share back without a
# slot run twice or missed; stopped, the others take over at once, and a
# collector whose zone has no member left is reported.
. "$(dirname "$0")/lib.bash"

command -v rrdcached >/dev/null || { fail "no rrdcached (scripts/bootstrap)"; finish; }
start_postgres || { finish; exit 1; }
free_port HTTP
free_port RPORT
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
RUNS="python3 $SRC/tests/tools/runs.py"
IV=2
LEASE=3
H="http://127.0.0.1:$HTTP"

{
	echo "defaults = { interval = $IV; timeout = 1; fail_after = 2; };"
	echo "systems = ("
	for s in 0 1 2 3 4 5 6 7; do
		echo "  { id = \"sys$s\"; category = \"basic\"; portfolio = \"service\";"
		echo "    collectors = ("
		for k in 0 1 2; do
			echo "      { type = \"http\"; series = \"p$k\"; url = \"$H/ok?s=$s&k=$k\"; },"
		done
		[ $s = 0 ] && echo "      { type = \"http\"; series = \"lab\"; url = \"$H/ok?lab\"; zone = \"lab\"; },"
		echo "      { type = \"http\"; series = \"flip\"; url = \"$H/flip?file=$T/down$s&s=$s\"; }"
		echo "    ); }$([ $s -lt 7 ] && echo ,)"
	done
	echo ");"
} >"$T/common.conf"
N=33 # collectors
# member N [ZONE]: the configuration of member dN.
member() {
	free_port port
	eval "S$1=$port"
	cat >"$T/d$1.conf" <<CONF
daemon = { data_dir = "$D"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$port"; log_level = "info"; name = "d$1";
  heartbeat = 1; lease = $LEASE; ${2:+zone = \"$2\";} };
store = { write_delay = 0; rrdcached = "127.0.0.1:$RPORT"; journal = "$PGURL";
  journal_password_file = "$T/pgpass"; };
@include "$T/common.conf"
CONF
}
member 0 lab
member 1
member 2
"$BIN/itfollowd" -n -c "$T/d0.conf" && ok || fail "-n rejects d0.conf"

start() {
	"$BIN/itfollowd" -f -c "$T/d$1.conf" 2>>"$T/log$1" &
	eval "P$1=$!"
	PIDS="$PIDS $!"
}
metrics() { curl -s "http://127.0.0.1:$(eval echo "\$S$1")/metrics"; }
metric() { metrics "$1" | awk -v k="$2" '$1 == k { print $2 }'; }
running() {
	metrics "$1" | sed -n 's/^itfollow_cluster_collector_running{collector="\(.*\)"} 1$/\1/p'
}
# members_live N: until every started member sees N live members.
members_live() {
	local i d
	for i in $(seq 1 100); do
		sleep 0.2
		for d in $2; do
			[ "$(metric "$d" itfollow_cluster_members)" = "$1" ] || continue 2
		done
		return 0
	done
	fail "members never saw $1 live members"
}
quiet() { sleep "$($RUNS quiet "$T/req.log" $IV)"; }

start 0
sleep 0.3
start 1
sleep 0.3
start 2
for d in 0 1 2; do wait_http "http://127.0.0.1:$(eval echo "\$S$d")/health"; done
members_live 3 "0 1 2"
sleep 6 # the hand-overs of the joins are done

# Exactly once per interval, across the three.
A=$(date +%s.%N)
sleep 12
B=$(date +%s.%N)
res=$($RUNS check "$T/req.log" $IV "$A" "$B")
echo "steady: $res" | head -5
set -- $res
expect_eq "every collector probed" "$2" $N
expect_eq "no slot run twice" "$6" 0
expect_eq "no slot missed" "$8" 0
for d in 0 1 2; do running $d >"$T/run$d"; done
expect_eq "each collector runs on one member" \
    "$(sort "$T/run0" "$T/run1" "$T/run2" | uniq | wc -l) $(cat "$T/run0" "$T/run1" "$T/run2" | wc -l)" "$N $N"
for d in 0 1 2; do
	expect_num "d$d runs a share" "$(wc -l <"$T/run$d")" ">" 3
done
grep -qx sys0/lab "$T/run0" && ok || fail "the zone's collector is not on d0"
expect_eq "the zone's collector only there" \
    "$(cat "$T/run1" "$T/run2" | grep -c '^sys0/lab$' || true)" 0

# The victim: a member other than d0 that runs a system's flip.
for s in 1 2 3 4 5 6 7; do
	for d in 1 2; do
		grep -qx "sys$s/flip" "$T/run$d" && { V=$d; VS=$s; break 2; }
	done
done
echo "victim d$V, its outage on sys$VS/flip"
touch "$T/down$VS"
for i in $(seq 1 100); do
	o=$(pgq "SELECT start FROM outages WHERE system = 'sys$VS' AND series = 'flip' AND \"end\" IS NULL")
	[ -n "$o" ] && break
	sleep 0.2
done
[ -n "$o" ] && ok || fail "no outage opened for sys$VS/flip"
nv=$(wc -l <"$T/run$V")
uris=$(sed -n 's|^\(sys[0-9]*\)/\(.*\)$|\1 \2|p' "$T/run$V" | while read -r s c; do
	n=${s#sys}
	case $c in
	flip) echo "/flip?file=$T/down$n&s=$n" ;;
	lab) echo "/ok?lab" ;;
	*) echo "/ok?s=$n&k=${c#p}" ;;
	esac
done)

quiet
KT=$(date +%s.%N)
kill -9 "$(eval echo "\$P$V")"
sleep $((LEASE + 2 * IV + 4))
wait=$($RUNS first "$T/req.log" "$KT" $uris | awk '{ print $2 }')
echo "kill -9 of d$V: its $nv collectors ran elsewhere after $wait s"
expect_num "taken over within lease + heartbeat + 2 intervals" "$wait" "<=" $((LEASE + 1 + 2 * IV))
others=$(for d in 0 1 2; do [ $d = "$V" ] || echo $d; done)
t=0
for d in $others; do
	t=$((t + $(metric $d itfollow_cluster_takeovers_total)))
	grep -q "took over from d$V" "$T/log$d" || true
done
expect_eq "the survivors took over its collectors" "$t" "$nv"
grep -q "took over from d$V" "$T/log0" "$T/log1" "$T/log2" && ok ||
    fail "no take-over logged"
rows=$(pgq "SELECT start, \"end\" IS NULL FROM outages WHERE system = 'sys$VS' AND series = 'flip'")
expect_eq "its open outage goes on: one row, same start, open" "$rows" "$o|t"

# Up again: the outage ends, once.
rm "$T/down$VS"
sleep $((3 * IV))
rows=$(pgq "SELECT start, \"end\" IS NOT NULL FROM outages WHERE system = 'sys$VS' AND series = 'flip'")
expect_eq "the outage ended, one row" "$rows" "$o|t"
# The gap is unknown time: the series' covered stretch ends before the
# kill, the next starts after it, no further apart than the wait and a
# run not yet written.
gap=$(pgq "SELECT s.span_start - c.\"end\" FROM series_state s, coverage c
    WHERE s.system = 'sys$VS' AND s.series = 'flip' AND c.system = s.system
    AND c.series = s.series AND c.\"end\" <= $(printf '%.0f' "$KT") + 1
    AND s.span_start > $(printf '%.0f' "$KT") ORDER BY c.\"end\" DESC LIMIT 1")
echo "unknown over the take-over: $gap s"
expect_num "the gap is unknown time" "$gap" ">" 0
expect_num "and no more than it" "$gap" "<=" "$(awk -v w="$wait" -v i=$IV 'BEGIN { print w + 2 * i + 1 }')"

# The victim comes back: its share returns, every slot run once.
h0=0
for d in $others; do h0=$((h0 + $(metric $d itfollow_cluster_handovers_out_total))); done
R=$(date +%s.%N)
start "$V"
members_live 3 "0 1 2"
sleep 10
res=$($RUNS check "$T/req.log" $IV "$R" "$(date +%s.%N)")
echo "rejoin: $res" | head -5
set -- $res
expect_eq "rejoin: no slot run twice" "$6" 0
expect_eq "rejoin: no slot missed" "$8" 0
expect_eq "its share is back" "$(running "$V" | sort)" "$(sort "$T/run$V")"
h=0
for d in $others; do h=$((h + $(metric $d itfollow_cluster_handovers_out_total))); done
expect_eq "handed over to it" "$((h - h0))" "$nv"

# d0 stops: the others take over at once; the zone has nobody left.
running 0 >"$T/run0"
u0=$(grep -v '^sys0/lab$' "$T/run0" | head -1)
quiet
ST=$(date +%s.%N)
kill -TERM "$P0"
wait "$P0" && ok || fail "d0 did not stop cleanly"
grep -q "member d0 left" "$T/log0" && ok || fail "d0 did not say it left"
sleep $((2 * IV + 2))
s=${u0%%/*}
n=${s#sys}
c=${u0#*/}
case $c in
flip) uri="/flip?file=$T/down$n&s=$n" ;;
*) uri="/ok?s=$n&k=${c#p}" ;;
esac
wait=$($RUNS first "$T/req.log" "$ST" "$uri" | awk '{ print $2 }')
echo "d0 stopped: $u0 ran elsewhere after $wait s"
expect_num "a member that leaves is taken over at once" "$wait" "<=" $((1 + 2 * IV))
expect_eq "the zone's collector runs nowhere" \
    "$($RUNS count "$T/req.log" "/ok?lab" "$(awk -v t="$ST" 'BEGIN { printf "%.3f", t + 1 }')" 9999999999)" 0
curl -s -o "$T/h1" -w '%{http_code}' "http://127.0.0.1:$S1/health" >"$T/h1code"
expect_eq "/health says it" "$(cat "$T/h1code")" 503
grep -q 'no live member to run them (zone lab' "$T/h1" && ok ||
    fail "/health reason: $(cat "$T/h1")"
expect_eq "unowned in /metrics" "$(metric 1 itfollow_cluster_collectors_unowned)" 1

# The password is in no log, answer or table.
pw=$(cat "$T/pgpass")
for d in 1 2; do metrics $d; curl -s "http://127.0.0.1:$(eval echo "\$S$d")/health"; done >"$T/answers"
if grep -qF -- "$pw" "$T"/log* "$T/answers"; then fail "the password leaked"; else ok; fi
finish
