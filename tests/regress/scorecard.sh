# itfollow report scorecard: a quarter of known values in RRD files made
# with rrdtool (availability, cost, users, licences, benefit series); each
# figure compared with awk's computation of the same values; text, CSV,
# JSON, and HTML whose embedded graphs are PNG images.
. "$(dirname "$0")/lib.bash"
# librrd's graph leaks legend strings; suppressed by library, which needs
# full stacks.
export LSAN_OPTIONS="${LSAN_OPTIONS:-}:fast_unwind_on_malloc=0"

D=$T/data/rrd
cat >"$T/s.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates"; };
systems = (
  { id = "portal"; owner = "norrmalm"; category = "differentiating";
    portfolio = "service";
    collectors = ( { type = "http"; series = "web"; url = "http://127.0.0.1:1/"; } ); },
  { id = "desk"; owner = "city"; category = "basic"; portfolio = "cooperation";
    collectors = ( ); },
  { id = "wiki"; owner = "city"; category = "basic"; portfolio = "service";
    collectors = ( { type = "tcp"; series = "web"; host = "127.0.0.1"; port = 1; } ); }
);
CONF
Q1=1767225600 # 2026-01-01
Q2=1775001600 # 2026-04-01
mk() { # FILE STEP DS... : an RRD of one archive at its step
	local f=$1 step=$2
	shift 2
	mkdir -p "$(dirname "$f")"
	rrdtool create "$f" --start $((Q1 - step)) --step "$step" "$@" \
	    "RRA:AVERAGE:0.5:1:$(((Q2 - Q1) / step + 10))"
}

# Availability by the hour: portal down some hours, half down others;
# wiki always up for the first half, then nothing (unknown).
awk -v q1=$Q1 'BEGIN { for (h = 0; h < 2160; h++) {
	v = (h % 100 == 7) ? 0 : (h % 250 == 3 || h % 250 == 4) ? 0.5 : 1
	print q1 + h * 3600, v } }' >"$T/portal-up.txt"
mk "$D/quality/portal/web.rrd" 3600 DS:up:GAUGE:7200:0:1
awk '{ print $1 + 3600 ":" $2 }' "$T/portal-up.txt" |
    xargs rrdtool update "$D/quality/portal/web.rrd"
mk "$D/quality/wiki/web.rrd" 3600 DS:up:GAUGE:7200:0:1
awk -v q1=$Q1 'BEGIN { for (h = 0; h < 1080; h++) print q1 + h * 3600 + 3600 ":1" }' |
    xargs rrdtool update "$D/quality/wiki/web.rrd"

# Cost a day, users a day (portal only).
awk -v q1=$Q1 'BEGIN { srand(5); for (d = 0; d < 90; d++) {
	printf "portal %d %.2f\n", q1 + d * 86400, rand() * 500
	printf "desk %d %.2f\n", q1 + d * 86400, rand() * 80
	printf "wiki %d %.2f\n", q1 + d * 86400, rand() * 20 } }' >"$T/cost.txt"
for s in portal desk wiki; do
	mk "$D/cost/$s/cost.rrd" 86400 DS:cost:GAUGE:172800:U:U
	awk -v s=$s '$1 == s { print $2 + 86400 ":" $3 }' "$T/cost.txt" |
	    xargs rrdtool update "$D/cost/$s/cost.rrd"
done
mk "$D/cost/portal/users.rrd" 86400 DS:users:GAUGE:172800:U:U
awk -v q1=$Q1 'BEGIN { for (d = 0; d < 90; d++) print q1 + d * 86400 + 86400 ":" 200 + d % 9 }' |
    xargs rrdtool update "$D/cost/portal/users.rrd"

# Licences of desk: two products a day.
for lic in a b; do
	mk "$D/maturity/desk/licence-$lic.rrd" 86400 \
	    DS:issued:GAUGE:172800:0:U DS:in_use:GAUGE:172800:0:U
done
awk -v q1=$Q1 'BEGIN { for (d = 0; d < 90; d++) {
	print "a", q1 + d * 86400 + 86400, 50, 20 + d % 30
	print "b", q1 + d * 86400 + 86400, 10, 9 } }' >"$T/lic.txt"
for lic in a b; do
	awk -v l=$lic '$1 == l { print $2 ":" $3 ":" $4 }' "$T/lic.txt" |
	    xargs rrdtool update "$D/maturity/desk/licence-$lic.rrd"
done

# Benefits of portal: transactions as a counter (8640 a day: 0.1/s), and a
# satisfaction gauge a day.
mk "$D/external-benefit/portal/transactions.rrd" 86400 \
    DS:value:DERIVE:172800:0:U
awk -v q1=$Q1 'BEGIN { for (d = -1; d < 90; d++) print q1 + d * 86400 + 86400 ":" (d + 1) * 8640 }' |
    xargs rrdtool update "$D/external-benefit/portal/transactions.rrd"
mk "$D/internal-benefit/portal/satisfaction.rrd" 86400 \
    DS:value:GAUGE:172800:U:U
awk -v q1=$Q1 'BEGIN { for (d = 0; d < 90; d++) print q1 + d * 86400 + 86400 ":" 3 + d % 3 }' |
    xargs rrdtool update "$D/internal-benefit/portal/satisfaction.rrd"

R() { "$BIN/itfollow" report scorecard -c "$T/s.conf" --quarter 2026Q1 "$@"; }
R --format csv >"$T/sys.csv"
expect_eq "csv header" "$(head -1 "$T/sys.csv")" \
    "system,systems,availability_pct,availability_coverage_pct,outages,cost,cost_per_user,systems_without_users,licence_utilisation_pct,external_benefit,internal_benefit,service_availability_pct,service_outages"
col() { # SYSTEM COLUMN
	awk -F, -v s="$1" -v c="$2" 'NR == 1 { for (i = 1; i <= NF; i++)
	    if ($i == c) k = i } $1 == s { print $k }' "$T/sys.csv"
}
avail=$(awk '{ s += $2 } END { printf "%.3f", s / NR * 100 }' "$T/portal-up.txt")
outages=$(awk '{ if ($2 < 1 && !down) n++; down = $2 < 1 } END { print n }' \
    "$T/portal-up.txt")
expect_eq "portal availability" "$(col portal availability_pct)" "$avail"
expect_eq "portal outages" "$(col portal outages)" "$outages"
# No service hours configured: every hour is one, the same figures.
expect_eq "portal within service hours (all hours)" \
    "$(col portal service_availability_pct):$(col portal service_outages)" \
    "$avail:$outages"
expect_eq "wiki: unknown hours are not down" \
    "$(col wiki availability_pct):$(col wiki outages)" "100.000:0"
expect_eq "desk has no availability series" "$(col desk availability_pct)" ""
costof() { awk -v s="$1" '$1 == s { c += $3 } END { printf "%.2f", c }' "$T/cost.txt"; }
expect_eq "portal cost" "$(col portal cost)" "$(costof portal)"
expect_eq "desk cost" "$(col desk cost)" "$(costof desk)"
expect_eq "portal cost per user" "$(col portal cost_per_user)" \
    "$(awk -v c="$(costof portal)" 'BEGIN { for (d = 0; d < 90; d++) u += 200 + d % 9
        printf "%.2f", c / (u / 90) }')"
expect_eq "desk licence utilisation" "$(col desk licence_utilisation_pct)" \
    "$(awk '{ u += $4; i += $3 } END { printf "%.2f", u / i * 100 }' "$T/lic.txt")"
expect_eq "portal external benefit: transactions in the quarter" \
    "$(col portal external_benefit)" "777600.00"
expect_eq "portal internal benefit: mean satisfaction" \
    "$(col portal internal_benefit)" "4.00"

expect_eq "portal coverage: every hour known" \
    "$(col portal availability_coverage_pct)" "100.00"
expect_eq "wiki coverage: half the quarter known" \
    "$(col wiki availability_coverage_pct)" "50.00"
expect_eq "portal has users" "$(col portal systems_without_users)" 0
expect_eq "desk has none" "$(col desk systems_without_users)" 1
expect_eq "total cost: every system's" "$(col total cost)" \
    "$(awk '{ c += $3 } END { printf "%.2f", c }' "$T/cost.txt")"
expect_eq "unallocated: no data (no feed)" "$(col unallocated cost)" ""

R --by portfolio --format csv >"$T/por.csv"
# A group sums its systems' seconds: portal's 2160 hours and wiki's 1080
# known ones, as `report availability --by` does.
expect_eq "by portfolio: service availability = the group's seconds" \
    "$(awk -F, '$1 == "service" { print $3 }' "$T/por.csv")" \
    "$(awk '{ u += $2 } END { printf "%.3f", (u + 1080) / (NR + 1080) * 100 }' \
        "$T/portal-up.txt")"
expect_eq "by portfolio: service cost = portal + wiki" \
    "$(awk -F, '$1 == "service" { print $2 "," $6 }' "$T/por.csv")" \
    "2,$(awk '$1 != "desk" { c += $3 } END { printf "%.2f", c }' "$T/cost.txt")"
expect_eq "by portfolio: service cost per user = portal's (wiki has no users)" \
    "$(awk -F, '$1 == "service" { print $7 "," $8 }' "$T/por.csv")" \
    "$(col portal cost_per_user),1"

R --by owner --format json >"$T/own.json"
expect_eq "json" \
    "$(grep -c '"name": "city", "kind": "row", "systems": 2' "$T/own.json")" 1
R >"$T/text.txt"
expect_eq "text" "$(awk '$1 == "portal" { print $3, $6 }' "$T/text.txt")" \
    "$avail $(awk -v c="$(costof portal)" 'BEGIN {
        n = sprintf("%.2f", c); s = ""; i = index(n, ".") - 1
        for (k = 1; k <= i; k++) { s = s substr(n, k, 1); if ((i - k) % 3 == 0 && k < i) s = s "," }
        print s substr(n, i + 1) }')"

R --by category --html "$T/s.html" >/dev/null
expect_eq "html: four graphs embedded" \
    "$(grep -c '<img alt="[^"]*" src="data:image/png;base64,' "$T/s.html")" 4
expect_eq "html: the embedded graph is a PNG" \
    "$(grep -o 'base64,[A-Za-z0-9+/=]*' "$T/s.html" | head -1 | cut -c8- |
        base64 -d | head -c 4 | tail -c 3)" "PNG"
expect_eq "html: rows" "$(grep -c '<tr><td>' "$T/s.html")" 2

out=$(R --by colour 2>&1) && rc=0 || rc=$?
expect_eq "unknown grouping: exit 2" "$rc:$out" \
    "2:itfollow: unknown grouping \"colour\" (category, portfolio, owner)"
out=$("$BIN/itfollow" report scorecard -c "$T/s.conf" --quarter 2026Q5 2>&1) &&
    rc=0 || rc=$?
expect_eq "2026Q5: exit 2" "$rc" 2
finish
