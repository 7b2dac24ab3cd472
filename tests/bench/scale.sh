#!/usr/bin/env bash
# scale.sh: a city's full scale on one machine. N series (default 100,000)
# probed every 60 s, half HTTP and half TCP, each in the realistic mix
# (90% up, 5% down with an answer, 3% hanging past the 10 s timeout, 2%
# refused), written through an rrdcached this script starts on a unix
# socket, the daemon configured for it as a user would (store.rrdcached,
# every other key at its default). Prints, in one run:
#   - start-up: how long the N files took to create, and the runs started
#     on time and the slots missed in the intervals after the first;
#   - a measured window: runs done and on time against scheduled, the
#     daemon's CPU seconds per 1000 probes, rrdcached's apart, the journal
#     and the writer keeping up (their queues and lags from /metrics);
#   - memory: peak RSS, and RSS at N/4, N/2 and N series after the
#     warm-up (short runs of N/4 and N/2 series on the same files) with the
#     bytes one series costs (the slope);
#   - FAULTS=1 (the default): rrdcached killed (SIGKILL) and started again
#     mid-run, at once and after FAULT_DOWN (90) seconds: the runs around
#     it on time, and every value of every file from the window to the end
#     read back with rrdtool against N x minutes and the runs the daemon
#     completed;
#   - itf-plainloop, the bare libcurl-multi + libevent loop (with the same
#     TCP connects as the daemon's tcp collector), on the same targets at
#     the same rate: the CPU ratio.
# Targets: itf-testsrv (/ok, /status/500, /hang; a TCP port that accepts
# and closes, one that answers "this is not HTTP" to a probe expecting
# "220"), a listener that never accepts with a backlog of one (its SYNs
# are dropped: a TCP connect that hangs) and a closed port.
#
# A benchmark, not a test: it exits 0 whatever the figures, non-zero only
# when something could not run. It loads two cores fully for some 25
# minutes at N = 100,000. Build without sanitizers first:
#   cmake -S . -B build-rel -DCMAKE_BUILD_TYPE=Release -DSANITIZE= &&
#   cmake --build build-rel
# usage: tests/bench/scale.sh [N]
# Environment: BUILD_DIR (build-rel), WARMUP (seconds after the files are
# made and the first interval: 120), WINDOW (300), FAULTS (1; 0: none),
# SIZES (the smaller runs for RSS: "N/4 N/2"; "" for none),
# SKIP_PLAINLOOP=1, TEMPLATES (auto | shipped | bench, see below), KEEP=1.
#
# Disk: the shipped http template makes 2.9 MB files, tcp 1.0 MB: 195 GB
# for 100,000 series. When that is more than half the free space (auto),
# bench templates are used: the same data sources, one archive of a day
# at full resolution (100 KB and 35 KB files), and a heartbeat of 90 s
# instead of 120, so that a single lost value leaves a gap in the file
# that the read-back counts (with 120 rrdtool would bridge it).
set -euo pipefail

N=${1:-100000}
BUILD_DIR=${BUILD_DIR:-build-rel}
WARMUP=${WARMUP:-120}
WINDOW=${WINDOW:-300}
FAULTS=${FAULTS:-1}
TEMPLATES=${TEMPLATES:-auto}
INTERVAL=60
TIMEOUT=10 # the daemon's default; the configuration does not set it
PER_SYSTEM=100
RRDCACHED_WRITE=300
# FAULTS: rrdcached is killed right after the window's last flush and
# started again at once (no write finds it gone), then, FAULT_AFTER
# seconds into the next interval (the daemon sending files' held minutes),
# killed again and kept down longer than write_delay (60 s): every file has
# updates to send meanwhile.
FAULT_AFTER=30
FAULT_DOWN=${FAULT_DOWN:-90}

MIN_PCT=99
MAX_CPU_RATIO=1.2

ITF_SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ITF_BIN_DIR=$ITF_SOURCE_DIR/$BUILD_DIR/bin
export ITF_SOURCE_DIR ITF_BIN_DIR
# Free ports, a temporary directory, cleanup of what is started here.
. "$ITF_SOURCE_DIR/tests/regress/lib.bash"
set -o pipefail

die() {
	echo "scale.sh: $*" >&2
	exit 1
}

case $N in '' | *[!0-9]*) die "N must be a positive integer" ;; esac
[ "$N" -ge 200 ] || die "N must be at least 200"
SIZES=${SIZES-"$((N / 4)) $((N / 2))"}
for x in $WARMUP $WINDOW $SIZES; do
	case $x in '' | *[!0-9]*) die "WARMUP, WINDOW, SIZES: integers" ;; esac
done
for b in itfollowd itf-testsrv itf-plainloop; do
	[ -x "$BIN/$b" ] || die "no $BIN/$b: build first (BUILD_DIR)"
done
for c in rrdcached rrdtool curl python3; do
	command -v "$c" >/dev/null || die "$c is needed (scripts/bootstrap)"
done

# One socket per probe in flight; the daemon raises its own soft limit,
# the targets and the plain loop get the same here.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

# nap SECONDS: sleep, but let a signal's trap run at once.
nap() {
	[ "$1" -gt 0 ] || return 0
	sleep "$1" &
	wait $! || true
}

# cpu_ticks PID: utime + stime in clock ticks (after the command name).
cpu_ticks() {
	local stat
	stat=$(cat "/proc/$1/stat") || return 1
	awk '{ print $12 + $13 }' <<<"${stat##*) }"
}

# thread_ticks PID: the CPU of its threads by name.
# shellcheck source=tests/bench/threads.bash
. "$ITF_SOURCE_DIR/tests/bench/threads.bash"

# kib PID FIELD: a field of /proc/PID/status (VmRSS, VmHWM) in KiB.
kib() {
	awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"
}

calc() {
	awk "BEGIN { print $1 }"
}

# pct PART WHOLE: PART as a percentage of WHOLE, two decimals, or n/a.
pct() {
	if [ "$2" -gt 0 ]; then
		awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", 100 * a / b }'
	else
		echo n/a
	fi
}

# verdict VALUE OP LIMIT
verdict() {
	if [ "$1" = n/a ]; then
		echo n/a
	elif awk -v a="$1" -v b="$3" "BEGIN { exit !(a $2 b) }"; then
		echo PASS
	else
		echo FAIL
	fi
}

# metrics FILE: the daemon's /metrics into FILE.
metrics() {
	curl -sf -m 60 "$BASE/metrics" >"$1" || die "cannot read $BASE/metrics"
}

# metric FILE NAME: a sample without labels, as a number, 0 if missing.
metric() {
	awk -v name="$2" '$1 == name { v = $2; found = 1 }
	    END { if (found) printf "%.6g\n", v; else print 0 }' "$1"
}

# delta A B NAME: NAME's growth from metrics file A to B.
delta() {
	awk -v a="$(metric "$1" "$3")" -v b="$(metric "$2" "$3")" \
	    'BEGIN { printf "%.0f\n", b - a }'
}

# ---------------------------------------------------------------- disk
# Bytes of a file of TEMPLATE: data sources x rows of every archive x 8.
tmpl_bytes() {
	awk 'function secs(s,  n, u) {
		n = s + 0; u = substr(s, length(n "") + 1)
		if (u == "m") n *= 60
		else if (u == "h") n *= 3600
		else if (u == "d") n *= 86400
		else if (u == "w") n *= 604800
		else if (u == "y") n *= 31536000
		return n
	}
	$1 == "ds" { nds++ }
	$1 == "rra" { rows += secs($5) / secs($4) }
	END { printf "%.0f\n", nds * rows * 8 + 4096 }' "$1"
}

mkdir "$T/tmpl"
http_b=$(tmpl_bytes "$SRC/rrd-templates/http.tmpl")
tcp_b=$(tmpl_bytes "$SRC/rrd-templates/tcp.tmpl")
need_kib=$(((N / 2) * (http_b + tcp_b) / 1024))
avail_kib=$(df -Pk "$T" | awk 'NR == 2 { print $4 }')
echo "disk: $((avail_kib / 1048576)) GiB free in $(dirname "$T");" \
    "the shipped templates need $((need_kib / 1048576)) GiB for $N files" \
    "(http $((http_b / 1024)) KiB, tcp $((tcp_b / 1024)) KiB each)"
if [ "$TEMPLATES" = auto ]; then
	TEMPLATES=shipped
	[ "$need_kib" -le $((avail_kib / 2)) ] || TEMPLATES=bench
fi
case $TEMPLATES in
shipped)
	cp "$SRC"/rrd-templates/*.tmpl "$T/tmpl/"
	;;
bench)
	for k in http tcp; do
		awk '$1 == "rra" { next }
		    $1 == "ds" { $4 = 90 } { print }
		    END { print "rra AVERAGE 0.5 1m 1d" }' \
		    "$SRC/rrd-templates/$k.tmpl" >"$T/tmpl/$k.tmpl"
	done
	http_b=$(tmpl_bytes "$T/tmpl/http.tmpl")
	tcp_b=$(tmpl_bytes "$T/tmpl/tcp.tmpl")
	need_kib=$(((N / 2) * (http_b + tcp_b) / 1024))
	echo "disk: too little for them: bench templates (the shipped data" \
	    "sources, heartbeat 90 s, one archive: a day at 1 min):" \
	    "$((need_kib / 1024)) MiB"
	[ "$need_kib" -lt "$avail_kib" ] || die "not even that fits"
	;;
*) die "TEMPLATES must be auto, shipped or bench" ;;
esac

# ---------------------------------------------------------------- targets
free_port HTTP
free_port CLOSE
free_port GARBAGE
free_port BLACKHOLE
free_port REFUSED
free_port STATUS
"$BIN/itf-testsrv" --http "$HTTP" --close "$CLOSE" --garbage "$GARBAGE" \
    --pidfile "$T/testsrv.pid" 2>"$T/testsrv.log" &
SRV_PID=$!
PIDS="$PIDS $SRV_PID"
wait_file "$T/testsrv.pid" || die "itf-testsrv did not start"
# Listens, never accepts: the first connection fills the backlog, the
# kernel drops every later SYN and the connect hangs.
python3 -c '
import signal, socket, sys
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", int(sys.argv[1])))
s.listen(0)
open(sys.argv[2], "w").write("up\n")
signal.pause()' "$BLACKHOLE" "$T/blackhole.up" &
BH_PID=$!
PIDS="$PIDS $BH_PID"
wait_file "$T/blackhole.up" || die "the black-hole listener did not start"

# The probes, one a line: system series kind target. Even k http, odd k
# tcp; the mix by k / 2, so the first n lines are a sample of them all.
awk -v n="$N" -v per="$PER_SYSTEM" -v h="$HTTP" -v c="$CLOSE" \
    -v g="$GARBAGE" -v b="$BLACKHOLE" -v r="$REFUSED" 'BEGIN {
	for (k = 0; k < n; k++) {
		m = int(k / 2) % 100
		s = "bench" int(k / per) " p" k % per
		if (k % 2 == 0) {
			if (m < 90) u = h "/ok?i=" k
			else if (m < 95) u = h "/status/500?i=" k
			else if (m < 98) u = h "/hang?i=" k
			else u = r "/?i=" k
			print s, "http", "http://127.0.0.1:" u
		} else {
			if (m < 90) t = c
			else if (m < 95) t = g "/220"
			else if (m < 98) t = b
			else t = r
			print s, "tcp", "tcp://127.0.0.1:" t "#" k
		}
	}
}' >"$T/probes"
awk '{ print $4 }' "$T/probes" >"$T/urls"

# write_conf N FILE: the daemon's configuration of the first N probes.
write_conf() {
	awk -v n="$1" -v per="$PER_SYSTEM" -v data="$T/data" \
	    -v tmpl="$T/tmpl" -v st="$STATUS" -v rc="unix:$T/rrdcached.sock" '
NR > n { exit }
{ sys[NR] = $1; ser[NR] = $2; kind[NR] = $3; tgt[NR] = $4 }
END {
	if (NR < n) n = NR
	printf "daemon = { data_dir = \"%s\"; templates_dir = \"%s\"; ", data, tmpl
	printf "status_listen = \"127.0.0.1:%s\"; log_level = \"warning\"; };\n", st
	printf "store = { rrdcached = \"%s\"; };\nsystems = (\n", rc
	for (k = 1; k <= n; k++) {
		if (sys[k] != sys[k - 1]) {
			printf "  { id = \"%s\"; name = \"%s\"; owner = \"bench\"; ", sys[k], sys[k]
			printf "category = \"basic\"; portfolio = \"service\";\n    collectors = (\n"
		}
		last = k == n || sys[k + 1] != sys[k]
		if (kind[k] == "http")
			printf "      { type = \"http\"; series = \"%s\"; url = \"%s\"; }", ser[k], tgt[k]
		else {
			split(substr(tgt[k], 17), a, "[/#]")
			printf "      { type = \"tcp\"; series = \"%s\"; host = \"127.0.0.1\"; port = %d;", ser[k], a[1]
			if (tgt[k] ~ /\/220#/)
				printf " expect = \"220\";"
			printf " }"
		}
		printf "%s\n", last ? "" : ","
		if (last)
			printf "    ); }%s\n", k == n ? "" : ","
	}
	printf ");\n"
}' "$T/probes" >"$2"
}

# ---------------------------------------------------------------- rrdcached
RC_PID=""
start_rrdcached() {
	rm -f "$T/rrdcached.sock"
	rrdcached -g -F -B -b "$T/data" -l "unix:$T/rrdcached.sock" \
	    -j "$T/rcjournal" -w "$RRDCACHED_WRITE" \
	    -f "$((RRDCACHED_WRITE * 2))" -p "$T/rrdcached.pid" \
	    >>"$T/rrdcached.log" 2>&1 &
	RC_PID=$!
	PIDS="$PIDS $RC_PID"
	for _ in $(seq 1 300); do
		[ -S "$T/rrdcached.sock" ] && return 0
		sleep 0.1
	done
	die "rrdcached did not start: $(tail -n 5 "$T/rrdcached.log")"
}

# stop_rrdcached: SIGTERM; with -F it writes every file before it exits.
stop_rrdcached() {
	kill -TERM "$RC_PID" 2>/dev/null || true
	wait "$RC_PID" 2>/dev/null || true
	rm -f "$T/rrdcached.pid"
	RC_PID=""
}

# ---------------------------------------------------------------- daemon
D_PID=""
BASE="http://127.0.0.1:$STATUS"
# start_daemon N: itfollowd on the first N probes, until /health answers.
start_daemon() {
	write_conf "$1" "$T/itfollowd.conf"
	"$BIN/itfollowd" -f -c "$T/itfollowd.conf" 2>>"$T/daemon.log" &
	D_PID=$!
	PIDS="$PIDS $D_PID"
	for _ in $(seq 1 3000); do
		kill -0 "$D_PID" 2>/dev/null ||
		    die "itfollowd exited: $(tail -n 5 "$T/daemon.log")"
		curl -s -m 5 -o /dev/null "$BASE/health" && return 0
		sleep 0.1
	done
	die "itfollowd did not answer on $BASE in 300 s"
}

# stop_daemon: SIGTERM, it writes what it holds; killed after 120 s.
stop_daemon() {
	local i
	kill -TERM "$D_PID" 2>/dev/null || true
	for i in $(seq 1 1200); do
		kill -0 "$D_PID" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$D_PID" 2>/dev/null; then
		echo "scale.sh: itfollowd still up 120 s after SIGTERM: killed" >&2
		kill -KILL "$D_PID" 2>/dev/null || true
	fi
	wait "$D_PID" 2>/dev/null || true
	D_PID=""
}

# watch SECONDS FILE: nap SECONDS, reading /metrics every 60 s; the worst
# journal queue and lag, writer queue and age, and loop lag seen go to
# FILE. (A /metrics of N series is some 200 bytes each: read rarely.)
watch() {
	local end=$(($(date +%s) + $1)) left
	while :; do
		left=$((end - $(date +%s)))
		[ "$left" -gt 0 ] || break
		nap $((left < 60 ? left : 60))
		metrics "$T/mw"
		for k in itfollow_journal_queue_depth itfollow_journal_lag_seconds \
		    itfollow_journal_oldest_seconds itfollow_store_queue_depth \
		    itfollow_store_oldest_queued_seconds \
		    itfollow_status_loop_lag_seconds itfollow_rrdcached_buffered; do
			echo "$k $(metric "$T/mw" "$k")"
		done >>"$2"
	done
}

# worst FILE NAME: the largest value of NAME in a watch file.
worst() {
	awk -v k="$2" '$1 == k && $2 > m { m = $2 } END { print m + 0 }' "$1"
}

# runs_line A B: scheduled, started on time, missed, overrun between two
# metrics files.
runs_line() {
	local sch st ot done_
	sch=$(delta "$1" "$2" itfollow_runs_scheduled_total)
	st=$(delta "$1" "$2" itfollow_runs_started_total)
	ot=$(delta "$1" "$2" itfollow_runs_ontime_total)
	done_=$(delta "$1" "$2" itfollow_runs_completed_total)
	echo "scheduled $sch started $st completed $done_" \
	    "($(pct "$done_" "$sch")%) on_time $ot ($(pct "$ot" "$st")%)" \
	    "missed $(delta "$1" "$2" itfollow_runs_missed_total)" \
	    "overrun $(delta "$1" "$2" itfollow_runs_overrun_total)"
}

echo "scale: N=$N ($((N / 2)) http, $((N - N / 2)) tcp) interval=${INTERVAL}s" \
    "timeout=${TIMEOUT}s warmup=${WARMUP}s window=${WINDOW}s" \
    "templates=$TEMPLATES faults=$FAULTS sizes=[${SIZES}]" \
    "rrdcached -w $RRDCACHED_WRITE on a unix socket"
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "reproduce: BUILD_DIR=$BUILD_DIR WARMUP=$WARMUP WINDOW=$WINDOW" \
    "FAULTS=$FAULTS TEMPLATES=$TEMPLATES SIZES=\"$SIZES\"" \
    "tests/bench/scale.sh $N"

mkdir "$T/data" "$T/rcjournal"
start_rrdcached

# ---------------------------------------------------------------- start-up
t_start=$(date +%s)
start_daemon "$N"
t_up=$(date +%s)
echo "start-up: /health answered $((t_up - t_start)) s after exec"
nap $((t_start + INTERVAL - $(date +%s)))
metrics "$T/m_first"
# Every file made, the writer's queue down to what write_delay holds.
while :; do
	metrics "$T/mc"
	created=$(metric "$T/mc" itfollow_store_created_total)
	queue=$(metric "$T/mc" itfollow_store_queue_depth)
	[ "$created" -ge "$N" ] && [ "$queue" -lt $((N * 3)) ] && break
	[ $(($(date +%s) - t_start)) -lt 3600 ] ||
	    die "files not made in an hour ($created of $N)"
	kill -0 "$D_PID" 2>/dev/null || die "itfollowd died making its files"
	nap 5
done
t_created=$(date +%s)
start_line="start-up: $created files created in $((t_created - t_start)) s"
start_line+=" (from exec; the writer's queue then $queue)"
echo "$start_line"
# The warm-up: two more intervals at least, and the start-up's figures.
t_from=$((t_created > t_start + INTERVAL ? t_created : t_start + INTERVAL))
nap $((t_from + WARMUP - $(date +%s)))
metrics "$T/m_w0"
rss_w0=$(kib "$D_PID" VmRSS)
start_line2="start-up: intervals after the first ($(($(date +%s) - t_start - INTERVAL)) s):"
start_line2+=" $(runs_line "$T/m_first" "$T/m_w0")"
echo "$start_line2"

# ---------------------------------------------------------------- window
curl -sf -m 120 -o /dev/null "$BASE/api/v1/flush" || die "flush failed"
metrics "$T/m0"
t_m0=$(date +%s)
c0=$(cpu_ticks "$D_PID")
thread_ticks "$D_PID" >"$T/threads0"
r0=$(cpu_ticks "$RC_PID")
: >"$T/watch"
watch "$WINDOW" "$T/watch"
curl -sf -m 120 -o /dev/null "$BASE/api/v1/flush" || die "flush failed"
metrics "$T/m1"
c1=$(cpu_ticks "$D_PID")
thread_ticks "$D_PID" >"$T/threads1"
r1=$(cpu_ticks "$RC_PID")
rss_n=$(kib "$D_PID" VmRSS)
hwm_n=$(kib "$D_PID" VmHWM)
rc_hwm=$(kib "$RC_PID" VmHWM)
tck=$(getconf CLK_TCK)
sch=$(delta "$T/m0" "$T/m1" itfollow_runs_scheduled_total)
done_=$(delta "$T/m0" "$T/m1" itfollow_runs_completed_total)
started=$(delta "$T/m0" "$T/m1" itfollow_runs_started_total)
ontime=$(delta "$T/m0" "$T/m1" itfollow_runs_ontime_total)
rec=$(delta "$T/m0" "$T/m1" itfollow_store_updates_total)
d_cpu=$(calc "($c1 - $c0) / $tck")
rc_cpu=$(calc "($r1 - $r0) / $tck")
d_done_pct=$(pct "$done_" "$sch")
d_ontime_pct=$(pct "$ontime" "$started")
d_cpu1k=n/a
rc_cpu1k=n/a
if [ "$done_" -gt 0 ]; then
	d_cpu1k=$(calc "$d_cpu / ($done_ / 1000)")
	rc_cpu1k=$(calc "$rc_cpu / ($done_ / 1000)")
fi
echo "window: $(runs_line "$T/m0" "$T/m1")"
echo "window: values written through rrdcached $rec ($(pct "$rec" "$sch")%" \
    "of scheduled) store_errors $(delta "$T/m0" "$T/m1" itfollow_store_errors_total)" \
    "dropped $(delta "$T/m0" "$T/m1" itfollow_rrdcached_dropped_total)"
printf 'window: daemon cpu_s %.2f cpu_s_per_1000 %.4f; rrdcached cpu_s %.2f cpu_s_per_1000 %.4f peak_rss_mib %.1f\n' \
    "$d_cpu" "$d_cpu1k" "$rc_cpu" "$rc_cpu1k" "$(calc "$rc_hwm / 1024")"
# Which thread the CPU went to (threads gone meanwhile are not counted).
threads_line="window: daemon cpu_s_per_1000 by thread:"
threads_line+=$(join -a 2 "$T/threads0" "$T/threads1" |
    awk -v t="$tck" -v d="$done_" '{ c = (NF == 3 ? $3 - $2 : $2) / t
	if (c > 0 && d > 0) printf " %s %.4f", $1, c / (d / 1000) }')
echo "$threads_line"
journal_line=$(echo "window: journal records $(delta "$T/m0" "$T/m1" itfollow_journal_records_total)" \
    "dropped $(delta "$T/m0" "$T/m1" itfollow_journal_dropped_total)" \
    "errors $(delta "$T/m0" "$T/m1" itfollow_journal_errors_total);" \
    "worst seen (every 60 s): journal queue $(worst "$T/watch" itfollow_journal_queue_depth)" \
    "lag $(worst "$T/watch" itfollow_journal_lag_seconds) s" \
    "oldest waiting $(worst "$T/watch" itfollow_journal_oldest_seconds) s;" \
    "writer queue $(worst "$T/watch" itfollow_store_queue_depth)" \
    "oldest held $(worst "$T/watch" itfollow_store_oldest_queued_seconds) s;" \
    "loop lag $(worst "$T/watch" itfollow_status_loop_lag_seconds) s," \
    "worst since start $(metric "$T/m1" itfollow_status_loop_lag_max_seconds) s")
echo "$journal_line"
printf 'memory: %d series: rss_mib %.1f after the warm-up, %.1f after the window; peak_rss_mib %.1f\n' \
    "$N" "$(calc "$rss_w0 / 1024")" "$(calc "$rss_n / 1024")" "$(calc "$hwm_n / 1024")"

# ---------------------------------------------------------------- faults
fault_line="faults: not run (FAULTS=0)"
if [ "$FAULTS" = 1 ]; then
	# 1. A quick restart between two writes: right after the window's
	# last flush sent everything held, killed and started again at once
	# (the daemon's next write finds a new rrdcached, no call fails).
	metrics "$T/mf0"
	tf0=$(date +%s)
	kill -KILL "$RC_PID"
	wait "$RC_PID" 2>/dev/null || true
	start_rrdcached
	echo "faults: rrdcached killed (SIGKILL) just after a flush and started" \
	    "again at once ($(($(date +%s) - tf0)) s)"
	nap $((INTERVAL - $(date +%s) + tf0))
	metrics "$T/mf_quick"
	echo "faults: after it: $(runs_line "$T/mf0" "$T/mf_quick");" \
	    "restarts seen $(delta "$T/mf0" "$T/mf_quick" itfollow_rrdcached_reconnects_total)" \
	    "values sent again $(delta "$T/mf0" "$T/mf_quick" itfollow_rrdcached_replayed_total)"
	# 2. Down for longer than write_delay: the daemon holds, then sends.
	nap "$FAULT_AFTER"
	tf1=$(date +%s)
	kill -KILL "$RC_PID"
	wait "$RC_PID" 2>/dev/null || true
	: >"$T/watchd"
	watch "$FAULT_DOWN" "$T/watchd"
	metrics "$T/mf_down"
	start_rrdcached
	echo "faults: rrdcached killed (SIGKILL) mid-write and started again" \
	    "$(($(date +%s) - tf1)) s later; the daemon held up to" \
	    "$(worst "$T/watchd" itfollow_rrdcached_buffered) values meanwhile" \
	    "(rrdcached_up $(metric "$T/mf_down" itfollow_rrdcached_up) before the restart)"
	rm -f "$T/gaps"
	: >"$T/watchf"
	watch $((2 * INTERVAL)) "$T/watchf"
	metrics "$T/mf1"
	tf2=$(date +%s)
	echo "faults: from the first kill to 2 intervals after the second" \
	    "restart: $(runs_line "$T/mf0" "$T/mf1")"
	echo "faults: restarts seen $(delta "$T/mf0" "$T/mf1" itfollow_rrdcached_reconnects_total)" \
	    "dropped $(delta "$T/mf0" "$T/mf1" itfollow_rrdcached_dropped_total)" \
	    "sent again $(delta "$T/mf0" "$T/mf1" itfollow_rrdcached_replayed_total)" \
	    "store_errors $(delta "$T/mf0" "$T/mf1" itfollow_store_errors_total)" \
	    "held at the end $(metric "$T/mf1" itfollow_rrdcached_buffered)"
fi

stop_daemon
stop_rrdcached

# Every value of every file from the window's start to the end (the fault
# included) read back (rrdcached wrote them all as it stopped): rows of
# the first data source (up) known against N x minutes, and against the
# runs the daemon completed meanwhile.
if [ "$FAULTS" = 1 ]; then
	ra=$(((t_m0 / 60 + 1) * 60))
	# The last minute whose runs all ended (a hanging one ends TIMEOUT
	# after its slot) before the daemon stopped.
	rb=$(((tf2 - TIMEOUT) / 60 * 60 - 60))
	find "$T/data/rrd" -name '*.rrd' | sort >"$T/rrdlist"
	awk -v a="$ra" -v b="$rb" '{ print "fetch " $0 " AVERAGE -r 60 -s " a " -e " b }' \
	    "$T/rrdlist" | rrdtool - 2>"$T/fetch.err" |
	    awk -v a="$ra" -v b="$rb" -v gapf="$T/gaps" '
		/^[0-9]+: / { t = $1 + 0
			if (t > a && t <= b) {
				rows++
				if ($2 ~ /nan/) { unk++; bad = bad " " t } else known++
			} }
		/^OK / { files++; if (bad != "") { gaps++; print files bad > gapf }; bad = "" }
		/^ERROR/ { files++; errors++; bad = "" }
		END { printf "%d %d %d %d %d %d\n", files, rows, known, unk, gaps, errors }' \
	    >"$T/readback"
	read -r rb_files rb_rows rb_known rb_unk rb_gapfiles rb_err <"$T/readback"
	minutes=$(((rb - ra) / 60))
	span_runs=$(delta "$T/m0" "$T/mf1" itfollow_runs_completed_total)
	fault_line="faults: read back $rb_files files ($rb_err unreadable)"
	fault_line+=" over $minutes minutes (window and both restarts):"
	fault_line+=" $rb_known values known of $((N * minutes)) (N x minutes;"
	fault_line+=" $(pct "$rb_known" $((N * minutes)))%), $rb_unk unknown in"
	fault_line+=" $rb_gapfiles files; the daemon completed $span_runs runs"
	fault_line+=" in those $((tf2 - t_m0)) s"
	fault_line+=" ($(calc "$N * ($tf2 - $t_m0) / 60") at one a minute)"
	echo "$fault_line"
	[ ! -s "$T/fetch.err" ] || head -n 3 "$T/fetch.err" | sed 's/^/  /'
	# The files with unknown minutes ("FILE T1 T2 ..."): the first five
	# listed; for the first three, what tells a real loss from a
	# boundary of this check: the probe, when the faults were, the
	# file's rows around its first unknown minute as they are now, and
	# what the daemon logged of it.
	if [ -s "$T/gaps" ]; then
		awk 'NR == FNR { f = $1; sub(/^[0-9]+ /, ""); g[f] = $0; next }
		    FNR in g { print $0, g[FNR] }' "$T/gaps" "$T/rrdlist" \
		    >"$T/gapfiles"
		head -n 5 "$T/gapfiles" | sed 's/^\([^ ]*\) /  unknown in \1 at /'
		echo "  faults at: first kill $tf0, second kill $tf1, read back $ra..$rb (epoch s)"
		head -n 3 "$T/gapfiles" | while read -r f at _; do
			sys=$(basename "$(dirname "$f")")
			ser=$(basename "$f" .rrd)
			echo "  $sys/$ser: $(awk -v s="$sys" -v p="$ser" \
			    '$1 == s && $2 == p { print $3, $4 }' "$T/probes")"
			{ rrdtool fetch "$f" AVERAGE -r 60 -s $((at - 300)) \
			    -e $((at + 180)) 2>&1 || true; } |
			    awk 'NR > 2 { printf "    %s %s\n", $1, $2 }'
			{ grep -F "$sys/$ser" "$T/daemon.log" || true; } |
			    tail -n 5 | sed 's/^/    log: /'
		done
	fi
fi

# ---------------------------------------------------------------- memory
# Smaller runs on the same files (none to make): RSS as long after the
# start as at the end of the warm-up above.
declare -A RSS HWM
RSS[$N]=$rss_w0
HWM[$N]=$hwm_n
for n in $SIZES; do
	[ "$n" -gt 0 ] && [ "$n" -lt "$N" ] || continue
	start_rrdcached
	start_daemon "$n"
	nap $((INTERVAL + WARMUP))
	RSS[$n]=$(kib "$D_PID" VmRSS)
	HWM[$n]=$(kib "$D_PID" VmHWM)
	stop_daemon
	stop_rrdcached
done
mem_line="memory:"
for n in $(printf '%s\n' "${!RSS[@]}" | sort -n); do
	mem_line+=" $n series rss $(calc "${RSS[$n]} / 1024" | xargs printf '%.1f')"
	mem_line+=" MiB (peak $(calc "${HWM[$n]} / 1024" | xargs printf '%.1f'));"
done
# Bytes per series: the least-squares slope of RSS over the sizes.
per_series=$(for n in "${!RSS[@]}"; do echo "$n ${RSS[$n]}"; done |
    awk '{ x[NR] = $1; y[NR] = $2 * 1024; sx += $1; sy += $2 * 1024 }
    END {
	if (NR < 2) { print "n/a"; exit }
	mx = sx / NR; my = sy / NR
	for (i = 1; i <= NR; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ^ 2 }
	b = sxy / sxx; a = my - b * mx
	for (i = 1; i <= NR; i++) { r = y[i] - (a + b * x[i]); if (r < 0) r = -r; if (r > w) w = r }
	printf "%.0f bytes a series (fixed part %.1f MiB; the sizes lie within %.1f MiB of the line)\n", b, a / 1048576, w / 1048576
    }')
mem_line+=" growth $per_series"
echo "$mem_line"
rm -rf "$T/data"

# ---------------------------------------------------------------- plain loop
p_line="plainloop: not run"
ratio=n/a
if [ -z "${SKIP_PLAINLOOP:-}" ]; then
	"$BIN/itf-plainloop" -i "$INTERVAL" -t "$TIMEOUT" -w "$INTERVAL" \
	    -d "$WINDOW" "$T/urls" >"$T/plainloop.out" 2>"$T/plainloop.err" ||
	    die "itf-plainloop failed: $(cat "$T/plainloop.err")"
	pv() {
		awk -v k="$1" '$1 == k { print $2 }' "$T/plainloop.out"
	}
	p_done=$(pv completed)
	p_cpu=$(pv cpu_s)
	p_cpu1k=n/a
	[ "$p_done" -eq 0 ] || p_cpu1k=$(calc "$p_cpu / ($p_done / 1000)")
	p_line="plainloop: scheduled $(pv scheduled) completed $p_done"
	p_line+=" ($(pct "$p_done" "$(pv scheduled)")%) on_time $(pv ontime)"
	p_line+=" ($(pct "$(pv ontime)" "$p_done")%) cpu_s $p_cpu"
	p_line+=" cpu_s_per_1000 $(printf '%.4f' "$p_cpu1k")"
	p_line+=" peak_rss_mib $(calc "$(pv maxrss_kib) / 1024" | xargs printf '%.1f')"
	echo "$p_line"
	sed 's/^itf-plainloop: /plainloop: /' "$T/plainloop.err"
	if [ "$d_cpu1k" != n/a ] && [ "$p_cpu1k" != n/a ]; then
		ratio=$(calc "$d_cpu1k / $p_cpu1k" | xargs printf '%.2f')
	fi
fi

echo
echo "summary (N=$N, window ${WINDOW}s, templates $TEMPLATES):"
echo "  done $d_done_pct%, on time $d_ontime_pct% (>= $MIN_PCT%):" \
    "$(verdict "$d_done_pct" ">=" "$MIN_PCT") $(verdict "$d_ontime_pct" ">=" "$MIN_PCT")"
echo "  cpu s/1000 probes: daemon $(printf '%.4f' "$d_cpu1k")," \
    "plain loop ${p_cpu1k:-n/a}, ratio $ratio (<= $MAX_CPU_RATIO):" \
    "$(verdict "$ratio" "<=" "$MAX_CPU_RATIO"); rrdcached $(printf '%.4f' "$rc_cpu1k") more"
echo "  ${threads_line#window: }"
echo "  $start_line"
echo "  $start_line2"
echo "  $journal_line"
echo "  $mem_line"
echo "  $fault_line"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit 0
