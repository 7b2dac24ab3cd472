#!/usr/bin/env bash
# FOCUS cost feed throughput: generates a FOCUS file of about SIZE_MB
# (default 1024) MB (realistic columns, Tags JSON, many systems, a billing
# period per month), runs `itfollowd -T` on a focus feed reading it (read,
# stream-parse, aggregate per system and day, store), and Miller's
#   mlr --icsv --ojson stats1 -a sum -f EffectiveCost -g ServiceName
# on the same file; prints MB/s and peak RSS of each and their ratio.
# Targets: at least 5 times Miller's throughput, peak RSS under 32 MiB.
# Then the same rows as a directory of twelve monthly deliveries (every
# other one gzip-compressed) read by the running daemon while its status
# server is asked for /health every 50 ms: prints how long the run took
# and the largest loop lag the heartbeat saw (target: under 100 ms, the
# loop never waits for the worker).
# Run from the repository top after a build (BUILD_DIR, default build).
set -euo pipefail
cd "$(dirname "$0")/../.."
SIZE_MB=${1:-1024}
BUILD_DIR=${BUILD_DIR:-build}
BIN=$BUILD_DIR/bin
command -v mlr >/dev/null || apt-get install -y -qq miller >/dev/null
T=$(mktemp -d "${TMPDIR:-/tmp}/itf-focus.XXXXXX")
trap 'rm -rf "$T"' EXIT

echo "generating $SIZE_MB MB of FOCUS rows..."
awk -v target=$((SIZE_MB * 1024 * 1024)) 'BEGIN {
	srand(42)
	h = "BillingAccountId,BillingAccountName,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ChargeClass,ChargeDescription,ChargeFrequency,BilledCost,EffectiveCost,ListCost,ContractedCost,ConsumedQuantity,ConsumedUnit,PricingQuantity,PricingUnit,ProviderName,PublisherName,InvoiceIssuerName,RegionId,ResourceId,ResourceName,ServiceCategory,ServiceName,SubAccountId,Tags,x_CostCenter"
	print h
	size = length(h) + 1
	split("Compute Storage Networking Databases Analytics", cat, " ")
	while (size < target) {
		day = int(rand() * 365)
		t = 1735689600 + day * 86400
		s = sprintf("%s,%s", strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), strftime("%Y-%m-%dT%H:%M:%SZ", t + 86400, 1))
		sys = int(rand() * 300)
		c = sprintf("%.6f", rand() * 40)
		svc = cat[1 + int(rand() * 5)]
		m = strftime("%m", t, 1) + 0
		bp = sprintf("2025-%02d-01T00:00:00Z,%s-%02d-01T00:00:00Z", m, m == 12 ? "2026" : "2025", m == 12 ? 1 : m + 1)
		line = sprintf("100200300,City of Example,SEK,%s,%s,Usage,,Compute usage %d,Usage-Based,%s,%s,%s,%s,%.3f,Hours,%.3f,1 Hour,Example Cloud,Example Cloud,Example Cloud,se-central-1,/subscriptions/sub%03d/resourceGroups/rg%d/providers/vm/vm%d,vm%d,%s,%s Service %d,sub%03d,\"{\"\"itfollow-system\"\": \"\"sys%03d\"\", \"\"env\"\": \"\"prod\"\", \"\"owner\"\": \"\"team%d\"\"}\",cc%d", bp, s, sys, c, c, c, c, rand() * 24, rand() * 24, sys, sys, int(rand() * 1e6), int(rand() * 1e6), svc, svc, sys % 7, sys, sys, sys % 10, sys % 50)
		print line
		size += length(line) + 1
	}
}' >"$T/focus.csv"
bytes=$(stat -c %s "$T/focus.csv")
mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1048576 }')
echo "file: $mb MB, $(($(wc -l <"$T/focus.csv") - 1)) rows"

# The daemon's configuration: 300 systems, the feed mapping by Tags.
{
	echo "daemon = { data_dir = \"$T/data\"; status_listen = \"127.0.0.1:28471\"; log_level = \"warning\"; };"
	echo "systems = ("
	for i in $(seq 0 299); do
		printf '  { id = "sys%03d"; category = "basic"; portfolio = "service"; }%s\n' \
		    "$i" "$([ "$i" = 299 ] && echo "" || echo ",")"
	done
	echo ");"
	echo "feeds = ( { id = \"cloud\"; type = \"focus\"; url = \"file://$T/focus.csv\";"
	echo "  timeout = 3000; interval = 86400; currency = \"SEK\"; } );"
} >"$T/itf.conf"

run() { # NAME COMMAND...: wall seconds and peak RSS (KiB) of the command
	local name=$1
	shift
	/usr/bin/time -f "%e %M" -o "$T/$name.time" "$@" >"$T/$name.out" \
	    2>"$T/$name.err" || { cat "$T/$name.err" >&2; exit 1; }
	read -r secs rss <"$T/$name.time"
	echo "$secs $rss"
}
command -v /usr/bin/time >/dev/null || apt-get install -y -qq time >/dev/null
cat "$T/focus.csv" >/dev/null # both start with the file in the page cache
read -r isecs irss < <(run itf "$BIN/itfollowd" -T -c "$T/itf.conf")
grep -c '^sys[0-9]* cost cost status=up' "$T/itf.out" >"$T/nsys" || true
read -r msecs mrss < <(run mlr mlr --icsv --ojson stats1 -a sum -f EffectiveCost \
    -g ServiceName "$T/focus.csv")
awk -v mb="$mb" -v is="$isecs" -v ir="$irss" -v ms="$msecs" -v mr="$mrss" \
    -v n="$(cat "$T/nsys")" 'BEGIN {
	it = mb / (is > 0 ? is : 0.01); mt = mb / (ms > 0 ? ms : 0.01)
	printf "itfollowd focus: %.1f MB in %.2f s = %.1f MB/s, peak RSS %.1f MiB, %d cost series stored\n", mb, is, it, ir / 1024, n
	printf "mlr stats1:      %.1f MB in %.2f s = %.1f MB/s, peak RSS %.1f MiB\n", mb, ms, mt, mr / 1024
	printf "throughput ratio itfollowd/mlr: %.1f (target >= 5): %s\n", it / mt, ((it / mt >= 5) ? "PASS" : "FAIL")
	printf "peak RSS < 32 MiB: %s\n", ((ir / 1024 < 32) ? "PASS" : "FAIL")
}'

# The same rows as twelve monthly deliveries, every other one gzip'd,
# read by the running daemon while /health is polled.
echo "splitting into monthly deliveries..."
mkdir -p "$T/deliveries"
awk -F, -v d="$T/deliveries" 'NR == 1 { h = $0; next }
	{ m = substr($4, 6, 2); f = d "/2025-" m "/focus.csv"
	  if (!(f in seen)) { seen[f] = 1; system("mkdir -p " d "/2025-" m); print h >f }
	  print >f }' "$T/focus.csv"
for m in 02 04 06 08 10 12; do
	gzip -1 "$T/deliveries/2025-$m/focus.csv"
done
dbytes=$(du -sb "$T/deliveries" | cut -f1)
sed -e "s#url = \"file://$T/focus.csv\";#url = \"file://$T/deliveries\";#" \
    -e 's#timeout = 3000; interval = 86400;#timeout = 50; interval = 60;#' \
    -e 's#log_level = \"warning\"#log_level = \"info\"#' \
    -e 's#data_dir = \"[^\"]*\"#data_dir = \"'"$T"'/data2\"#' \
    "$T/itf.conf" >"$T/dir.conf"
"$BIN/itfollowd" -f -c "$T/dir.conf" 2>"$T/dir.err" &
dpid=$!
trap 'kill $dpid 2>/dev/null || true; rm -rf "$T"' EXIT
lag=0
for _ in $(seq 1 3000); do
	l=$(curl -s http://127.0.0.1:28471/health | jq -r '.loop_lag_ms // 0' 2>/dev/null || echo 0)
	[ "${l:-0}" -gt "$lag" ] && lag=$l
	grep -q "feed/cloud: up" "$T/dir.err" && break
	sleep 0.05
done
kill "$dpid"
wait "$dpid" 2>/dev/null || true
grep -q "feed/cloud: up" "$T/dir.err" || { tail "$T/dir.err" >&2; exit 1; }
secs=$(sed -n 's/.*feed\/cloud: .*read in \([0-9.]*\) s.*/\1/p' "$T/dir.err")
awk -v b="$dbytes" -v lag="$lag" -v s="$secs" 'BEGIN {
	printf "directory of 12 deliveries (6 gzip): %.1f MB on disk read by the worker in %.2f s; largest loop lag meanwhile %d ms: %s\n", b / 1048576, s, lag, (lag < 100 ? "PASS" : "FAIL")
}'