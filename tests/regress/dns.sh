# DNS probes against a local authoritative server started here (knotd,
# on a free port, serving a zone this test writes: answers, NXDOMAIN,
# SERVFAIL for a zone that failed to load, REFUSED for one it does not
# serve, a TXT set too big for UDP so that the answer comes truncated and
# is asked again over TCP) and against tests/tools/itf-dnsd's hostile
# answers (compression loops, names past 255 bytes, records cut short,
# 64 KB answers, answers to other queries, silence). What -T prints and
# what rrdtool reads back are compared with what the zone file says; -n
# reports bad settings with their file and line.
. "$(dirname "$0")/lib.bash"

free_port DNS
free_port HOSTILE
free_port REFUSED
free_port STATUS
mkdir -p "$T/knot"

# The zone: answers the checks below compute from it with awk.
{
	echo "\$ORIGIN example.test."
	echo "\$TTL 300"
	echo "@ IN SOA ns1 hostmaster 1 3600 600 86400 60"
	echo "@ IN NS ns1"
	echo "ns1 IN A 127.0.0.1"
	echo "www 300 IN A 192.0.2.10"
	echo "www 120 IN A 192.0.2.11"
	echo "www IN AAAA 2001:db8::10"
	echo "short 30 IN A 192.0.2.20"
	echo "alias IN CNAME www"
	echo "mail IN MX 10 mx1"
	echo "mx1 IN A 192.0.2.25"
	echo "_sip._tcp IN SRV 10 60 5060 sip"
	echo "sip IN A 192.0.2.26"
	# Five strings of 200 bytes: past 512 bytes, so UDP answers cut.
	printf 'big IN TXT'
	for i in 1 2 3 4 5; do printf ' "%s"' "$(printf '%0200d' "$i")"; done
	echo
	printf '%s\n' 'txt IN TXT "v=spf1 -all" "a\"b"'
} >"$T/knot/example.test.zone"

cat >"$T/knot/knot.conf" <<CONF
server:
    rundir: "$T/knot"
    listen: [ 127.0.0.1@$DNS, ::1@$DNS ]
database:
    storage: "$T/knot"
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: "$T/knot"
zone:
  - domain: example.test
    file: example.test.zone
  - domain: broken.test
    file: missing.zone
CONF
knotd -c "$T/knot/knot.conf" 2>"$T/knot.log" &
PIDS="$PIDS $!"
"$BIN/itf-dnsd" -p "$HOSTILE" -P "$T/dnsd.pid" 2>"$T/dnsd.log" &
DNSD=$!
PIDS="$PIDS $DNSD"
wait_file "$T/dnsd.pid"
# Until knotd answers for the zone it loads after it starts listening.
python3 - "$DNS" <<'PY' || fail "knotd did not load the zone"
import socket, sys, time
q = (b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00"
     b"\x07example\x04test\x00\x00\x06\x00\x01")
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.2)
for i in range(100):
    try:
        s.sendto(q, ("127.0.0.1", int(sys.argv[1])))
        a = s.recv(512)
        if a[:2] == q[:2] and a[3] & 0x0f == 0:
            sys.exit(0)
    except OSError:
        pass
    time.sleep(0.1)
sys.exit(1)
PY

K="127.0.0.1:$DNS"
H="127.0.0.1:$HOSTILE"
cat >"$T/dns.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "error"; };
store = { write_delay = 0; };
defaults = { interval = 60; timeout = 3; };
systems = (
  { id = "ns"; name = "Names"; owner = "test"; category = "basic";
    portfolio = "service";
    collectors = (
      { type = "dns"; series = "www"; name = "www.example.test"; server = "$K";
        expect_answer = [ "^192\\\\.0\\\\.2\\\\.10\$", "^192\\\\.0\\\\.2\\\\.11\$" ]; },
      { type = "dns"; series = "www6"; name = "www.example.test"; qtype = "AAAA"; server = "[::1]:$DNS";
        expect_answer = [ "^2001:db8::10\$" ]; },
      { type = "dns"; series = "alias"; name = "alias.example.test"; server = "$K";
        expect_answer = [ "^www\\\\.example\\\\.test\\\\.\$" ]; },
      { type = "dns"; series = "mx"; name = "mail.example.test"; qtype = "MX"; server = "$K";
        expect_answer = [ "^10 mx1\\\\.example\\\\.test\\\\.\$" ]; },
      { type = "dns"; series = "srv"; name = "_sip._tcp.example.test"; qtype = "SRV"; server = "$K";
        expect_answer = [ "^10 60 5060 sip\\\\.example\\\\.test\\\\.\$" ]; },
      { type = "dns"; series = "soa"; name = "example.test"; qtype = "SOA"; server = "$K";
        expect_answer = [ "^ns1\\\\.example\\\\.test\\\\. hostmaster\\\\.example\\\\.test\\\\. 1 3600 600 86400 60\$" ]; },
      { type = "dns"; series = "txt"; name = "txt.example.test"; qtype = "TXT"; server = "$K";
        expect_answer = [ "^\"v=spf1 -all\" \"a\\\\\\\\\"b\"\$" ]; },
      { type = "dns"; series = "wrong"; name = "www.example.test"; server = "$K";
        expect_answer = [ "^192\\\\.0\\\\.2\\\\.99\$" ]; },
      { type = "dns"; series = "ttl-ok"; name = "www.example.test"; server = "$K"; min_ttl = 120; },
      { type = "dns"; series = "ttl-low"; name = "short.example.test"; server = "$K"; min_ttl = 60; },
      { type = "dns"; series = "nxdomain"; name = "nope.example.test"; server = "$K"; },
      { type = "dns"; series = "nx-expected"; name = "nope.example.test"; server = "$K"; expect_rcode = "NXDOMAIN"; },
      { type = "dns"; series = "servfail"; name = "x.broken.test"; server = "$K"; },
      { type = "dns"; series = "refused"; name = "x.elsewhere.test"; server = "$K"; },
      { type = "dns"; series = "big-udp"; name = "big.example.test"; qtype = "TXT"; server = "$K"; },
      { type = "dns"; series = "big-tcp"; name = "big.example.test"; qtype = "TXT"; server = "$K"; transport = "tcp"; },
      { type = "dns"; series = "trunc"; name = "trunc.hostile.test"; server = "$H";
        expect_answer = [ "^192\\\\.0\\\\.2\\\\.53\$" ]; },
      { type = "dns"; series = "huge"; name = "huge.hostile.test"; server = "$H"; },
      { type = "dns"; series = "loop"; name = "loop.hostile.test"; server = "$H"; },
      { type = "dns"; series = "pingpong"; name = "pingpong.hostile.test"; server = "$H"; },
      { type = "dns"; series = "forward"; name = "forward.hostile.test"; server = "$H"; },
      { type = "dns"; series = "longname"; name = "longname.hostile.test"; server = "$H"; },
      { type = "dns"; series = "badlabel"; name = "badlabel.hostile.test"; server = "$H"; },
      { type = "dns"; series = "cut"; name = "cut.hostile.test"; server = "$H"; },
      { type = "dns"; series = "badtxt"; name = "badtxt.hostile.test"; qtype = "TXT"; server = "$H"; },
      { type = "dns"; series = "wrongid"; name = "wrongid.hostile.test"; server = "$H"; timeout = 1; },
      { type = "dns"; series = "wrongq"; name = "wrongq.hostile.test"; server = "$H"; timeout = 1; },
      { type = "dns"; series = "garbage"; name = "garbage.hostile.test"; server = "$H"; timeout = 1; },
      { type = "dns"; series = "silent"; name = "silent.hostile.test"; server = "$H"; timeout = 1; },
      { type = "dns"; series = "silent-tcp"; name = "silent.hostile.test"; server = "$H"; transport = "tcp"; timeout = 1; },
      { type = "dns"; series = "refused-udp"; name = "www.example.test"; server = "127.0.0.1:$REFUSED"; },
      { type = "dns"; series = "refused-tcp"; name = "www.example.test"; server = "127.0.0.1:$REFUSED"; transport = "tcp"; }
    ); }
);
CONF

"$BIN/itfollowd" -n -c "$T/dns.conf" || fail "-n rejects the test configuration"
start=$(date +%s)
rc=0
"$BIN/itfollowd" -T -c "$T/dns.conf" >"$T/out" 2>"$T/err" || rc=$?
end=$(date +%s)
expect_eq "-T exit code" "$rc" 0
expect_eq "-T prints one line per series" "$(wc -l <"$T/out")" 32
# Timeouts run side by side: one timeout's worth, not their sum.
expect_num "-T wall time" "$((end - start))" "<=" 5

# zone NAME TYPE: how many records, and their smallest TTL, by awk.
zone() {
	awk -v name="$1" -v type="$2" '
	    $1 == name && ($2 == type || $3 == type || $4 == type) {
	        ttl = ($2 ~ /^[0-9]+$/) ? $2 : 300
	        n++; if (min == "" || ttl < min) min = ttl }
	    END { print n + 0, (n ? min : "U") }' "$T/knot/example.test.zone"
}

# check SERIES STATUS REASON RCODE ANSWERS TTL [TIME]: printed and
# stored; TIME U when no answer came (else it is between 0 and 3 s).
check() {
	local s=$1 line file time=${7:-known}
	line=$(grep "^ns quality $s " "$T/out" || true)
	if [ -z "$line" ]; then
		fail "$s: no line in -T output"
		return
	fi
	expect_eq "$s status" "$(field "$line" status)" "$2"
	expect_eq "$s reason" "$(field "$line" reason)" "$3"
	expect_eq "$s rcode" "$(field "$line" rcode)" "$4"
	expect_eq "$s answers" "$(field "$line" answers)" "$5"
	expect_eq "$s ttl" "$(field "$line" ttl)" "$6"
	file=$T/data/rrd/quality/ns/$s.rrd
	expect_eq "$s stored up" "$(last "$file" up)" \
	    "$([ "$2" = up ] && echo 1 || echo 0)"
	expect_eq "$s stored rcode" "$(last "$file" rcode)" "$4"
	expect_eq "$s stored answers" "$(last "$file" answers)" "$5"
	expect_eq "$s stored ttl" "$(last "$file" ttl)" "$6"
	if [ "$time" != U ]; then
		expect_num "$s time" "$(last "$file" time)" ">" 0
		expect_num "$s time" "$(last "$file" time)" "<" 3
	else
		expect_eq "$s time" "$(last "$file" time)" U
	fi
}

# shellcheck disable=SC2046
check www up ok 0 $(zone www A)
check www6 up ok 0 $(zone www AAAA)
# The CNAME and the A records it leads to.
read -r n ttl <<EOF
$(zone www A)
EOF
check alias up ok 0 $((n + 1)) "$([ "$ttl" -lt 300 ] && echo "$ttl" || echo 300)"
check mx up ok 0 $(zone mail MX)
check srv up ok 0 $(zone _sip._tcp SRV)
check soa up ok 0 $(zone @ SOA)
check txt up ok 0 $(zone txt TXT)
check wrong down answer_mismatch 0 $(zone www A)
check ttl-ok up ok 0 $(zone www A)
check ttl-low down answer_mismatch 0 $(zone short A)
check nxdomain down dns_rcode 3 0 U
check nx-expected up ok 3 0 U
check servfail down dns_rcode 2 0 U
check refused down dns_rcode 5 0 U
check big-udp up ok 0 $(zone big TXT)
check big-tcp up ok 0 $(zone big TXT)
check trunc up ok 0 1 300
check huge up ok 0 4000 300
for s in loop pingpong forward longname badlabel cut badtxt; do
	check "$s" down protocol U U U
done
for s in wrongid wrongq garbage silent silent-tcp; do
	check "$s" down timeout U U U U
done
check refused-udp down connect U U U U
check refused-tcp down connect U U U U

# The truncated and the huge answers were asked again over TCP.
kill "$DNSD"
wait "$DNSD" 2>/dev/null || true
for want in "udp trunc 1" "tcp trunc 1" "udp huge 1" "tcp huge 1" \
    "tcp silent 1"; do
	grep -qx "$want" "$T/dnsd.log" && ok ||
	    fail "itf-dnsd was not asked \"$want\": $(cat "$T/dnsd.log")"
done

# A running daemon: queries every 2 s on channels shared by probes,
# some given up on at their deadline (silent), a reload that drops those
# while their queries may still be in c-ares, a stop: the runs go on,
# and nothing leaks (LeakSanitizer at exit).
"$BIN/itf-dnsd" -p "$HOSTILE" -P "$T/dnsd2.pid" 2>"$T/dnsd2.log" &
PIDS="$PIDS $!"
wait_file "$T/dnsd2.pid"
# run_conf [silent]: the running daemon's probes, the silent ones too.
run_conf() {
	local more=""
	[ -n "${1:-}" ] && more=",
      { type = \"dns\"; series = \"silent\"; name = \"silent.hostile.test\"; server = \"$H\"; },
      { type = \"dns\"; series = \"silent2\"; name = \"silent.hostile.test\"; server = \"$H\"; }"
	cat >"$T/run.conf" <<CONF
daemon = { data_dir = "$T/rundata"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
store = { write_delay = 0; };
defaults = { interval = 2; timeout = 1; };
systems = (
  { id = "ns"; name = "Names"; owner = "test"; category = "basic";
    portfolio = "service";
    collectors = (
      { type = "dns"; series = "www"; name = "www.example.test"; server = "$K"; },
      { type = "dns"; series = "www-tcp"; name = "www.example.test"; server = "$K"; transport = "tcp"; }$more
    ); }
);
CONF
}
run_conf silent
"$BIN/itfollowd" -f -c "$T/run.conf" 2>"$T/run.log" &
pid=$!
PIDS="$PIDS $pid"
f=$T/rundata/rrd/quality/ns/www.rrd
for i in $(seq 1 100); do
	[ -f "$T/rundata/rrd/quality/ns/silent2.rrd" ] && [ -f "$f" ] && break
	sleep 0.1
done
sleep 3
run_conf
t=$(date +%s)
kill -HUP "$pid"
for i in $(seq 1 50); do
	[ "$(rrdtool last "$f")" -gt "$((t + 1))" ] && break
	sleep 0.2
done
expect_num "running: www stored after the reload" "$(rrdtool last "$f")" ">" "$((t + 1))"
expect_eq "running: www up" "$(last "$f" up)" 1
expect_eq "running: www-tcp up" "$(last "$T/rundata/rrd/quality/ns/www-tcp.rrd" up)" 1
expect_eq "running: silent timed out" \
    "$(last "$T/rundata/rrd/quality/ns/silent.rrd" reason)" 1
grep -q "2 collectors (2 kept, 0 new, 2 removed)" "$T/run.log" && ok ||
    fail "running: reload not logged: $(tail -3 "$T/run.log")"
kill "$pid"
rc=0
wait "$pid" || rc=$?
expect_eq "running: exit code (LeakSanitizer)" "$rc" 0

# -n: each bad setting with its file and line.
cat >"$T/bad.conf" <<CONF
daemon = { data_dir = "$T/bad"; templates_dir = "$SRC/rrd-templates"; };
systems = (
  { id = "ns"; name = "Names"; owner = "test"; category = "basic";
    portfolio = "service";
    collectors = (
      { type = "dns"; series = "a"; name = "https://portal.example/"; },
      { type = "dns"; series = "b"; name = "portal.example";
        qtype = "BOGUS"; },
      { type = "dns"; series = "c"; name = "portal.example"; server = "ns1.example"; },
      { type = "dns"; series = "d"; name = "portal.example"; transport = "quic"; },
      { type = "dns"; series = "e"; name = "portal.example"; expect_rcode = "NOERROR, OK"; },
      { type = "dns"; series = "f"; name = "portal.example"; expect_answer = [ "(" ]; },
      { type = "dns"; series = "g"; name = "portal.example"; min_ttl = -1; },
      { type = "dns"; series = "h"; server = "127.0.0.1:70000"; }
    ); }
);
CONF
rc=0
"$BIN/itfollowd" -n -c "$T/bad.conf" >"$T/bad.out" 2>&1 || rc=$?
expect_eq "-n exit code" "$rc" 1
for want in \
    "bad.conf:6: name \"https://portal.example/\" is not a domain name" \
    "bad.conf:8: unknown qtype \"BOGUS\"" \
    "bad.conf:9: server \"ns1.example\" is not an address" \
    "bad.conf:10: transport is \"udp\"" \
    "bad.conf:11: unknown answer code \"OK\"" \
    "bad.conf:12: bad regex \"(\"" \
    "bad.conf:13: min_ttl must be 0 to 2147483647 seconds" \
    "bad.conf:14: dns collector needs a \"name\"" \
    "bad.conf:14: server \"127.0.0.1:70000\" is not an address"; do
	grep -qF "$T/$want" "$T/bad.out" && ok ||
	    fail "-n: no \"$want\" in: $(cat "$T/bad.out")"
done
finish
