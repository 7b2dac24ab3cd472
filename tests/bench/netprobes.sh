#!/usr/bin/env bash
# netprobes.sh: itfollowd's ICMP and DNS probes at scale, against fping.
#
# In a network namespace of its own (loopback only, plus a veth pair
# inside it for the status server; ping sockets allowed, as systemd's
# default sysctl does), two phases:
#   icmp  ICMP_N icmp probes (20 echo requests 0.25 s apart, every 60 s)
#         to as many loopback addresses, which the kernel answers; while
#         it runs, fping -C 20 -p 250 pings the same addresses as many
#         times, once, and its CPU time is taken;
#   dns   DNS_N dns probes (one A query every 60 s) to a knotd started
#         here, serving a zone of 100 names.
# Each phase waits until every file is made, WARMUP seconds more, then
# reads the daemon's counters from /metrics and its CPU time from /proc
# over WINDOW seconds, and prints the runs scheduled, completed and
# started within 1 s of their slot, the CPU seconds per 1000 probes, the
# peak RSS, and for ICMP fping's CPU seconds per 1000 probes beside it.
# The targets: 99% completed and on time. A benchmark, not a test: it
# exits 0 whatever the figures, non-zero when something could not run.
#
# usage: tests/bench/netprobes.sh [ICMP_N [DNS_N]]   (2000, 5000), as root
# Build without sanitizers first (scripts/build -DCMAKE_BUILD_TYPE=Release
# -DSANITIZE=, or BUILD_DIR=build-rel). Environment:
#   WARMUP, WINDOW   seconds (70, 180: three rounds of every probe)
#   BUILD_DIR        where bin/ is (build)
#   FULL_TEMPLATES=1 the shipped templates (3 MB a file: 16 GB for the
#                    defaults); else the same data sources with only
#                    their first archive
#   SKIP_ICMP=1, SKIP_DNS=1   one phase only; KEEP=1 keep the directory
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

ICMP_N=${1:-2000}
DNS_N=${2:-5000}
WARMUP=${WARMUP:-70}
WINDOW=${WINDOW:-180}
BIN=$(pwd)/${BUILD_DIR:-build}/bin
PER_SYSTEM=100
MIN_COMPLETED_PCT=99
MIN_ONTIME_PCT=99
HZ=$(getconf CLK_TCK)

die() {
	echo "netprobes.sh: $*" >&2
	exit 1
}

[ "$(id -u)" = 0 ] || die "run as root (ip netns)"
[ -x "$BIN/itfollowd" ] || die "no $BIN/itfollowd: build first"
for p in fping knotd curl ip; do
	command -v "$p" >/dev/null || die "no $p (scripts/bootstrap)"
done

TMPD=$(mktemp -d "${TMPDIR:-/tmp}/itf-netbench.XXXXXX")
chmod 755 "$TMPD"
NS=itf-netbench-$$
pids=""

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local p
	for p in $pids; do
		kill "$p" 2>/dev/null || true
	done
	for p in $pids; do
		wait "$p" 2>/dev/null || true
	done
	ip netns del "$NS" 2>/dev/null || true
	if [ -n "${KEEP:-}" ]; then
		echo "netprobes.sh: kept $TMPD" >&2
	else
		rm -rf "$TMPD"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

in_ns() { ip netns exec "$NS" "$@"; }

ip netns add "$NS"
in_ns ip link set lo up
in_ns ip link add itf0 type veth peer name itf1
in_ns ip addr add 192.0.2.201/32 dev itf0
in_ns ip link set itf0 up
in_ns ip link set itf1 up
in_ns sysctl -qw net.ipv4.ping_group_range="0 2147483647"
ulimit -n 65536 2>/dev/null || true

# Templates: the shipped ones, or their data sources with one archive.
mkdir "$TMPD/tmpl"
for t in icmp dns; do
	if [ -n "${FULL_TEMPLATES:-}" ]; then
		cp "rrd-templates/$t.tmpl" "$TMPD/tmpl/"
	else
		awk '$1 == "rra" && seen++ { next } { print }' \
		    "rrd-templates/$t.tmpl" >"$TMPD/tmpl/$t.tmpl"
	fi
done

cpu_ticks() {
	local stat
	stat=$(cat "/proc/$1/stat") || return 1
	awk '{ print $12 + $13 }' <<<"${stat##*) }"
}

metric() {
	awk -v name="$2" '$1 == name { printf "%.0f\n", $2; found = 1 }
	    END { if (!found) print 0 }' "$1"
}

calc() {
	awk "BEGIN { print $1 }"
}

verdict() {
	awk -v a="$1" -v b="$3" "BEGIN { exit !(a $2 b) }" && echo PASS ||
	    echo FAIL
}

# conf FILE KIND N: the daemon's configuration, PER_SYSTEM probes a system.
conf() {
	awk -v kind="$2" -v n="$3" -v per="$PER_SYSTEM" -v d="$TMPD/data-$2" \
	    -v tmpl="$TMPD/tmpl" -v st="$STATUS" -v dns="$DNS" 'BEGIN {
	printf "daemon = { data_dir = \"%s\"; templates_dir = \"%s\"; ", d, tmpl
	printf "status_listen = \"127.0.0.1:%s\"; log_level = \"warning\"; };\n", st
	printf "defaults = { interval = 60; timeout = 10; };\nsystems = (\n"
	for (k = 0; k < n; k++) {
		if (k % per == 0)
			printf "  { id = \"b%d\"; owner = \"bench\"; category = \"basic\"; portfolio = \"service\";\n    collectors = (\n", k / per
		last = (k % per == per - 1 || k == n - 1)
		if (kind == "icmp")
			printf "      { type = \"icmp\"; series = \"p%d\"; host = \"127.1.%d.%d\"; }", k % per, int(k / 250), k % 250 + 1
		else
			printf "      { type = \"dns\"; series = \"q%d\"; name = \"a%d.bench.test\"; server = \"127.0.0.1:%s\"; expect_answer = [ \"^192\\\\.0\\\\.2\\\\.\" ]; }", k % per, k % 100, dns
		printf "%s\n", last ? "" : ","
		if (last)
			printf "    ); }%s\n", k == n - 1 ? "" : ","
	}
	printf ");\n" }' >"$1"
}

# run_phase KIND N: the daemon on N probes of KIND; sets the figures.
run_phase() {
	local kind=$1 n=$2 pid base t0 c0 c1 k a b
	conf "$TMPD/$kind.conf" "$kind" "$n"
	ip netns exec "$NS" "$BIN/itfollowd" -f -c "$TMPD/$kind.conf" \
	    2>"$TMPD/$kind.log" &
	pid=$!
	pids="$pids $pid"
	base="http://127.0.0.1:$STATUS"
	for _ in $(seq 1 300); do
		in_ns curl -sf -m 2 -o /dev/null "$base/health" && break
		kill -0 "$pid" 2>/dev/null || die "itfollowd died: $(tail -5 "$TMPD/$kind.log")"
		sleep 0.2
	done
	t0=$(date +%s)
	while :; do
		in_ns curl -sf -m 10 "$base/metrics" >"$TMPD/mw" || die "no /metrics"
		[ "$(metric "$TMPD/mw" itfollow_store_created_total)" -ge "$n" ] && break
		[ $(($(date +%s) - t0)) -lt 1800 ] || die "files not made in 30 min"
		sleep 2
	done
	echo "$kind: $n files made in $(($(date +%s) - t0)) s; warm-up ${WARMUP} s, window ${WINDOW} s"
	sleep "$WARMUP"
	in_ns curl -sf -m 10 "$base/metrics" >"$TMPD/m0"
	c0=$(cpu_ticks "$pid")
	kc0=$(cpu_ticks "$KNOT")
	if [ "$kind" = icmp ]; then
		# fping on the same targets, the same pings, in the same run.
		awk -v n="$n" 'BEGIN { for (k = 0; k < n; k++)
		    printf "127.1.%d.%d\n", int(k / 250), k % 250 + 1 }' >"$TMPD/targets"
		TIMEFORMAT='%U %S %R'
		{ time ip netns exec "$NS" fping -C 20 -q -p 250 -i 1 \
		    -f "$TMPD/targets" >"$TMPD/fping.out" 2>&1 || true; } \
		    2>"$TMPD/fping.time"
		FPING_CPU=$(awk '{ print $1 + $2 }' "$TMPD/fping.time")
		FPING_WALL=$(awk '{ print $3 }' "$TMPD/fping.time")
		FPING_LOST=$(awk -F' : ' '{ n += gsub(/-/, "", $2) } END { print n + 0 }' "$TMPD/fping.out")
		sleep $((WINDOW - ${FPING_WALL%.*} > 0 ? WINDOW - ${FPING_WALL%.*} : 0))
	else
		sleep "$WINDOW"
	fi
	in_ns curl -sf -m 10 "$base/metrics" >"$TMPD/m1"
	c1=$(cpu_ticks "$pid")
	kc1=$(cpu_ticks "$KNOT")
	RSS=$(awk '$1 == "VmHWM:" { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")
	RSS_NOW=$(awk '$1 == "VmRSS:" { printf "%.1f", $2 / 1024 }' "/proc/$pid/status")
	for k in scheduled started completed ontime failed; do
		a=$(metric "$TMPD/m0" "itfollow_runs_${k}_total")
		b=$(metric "$TMPD/m1" "itfollow_runs_${k}_total")
		printf -v "R_$k" '%s' $((b - a))
	done
	CPU=$(calc "($c1 - $c0) / $HZ")
	KNOT_CPU=$(calc "($kc1 - $kc0) / $HZ")
	kill "$pid"
	wait "$pid" || true
}

# report KIND N
report() {
	local done_pct ontime_pct cpu1k
	done_pct=$(calc "$R_completed * 100 / ($R_scheduled > 0 ? $R_scheduled : 1)")
	ontime_pct=$(calc "$R_ontime * 100 / ($R_started > 0 ? $R_started : 1)")
	cpu1k=$(calc "$CPU / ($R_completed > 0 ? $R_completed : 1) * 1000")
	printf '%s: %d probes every 60 s; in %d s: %d runs scheduled, %d completed (%.2f%%, %s), %d started on time (%.2f%%, %s), %d failed\n' \
	    "$1" "$2" "$WINDOW" "$R_scheduled" "$R_completed" "$done_pct" \
	    "$(verdict "$done_pct" ">=" "$MIN_COMPLETED_PCT")" "$R_ontime" \
	    "$ontime_pct" "$(verdict "$ontime_pct" ">=" "$MIN_ONTIME_PCT")" \
	    "$R_failed"
	printf '%s: itfollowd %.2f CPU s, %.4f CPU s per 1000 probes, peak RSS %s MiB (%s MiB at the end)\n' \
	    "$1" "$CPU" "$cpu1k" "$RSS" "$RSS_NOW"
	DAEMON_CPU1K=$cpu1k
}

pick() {
	local p
	while :; do
		p=$((20000 + RANDOM % 12000))
		in_ns bash -c "exec 3<>/dev/tcp/127.0.0.1/$p" 2>/dev/null || break
	done
	printf -v "$1" '%s' "$p"
}
pick STATUS
pick DNS
[ "$DNS" != "$STATUS" ] || pick DNS

# knotd with 100 names, in the namespace.
mkdir "$TMPD/knot"
{
	echo "\$ORIGIN bench.test."
	echo "\$TTL 300"
	echo "@ IN SOA ns hostmaster 1 3600 600 86400 60"
	echo "@ IN NS ns"
	echo "ns IN A 127.0.0.1"
	for i in $(seq 0 99); do echo "a$i IN A 192.0.2.$((i + 1))"; done
} >"$TMPD/knot/bench.test.zone"
cat >"$TMPD/knot/knot.conf" <<CONF
server:
    rundir: "$TMPD/knot"
    listen: 127.0.0.1@$DNS
database:
    storage: "$TMPD/knot"
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: "$TMPD/knot"
zone:
  - domain: bench.test
    file: bench.test.zone
CONF
ip netns exec "$NS" knotd -c "$TMPD/knot/knot.conf" 2>"$TMPD/knot.log" &
KNOT=$!
pids="$pids $KNOT"

echo "netprobes: ICMP_N=$ICMP_N DNS_N=$DNS_N warmup=${WARMUP}s window=${WINDOW}s templates=$([ -n "${FULL_TEMPLATES:-}" ] && echo shipped || echo "first archive only")"
if [ -z "${SKIP_ICMP:-}" ]; then
	run_phase icmp "$ICMP_N"
	report icmp "$ICMP_N"
	fping1k=$(calc "$FPING_CPU / $ICMP_N * 1000")
	printf 'icmp: fping -C 20 -p 250 -i 1 on the same %d targets: %.2f CPU s in %s s, %.4f CPU s per 1000 probes, %d of %d pings lost; itfollowd / fping: %.2f\n' \
	    "$ICMP_N" "$FPING_CPU" "$FPING_WALL" "$fping1k" "$FPING_LOST" \
	    $((ICMP_N * 20)) "$(calc "$DAEMON_CPU1K / ($fping1k > 0 ? $fping1k : 1)")"
fi
if [ -z "${SKIP_DNS:-}" ]; then
	run_phase dns "$DNS_N"
	report dns "$DNS_N"
	printf 'dns: knotd answering them: %.2f CPU s in the window\n' "$KNOT_CPU"
fi
