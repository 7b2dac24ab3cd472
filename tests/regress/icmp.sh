# ICMP probes in a network namespace of the test's own (loopback only),
# whose kernel answers no echo request: tests/tools/itf-pingd answers
# with set delays and losses (the k-th request of a flow dropped when
# k % 4 == 3, else answered after 20 + 2 (k % 20) ms), sends
# "unreachable" errors, stays silent, duplicates or forges replies. The
# daemon's loss, min, percentiles and max, as printed by -T and read
# back with rrdtool, are compared with the pattern and with what fping
# -C measures on the same path, both computed with python3's decimal;
# with unprivileged ping sockets off (raw sockets, opened as root before
# the drop to nobody) and on (datagram sockets, opened as nobody), and as
# nobody with neither. Also -n's errors for bad icmp settings.
. "$(dirname "$0")/lib.bash"

NS=itf-icmp-$$
ip netns add "$NS" || {
	fail "cannot make a network namespace (ip netns, as root)"
	finish
}
trap 'cleanup; ip netns del "$NS" 2>/dev/null || true' EXIT
in_ns() { ip netns exec "$NS" "$@"; }
in_ns ip link set lo up
# The status server's getaddrinfo (AI_ADDRCONFIG) wants an address that
# is not loopback: a veth pair whose both ends stay in the namespace.
in_ns ip link add itf0 type veth peer name itf1
in_ns ip addr add 192.0.2.201/32 dev itf0
in_ns ip link set itf0 up
in_ns ip link set itf1 up
in_ns ip addr add fd00::9/128 dev lo
in_ns ip addr add fd00::10/128 dev lo
in_ns ip route add unreachable 198.51.100.0/24
in_ns sysctl -qw net.ipv4.icmp_echo_ignore_all=1 net.ipv6.icmp.echo_ignore_all=1
chmod 755 "$T"

PINGD=""
# pingd ARGS...: (re)start the responder in the namespace.
pingd() {
	if [ -n "$PINGD" ]; then
		kill "$PINGD"
		wait "$PINGD" 2>/dev/null || true
	fi
	rm -f "$T/pingd.pid"
	# ip netns exec execs the program: $! is the responder itself.
	ip netns exec "$NS" "$BIN/itf-pingd" --pidfile "$T/pingd.pid" "$@" \
	    >>"$T/pingd.log" 2>&1 &
	PINGD=$!
	PIDS="$PIDS $PINGD"
	wait_file "$T/pingd.pid"
}

# conf FILE DATA_DIR USER: the probes of every case.
conf() {
	local user=""
	[ -n "$3" ] && user="user = \"$3\";"
	cat >"$1" <<CONF
daemon = { data_dir = "$2"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; $user };
store = { write_delay = 0; };
defaults = { interval = 60; timeout = 5; };
systems = (
  { id = "net"; name = "Net"; owner = "test"; category = "basic";
    portfolio = "service";
    collectors = (
      { type = "icmp"; series = "lo4"; host = "127.0.0.1"; ping_interval = 0.1; max_loss = 30; },
      { type = "icmp"; series = "lo6"; host = "::1"; ping_interval = 0.1; max_loss = 30; },
      { type = "icmp"; series = "lo4b"; host = "127.0.0.2"; ping_interval = 0.1; max_loss = 30; size = 1000; },
      { type = "icmp"; series = "lossy"; host = "127.0.0.3"; ping_interval = 0.1; max_loss = 10; },
      { type = "icmp"; series = "unreach4"; host = "127.0.0.9"; count = 5; ping_interval = 0.1; },
      { type = "icmp"; series = "unreach6"; host = "fd00::9"; count = 5; ping_interval = 0.1; },
      { type = "icmp"; series = "silent"; host = "fd00::10"; count = 5; ping_interval = 0.1; },
      { type = "icmp"; series = "noroute"; host = "198.51.100.1"; count = 3; ping_interval = 0.1; },
      { type = "icmp"; series = "noname"; host = "no-such-host.invalid"; count = 3; }
    ); }
);
CONF
}
free_port STATUS

# The pattern's round trips of one run (ms): 20 + 10 (k % 20), k % 4 != 3.
PATTERN="20 30 40 60 70 80 100 110 120 140 150 160 180 190 200"
# stats "V1 V2 ...": loss%, min, p10, p25, median, p75, p90, max of 20
# requests whose answered round trips (ms) are given, with decimal:
# percentile p at h = (n - 1) p / 100, linear between closest ranks.
stats() {
	python3 - "$1" <<'PY'
import sys
from decimal import Decimal as D
x = sorted(D(v) for v in sys.argv[1].split())
n = len(x)
def pct(p):
    h = D(n - 1) * D(p) / 100
    i = int(h)
    return x[i] if i + 1 >= n else x[i] + (h - i) * (x[i + 1] - x[i])
out = [D(20 - n) * 100 / 20, x[0]] + [pct(p) for p in (10, 25, 50, 75, 90)] + [x[-1]]
print(" ".join(str(v) for v in out))
PY
}

# close "GOT" "WANT": eight figures, the loss equal, the rest (seconds
# got, milliseconds want) within TOL ms. Round trips wobble with the
# load of the machine (the responder's timers, the schedulers): a
# comparison that fails is tried again with a new run, up to 3 times;
# a wrong loss or a wrong way of computing a percentile (10 ms apart
# here) fails every time.
TOL=3
close() {
	python3 - "$1" "$2" "$TOL" <<'PY'
import sys
from decimal import Decimal as D
g = sys.argv[1].split(); w = sys.argv[2].split(); tol = D(sys.argv[3])
if len(g) != 8 or len(w) != 8 or "U" in g or D(g[0]) != D(w[0]):
    sys.exit(1)
sys.exit(0 if all(abs(D(a) * 1000 - D(b)) <= tol for a, b in zip(g[1:], w[1:])) else 1)
PY
}

# same WHAT "A" "B": the same figures, to the 6 decimals -T prints.
same() {
	if python3 - "$2" "$3" <<'PY'; then ok; else fail "$1: $2 against $3"; fi
import sys
a = sys.argv[1].split(); b = sys.argv[2].split()
sys.exit(0 if len(a) == len(b) == 8 and all(
    abs(float(x) - float(y)) <= 5.000001e-7
    for x, y in zip(a, b)) else 1)
PY
}

# stored FILE: the eight figures as librrd reads them back.
stored() {
	local ds out=""
	for ds in loss min p10 p25 median p75 p90 max; do
		out="$out $(last "$1" "$ds")"
	done
	echo $out
}

# printed LINE: the eight figures of a -T line.
printed() {
	local ds out=""
	for ds in loss min p10 p25 median p75 p90 max; do
		out="$out $(field "$1" "$ds")"
	done
	echo $out
}

# fping_ms TARGET: fping -C 20 on the same path (a new flow: the same
# pattern), its figures through stats(), in ms.
fping_ms() {
	local v
	v=$(in_ns fping -C 20 -p 100 -t 1000 -q "$1" 2>&1 |
	    awk -F' : ' '{ print $2 }' | tr ' ' '\n' | grep -v '^-$' |
	    tr '\n' ' ')
	stats "$v"
}

# secs "FIGURES": loss kept, the rest from ms to seconds.
secs() {
	echo "$1" | awk '{ for (i = 2; i <= NF; i++) $i /= 1000; print }'
}

# attempt MODE: one -T run; the exact checks; 0 when the round trips of
# the daemon, of fping and of the pattern agree.
attempt() {
	local mode=$1 data=$T/data-$1 line s want rc=0
	in_ns "$BIN/itfollowd" -T -c "$T/$mode.conf" >"$T/$mode.out" \
	    2>"$T/$mode.err" || fail "$mode: -T exit code"
	want=$(stats "$PATTERN")
	for s in lo4 lo6 lo4b; do
		line=$(grep "^net quality $s " "$T/$mode.out" || true)
		expect_eq "$mode $s status" "$(field "$line" status)" up
		expect_eq "$mode $s loss" "$(field "$line" loss)" 25
		same "$mode $s stored = printed" \
		    "$(stored "$data/rrd/quality/net/$s.rrd")" "$(printed "$line")"
		close "$(printed "$line")" "$want" || {
			echo "$mode $s: $(printed "$line") against $want"
			rc=1
		}
	done
	for s in 127.0.0.1 ::1; do
		close "$(secs "$(fping_ms "$s")")" "$want" || {
			echo "$mode fping $s: $(fping_ms "$s") against $want"
			rc=1
		}
	done
	line=$(grep "^net quality lossy " "$T/$mode.out" || true)
	expect_eq "$mode lossy reason" "$(field "$line" reason)" loss
	expect_eq "$mode lossy loss" "$(field "$line" loss)" 25
	for s in unreach4 unreach6 noroute; do
		line=$(grep "^net quality $s " "$T/$mode.out" || true)
		expect_eq "$mode $s reason" "$(field "$line" reason)" unreachable
		expect_eq "$mode $s loss" "$(field "$line" loss)" 100
		expect_eq "$mode $s median" "$(field "$line" median)" U
	done
	line=$(grep "^net quality silent " "$T/$mode.out" || true)
	expect_eq "$mode silent reason" "$(field "$line" reason)" timeout
	expect_eq "$mode silent loss" "$(field "$line" loss)" 100
	line=$(grep "^net quality noname " "$T/$mode.out" || true)
	expect_eq "$mode noname reason" "$(field "$line" reason)" dns
	expect_eq "$mode noname loss" "$(field "$line" loss)" U
	return $rc
}

# run_case MODE: as root dropping to nobody, against the pattern.
run_case() {
	local mode=$1 i
	conf "$T/$mode.conf" "$T/data-$mode" nobody
	for i in 1 2 3; do
		pingd --delay 20 --step 10 --cycle 20 --drop-every 4 \
		    --unreach 127.0.0.9 --unreach fd00::9 --silent fd00::10
		# The kernel stamps packets with their time of arrival only
		# once a socket asked for it (the responder's): a moment.
		sleep 0.2
		if attempt "$mode"; then
			ok
			return
		fi
		sleep 1
	done
	fail "$mode: round trips of the daemon, fping and the pattern differ in 3 runs"
}

# small_conf FILE DATA USER INTERVAL: two probes of 5 requests.
small_conf() {
	local user=""
	[ -n "$3" ] && user="user = \"$3\";"
	cat >"$1" <<CONF
daemon = { data_dir = "$2"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; $user };
store = { write_delay = 0; };
defaults = { interval = $4; timeout = 3; };
systems = (
  { id = "net"; name = "Net"; owner = "test"; category = "basic";
    portfolio = "service";
    collectors = (
      { type = "icmp"; series = "lo4"; host = "127.0.0.1"; count = 5; ping_interval = 0.1; },
      { type = "icmp"; series = "lo6"; host = "::1"; count = 5; ping_interval = 0.1; }
    ); }
);
CONF
}

# forged MODE: replies that only look like ours are all refused.
forged() {
	local line s
	small_conf "$T/forge.conf" "$T/data-forge-$1" nobody 60
	pingd --forge
	in_ns "$BIN/itfollowd" -T -c "$T/forge.conf" >"$T/forge.out" \
	    2>"$T/forge.err" || fail "$1 forged: -T exit code"
	for s in lo4 lo6; do
		line=$(grep "^net quality $s " "$T/forge.out" || true)
		expect_eq "$1 forged $s reason" "$(field "$line" reason)" timeout
		expect_eq "$1 forged $s loss" "$(field "$line" loss)" 100
		expect_eq "$1 forged $s min" "$(field "$line" min)" U
	done
	# It did send them: 7 (IPv4) and 6 (IPv6) for each request.
	kill "$PINGD"
	wait "$PINGD" 2>/dev/null || true
	PINGD=""
	expect_eq "$1 forged: replies sent" \
	    "$(tail -1 "$T/pingd.log")" "itf-pingd: 10 requests, 65 sent"
}

# duplicated: each reply twice; counted once.
duplicated() {
	local line
	small_conf "$T/dup.conf" "$T/data-dup" nobody 60
	pingd --dup --delay 20 --drop-every 5
	in_ns "$BIN/itfollowd" -T -c "$T/dup.conf" >"$T/dup.out" \
	    2>"$T/dup.err" || fail "duplicated: -T exit code"
	line=$(grep "^net quality lo4 " "$T/dup.out" || true)
	expect_eq "duplicated status" "$(field "$line" status)" up
	expect_eq "duplicated loss" "$(field "$line" loss)" 20
}

# proc_has FILE PORT UID: a socket of that port (protocol) and user in
# the namespace's /proc/net/FILE.
proc_has() {
	in_ns cat "/proc/net/$1" | awk -v port="$2" -v uid="$3" '
	    NR > 1 { split($2, a, ":"); if (toupper(a[2]) == port && $8 == uid) f = 1 }
	    END { exit !f }'
}

# running MODE: itfollowd -f as root dropping to nobody (off: raw
# sockets kept, on: ping sockets), or as nobody given CAP_NET_RAW
# (cap: raw sockets, the capability given up), until it stored its
# first run; the socket it used, from its log and /proc.
running() {
	local mode=$1 pid i
	small_conf "$T/run-$mode.conf" "$T/data-run-$mode" nobody 5
	pingd --delay 1
	if [ "$mode" = cap ]; then
		mkdir -p "$T/data-run-$mode"
		chown nobody "$T/data-run-$mode"
		ip netns exec "$NS" setpriv --reuid=nobody --regid=nogroup \
		    --clear-groups --inh-caps=+net_raw --ambient-caps=+net_raw \
		    "$BIN/itfollowd" -f -c "$T/run-$mode.conf" \
		    >"$T/run-$mode.log" 2>&1 &
	else
		ip netns exec "$NS" "$BIN/itfollowd" -f -c "$T/run-$mode.conf" \
		    >"$T/run-$mode.log" 2>&1 &
	fi
	pid=$!
	PIDS="$PIDS $pid"
	wait_file "$T/data-run-$mode/rrd/quality/net/lo6.rrd" ||
	    fail "$mode: no run stored"
	for i in $(seq 1 50); do
		[ "$(last "$T/data-run-$mode/rrd/quality/net/lo4.rrd" up)" = 1 ] && break
		sleep 0.2
	done
	expect_eq "$mode running: lo4 up" \
	    "$(last "$T/data-run-$mode/rrd/quality/net/lo4.rrd" up)" 1
	expect_eq "$mode running: as nobody" \
	    "$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")" 65534
	if [ "$mode" = off ]; then
		grep -q "raw ICMP sockets opened before becoming nobody" \
		    "$T/run-$mode.log" && ok || fail "$mode: no raw socket logged"
		proc_has raw 0001 0 && ok || fail "$mode: no raw ICMP socket of root"
		proc_has raw6 003A 0 && ok || fail "$mode: no raw ICMPv6 socket of root"
	elif [ "$mode" = cap ]; then
		grep -q "raw ICMP sockets opened with CAP_NET_RAW, which was then given up" \
		    "$T/run-$mode.log" && ok || fail "$mode: no raw socket logged"
		proc_has raw 0001 65534 && ok || fail "$mode: no raw ICMP socket of nobody"
		for c in CapInh CapPrm CapEff CapAmb; do
			expect_eq "$mode: $c" \
			    "$(awk -v c="$c:" '$1 == c { print $2 }' "/proc/$pid/status")" \
			    0000000000000000
		done
	else
		grep -q "icmp: datagram ICMP socket" "$T/run-$mode.log" &&
		    ok || fail "$mode: no datagram socket logged"
		in_ns cat /proc/net/icmp | awk 'NR > 1 && $8 == 65534 { f = 1 }
		    END { exit !f }' && ok ||
		    fail "$mode: no ping socket of nobody in /proc/net/icmp"
	fi
	# /api/v1/systems shows what was stored (read twice more if a run
	# came between the two reads).
	f=$T/data-run-$mode/rrd/quality/net/lo4.rrd
	same_api=""
	for i in 1 2 3; do
		api=$(in_ns curl -sf "http://127.0.0.1:$STATUS/api/v1/systems" |
		    jq -r '.. | objects | select(.series? == "lo4") | .values |
		        [.loss, .min, .median, .max] | map(tostring) | join(" ")')
		rrd=$(echo $(last "$f" loss) $(last "$f" min) $(last "$f" median) \
		    $(last "$f" max))
		python3 -c 'import sys; a = sys.argv[1].split(); b = sys.argv[2].split()
sys.exit(0 if len(a) == len(b) == 4 and all(abs(float(x) - float(y)) <= 1e-9 * max(1, abs(float(y))) for x, y in zip(a, b)) else 1)' \
		    "$api" "$rrd" && same_api=1 && break
	done
	[ -n "$same_api" ] && ok || fail "$mode: /api lo4 $api, stored $rrd"
	# A reload that changes both probes: new ones on the same sockets
	# (kept raw ones, or ping sockets opened again as nobody).
	sed -i 's/count = 5;/count = 4;/' "$T/run-$mode.conf"
	t=$(date +%s)
	kill -HUP "$pid"
	for i in $(seq 1 75); do
		[ "$(rrdtool last "$f")" -gt "$((t + 1))" ] &&
		    [ "$(rrdtool last "$T/data-run-$mode/rrd/quality/net/lo6.rrd")" -gt "$((t + 1))" ] &&
		    break
		sleep 0.2
	done
	expect_eq "$mode reloaded: lo4 up" "$(last "$f" up)" 1
	expect_eq "$mode reloaded: lo6 up" \
	    "$(last "$T/data-run-$mode/rrd/quality/net/lo6.rrd" up)" 1
	grep -q "2 collectors (0 kept, 2 new, 2 removed)" "$T/run-$mode.log" &&
	    ok || fail "$mode: reload not logged: $(tail -3 "$T/run-$mode.log")"
	kill "$pid"
	wait "$pid" || fail "$mode running: exit code"
}

in_ns sysctl -qw net.ipv4.ping_group_range="1 0"
run_case off
forged off
running off
# As nobody from the start: neither kind of socket, said so.
small_conf "$T/nobody.conf" "$T/data-nobody" "" 60
mkdir -p "$T/data-nobody"
chown nobody "$T/data-nobody"
in_ns setpriv --reuid=nobody --regid=nogroup --clear-groups \
    "$BIN/itfollowd" -T -c "$T/nobody.conf" >"$T/nobody.out" 2>"$T/nobody.err" ||
    fail "nobody: -T exit code"
line=$(grep "^net quality lo4 " "$T/nobody.out" || true)
expect_eq "nobody status" "$(field "$line" status)" unknown
expect_eq "nobody reason" "$(field "$line" reason)" internal
# As nobody given CAP_NET_RAW (systemd's AmbientCapabilities).
running cap

in_ns sysctl -qw net.ipv4.ping_group_range="0 2147483647"
run_case on
forged on
duplicated
running on

# -n: each bad setting with its file and line.
cat >"$T/bad.conf" <<CONF
daemon = { data_dir = "$T/bad"; templates_dir = "$SRC/rrd-templates"; };
systems = (
  { id = "net"; name = "Net"; owner = "test"; category = "basic";
    portfolio = "service";
    collectors = (
      { type = "icmp"; series = "a"; host = "http://portal.example/"; },
      { type = "icmp"; series = "b"; host = "192.0.2.1";
        count = 0; },
      { type = "icmp"; series = "c"; host = "192.0.2.1"; timeout = 5;
        count = 100; ping_interval = 1; },
      { type = "icmp"; series = "d"; host = "::1"; ip_version = 4; },
      { type = "icmp"; series = "e"; host = "192.0.2.1"; max_loss = 120; },
      { type = "icmp"; series = "f"; }
    ); }
);
CONF
rc=0
"$BIN/itfollowd" -n -c "$T/bad.conf" >"$T/bad.out" 2>&1 || rc=$?
expect_eq "-n exit code" "$rc" 1
for want in \
    "bad.conf:6: host \"http://portal.example/\" is a URL or a path: give a name or an address" \
    "bad.conf:8: count must be 1 to 100" \
    "bad.conf:10: (count - 1) x ping_interval + ping_timeout is 100.000 s, more than the timeout (5.000 s)" \
    "bad.conf:11: host ::1 is not an IPv4 address" \
    "bad.conf:12: max_loss must be 0 to 100" \
    "bad.conf:13: icmp collector needs a \"host\""; do
	grep -qF "$T/$want" "$T/bad.out" && ok || fail "-n: no \"$want\" in: $(cat "$T/bad.out")"
done
finish
