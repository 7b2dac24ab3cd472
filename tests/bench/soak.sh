#!/usr/bin/env bash
# soak.sh: itfollowd on many probes for a long while: does it grow?
#
# Starts itf-testsrv on 127.0.0.1 and gives the daemon N probes of it
# (the mix of probes.sh: 90% /ok, 5% /status/500, 3% /hang, 2% a refused
# port; 10 s interval, 5 s timeout), with small RRD files (2 h at 60 s).
# Every SAMPLE seconds it prints the daemon's RSS and open descriptors and
# its run counters; at the end, whether either grew more than 5% from the
# end of the warm-up to the end. A benchmark, not a test: it exits 0
# whatever the figures, non-zero only when something could not run.
#
# usage: tests/bench/soak.sh [N]            (N: default 10000)
# Environment:
#   DURATION, WARMUP, SAMPLE   seconds (600, 120, 60)
#   BUILD_DIR    where bin/ is (default build); use a build without
#                sanitizers for figures that mean something (ASan keeps
#                freed memory in quarantine, so RSS climbs for a while)
#   KEEP=1       keep the temporary directory
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

N=${1:-10000}
DURATION=${DURATION:-600}
WARMUP=${WARMUP:-120}
SAMPLE=${SAMPLE:-60}
BIN=${BUILD_DIR:-build}/bin
PER_SYSTEM=100
MAX_GROWTH_PCT=5

die() {
	echo "soak.sh: $*" >&2
	exit 1
}
isnum() {
	case $1 in '' | *[!0-9]*) return 1 ;; esac
}
for v in "$N" "$DURATION" "$WARMUP" "$SAMPLE"; do
	isnum "$v" && [ "$v" -gt 0 ] || die "N, DURATION, WARMUP and SAMPLE are positive integers"
done
[ "$WARMUP" -lt "$DURATION" ] || die "WARMUP must be shorter than DURATION"
[ -x "$BIN/itf-testsrv" ] && [ -x "$BIN/itfollowd" ] || die "build first ($BIN)"

TMPD=$(mktemp -d "${TMPDIR:-/tmp}/itf-soak.XXXXXX")
srv_pid=""
daemon_pid=""
cleanup() {
	local p
	for p in $daemon_pid $srv_pid; do
		kill "$p" 2>/dev/null || true
	done
	for p in $daemon_pid $srv_pid; do
		wait "$p" 2>/dev/null || true
	done
	if [ -n "${KEEP:-}" ]; then
		echo "soak.sh: kept $TMPD" >&2
	else
		rm -rf "$TMPD"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

hard=$(ulimit -Hn)
if [ "$hard" = unlimited ] || [ "$hard" -ge 65536 ]; then
	ulimit -n 65536
else
	ulimit -n "$hard"
fi

# Ports below the ephemeral range, free now.
read -r eph_lo _ </proc/sys/net/ipv4/ip_local_port_range
declare -A taken
while read -r _ laddr _; do
	taken[$((16#${laddr##*:}))]=1
done < <(tail -q -n +2 /proc/net/tcp /proc/net/tcp6 2>/dev/null)
pick_port() {
	local p _
	for _ in $(seq 1 1000); do
		p=$((10000 + (RANDOM * 32768 + RANDOM) % (eph_lo - 10000)))
		if [ -z "${taken[$p]:-}" ]; then
			taken[$p]=1
			printf -v "$1" '%s' "$p"
			return 0
		fi
	done
	die "no free port"
}
pick_port P1
pick_port REFUSED
pick_port STATUS

"$BIN/itf-testsrv" --http "$P1" --pidfile "$TMPD/srv.pid" 2>"$TMPD/srv.log" &
srv_pid=$!
for _ in $(seq 1 100); do
	[ -s "$TMPD/srv.pid" ] && break
	sleep 0.1
done
[ -s "$TMPD/srv.pid" ] || die "itf-testsrv did not start: $(cat "$TMPD/srv.log")"

# Small files: the shipped templates with 2 hours at 60 s only.
mkdir -p "$TMPD/tmpl"
for f in rrd-templates/*.tmpl; do
	# A counting template's one archive is its buckets: kept as it is.
	if grep -q '^mode count' "$f"; then
		cp "$f" "$TMPD/tmpl/"
		continue
	fi
	sed -e '/^rra /d' "$f" >"$TMPD/tmpl/${f##*/}"
	echo "rra AVERAGE 0.5 1m 2h" >>"$TMPD/tmpl/${f##*/}"
done

awk -v n="$N" -v p1="$P1" -v refused="$REFUSED" 'BEGIN {
	for (i = 0; i < n; i++) {
		k = i % 100
		if (k < 90) print "http://127.0.0.1:" p1 "/ok?" i
		else if (k < 95) print "http://127.0.0.1:" p1 "/status/500"
		else if (k < 98) print "http://127.0.0.1:" p1 "/hang"
		else print "http://127.0.0.1:" refused "/"
	}
}' >"$TMPD/urls.txt"
awk -v per="$PER_SYSTEM" -v data="$TMPD/data" -v st="$STATUS" \
    -v tmpl="$TMPD/tmpl" '
{ url[n++] = $0 }
END {
	printf "daemon = { data_dir = \"%s\"; templates_dir = \"%s\"; ", data, tmpl
	printf "status_listen = \"127.0.0.1:%s\"; log_level = \"warning\"; };\n", st
	printf "store = { write_delay = 60; };\n"
	printf "defaults = { interval = 10; timeout = 5; };\nsystems = (\n"
	for (k = 0; k < n; k++) {
		if (k % per == 0)
			printf "  { id = \"soak%d\"; category = \"basic\"; portfolio = \"service\";\n    collectors = (\n", int(k / per)
		last = (k % per == per - 1 || k == n - 1)
		printf "      { type = \"http\"; series = \"p%d\"; url = \"%s\"; }%s\n", k % per, url[k], last ? "" : ","
		if (last)
			printf "    ); }%s\n", k == n - 1 ? "" : ","
	}
	printf ");\n"
}' "$TMPD/urls.txt" >"$TMPD/itfollowd.conf"
chmod 600 "$TMPD/itfollowd.conf"

"$BIN/itfollowd" -f -c "$TMPD/itfollowd.conf" 2>"$TMPD/daemon.log" &
daemon_pid=$!
for _ in $(seq 1 300); do
	curl -s -o /dev/null "http://127.0.0.1:$STATUS/health" && break
	kill -0 "$daemon_pid" 2>/dev/null ||
	    die "itfollowd exited: $(tail -5 "$TMPD/daemon.log")"
	sleep 0.1
done

rss_kib() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$daemon_pid/status"; }
fds() { find "/proc/$daemon_pid/fd" -mindepth 1 -maxdepth 1 | wc -l; }
metric() {
	curl -s "http://127.0.0.1:$STATUS/metrics" |
	    awk -v m="$1" '$1 == m { printf "%.0f\n", $2 }'
}

echo "soak: $N probes for ${DURATION}s (warm-up ${WARMUP}s), one line per ${SAMPLE}s"
printf '%6s %10s %6s %12s %12s %8s\n' t_s rss_kib fds completed ontime queue
start=$(date +%s)
warm_rss=""
warm_fds=""
t=0
while [ "$t" -lt "$DURATION" ]; do
	sleep "$SAMPLE"
	kill -0 "$daemon_pid" 2>/dev/null ||
	    die "itfollowd died: $(tail -5 "$TMPD/daemon.log")"
	t=$(($(date +%s) - start))
	rss=$(rss_kib)
	fd=$(fds)
	printf '%6d %10d %6d %12s %12s %8s\n' "$t" "$rss" "$fd" \
	    "$(metric itfollow_runs_completed_total)" \
	    "$(metric itfollow_runs_ontime_total)" \
	    "$(metric itfollow_store_queue_depth)"
	if [ -z "$warm_rss" ] && [ "$t" -ge "$WARMUP" ]; then
		warm_rss=$rss
		warm_fds=$fd
	fi
done
[ -n "$warm_rss" ] || die "no sample after the warm-up"
grow() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) * 100 / a }'; }
rg=$(grow "$warm_rss" "$rss")
fg=$(grow "$warm_fds" "$fd")
verdict() { awk -v g="$1" -v m="$MAX_GROWTH_PCT" 'BEGIN { print (g > m) ? "FAIL" : "PASS" }'; }
echo "after warm-up: RSS $warm_rss -> $rss KiB (${rg}%): $(verdict "$rg")"
echo "after warm-up: fds $warm_fds -> $fd (${fg}%): $(verdict "$fg")"
