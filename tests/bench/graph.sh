#!/usr/bin/env bash
# Graph rendering times: generates N (default 100) systems spread over the
# portfolios, categories and owners, with a year of hourly availability
# and response rows and a year of daily cost each (RRD files made with
# rrdtool), then prints the wall time of
#   1. one 1-year availability graph (itfollow graph availability --last 1y)
#   2. a quarterly cost chart of the N systems grouped by portfolio
#      (itfollow graph cost --by portfolio --last 1y --per quarter)
#   3. the whole static dashboard of the N systems (itfollow dashboard -o)
# Run from the repository top after a build (BUILD_DIR, default build; a
# build without sanitizers gives the real figures).
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${1:-100}
BUILD_DIR=${BUILD_DIR:-build}
BIN=$BUILD_DIR/bin
T=$(mktemp -d "${TMPDIR:-/tmp}/itf-graphbench.XXXXXX")
trap 'rm -rf "$T"' EXIT
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0}

portfolios=(service information training cooperation innovation)
categories=(basic differentiating innovative)
now=$(date +%s)
h0=$((now - now % 3600 - 8760 * 3600))
d0=$((now - now % 86400 - 365 * 86400))
{
	echo "daemon = { data_dir = \"$T/data\"; };"
	echo "systems = ("
	for i in $(seq 0 $((N - 1))); do
		printf '  { id = "sys%03d"; owner = "owner%d"; category = "%s"; portfolio = "%s";\n' \
		    "$i" $((i % 7)) "${categories[i % 3]}" "${portfolios[i % 5]}"
		printf '    collectors = ( { type = "http"; series = "web"; url = "http://127.0.0.1:1/"; } ); }%s\n' \
		    "$([ "$i" -lt $((N - 1)) ] && echo ,)"
	done
	echo ");"
} >"$T/bench.conf"

echo "generating RRD files of $N systems (a year hourly, a year of days)..."
t0=$(date +%s%N)
for i in $(seq 0 $((N - 1))); do
	id=$(printf 'sys%03d' "$i")
	q=$T/data/rrd/quality/$id
	c=$T/data/rrd/cost/$id
	mkdir -p "$q" "$c"
	rrdtool create "$q/web.rrd" --start $((h0 - 3600)) --step 3600 \
	    DS:up:GAUGE:7200:0:1 DS:total:GAUGE:7200:0:U DS:dns:GAUGE:7200:0:U \
	    DS:connect:GAUGE:7200:0:U DS:tls:GAUGE:7200:0:U \
	    DS:ttfb:GAUGE:7200:0:U RRA:AVERAGE:0.5:1:8784 RRA:AVERAGE:0.5:24:1830
	awk -v h0=$h0 -v seed="$i" 'BEGIN { srand(seed); for (h = 1; h <= 8760; h++)
	    printf "%d:%s:%.3f:0.002:0.010:0.030:%.3f\n", h0 + h * 3600,
	        rand() < 0.003 ? 0 : 1, 0.1 + rand() / 10, 0.05 }' |
	    xargs rrdtool update "$q/web.rrd"
	rrdtool create "$c/cost.rrd" --start $((d0 - 86400)) --step 86400 \
	    DS:cost:GAUGE:172800:U:U RRA:AVERAGE:0.5:1:2557
	awk -v d0=$d0 -v seed="$i" 'BEGIN { srand(seed); for (d = 1; d <= 365; d++)
	    printf "%d:%.2f\n", d0 + d * 86400, rand() * 1000 }' |
	    xargs rrdtool update "$c/cost.rrd"
done
t1=$(date +%s%N)
echo "generated in $(((t1 - t0) / 1000000)) ms"

ms() { # LABEL COMMAND...: run it, print its wall time
	local label=$1 a b
	shift
	a=$(date +%s%N)
	"$@" >/dev/null
	b=$(date +%s%N)
	printf '%-58s %8d ms\n' "$label" $(((b - a) / 1000000))
}
ms "1-year availability graph of one system (PNG)" \
    "$BIN/itfollow" graph -c "$T/bench.conf" availability --system sys000 \
    --last 1y -o "$T/avail.png"
ms "quarterly cost chart, $N systems by portfolio (PNG)" \
    "$BIN/itfollow" graph -c "$T/bench.conf" cost --by portfolio --last 1y \
    --per quarter -o "$T/cost.png"
ms "static dashboard of $N systems (itfollow dashboard -o)" \
    "$BIN/itfollow" dashboard -c "$T/bench.conf" -o "$T/dash"
echo "dashboard: $(find "$T/dash" -name '*.html' | wc -l) pages," \
    "$(find "$T/dash" -name '*.png' | wc -l) graphs"
