#!/usr/bin/env bash
# reports.sh: the reports and the dashboard at a city's scale.
#
# Generates N systems (default 1000) spread over the portfolios,
# categories and owners, each with 5 to 10 quality series holding a year of
# hourly `up` and response rows, a daily cost series over the last four
# quarters, and a journal (SQLite, the daemon's schema) with a year of
# outages and coverage of every series. The RRD files are copies of a few
# files made with rrdtool (the figures differ between the copies' sets,
# not within one: timing, not arithmetic, is measured here). Then prints
# the wall time of
#   - itfollow report scorecard --quarter (text, CSV, and --html with charts)
#   - itfollow report availability --by portfolio --quarter
#   - one 1-year availability graph of a system (the median of 5 runs)
#   - the dashboard's overview page up to its first byte, cold (the first
#     request since the daemon started) and warm (the median of the next
#     three), from a daemon on the data (its probes run once a day); a
#     system page; the overview's thumbnails loaded lazily (loading="lazy")
# each with its target and PASS/FAIL. A benchmark, not a test: it exits 0
# whatever the figures, non-zero only when something could not run.
#
# usage: tests/bench/reports.sh [N]
# Run from the repository top after a build (BUILD_DIR, default build; a
# Release build without sanitizers gives the real figures). KEEP=1 keeps
# the data in its temporary directory (and prints where).
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-1000}
BIN=${BUILD_DIR:-build}/bin
VARIANTS=8
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

die() {
	echo "reports.sh: $*" >&2
	exit 1
}
case $N in '' | *[!0-9]*) die "N must be a positive integer" ;; esac
[ "$N" -ge 1 ] || die "N must be a positive integer"
for b in itfollow itfollowd; do
	[ -x "$BIN/$b" ] || die "no $BIN/$b: build first"
done
for c in rrdtool sqlite3 curl python3; do
	command -v "$c" >/dev/null || die "$c is needed"
done

if [ -n "${REUSE:-}" ]; then
	# The data a KEEP=1 run left: timings again, nothing generated.
	[ -f "$REUSE/data/journal.sqlite" ] || die "no data in $REUSE"
	T=$REUSE
	KEEP=1
else
	T=$(mktemp -d "${TMPDIR:-/tmp}/itf-reports.XXXXXX")
fi
dpid=""
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
	if [ -n "$dpid" ]; then
		kill "$dpid" 2>/dev/null || true
		wait "$dpid" 2>/dev/null || true
	fi
	if [ -n "${KEEP:-}" ]; then
		echo "reports.sh: kept $T" >&2
	else
		rm -rf "$T"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

portfolios=(service information training cooperation innovation)
categories=(basic differentiating innovative)
now=$(date +%s)
h0=$((now - now % 3600 - 8760 * 3600))
d0=$((now - now % 86400 - 400 * 86400))
# The last whole quarter (UTC), the one the reports are asked for.
read -r QUARTER < <(python3 -c '
import datetime
d = datetime.datetime.fromtimestamp('"$now"', datetime.timezone.utc)
q = (d.month - 1) // 3
y = d.year if q > 0 else d.year - 1
q = q if q > 0 else 4
print("%dQ%d" % (y, q))')

# nseries K: the quality series of system K (5 to 10).
nseries() { echo $((5 + $1 % 6)); }

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
STATUS=$(free_port)

{
	echo "daemon = { data_dir = \"$T/data\";"
	echo "  status_listen = \"127.0.0.1:$STATUS\"; log_level = \"error\"; };"
	# The probes (of a port nobody listens on) run once a day, spread
	# over it: the daemon serves the dashboard and leaves the data be.
	echo "defaults = { interval = 86400; timeout = 5; };"
	echo "systems = ("
	for i in $(seq 0 $((N - 1))); do
		printf '  { id = "sys%04d"; owner = "owner%d"; category = "%s"; portfolio = "%s";\n    collectors = (' \
		    "$i" $((i % 7)) "${categories[i % 3]}" "${portfolios[i % 5]}"
		for s in $(seq 0 $(($(nseries "$i") - 1))); do
			[ "$s" = 0 ] || printf ','
			printf ' { type = "http"; series = "q%d"; url = "http://127.0.0.1:1/"; }' "$s"
		done
		printf ' ); }%s\n' "$([ "$i" -lt $((N - 1)) ] && echo ,)"
	done
	echo ");"
} >"$T/bench.conf"

# generate: the RRD files and the journal.
generate() {
	t0=$(date +%s%N)
	mkdir -p "$T/v"
	for v in $(seq 0 $((VARIANTS - 1))); do
		rrdtool create "$T/v/q$v.rrd" --start $((h0 - 3600)) --step 3600 \
		    DS:up:GAUGE:7200:0:1 DS:total:GAUGE:7200:0:U \
		    RRA:AVERAGE:0.5:1:8784 RRA:AVERAGE:0.5:24:400
		awk -v h0=$h0 -v seed="$v" 'BEGIN { srand(seed + 1)
		    for (h = 1; h <= 8760; h++)
			printf "%d:%s:%.3f\n", h0 + h * 3600,
			    rand() < 0.003 ? 0 : 1, 0.1 + rand() / 10 }' |
		    xargs rrdtool update "$T/v/q$v.rrd"
		rrdtool create "$T/v/c$v.rrd" --start $((d0 - 86400)) --step 86400 \
		    DS:cost:GAUGE:172800:U:U RRA:AVERAGE:0.5:1:2557
		awk -v d0=$d0 -v seed="$v" 'BEGIN { srand(seed + 1)
		    for (d = 1; d <= 400; d++)
			printf "%d:%.2f\n", d0 + d * 86400, rand() * 1000 }' |
		    xargs rrdtool update "$T/v/c$v.rrd"
	done
	files=0
	for i in $(seq 0 $((N - 1))); do
		id=$(printf 'sys%04d' "$i")
		mkdir -p "$T/data/rrd/quality/$id" "$T/data/rrd/cost/$id"
		for s in $(seq 0 $(($(nseries "$i") - 1))); do
			cp "$T/v/q$(((i + s) % VARIANTS)).rrd" \
			    "$T/data/rrd/quality/$id/q$s.rrd"
			files=$((files + 1))
		done
		cp "$T/v/c$((i % VARIANTS)).rrd" "$T/data/rrd/cost/$id/cost.rrd"
	done
	t1=$(date +%s%N)
	echo "generated $files quality files and $N cost files in" \
	    "$(((t1 - t0) / 1000000)) ms"

	# The journal: the daemon's own schema (a daemon of one probe makes it
	# as it starts), then a year of outages and coverage.
	cat >"$T/j.conf" <<CONF
daemon = { data_dir = "$T/jdata"; status_listen = "127.0.0.1:$STATUS"; };
systems = ( { id = "j"; category = "basic"; portfolio = "service";
  collectors = ( { type = "tcp"; series = "t"; host = "127.0.0.1"; port = 1; } ); } );
CONF
	"$BIN/itfollowd" -f -c "$T/j.conf" 2>"$T/j.err" &
	dpid=$!
	for _ in $(seq 1 100); do
		[ -s "$T/jdata/journal.sqlite" ] && curl -sf -o /dev/null \
		    "http://127.0.0.1:$STATUS/health" && break
		sleep 0.1
	done
	kill "$dpid"
	wait "$dpid" || true
	dpid=""
	[ -f "$T/jdata/journal.sqlite" ] ||
	    die "no journal made: $(tail -3 "$T/j.err")"
	cp "$T/jdata/journal.sqlite" "$T/data/journal.sqlite"
	python3 - "$T/data/journal.sqlite" "$N" "$h0" "$now" <<'PY'
import random, sqlite3, sys
db, n, start, end = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
c = sqlite3.connect(db)
c.execute("DELETE FROM outages")
c.execute("DELETE FROM coverage")
c.execute("DELETE FROM state_changes")
rnd = random.Random(7)
outages = cover = 0
for i in range(n):
    sid = "sys%04d" % i
    for s in range(5 + i % 6):
        ser = "q%d" % s
        c.execute("INSERT INTO coverage VALUES (?, ?, ?, ?)",
                  (sid, ser, start, end))
        cover += 1
        # About one outage a month on each series, 1 to 120 minutes.
        t = start + rnd.randrange(86400 * 30)
        while t < end - 7200:
            dur = 60 * rnd.randint(1, 120)
            c.execute("INSERT INTO outages (system, series, start, end, "
                      "reason) VALUES (?, ?, ?, ?, 'connect')",
                      (sid, ser, t, t + dur))
            outages += 1
            t += dur + rnd.randrange(86400 * 20, 86400 * 40)
c.commit()
print("journal: %d outages, %d coverage rows" % (outages, cover))
PY
}

echo "reports: N=$N systems, quarter $QUARTER"
[ -z "${REUSE:-}" ] || echo "reusing the data in $REUSE"
[ -n "${REUSE:-}" ] || generate

declare -A took
# verdict VALUE LIMIT: PASS when VALUE < LIMIT.
verdict() {
	[ "$1" -lt "$2" ] && echo PASS || echo FAIL
}
# line LABEL MS TARGET [MORE]: one figure, its target and verdict.
line() {
	printf '%-56s %6d ms  (target < %d ms) %s%s\n' "$1" "$2" "$3" \
	    "$(verdict "$2" "$3")" "${4:+  $4}"
}
# run KEY LABEL COMMAND...: run it once, keep its wall time in ms.
run() {
	local key=$1 label=$2 a b
	shift 2
	a=$(date +%s%N)
	"$@" >"$T/out.$key" 2>"$T/err.$key" ||
	    die "$label failed: $(head -5 "$T/err.$key")"
	b=$(date +%s%N)
	took[$key]=$(((b - a) / 1000000))
}
# ms KEY LABEL TARGET COMMAND...: run it, print its wall time.
ms() {
	local key=$1 label=$2 target=$3
	shift 3
	run "$key" "$label" "$@"
	line "$label" "${took[$key]}" "$target"
}
# median KEY LABEL TARGET RUNS COMMAND...: the median of RUNS runs.
median() {
	local key=$1 label=$2 target=$3 runs=$4 i all=()
	shift 4
	for i in $(seq 1 "$runs"); do
		run "$key" "$label" "$@"
		all+=("${took[$key]}")
	done
	took[$key]=$(printf '%s\n' "${all[@]}" | sort -n |
	    awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
	line "$label" "${took[$key]}" "$target" \
	    "median of $runs: ${all[*]}"
}
C=$T/bench.conf
ms sc_text "scorecard --quarter $QUARTER (text)" 2000 \
    "$BIN/itfollow" report scorecard -c "$C" --quarter "$QUARTER"
ms sc_csv "scorecard --quarter $QUARTER (CSV)" 2000 \
    "$BIN/itfollow" report scorecard -c "$C" --quarter "$QUARTER" \
    --format csv
ms sc_html "scorecard --quarter $QUARTER --html (with charts)" 2000 \
    "$BIN/itfollow" report scorecard -c "$C" --quarter "$QUARTER" \
    --html "$T/sc.html"
ms avail "report availability --by portfolio --quarter $QUARTER" 2000 \
    "$BIN/itfollow" report availability -c "$C" --by portfolio \
    --quarter "$QUARTER"
median graph "1-year availability graph of one system (PNG)" 50 5 \
    "$BIN/itfollow" graph -c "$C" availability --system sys0000 \
    --last 1y -o "$T/avail.png"
rows=$(grep -c '^sys' "$T/out.sc_csv" || true)
echo "scorecard CSV: $rows system rows"

"$BIN/itfollowd" -f -c "$C" 2>"$T/daemon.log" &
dpid=$!
U=http://127.0.0.1:$STATUS
for _ in $(seq 1 300); do
	curl -sf -o /dev/null "$U/health" && break
	kill -0 "$dpid" 2>/dev/null ||
	    die "the daemon died: $(tail -5 "$T/daemon.log")"
	sleep 0.1
done
# web KEY PATH: first byte and whole, in ms, by curl (whole in took[KEY_w]).
web() {
	local w
	w=$(curl -s -o "$T/page.$1" -w '%{http_code} %{time_starttransfer} %{time_total}' "$U$2")
	# shellcheck disable=SC2086 # the three figures, split
	set -- "$1" "$2" $w
	[ "$3" = 200 ] || die "$2: HTTP $3"
	took[$1]=$(awk -v s="$4" 'BEGIN { printf "%d", s * 1000 }')
	took[$1_w]=$(awk -v s="$5" 'BEGIN { printf "%d", s * 1000 }')
}
# Cold: the first request since the daemon started (nothing of the page
# computed or cached yet); warm: the median of the next three.
web index /
line "dashboard overview, first byte, cold" "${took[index]}" 1000 \
    "whole ${took[index_w]} ms"
warm=()
for i in 1 2 3; do
	web "index$i" /
	warm+=("${took[index$i]}")
done
took[index_warm]=$(printf '%s\n' "${warm[@]}" | sort -n | sed -n 2p)
line "dashboard overview, first byte, warm" "${took[index_warm]}" 1000 \
    "median of 3: ${warm[*]}"
web system /system/sys0500
line "system page, first byte" "${took[system]}" 300 \
    "whole ${took[system_w]} ms"
imgs=$(grep -c '<img ' "$T/page.index" || true)
lazy=$(grep -c '<img [^>]*loading="lazy"' "$T/page.index" || true)
echo "overview: $imgs thumbnails, $lazy of them loading=\"lazy\":" \
    "$([ "$imgs" -gt 0 ] && [ "$lazy" = "$imgs" ] && echo PASS ||
        echo FAIL)"
exit 0
