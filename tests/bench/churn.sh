#!/usr/bin/env bash
# churn.sh: the journal when every series changes state at every run.
#
# Starts itf-testsrv on 127.0.0.1 and runs itfollowd with N http probes
# (default 10000) of /flip?file=F, which answers 503 while F exists, at a
# 10 s interval with fail_after = 1: every failed run opens an outage and
# every good one closes it. Two phases of WINDOW seconds (default 60)
# after a WARMUP (30): first F never exists (no state changes: the
# baseline), then the script makes and removes F every 10 s, so each probe
# sees the other state at each of its runs. Prints for each phase the
# runs done and on time, the journal's records a second, its worst lag
# (the oldest record of a batch, sampled each second) and queue, the
# loop's worst lag, and the daemon's RSS at the start and the end of the
# phase (bounded: it must not grow with the records), then checks in the
# journal that each series' state changes and outages were written in
# the order of their times. The files keep only their templates' first
# archive. A benchmark, not a test: exits 0 whatever the figures.
#
# usage: tests/bench/churn.sh [N]
# Environment: WARMUP, WINDOW, BUILD_DIR (build), KEEP=1.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

N=${1:-10000}
WARMUP=${WARMUP:-30}
WINDOW=${WINDOW:-60}
BIN=${BUILD_DIR:-build}/bin
INTERVAL=10

die() {
	echo "churn.sh: $*" >&2
	exit 1
}
case $N in '' | *[!0-9]*) die "N must be a positive integer" ;; esac
for b in itfollowd itf-testsrv; do
	[ -x "$BIN/$b" ] || die "no $BIN/$b: build first"
done
command -v sqlite3 >/dev/null || die "sqlite3 is needed"

TMPD=$(mktemp -d "${TMPDIR:-/tmp}/itf-churn.XXXXXX")
srv_pid=""
daemon_pid=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	local p
	for p in $daemon_pid $srv_pid; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	if [ -n "${KEEP:-}" ]; then
		echo "churn.sh: kept $TMPD" >&2
	else
		rm -rf "$TMPD"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
P=$(free_port)
STATUS=$(free_port)
F=$TMPD/down

mkdir "$TMPD/tmpl"
for t in rrd-templates/*.tmpl; do
	awk '$1 == "rra" && seen++ { next } { print }' "$t" \
	    >"$TMPD/tmpl/${t##*/}"
done
{
	echo "daemon = { data_dir = \"$TMPD/data\"; templates_dir = \"$TMPD/tmpl\";"
	echo "  status_listen = \"127.0.0.1:$STATUS\"; log_level = \"warning\"; };"
	echo "defaults = { interval = $INTERVAL; timeout = 5; fail_after = 1; };"
	echo "systems = ("
	for s in $(seq 0 $(((N - 1) / 100))); do
		printf '  { id = "churn%d"; category = "basic"; portfolio = "service";\n    collectors = (' "$s"
		for k in $(seq $((s * 100)) $((s * 100 + 99))); do
			[ "$k" -lt "$N" ] || break
			[ "$k" = $((s * 100)) ] || printf ','
			printf '\n      { type = "http"; series = "p%d"; url = "http://127.0.0.1:%d/flip?file=%s&i=%d"; }' \
			    $((k % 100)) "$P" "$F" "$k"
		done
		printf ' ); }%s\n' "$([ $((s * 100 + 100)) -lt "$N" ] && echo ,)"
	done
	echo ");"
} >"$TMPD/churn.conf"

"$BIN/itf-testsrv" --http "$P" --pidfile "$TMPD/srv.pid" 2>"$TMPD/srv.log" &
srv_pid=$!
for _ in $(seq 1 100); do [ -s "$TMPD/srv.pid" ] && break; sleep 0.1; done
"$BIN/itfollowd" -f -c "$TMPD/churn.conf" 2>"$TMPD/daemon.log" &
daemon_pid=$!
U=http://127.0.0.1:$STATUS
for _ in $(seq 1 300); do
	curl -sf -o /dev/null "$U/health" && break
	kill -0 "$daemon_pid" 2>/dev/null ||
	    die "itfollowd died: $(tail -5 "$TMPD/daemon.log")"
	sleep 0.1
done

metric() { awk -v k="$2" '$1 == k { print $2 }' "$1"; }
rss() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$daemon_pid/status"; }

echo "churn: N=$N interval=${INTERVAL}s warmup=${WARMUP}s window=${WINDOW}s"
sleep "$WARMUP"

# phase NAME FLIP: WINDOW seconds, F made and removed every interval when
# FLIP is 1; prints the phase's figures.
phase() {
	local name=$1 flip=$2 t0 now next lagmax=0 qmax=0 l q
	local r0 r1 s0 s1 rec0 rec1 run0 run1 ont0 ont1 sch0 sch1 lp
	curl -sf "$U/metrics" >"$TMPD/m0"
	r0=$(rss)
	t0=$(date +%s)
	next=$t0
	while now=$(date +%s) && [ $((now - t0)) -lt "$WINDOW" ]; do
		if [ "$flip" = 1 ] && [ "$now" -ge "$next" ]; then
			if [ -e "$F" ]; then rm -f "$F"; else : >"$F"; fi
			next=$((next + INTERVAL))
		fi
		curl -sf "$U/metrics" >"$TMPD/ms"
		l=$(metric "$TMPD/ms" itfollow_journal_lag_seconds)
		q=$(metric "$TMPD/ms" itfollow_journal_queue_depth)
		lagmax=$(awk -v a="$lagmax" -v b="${l:-0}" 'BEGIN { print (b > a) ? b : a }')
		qmax=$(awk -v a="$qmax" -v b="${q:-0}" 'BEGIN { print (b > a) ? b : a }')
		sleep 1
	done
	curl -sf "$U/metrics" >"$TMPD/m1"
	r1=$(rss)
	rm -f "$F"
	rec0=$(metric "$TMPD/m0" itfollow_journal_records_total)
	rec1=$(metric "$TMPD/m1" itfollow_journal_records_total)
	sch0=$(metric "$TMPD/m0" itfollow_runs_scheduled_total)
	sch1=$(metric "$TMPD/m1" itfollow_runs_scheduled_total)
	run0=$(metric "$TMPD/m0" itfollow_runs_completed_total)
	run1=$(metric "$TMPD/m1" itfollow_runs_completed_total)
	ont0=$(metric "$TMPD/m0" itfollow_runs_ontime_total)
	ont1=$(metric "$TMPD/m1" itfollow_runs_ontime_total)
	s0=$(metric "$TMPD/m0" itfollow_runs_started_total)
	s1=$(metric "$TMPD/m1" itfollow_runs_started_total)
	lp=$(metric "$TMPD/m1" itfollow_status_loop_lag_max_seconds)
	awk -v n="$name" -v rec=$((rec1 - rec0)) -v w="$WINDOW" \
	    -v sch=$((sch1 - sch0)) -v done_=$((run1 - run0)) \
	    -v st=$((s1 - s0)) -v ont=$((ont1 - ont0)) -v lag="$lagmax" \
	    -v q="$qmax" -v lp="$lp" -v r0="$r0" -v r1="$r1" 'BEGIN {
		printf "%s: runs %d/%d done (%.2f%%), on time %.2f%%; journal %d records (%.0f/s), worst lag %.3f s, queue at most %d; loop lag since start at most %.3f s; rss %.1f -> %.1f MiB\n",
		    n, done_, sch, sch ? 100 * done_ / sch : 0,
		    st ? 100 * ont / st : 0, rec, rec / w, lag, q, lp,
		    r0 / 1024, r1 / 1024 }'
}
phase "steady (no state changes)" 0
phase "churn (every series changes at every run)" 1
kill -TERM "$daemon_pid"
wait "$daemon_pid" || true
daemon_pid=""

J=$TMPD/data/journal.sqlite
echo "journal: $(sqlite3 "$J" 'SELECT count(*) FROM state_changes') state changes," \
    "$(sqlite3 "$J" 'SELECT count(*) FROM outages') outages"
bad=$(sqlite3 "$J" 'SELECT count(*) FROM (SELECT time < LAG(time) OVER
    (PARTITION BY system, series ORDER BY id) AS bad FROM state_changes)
    WHERE bad')
bado=$(sqlite3 "$J" 'SELECT count(*) FROM (SELECT start < LAG(end) OVER
    (PARTITION BY system, series ORDER BY id) AS bad FROM outages) WHERE bad')
echo "records out of order: state changes $bad, outages $bado" \
    "($([ "$bad" = 0 ] && [ "$bado" = 0 ] && echo PASS || echo FAIL))"
exit 0
