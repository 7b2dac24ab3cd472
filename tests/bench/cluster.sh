#!/usr/bin/env bash
# cluster.sh: three daemons sharing 3 x N HTTP probes (default N = 3000,
# every 10 s, 5 s timeout) through one rrdcached on a loopback TCP port
# and one PostgreSQL journal, against one daemon doing all 3 x N with the
# SQLite journal and direct RRD writes (store.write_delay = 60, what the
# README advises for thousands of series).
#
# The targets are itf-testsrv's (90% /ok, 5% /status/500, 3% /hang past
# the timeout, 2% a refused port, as tests/bench/probes.sh). Over a window
# after a warm-up it prints: probes completed and started on time (within
# 1 s of their slot) against scheduled, the journal's records written a
# second and its lag (how long the oldest record of a batch waited, the
# most seen), CPU seconds per 1000 probes of the three daemons, rrdcached
# and PostgreSQL together against the one daemon's, and the time from
# kill -9 of a member to its collectors' first runs elsewhere (read from
# the target's request log). A benchmark, not a test: it exits 0 whatever
# the figures. Build without sanitizers first:
#   scripts/build -DCMAKE_BUILD_TYPE=Release -DSANITIZE=   (or BUILD_DIR)
#
# usage: tests/bench/cluster.sh [N]
# Environment: WARMUP, WINDOW (seconds: 30, 60), BUILD_DIR (build),
# HEARTBEAT, LEASE (the members': 10, 20, the defaults), WRITE_DELAY (the
# members' store.write_delay: 0, rrdcached holds the updates; 60 sends
# each file's minute in one request), SKIP_SINGLE=1, KEEP=1.
set -euo pipefail

N=${1:-3000}
WARMUP=${WARMUP:-30}
WINDOW=${WINDOW:-60}
HEARTBEAT=${HEARTBEAT:-10}
WRITE_DELAY=${WRITE_DELAY:-0}
LEASE=${LEASE:-20}
INTERVAL=10
TIMEOUT=5
PER_SYSTEM=100
ITF_SOURCE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
ITF_BIN_DIR=$ITF_SOURCE_DIR/${BUILD_DIR:-build}/bin
export ITF_SOURCE_DIR ITF_BIN_DIR
# Throwaway PostgreSQL, free ports, cleanup of what is started here.
. "$ITF_SOURCE_DIR/tests/regress/lib.bash"
RUNS="python3 $SRC/tests/tools/runs.py"
TOTAL=$((3 * N))
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
[ -x "$BIN/itfollowd" ] || { echo "cluster.sh: build first ($BIN)" >&2; exit 1; }
command -v rrdcached >/dev/null || { echo "cluster.sh: no rrdcached" >&2; exit 1; }
start_postgres || exit 1
free_port HTTP
free_port REFUSED
free_port RPORT
"$BIN/itf-testsrv" --http "$HTTP" --pidfile "$T/testsrv.pid" \
    --log "$T/req.log" 2>"$T/testsrv.log" &
PIDS="$PIDS $!"
wait_file "$T/testsrv.pid"

# Templates: the shipped ones, the http one keeping a day at full
# resolution and a month hourly (9,000 files of the shipped one would take
# 27 GB, of this one 1 GB); the same for both setups.
mkdir -p "$T/tmpl"
cp "$SRC"/rrd-templates/*.tmpl "$T/tmpl/"
sed -e '/^rra /d' "$SRC/rrd-templates/http.tmpl" >"$T/tmpl/http.tmpl"
printf 'rra AVERAGE 0.5 1m 1d\nrra AVERAGE 0.5 1h 30d\n' >>"$T/tmpl/http.tmpl"

# The probes: system benchS, series pK; the key and URI of each.
awk -v n="$TOTAL" -v per="$PER_SYSTEM" -v h="$HTTP" -v r="$REFUSED" '
BEGIN {
	for (k = 0; k < n; k++) {
		m = k % 100
		if (m < 90) { host = h; path = "/ok?i=" k }
		else if (m < 95) { host = h; path = "/status/500?i=" k }
		else if (m < 98) { host = h; path = "/hang?i=" k }
		else { host = r; path = "/?i=" k }
		printf "bench%d/p%d %s %s\n", int(k / per), k % per, host, path
	}
}' >"$T/probes"
{
	echo "defaults = { interval = $INTERVAL; timeout = $TIMEOUT; };"
	echo "systems = ("
	awk -v per="$PER_SYSTEM" -v n="$TOTAL" '{
		split($1, a, "/"); k = NR - 1
		if (k % per == 0)
			printf "  { id = \"%s\"; category = \"basic\"; portfolio = \"service\";\n    collectors = (\n", a[1]
		last = (k % per == per - 1 || k == n - 1)
		printf "      { type = \"http\"; series = \"%s\"; url = \"http://127.0.0.1:%s%s\"; }%s\n", a[2], $2, $3, last ? "" : ","
		if (last)
			printf "    ); }%s\n", k == n - 1 ? "" : ","
	}' "$T/probes"
	echo ");"
} >"$T/common.conf"

cpu() { # ticks of the pids given (utime + stime)
	local p t=0 s
	for p in "$@"; do
		s=$(cat "/proc/$p/stat" 2>/dev/null) || continue
		s=${s##*) }
		t=$((t + $(awk '{ print $12 + $13 }' <<<"$s")))
	done
	echo $t
}
pg_pids() { echo "$PG_PID $(pgrep -P "$PG_PID" | tr '\n' ' ')"; }
metrics() { curl -s -m 10 "http://127.0.0.1:$1/metrics"; }
m() { awk -v k="$2" '$1 == k { printf "%.0f\n", $2; f = 1 } END { if (!f) print 0 }' "$1"; }
mf() { awk -v k="$2" '$1 == k { print $2; f = 1 } END { if (!f) print 0 }' "$1"; }
calc() { awk "BEGIN { printf \"%.3f\", $1 }"; }
TICK=$(getconf CLK_TCK)

# window NAME QMAX PORTS -- PIDS: warm up (every file made, the write
# queues below QMAX), then measure WINDOW seconds; sets NAME's figures.
window() {
	local name=$1 qmax=$2 ports=() pids=() p q c c0 c1 i lag=0 l
	shift 2
	while [ "$1" != -- ]; do ports+=("$1"); shift; done
	shift
	pids=("$@")
	for i in $(seq 1 900); do
		c=0 q=0
		for p in "${ports[@]}"; do
			metrics "$p" >"$T/w"
			c=$((c + $(m "$T/w" itfollow_store_created_total)))
			q=$((q + $(m "$T/w" itfollow_store_queue_depth)))
		done
		[ "$c" -ge "$TOTAL" ] && [ "$q" -lt "$qmax" ] && break
		sleep 2
	done
	echo "$name: $c files made, warm-up $((2 * i)) s + $WARMUP s"
	sleep "$WARMUP"
	for p in "${ports[@]}"; do metrics "$p" >"$T/m0.$p"; done
	c0=$(cpu "${pids[@]}")
	[ "$name" = cluster ] && p0=$(cpu $(pg_pids)) r0=$(cpu "$RC_PID")
	for i in $(seq 1 $((WINDOW / 5))); do
		sleep 5
		for p in "${ports[@]}"; do
			l=$(metrics "$p" | awk '$1 == "itfollow_journal_lag_seconds" { print $2 }')
			lag=$(awk -v a="$lag" -v b="${l:-0}" 'BEGIN { print (b > a) ? b : a }')
		done
	done
	for p in "${ports[@]}"; do metrics "$p" >"$T/m1.$p"; done
	c1=$(cpu "${pids[@]}")
	local sch=0 com=0 ont=0 rec=0
	for p in "${ports[@]}"; do
		sch=$((sch + $(m "$T/m1.$p" itfollow_runs_scheduled_total) - $(m "$T/m0.$p" itfollow_runs_scheduled_total)))
		com=$((com + $(m "$T/m1.$p" itfollow_runs_completed_total) - $(m "$T/m0.$p" itfollow_runs_completed_total)))
		ont=$((ont + $(m "$T/m1.$p" itfollow_runs_ontime_total) - $(m "$T/m0.$p" itfollow_runs_ontime_total)))
		rec=$((rec + $(m "$T/m1.$p" itfollow_journal_records_total) - $(m "$T/m0.$p" itfollow_journal_records_total)))
	done
	eval "${name}_sch=$sch ${name}_com=$com ${name}_ont=$ont"
	eval "${name}_rec=$(calc "$rec / $WINDOW") ${name}_lag=$lag"
	eval "${name}_cpu=$(calc "($c1 - $c0) / $TICK / ($com / 1000)")"
	if [ "$name" = cluster ]; then
		cluster_pg=$(calc "($(cpu $(pg_pids)) - $p0) / $TICK / ($com / 1000)")
		cluster_rc=$(calc "($(cpu "$RC_PID") - $r0) / $TICK / ($com / 1000)")
	fi
}

# The shared setup.
mkdir -p "$T/cdata" "$T/rrdj"
rrdcached -g -B -R -b "$T/cdata" -l "127.0.0.1:$RPORT" -j "$T/rrdj" \
    -w 300 -f 600 -p "$T/rrdcached.pid" >"$T/rrdcached.log" 2>&1 &
RC_PID=$!
PIDS="$PIDS $RC_PID"
wait_file "$T/rrdcached.pid"
ports=()
for d in 0 1 2; do
	free_port port
	ports+=("$port")
	cat >"$T/d$d.conf" <<CONF
daemon = { data_dir = "$T/cdata"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$port"; log_level = "notice"; name = "d$d";
  heartbeat = $HEARTBEAT; lease = $LEASE; };
store = { rrdcached = "127.0.0.1:$RPORT"; journal = "$PGURL";
  journal_password_file = "$T/pgpass"; write_delay = $WRITE_DELAY; };
@include "$T/common.conf"
CONF
	"$BIN/itfollowd" -f -c "$T/d$d.conf" 2>"$T/log$d" &
	eval "P$d=$!"
	PIDS="$PIDS $!"
	sleep 1
done
for p in "${ports[@]}"; do wait_http "http://127.0.0.1:$p/health"; done
echo "cluster: 3 daemons, $TOTAL probes every ${INTERVAL}s, heartbeat ${HEARTBEAT}s, lease ${LEASE}s, write_delay ${WRITE_DELAY}s"
window cluster $(((WRITE_DELAY / INTERVAL + 2) * TOTAL)) "${ports[@]}" -- "$P0" "$P1" "$P2"

# kill -9 of d1: when do its collectors (those the target sees) run
# elsewhere?
metrics "${ports[1]}" | sed -n 's/^itfollow_cluster_collector_running{collector="\(.*\)"} 1$/\1/p' >"$T/d1.keys"
uris=$(awk -v h="$HTTP" 'NR == FNR { k[$1] = 1; next } ($1 in k) && $2 == h { print $3 }' \
    "$T/d1.keys" "$T/probes")
sleep "$($RUNS quiet "$T/req.log" $INTERVAL)"
KT=$(date +%s.%N)
kill -9 "$P1"
sleep $((LEASE + HEARTBEAT + 2 * INTERVAL + 5))
# shellcheck disable=SC2086
first=$(echo "$uris" | xargs $RUNS first "$T/req.log" "$KT" | awk '{ print $2 }')
kill_n=$(wc -l <"$T/d1.keys")
for d in 0 2; do
	p=${ports[$d]}
	kill -TERM "$(eval echo "\$P$d")"
done
wait "$P0" "$P2" 2>/dev/null || true

single_com=0 single_sch=1 single_ont=0 single_rec=n/a single_lag=n/a single_cpu=n/a
[ -n "${SKIP_SINGLE:-}" ] && RUN_SINGLE="" || RUN_SINGLE=1
# The one daemon: SQLite and direct writes.
if [ -n "$RUN_SINGLE" ]; then
mkdir -p "$T/single"
free_port SP
cat >"$T/single.conf" <<CONF
daemon = { data_dir = "$T/single"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$SP"; log_level = "notice"; };
store = { write_delay = 60; };
@include "$T/common.conf"
CONF
"$BIN/itfollowd" -f -c "$T/single.conf" 2>"$T/log.single" &
PS=$!
PIDS="$PIDS $PS"
wait_http "http://127.0.0.1:$SP/health"
echo "single: 1 daemon, $TOTAL probes, SQLite journal, direct writes (write_delay 60)"
# (write_delay holds six intervals' updates of every file by design)
window single $((8 * TOTAL)) "$SP" -- "$PS"
fi

pct() { calc "100 * $1 / $2"; }
echo
echo "                         3 daemons + rrdcached + PostgreSQL    1 daemon, SQLite, direct"
printf "completed / scheduled    %-38s %s\n" "$cluster_com / $cluster_sch ($(pct "$cluster_com" "$cluster_sch") %)" \
    "$single_com / $single_sch ($(pct "$single_com" "$single_sch") %)"
printf "on time / scheduled      %-38s %s\n" "$(pct "$cluster_ont" "$cluster_sch") %" "$(pct "$single_ont" "$single_sch") %"
printf "journal records/s        %-38s %s\n" "$cluster_rec" "$single_rec"
printf "journal lag (max) s      %-38s %s\n" "$cluster_lag" "$single_lag"
printf "CPU s / 1000 probes      %-38s %s\n" \
    "$(calc "$cluster_cpu + $cluster_rc + $cluster_pg") (daemons $cluster_cpu, rrdcached $cluster_rc, PostgreSQL $cluster_pg)" \
    "$single_cpu"
echo "kill -9 of d1 ($kill_n collectors): all ran elsewhere after $first s (lease $LEASE s, heartbeat $HEARTBEAT s, interval $INTERVAL s)"
FAILS=0
finish >/dev/null
