#!/usr/bin/env bash
# probes.sh: how itfollowd copes with many probes, against a bare probe loop.
#
# Starts itf-testsrv on 127.0.0.1 and makes N probe URLs of it: 90% /ok,
# 5% /status/500, 3% /hang (they outlast the 5 s timeout) and 2% a port
# nobody listens on.  Runs itfollowd on them (10 s interval, 5 s timeout),
# reads its counters from /metrics at the start and the end of a measured
# window after a warm-up, and its CPU time and peak RSS from /proc.  Then
# runs itf-plainloop (a bare libcurl-multi + libevent loop) on the same URLs
# and compares the CPU seconds per 1000 probes.  Prints the figures and a
# PASS/FAIL per target.  A benchmark, not a test: it exits 0 whatever the
# figures, non-zero only when something could not run.
#
# usage: tests/bench/probes.sh [N]          (N: default 10000)
# Run after a build in build/.  Environment:
#   WARMUP, WINDOW   seconds of warm-up and of measurement (20, 60;
#                    WINDOW rounded up to whole write_delay periods)
#   BUILD_DIR        where bin/ is (build, from the repo top)
#   TEMPLATES_DIR    RRD templates for the daemon (default: its own)
#   WRITE_DELAY      the daemon's store.write_delay (default: not set,
#                    the daemon's default of 60 s: each file's updates
#                    written together once a minute)
#   RRDCACHED=1      write through an rrdcached started here on a unix
#                    socket (-j journal, -w RRDCACHED_WRITE, default 300).
#                    Its CPU time in the window is printed too.
#   SKIP_DAEMON=1, SKIP_PLAINLOOP=1   run one half only
#   KEEP=1           keep the temporary directory (configuration, logs)
#   SAMPLE=1         sample the daemon's VmRSS, RssAnon, RssFile and
#                    RssShmem every second from its start, and print when
#                    its peak was (seconds since start, and in which phase:
#                    files being created, warm-up, window) and what it was
#                    made of, and the largest RssAnon of each phase
#   HEAPTRACK=1      run the daemon under heaptrack, built with
#                    -DWITH_JEMALLOC_STATIC=OFF (its file is kept in
#                    the temporary directory, the RRD files are not); the
#                    CPU figures are then heaptrack's, not the daemon's
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

N=${1:-10000}
WARMUP=${WARMUP:-20}
RRDCACHED=${RRDCACHED:-}
# Unset: the configuration says nothing, the daemon's default applies.
WRITE_DELAY=${WRITE_DELAY:-}
DEFAULT_WRITE_DELAY=60
RRDCACHED_WRITE=${RRDCACHED_WRITE:-300}
WINDOW=${WINDOW:-60}
BIN=${BUILD_DIR:-build}/bin
INTERVAL=10
TIMEOUT=5
PER_SYSTEM=100

# The targets the figures are held against.
MIN_COMPLETED_PCT=99
MIN_ONTIME_PCT=99
MAX_CPU_RATIO=1.2
MAX_RSS_MIB=40

die() {
	echo "probes.sh: $*" >&2
	exit 1
}

isnum() {
	case $1 in
	'' | *[!0-9]*) return 1 ;;
	esac
}

if ! isnum "$N" || [ "$N" -lt 1 ]; then
	die "N must be a positive integer"
fi
isnum "$WARMUP" || die "WARMUP must be an integer"
if ! isnum "$WINDOW" || [ "$WINDOW" -lt 1 ]; then
	die "WINDOW must be a positive integer"
fi
[ -x "$BIN/itf-testsrv" ] || die "no $BIN/itf-testsrv: build first"
if [ -z "${SKIP_DAEMON:-}" ]; then
	[ -x "$BIN/itfollowd" ] || die "no $BIN/itfollowd: build first"
	command -v curl >/dev/null || die "curl is needed"
fi
[ -z "$WRITE_DELAY" ] || isnum "$WRITE_DELAY" ||
    die "WRITE_DELAY must be an integer"
# The window: whole write_delay periods (see the window below).
period=${WRITE_DELAY:-$DEFAULT_WRITE_DELAY}
if [ "$period" -gt 0 ] && [ $((WINDOW % period)) -ne 0 ]; then
	WINDOW=$(((WINDOW / period + 1) * period))
	echo "probes.sh: WINDOW rounded up to ${WINDOW}s, whole write_delay periods" >&2
fi
if [ -n "${TEMPLATES_DIR:-}" ]; then
	# The daemon takes a relative path from its configuration's directory.
	TEMPLATES_DIR=$(cd "$TEMPLATES_DIR" && pwd) ||
	    die "no directory $TEMPLATES_DIR"
fi
if [ -z "${SKIP_PLAINLOOP:-}" ]; then
	[ -x "$BIN/itf-plainloop" ] || die "no $BIN/itf-plainloop: build first"
fi
if [ -n "${HEAPTRACK:-}" ] && [ -z "${SKIP_DAEMON:-}" ] &&
    nm -D --defined-only "$BIN/itfollowd" | awk '$3 == "malloc" { f = 1 } END { exit !f }'; then
	# Its own malloc: heaptrack's preloaded one would never be called.
	die "HEAPTRACK=1: $BIN/itfollowd has jemalloc linked in: build it with -DWITH_JEMALLOC_STATIC=OFF"
fi
if [ -n "$RRDCACHED" ]; then
	command -v rrdcached >/dev/null ||
	    die "RRDCACHED=1: no rrdcached (scripts/bootstrap installs it)"
fi

TMPD=$(mktemp -d "${TMPDIR:-/tmp}/itf-bench.XXXXXX")
srv_pid=""
daemon_pid=""
rc_pid=""
loop_pid=""
nap_pid=""
sample_pid=""
ht_pid=""

# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local p
	for p in $sample_pid $ht_pid $daemon_pid $rc_pid $loop_pid $srv_pid $nap_pid; do
		kill "$p" 2>/dev/null || true
	done
	for p in $sample_pid $ht_pid $daemon_pid $rc_pid $loop_pid $srv_pid $nap_pid; do
		wait "$p" 2>/dev/null || true
	done
	if [ -n "${KEEP:-}" ] || [ -n "${HEAPTRACK:-}" ]; then
		echo "probes.sh: kept $TMPD" >&2
	else
		rm -rf "$TMPD"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# One socket per probe in flight, and the hung ones last 5 s.
want=65536
hard=$(ulimit -Hn)
soft=$(ulimit -Sn)
if [ "$soft" != unlimited ]; then
	if [ "$hard" = unlimited ] || [ "$hard" -ge "$want" ]; then
		[ "$soft" -ge "$want" ] || ulimit -n "$want"
	elif [ "$soft" -lt "$hard" ]; then
		ulimit -n "$hard"
	fi
fi

# Free ports are picked outside the ephemeral range, so that no client
# socket can be bound to one of them (a connection to REFUSED must be
# refused, never a self-connect).
declare -A taken
read -r eph_lo eph_hi </proc/sys/net/ipv4/ip_local_port_range
while read -r _ laddr _; do
	taken[$((16#${laddr##*:}))]=1
done < <(tail -q -n +2 /proc/net/tcp /proc/net/tcp6 2>/dev/null)
if [ "$eph_lo" -gt 12000 ]; then
	port_lo=10000
	port_hi=$((eph_lo - 1))
else
	port_lo=$((eph_hi + 1))
	port_hi=65535
fi

# pick_port VAR: set VAR to a port nobody uses now, nor picked before.
pick_port() {
	local p _
	for _ in $(seq 1 1000); do
		p=$((RANDOM * 32768 + RANDOM))
		p=$((port_lo + p % (port_hi - port_lo + 1)))
		if [ -z "${taken[$p]:-}" ]; then
			taken[$p]=1
			printf -v "$1" '%s' "$p"
			return 0
		fi
	done
	die "no free port in $port_lo-$port_hi"
}

# nap SECONDS: sleep, but let a signal's trap run at once (bash runs traps
# only between commands, and wait is one it interrupts).
nap() {
	sleep "$1" &
	nap_pid=$!
	wait "$nap_pid"
	nap_pid=""
}

# wait_pidfile FILE PID: until FILE exists, while PID lives.
wait_pidfile() {
	local _
	for _ in $(seq 1 100); do
		[ -s "$1" ] && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# cpu_ticks PID: utime + stime, in clock ticks (fields 14 and 15 of stat,
# counted after the command name, which may hold blanks).
cpu_ticks() {
	local stat rest
	stat=$(cat "/proc/$1/stat") || return 1
	rest=${stat##*) }
	awk '{ print $12 + $13 }' <<<"$rest"
}

# thread_ticks PID: the CPU of its threads by name.
# shellcheck source=tests/bench/threads.bash
. tests/bench/threads.bash

# metric FILE NAME: the value of a sample without labels, as an integer.
metric() {
	awk -v name="$2" '$1 == name { printf "%.0f\n", $2; found = 1 }
	    END { if (!found) print "missing" }' "$1"
}

# calc EXPR: floating-point arithmetic.
calc() {
	awk "BEGIN { print $1 }"
}

# fmt VALUE DIGITS: VALUE rounded, or n/a as it is.
fmt() {
	if [ "$1" = n/a ]; then
		echo n/a
	else
		printf "%.${2}f" "$1"
	fi
}

# pct VALUE: VALUE as a percentage with two decimals, or n/a.
pct() {
	if [ "$1" = n/a ]; then
		echo n/a
	else
		printf "%.2f%%" "$1"
	fi
}

# verdict VALUE OP LIMIT: PASS or FAIL, n/a when VALUE was not measured.
verdict() {
	if [ "$1" = n/a ]; then
		echo n/a
	elif awk -v a="$1" -v b="$3" \
	    "BEGIN { exit !(a $2 b) }"; then
		echo PASS
	else
		echo FAIL
	fi
}

# sampler PID FILE: every second until PID ends, a line of FILE: the
# milliseconds since the sampler started, VmRSS, RssAnon, RssFile and
# RssShmem in KiB (SAMPLE=1).
sampler() {
	local t0 now
	t0=$(date +%s%N)
	while [ -r "/proc/$1/status" ]; do
		now=$(date +%s%N)
		awk -v ms=$(((now - t0) / 1000000)) '
		    $1 == "VmRSS:" { r = $2 } $1 == "RssAnon:" { a = $2 }
		    $1 == "RssFile:" { f = $2 } $1 == "RssShmem:" { s = $2 }
		    END { if (r != "") print ms, r, a, f, s }' \
		    "/proc/$1/status" 2>/dev/null >>"$2" || true
		sleep 1
	done
}

# phase NAME: the sampler's lines from now on are of phase NAME.
phase() {
	[ -z "${SAMPLE:-}" ] ||
	    echo "$((($(date +%s%N) - sample_t0) / 1000000)) $1" >>"$TMPD/phases"
}

# sample_report: when the peak VmRSS was, in which phase, what it was
# made of, and each phase's largest RssAnon (SAMPLE=1).
sample_report() {
	awk 'NR == FNR { pt[np] = $1; pn[np++] = $2; next }
	function ph(ms,   k, n) {
		n = "start"
		for (k = 0; k < np; k++)
			if (pt[k] <= ms)
				n = pn[k]
		return n
	}
	{
		p = ph($1)
		if ($2 > peak) { peak = $2; at = $1; pa = $3; pf = $4; ps = $5 }
		if (!(p in amax)) { order[no++] = p; amax[p] = 0 }
		if ($3 > amax[p]) { amax[p] = $3; aat[p] = $1 }
		last = $3
		ns++
	}
	END {
		if (ns == 0) { print "sample: no samples"; exit }
		printf "sample: %d samples; peak VmRSS %.1f MiB at %.0f s (%s):", \
		    ns, peak / 1024, at / 1000, ph(at)
		printf " RssAnon %.1f RssFile %.1f RssShmem %.1f MiB\n", \
		    pa / 1024, pf / 1024, ps / 1024
		for (k = 0; k < no; k++)
			printf "sample: %s: largest RssAnon %.1f MiB at %.0f s\n", \
			    order[k], amax[order[k]] / 1024, aat[order[k]] / 1000
		printf "sample: RssAnon at the last sample %.1f MiB\n", last / 1024
	}' "$TMPD/phases" "$TMPD/samples"
}

# write_conf: the daemon's configuration for the URLs, $PER_SYSTEM probes
# to a system.
write_conf() {
	awk -v per="$PER_SYSTEM" -v data="$TMPD/data" -v st="$STATUS" \
	    -v iv="$INTERVAL" -v to="$TIMEOUT" -v tmpl="${TEMPLATES_DIR:-}" \
	    -v delay="$WRITE_DELAY" -v rrdc="${RC_ADDR:-}" '
{ url[n++] = $0 }
END {
	printf "daemon = { data_dir = \"%s\"; ", data
	if (tmpl != "")
		printf "templates_dir = \"%s\"; ", tmpl
	printf "status_listen = \"127.0.0.1:%s\"; ", st
	printf "log_level = \"warning\"; };\n"
	printf "store = { "
	if (delay != "")
		printf "write_delay = %d; ", delay
	if (rrdc != "")
		printf "rrdcached = \"%s\"; ", rrdc
	printf "};\n"
	printf "defaults = { interval = %d; timeout = %d; };\n", iv, to
	printf "systems = (\n"
	for (k = 0; k < n; k++) {
		s = int(k / per)
		if (k % per == 0) {
			printf "  { id = \"bench%d\"; ", s
			printf "name = \"Bench %d\"; ", s
			printf "owner = \"bench\"; category = \"basic\"; "
			printf "portfolio = \"service\";\n    collectors = (\n"
		}
		last = (k % per == per - 1 || k == n - 1)
		printf "      { type = \"http\"; series = \"p%d\"; ", k % per
		printf "url = \"%s\"; }%s\n", url[k], last ? "" : ","
		if (last)
			printf "    ); }%s\n", k == n - 1 ? "" : ","
	}
	printf ");\n"
}' "$TMPD/urls.txt" >"$TMPD/itfollowd.conf"
}

pick_port P1
pick_port REFUSED
pick_port STATUS

"$BIN/itf-testsrv" --http "$P1" --pidfile "$TMPD/srv.pid" \
    2>"$TMPD/srv.log" &
srv_pid=$!
wait_pidfile "$TMPD/srv.pid" "$srv_pid" ||
    die "itf-testsrv did not start: $(cat "$TMPD/srv.log")"

# The daemon makes one RRD file per probe under $TMPD: with the shipped
# http template about 3 MiB each, some 29 GiB for N=10000.
RRD_KIB_PER_PROBE=3000
if [ -z "${SKIP_DAEMON:-}" ] && [ -z "${TEMPLATES_DIR:-}" ]; then
	avail=$(df -Pk "$TMPD" | awk 'NR == 2 { print $4 }')
	need=$((N * RRD_KIB_PER_PROBE))
	if [ "${avail:-0}" -lt "$need" ]; then
		echo "probes.sh: warning: $((avail / 1024)) MiB free in" \
		    "$TMPD, the RRD files may take $((need / 1024)) MiB" >&2
	fi
fi

# Every URL is unique (?i=K), so every probe gets its own offset.
awk -v n="$N" -v p="$P1" -v r="$REFUSED" 'BEGIN {
	for (k = 0; k < n; k++) {
		m = k % 100
		if (m < 90)
			u = "http://127.0.0.1:" p "/ok?i=" k
		else if (m < 95)
			u = "http://127.0.0.1:" p "/status/500?i=" k
		else if (m < 98)
			u = "http://127.0.0.1:" p "/hang?i=" k
		else
			u = "http://127.0.0.1:" r "/?i=" k
		print u
	}
}' >"$TMPD/urls.txt"

echo "probes: N=$N interval=${INTERVAL}s timeout=${TIMEOUT}s" \
    "warmup=${WARMUP}s window=${WINDOW}s" \
    "write_delay=${WRITE_DELAY:-default (${DEFAULT_WRITE_DELAY})}s" \
    "rrdcached=$([ -n "$RRDCACHED" ] && echo "yes (-w ${RRDCACHED_WRITE})" ||
    echo no)"

d_line="daemon: not run"
p_line="plainloop: not run"
d_cpu1k=n/a
p_cpu1k=n/a
d_done_pct=n/a
d_rec_pct=n/a
d_ontime_pct=n/a
d_rss_mib=n/a
ratio=n/a

if [ -z "${SKIP_DAEMON:-}" ]; then
	mkdir "$TMPD/data"
	if [ -n "$RRDCACHED" ]; then
		mkdir "$TMPD/journal"
		RC_ADDR="unix:$TMPD/rrdcached.sock"
		rrdcached -g -B -b "$TMPD/data" -l "$RC_ADDR" \
		    -j "$TMPD/journal" -w "$RRDCACHED_WRITE" \
		    -f "$((RRDCACHED_WRITE * 2))" -p "$TMPD/rrdcached.pid" \
		    >"$TMPD/rrdcached.log" 2>&1 &
		rc_pid=$!
		for _ in $(seq 1 100); do
			[ -S "$TMPD/rrdcached.sock" ] && break
			sleep 0.1
		done
		[ -S "$TMPD/rrdcached.sock" ] ||
		    die "rrdcached did not start: $(cat "$TMPD/rrdcached.log")"
	fi
	write_conf

	if [ -n "${HEAPTRACK:-}" ]; then
		heaptrack -o "$TMPD/heaptrack.itfollowd" "$BIN/itfollowd" -f \
		    -c "$TMPD/itfollowd.conf" 2>"$TMPD/daemon.log" \
		    >"$TMPD/heaptrack.log" &
		ht_pid=$!
		daemon_pid=""
		for _ in $(seq 1 100); do
			daemon_pid=$(pgrep -P "$ht_pid" -x itfollowd || true)
			[ -n "$daemon_pid" ] && break
			sleep 0.1
		done
		[ -n "$daemon_pid" ] || die "itfollowd did not start under heaptrack"
	else
		"$BIN/itfollowd" -f -c "$TMPD/itfollowd.conf" \
		    2>"$TMPD/daemon.log" &
		daemon_pid=$!
	fi
	if [ -n "${SAMPLE:-}" ]; then
		sample_t0=$(date +%s%N)
		: >"$TMPD/phases"
		phase creating
		sampler "$daemon_pid" "$TMPD/samples" &
		sample_pid=$!
	fi
	base="http://127.0.0.1:$STATUS"
	up=""
	for _ in $(seq 1 300); do
		kill -0 "$daemon_pid" 2>/dev/null || break
		code=$(curl -s -m 2 -o /dev/null -w '%{http_code}' \
		    "$base/health" || true)
		if [ "$code" = 200 ]; then
			up=1
			break
		fi
		sleep 0.1
	done
	if [ -z "$up" ]; then
		tail -n 20 "$TMPD/daemon.log" >&2
		die "itfollowd did not come up (status $base/health)"
	fi

	# Warm-up: every RRD file created (each is ~2.9 MB of archives,
	# a one-off cost that is not the steady state measured here) and the
	# write queue down to what write_delay holds, then WARMUP seconds
	# more.
	created_t0=$(date +%s)
	while :; do
		curl -sf -m 10 "$base/metrics" >"$TMPD/mw" ||
		    die "cannot read $base/metrics"
		created=$(metric "$TMPD/mw" itfollow_store_created_total)
		queue=$(metric "$TMPD/mw" itfollow_store_queue_depth)
		# Held updates (write_delay) are queued by design: allow
		# one delay's worth of them.
		[ "${created%.*}" -ge "$N" ] &&
		    [ "${queue%.*}" -lt $((N * (${WRITE_DELAY:-$DEFAULT_WRITE_DELAY} / INTERVAL + 2))) ] &&
		    break
		kill -0 "$daemon_pid" 2>/dev/null ||
		    die "itfollowd died while creating its files"
		[ $(($(date +%s) - created_t0)) -lt 1800 ] ||
		    die "files not created in 30 minutes ($created of $N)"
		nap 2
	done
	echo "warm-up: $N files created and the queue drained in" \
	    "$(($(date +%s) - created_t0)) s"
	phase warm-up
	nap "$WARMUP"
	phase window
	# The window is a whole number of write_delay periods of the steady
	# state: each file's held updates are written once a period, at a
	# phase of their own, so a whole period holds one write of every file,
	# what a user's daemon does. Nothing is flushed at the start: a flush
	# would write every file early and move them all to one phase (the
	# window would then see none of them due, or each twice). What was
	# recorded in it is what the store took, written or held: held values
	# are seen by readers (/api/v1/flush), and at the end, after the CPU
	# time is read, one flush shows that they are all written on request.
	curl -sf -m 10 "$base/metrics" >"$TMPD/m0" ||
	    die "cannot read $base/metrics"
	c0=$(cpu_ticks "$daemon_pid") || die "itfollowd died during warm-up"
	thread_ticks "$daemon_pid" >"$TMPD/threads0"
	if [ -n "$rc_pid" ]; then
		r0=$(cpu_ticks "$rc_pid") || die "rrdcached died during warm-up"
	fi
	nap "$WINDOW"
	curl -sf -m 10 "$base/metrics" >"$TMPD/m1" ||
	    die "cannot read $base/metrics"
	c1=$(cpu_ticks "$daemon_pid") || die "itfollowd died in the window"
	thread_ticks "$daemon_pid" >"$TMPD/threads1"
	if [ -n "$rc_pid" ]; then
		r1=$(cpu_ticks "$rc_pid") || die "rrdcached died in the window"
		rc_hwm=$(awk '$1 == "VmHWM:" { print $2 }' "/proc/$rc_pid/status")
	fi
	phase flush
	# Every file written: on a disk other work shares this may take
	# longer than the request waits; said, and the figures still shown.
	flush_t0=$(date +%s)
	if curl -sf -m 120 -o /dev/null "$base/api/v1/flush"; then
		flushed="in $(($(date +%s) - flush_t0)) s"
	else
		flushed="FAILED: not answered within 120 s"
	fi
	curl -sf -m 10 "$base/metrics" >"$TMPD/m2" ||
	    die "cannot read $base/metrics"
	hwm_kib=$(awk '$1 == "VmHWM:" { print $2 }' \
	    "/proc/$daemon_pid/status")

	declare -A d
	for k in runs_scheduled runs_started runs_completed runs_ontime \
	    runs_overrun runs_missed store_updates store_errors; do
		a=$(metric "$TMPD/m0" "itfollow_${k}_total")
		b=$(metric "$TMPD/m1" "itfollow_${k}_total")
		if [ "$a" = missing ] || [ "$b" = missing ]; then
			d[$k]=0
			echo "probes.sh: no itfollow_${k}_total in /metrics" >&2
		else
			d[$k]=$((b - a))
		fi
	done
	# Taken by the store in the window: written, or held at its end.
	q0=$(metric "$TMPD/m0" itfollow_store_queue_depth)
	q1=$(metric "$TMPD/m1" itfollow_store_queue_depth)
	if [ "$q0" != missing ] && [ "$q1" != missing ]; then
		d[store_updates]=$((d[store_updates] + q1 - q0))
	fi
	qdepth=$(metric "$TMPD/m2" itfollow_store_queue_depth)

	kill -TERM "$daemon_pid"
	stopped=""
	for _ in $(seq 1 300); do
		if ! kill -0 "$daemon_pid" 2>/dev/null; then
			stopped=1
			break
		fi
		sleep 0.1
	done
	if [ -n "$stopped" ]; then
		d_rc=0
		# Under heaptrack the daemon is its child: heaptrack's exit
		# status is the daemon's.
		wait "${ht_pid:-$daemon_pid}" || d_rc=$?
		ht_pid=""
		d_exit="exited $d_rc on SIGTERM"
	else
		kill -KILL "$daemon_pid" 2>/dev/null || true
		wait "$daemon_pid" 2>/dev/null || true
		d_exit="did not exit within 30 s of SIGTERM (killed)"
		d_rc=timeout
	fi
	daemon_pid=""
	if [ -n "$sample_pid" ]; then
		wait "$sample_pid" 2>/dev/null || true
		sample_pid=""
	fi
	if [ -n "$rc_pid" ]; then
		# With its journal it exits at once; the files are dropped.
		kill -TERM "$rc_pid" 2>/dev/null || true
		wait "$rc_pid" 2>/dev/null || true
	fi
	# Gigabytes of RRD files are no use to the plain loop.
	[ -n "${KEEP:-}" ] || rm -rf "$TMPD/data"

	tck=$(getconf CLK_TCK)
	d_cpu=$(calc "($c1 - $c0) / $tck")
	sch=${d[runs_scheduled]}
	done_=${d[runs_completed]}
	rec=${d[store_updates]}
	if [ "$sch" -gt 0 ]; then
		d_done_pct=$(calc "100 * $done_ / $sch")
		d_rec_pct=$(calc "100 * $rec / $sch")
	fi
	if [ "${d[runs_started]}" -gt 0 ]; then
		d_ontime_pct=${d[runs_ontime]}
		d_ontime_pct=$(calc "100 * $d_ontime_pct / ${d[runs_started]}")
	fi
	if [ "$done_" -gt 0 ]; then
		d_cpu1k=$(calc "$d_cpu / ($done_ / 1000)")
	fi
	d_rss_mib=$(calc "${hwm_kib:-0} / 1024")
	d_line="daemon: completed/scheduled $done_/$sch ($(pct "$d_done_pct"))"
	d_line+=" recorded $rec ($(pct "$d_rec_pct"))"
	d_line+=" ontime $(pct "$d_ontime_pct") cpu_s $(fmt "$d_cpu" 3)"
	d_line+=" cpu_s_per_1000 $(fmt "$d_cpu1k" 3)"
	d_line+=" peak_rss_mib $(fmt "$d_rss_mib" 1)"
	echo "$d_line"
	# Which thread the CPU went to (threads gone meanwhile not counted).
	threads_line="daemon: cpu_s_per_1000 by thread:"
	threads_line+=$(join -a 2 "$TMPD/threads0" "$TMPD/threads1" |
	    awk -v t="$tck" -v d="$done_" '{ c = (NF == 3 ? $3 - $2 : $2) / t
		if (c > 0 && d > 0) printf " %s %.4f", $1, c / (d / 1000) }')
	echo "$threads_line"
	if [ -n "$rc_pid" ]; then
		rc_pid=""
		rc_cpu=$(calc "($r1 - $r0) / $tck")
		rc_line="rrdcached: cpu_s $(fmt "$rc_cpu" 3)"
		if [ "$done_" -gt 0 ]; then
			rc_line+=" cpu_s_per_1000 $(fmt "$(calc "$rc_cpu / ($done_ / 1000)")" 3)"
			rc_line+=" daemon+rrdcached cpu_s_per_1000"
			rc_line+=" $(fmt "$(calc "($d_cpu + $rc_cpu) / ($done_ / 1000)")" 3)"
		fi
		rc_line+=" peak_rss_mib $(fmt "$(calc "${rc_hwm:-0} / 1024")" 1)"
		rc_line+=" (values reach the files every ${RRDCACHED_WRITE}s)"
		echo "$rc_line"
		echo "daemon: rrdcached dropped $(metric "$TMPD/m1" itfollow_rrdcached_dropped_total)" \
		    "reconnects $(metric "$TMPD/m1" itfollow_rrdcached_reconnects_total)"
	fi
	echo "daemon: started ${d[runs_started]} overrun ${d[runs_overrun]}" \
	    "missed ${d[runs_missed]} store_errors ${d[store_errors]}" \
	    "flush $flushed queue_depth_after_flush $qdepth; $d_exit"
	[ -z "${SAMPLE:-}" ] || sample_report
	if [ -s "$TMPD/daemon.log" ]; then
		echo "daemon: log (last lines):"
		tail -n 5 "$TMPD/daemon.log" | sed 's/^/  /'
	fi
fi

if [ -z "${SKIP_PLAINLOOP:-}" ]; then
	"$BIN/itf-plainloop" -i "$INTERVAL" -t "$TIMEOUT" -w "$WARMUP" \
	    -d "$WINDOW" "$TMPD/urls.txt" >"$TMPD/plainloop.out" \
	    2>"$TMPD/plainloop.err" &
	loop_pid=$!
	p_rc=0
	wait "$loop_pid" || p_rc=$?
	loop_pid=""
	if [ "$p_rc" -ne 0 ]; then
		cat "$TMPD/plainloop.err" >&2
		die "itf-plainloop failed (exit $p_rc)"
	fi
	pv() {
		awk -v k="$1" '$1 == k { print $2 }' "$TMPD/plainloop.out"
	}
	p_sch=$(pv scheduled)
	p_done=$(pv completed)
	p_ontime=$(pv ontime)
	p_cpu=$(pv cpu_s)
	p_rss=$(pv maxrss_kib)
	p_done_pct=n/a
	p_ontime_pct=n/a
	if [ "$p_sch" -gt 0 ]; then
		p_done_pct=$(calc "100 * $p_done / $p_sch")
	fi
	if [ "$p_done" -gt 0 ]; then
		p_ontime_pct=$(calc "100 * $p_ontime / $p_done")
		p_cpu1k=$(calc "$p_cpu / ($p_done / 1000)")
	fi
	p_line="plainloop: completed/scheduled $p_done/$p_sch"
	p_line+=" ($(pct "$p_done_pct"))"
	p_line+=" ontime $(pct "$p_ontime_pct") cpu_s $p_cpu"
	p_line+=" cpu_s_per_1000 $(fmt "$p_cpu1k" 3)"
	p_line+=" peak_rss_mib $(fmt "$(calc "$p_rss / 1024")" 1)"
	echo "$p_line"
	sed 's/^itf-plainloop: /plainloop: /' "$TMPD/plainloop.err"
fi

if [ "$d_cpu1k" != n/a ] && [ "$p_cpu1k" != n/a ] &&
    awk -v p="$p_cpu1k" 'BEGIN { exit !(p > 0) }'; then
	ratio=$(fmt "$(calc "$d_cpu1k / $p_cpu1k")" 2)
fi

echo
echo "summary:"
echo "probes: N=$N interval=${INTERVAL}s window=${WINDOW}s"
echo "$d_line"
[ -z "${threads_line:-}" ] || echo "$threads_line"
[ -z "${rc_line:-}" ] || echo "$rc_line"
echo "$p_line"
echo "cpu ratio daemon/plainloop: $ratio"
if [ -z "${SKIP_DAEMON:-}" ]; then
	echo "targets:"
	echo "  completed >= ${MIN_COMPLETED_PCT}%:" \
	    "$(verdict "$d_done_pct" ">=" "$MIN_COMPLETED_PCT")"
	echo "  recorded >= ${MIN_COMPLETED_PCT}%:" \
	    "$(verdict "$d_rec_pct" ">=" "$MIN_COMPLETED_PCT")"
	echo "  on time >= ${MIN_ONTIME_PCT}%:" \
	    "$(verdict "$d_ontime_pct" ">=" "$MIN_ONTIME_PCT")"
	echo "  cpu ratio <= $MAX_CPU_RATIO:" \
	    "$(verdict "$ratio" "<=" "$MAX_CPU_RATIO")"
	echo "  peak rss <= $MAX_RSS_MIB MiB:" \
	    "$(verdict "$d_rss_mib" "<=" "$MAX_RSS_MIB")"
	echo "  clean exit on SIGTERM: $([ "$d_rc" = 0 ] && echo PASS ||
	    echo FAIL)"
fi
exit 0
