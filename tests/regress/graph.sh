# itfollow graph: RRD files made with rrdtool from known values; every
# preset drawn as PNG, SVG and PDF (checked by their headers and sizes);
# --table numbers compared with what awk computes from the same values,
# to the cent; missing files give a "no data" graph; bad requests exit 2.
. "$(dirname "$0")/lib.bash"
# librrd's graph leaks legend strings; suppressed by library, which needs
# full stacks.
export LSAN_OPTIONS="${LSAN_OPTIONS:-}:fast_unwind_on_malloc=0"

D=$T/data/rrd
cat >"$T/g.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates"; };
systems = (
  { id = "portal"; owner = "norrmalm"; category = "differentiating";
    portfolio = "service";
    collectors = ( { type = "http"; series = "web"; url = "http://127.0.0.1:1/"; } ); },
  { id = "desk"; owner = "city"; category = "basic"; portfolio = "cooperation";
    collectors = ( { type = "tcp"; series = "smtp"; host = "127.0.0.1"; port = 1; } ); },
  { id = "wiki"; owner = "city"; category = "basic"; portfolio = "service";
    collectors = ( { type = "tcp"; series = "web"; host = "127.0.0.1"; port = 1; } ); }
);
CONF
G() { "$BIN/itfollow" graph -c "$T/g.conf" "$@"; }
Q1=$(date -u -d 2026-01-01 +%s)

# Daily cost of three systems over 2026-01-01 .. 2026-04-30, cents made by
# awk from a seed; the same numbers kept in cost.txt (system day amount).
awk -v q1="$Q1" 'BEGIN { srand(11)
	split("portal desk wiki", s, " ")
	for (k = 1; k <= 3; k++) for (d = 0; d < 120; d++) {
		v = sprintf("%.2f", rand() * 900 - 60)
		if (s[k] == "wiki" && d % 7 == 3) v = "U"    # unknown days
		printf "%s %d %s\n", s[k], q1 + d * 86400, v
	} }' >"$T/cost.txt"
for s in portal desk wiki; do
	mkdir -p "$D/cost/$s"
	rrdtool create "$D/cost/$s/cost.rrd" --start $((Q1 - 86400)) \
	    --step 86400 DS:cost:GAUGE:172800:U:U RRA:AVERAGE:0.5:1:2557
	awk -v s="$s" '$1 == s { printf "%d:%s\n", $2 + 86400, $3 }' \
	    "$T/cost.txt" | xargs rrdtool update "$D/cost/$s/cost.rrd"
done
# Users of portal and desk: a mean over the quarter of known days.
awk -v q1="$Q1" 'BEGIN { for (d = 0; d < 120; d++) {
	printf "portal %d %d\n", q1 + d * 86400, 1000 + d
	if (d % 2 == 0) printf "desk %d %d\n", q1 + d * 86400, 40 + d % 5 } }' \
    >"$T/users.txt"
for s in portal desk; do
	rrdtool create "$D/cost/$s/users.rrd" --start $((Q1 - 86400)) \
	    --step 86400 DS:users:GAUGE:172800:U:U RRA:AVERAGE:0.5:1:2557
	awk -v s="$s" '$1 == s { printf "%d:%s\n", $2 + 86400, $3 }' \
	    "$T/users.txt" | xargs rrdtool update "$D/cost/$s/users.rrd"
done

# Availability of portal: a day of minutes, down 17 times in runs.
DAY=$(date -u -d 2026-02-10 +%s)
mkdir -p "$D/quality/portal" "$D/quality/desk"
rrdtool create "$D/quality/portal/web.rrd" --start $((DAY - 60)) --step 60 \
    DS:up:GAUGE:120:0:1 DS:total:GAUGE:120:0:U DS:dns:GAUGE:120:0:U \
    DS:connect:GAUGE:120:0:U DS:tls:GAUGE:120:0:U DS:ttfb:GAUGE:120:0:U \
    RRA:AVERAGE:0.5:1:2880 RRA:AVERAGE:0.5:60:8760
awk -v t0="$DAY" 'BEGIN { for (m = 0; m < 1440; m++) {
	up = (m % 97 == 5 || m % 97 == 6) ? 0 : 1
	printf "%d %d %.4f %.4f %.4f %.4f %.4f\n", t0 + m * 60, up,
	    0.1 + (m % 10) / 1000, 0.002, 0.01, 0.03, 0.05 } }' >"$T/web.txt"
awk '{ printf "%d:%s:%s:%s:%s:%s:%s\n", $1 + 60, $2, $3, $4, $5, $6, $7 }' \
    "$T/web.txt" | xargs rrdtool update "$D/quality/portal/web.rrd"

# Licences of desk: in use 30 of 40, then 35 of 40 (5-minute rows).
mkdir -p "$D/maturity/desk"
rrdtool create "$D/maturity/desk/licence-matlab.rrd" --start $((DAY - 300)) \
    --step 300 DS:issued:GAUGE:600:0:U DS:in_use:GAUGE:600:0:U \
    RRA:AVERAGE:0.5:1:576
awk -v t0="$DAY" 'BEGIN { for (i = 1; i <= 288; i++)
	printf "%d:40:%d\n", t0 + i * 300, i <= 144 ? 30 : 35 }' |
    xargs rrdtool update "$D/maturity/desk/licence-matlab.rrd"

# magic FILE: what its first bytes say it is, and its pixel size for PNG.
magic() {
	case "$(head -c 8 "$1" | od -An -c | tr -d ' \n')" in
	*PNG*) echo "png $(od -An -tu1 -j16 -N8 "$1" | awk '{
		print $3 * 256 + $4 "x" $7 * 256 + $8 }')" ;;
	%PDF*) echo pdf ;;
	*) if grep -q '<svg' "$1"; then echo svg; else echo other; fi ;;
	esac
}

# 1. Cost per month and quarter, one system and by portfolio, to the cent.
want_cost() { # PER SYSTEMS...: period,sum lines as awk makes them
	local per=$1
	shift
	awk -v per="$per" -v list=" $* " '
	index(list, " " $1 " ") && $2 >= 1767225600 && $2 < 1775001600 {
		cmd = "date -u -d @" $2 " +%Y-%m"; cmd | getline m; close(cmd)
		if (per == "quarter")
			m = substr(m, 1, 4) "Q" int((substr(m, 6, 2) - 1) / 3 + 1)
		sum[m] += $3
	}
	END { for (m in sum) printf "%s,%.2f\n", m, sum[m] }' "$T/cost.txt" | sort
}
G cost --system portal --quarter 2026Q1 --table csv -o "$T/cost.png" \
    >"$T/cost.csv"
expect_eq "cost png" "$(magic "$T/cost.png")" "png 800x300"
expect_eq "cost csv header" "$(head -1 "$T/cost.csv")" "period,portal"
expect_eq "cost per month = awk" "$(grep '^2026' "$T/cost.csv")" \
    "$(want_cost month portal)"
expect_eq "cost total note" "$(grep '^# total portal' "$T/cost.csv")" \
    "# total portal: $(want_cost quarter portal | cut -d, -f2)"
G cost --by portfolio --quarter 2026Q1 --per quarter --table csv \
    >"$T/byp.csv"
expect_eq "by portfolio header" "$(head -1 "$T/byp.csv")" \
    "period,cooperation,service"
expect_eq "by portfolio: service = portal + wiki" \
    "$(awk -F, '$1 == "2026Q1" { print $1 "," $3 }' "$T/byp.csv")" \
    "$(want_cost quarter portal wiki)"
expect_eq "by portfolio: cooperation = desk" \
    "$(awk -F, '$1 == "2026Q1" { print $1 "," $2 }' "$T/byp.csv")" \
    "$(want_cost quarter desk)"
G cost --by owner --from 2026-01-01 --to 2026-05-01 --per month \
    --table json -o "$T/owner.svg" >"$T/owner.json"
expect_eq "by owner svg" "$(magic "$T/owner.svg")" "svg"
expect_eq "json rows" "$(grep -c '"period": "2026-0' "$T/owner.json")" 4
expect_eq "json city April = desk + wiki" \
    "$(grep '"2026-04"' "$T/owner.json" | sed 's/.*"city": \([-0-9.]*\).*/\1/')" \
    "$(awk '($1 == "desk" || $1 == "wiki") && $2 >= 1775001600 { s += $3 }
        END { printf "%.2f", s }' "$T/cost.txt")"
G cost --system desk --quarter 2026Q1 -o "$T/cost.pdf"
expect_eq "cost pdf" "$(magic "$T/cost.pdf")" "pdf"
G cost --system desk --quarter 2026Q1 --format svg -o "$T/cost.out"
expect_eq "--format svg" "$(magic "$T/cost.out")" "svg"

# 2. Cost per user: the quarter's cost / the mean of its known daily users.
G cost-per-user --system portal --quarter 2026Q1 --table csv \
    -o "$T/cpu.png" >"$T/cpu.csv"
expect_eq "cost-per-user png" "$(magic "$T/cpu.png")" "png 800x300"
expect_eq "cost per user = awk" "$(sed -n 2p "$T/cpu.csv")" \
    "$(awk 'FNR == 1 { f++ } $2 >= 1767225600 && $2 < 1775001600 &&
        $1 == "portal" { if (f == 1) c += $3; else { u += $3; n++ } }
        END { printf "2026Q1,%.2f", c / (u / n) }' "$T/cost.txt" "$T/users.txt")"
# A group's: only the systems with users, in numerator and denominator
# (wiki has none: it is left out and said so).
G cost-per-user --by category --quarter 2026Q1 --table csv >"$T/cpu2.csv"
expect_eq "cost per user by category: basic = desk's cost over desk's users" \
    "$(awk -F, 'NR == 2 { print $2 }' "$T/cpu2.csv")" \
    "$(awk 'FNR == 1 { f++ } $2 >= 1767225600 && $2 < 1775001600 {
        if (f == 1 && $1 == "desk" && $3 != "U") c += $3
        if (f == 2 && $1 == "desk") { u += $3; n++ } }
        END { printf "%.2f", c / (u / n) }' "$T/cost.txt" "$T/users.txt")"
expect_eq "cost per user by category: wiki is said to have no users" \
    "$(grep -c '^# basic: 1 of 2 systems have no users figure' "$T/cpu2.csv")" 1

# 3. Availability over the day: the mean of the minutes, as awk has it.
G availability --system portal --from 2026-02-10 --to 2026-02-11 \
    --table csv -o "$T/avail.png" --width 640 --height 240 >"$T/avail.csv"
expect_eq "availability png size" "$(magic "$T/avail.png")" "png 640x240"
expect_eq "availability rows (one a minute)" \
    "$(grep -c '^2026-02-10T' "$T/avail.csv")" 1440
expect_eq "availability note" "$(grep '^# availability' "$T/avail.csv")" \
    "# availability portal: $(awk '{ s += $2 } END { printf "%.3f", s / NR * 100 }' "$T/web.txt") %"
expect_eq "a down minute is 0" \
    "$(grep '^2026-02-10T00:05:00Z' "$T/avail.csv")" \
    "2026-02-10T00:05:00Z,0.000"
G availability --by portfolio --from 2026-02-10 --to 2026-02-11 \
    --table csv -o "$T/availp.pdf" >"$T/availp.csv"
expect_eq "availability by portfolio pdf" "$(magic "$T/availp.pdf")" "pdf"
expect_eq "availability by portfolio: cooperation (desk) has no data" \
    "$(grep '^# availability cooperation' "$T/availp.csv")" \
    "# availability cooperation: unknown %"
# Notes beyond two fifths of the picture: the last ones, after a line
# counting the others, which the table lists (the plot keeps its height).
G availability --by portfolio --from 2026-02-10 --to 2026-02-11 \
    --height 150 -o "$T/availn.pdf"
pdftotext "$T/availn.pdf" "$T/availn.txt"
nnotes=$(grep -c '^# ' "$T/availp.csv")
expect_eq "notes left out of a small picture, counted" \
    "$(grep -c "^$((nnotes - 2)) earlier notes not drawn (itfollow graph --table lists every note)" "$T/availn.txt")" 1
expect_eq "the last notes drawn" \
    "$(grep -cF "$(tail -1 "$T/availp.csv" | sed 's/^# //')" "$T/availn.txt")" 1
expect_eq "the first note left out" \
    "$(grep -cF "$(grep -m1 '^# ' "$T/availp.csv" | sed 's/^# //')" "$T/availn.txt" || true)" 0
G availability --by portfolio --from 2026-02-10 --to 2026-02-11 \
    -o "$T/availp2.pdf"
pdftotext "$T/availp2.pdf" "$T/availp2.txt"
expect_eq "every note in a picture they fit" \
    "$(grep -c "earlier notes not drawn" "$T/availp2.txt" || true),$(grep -c "^# " "$T/availp.csv")" \
    "0,$(grep '^# ' "$T/availp.csv" | sed 's/^# //' | while read -r l; do grep -qF "$l" "$T/availp2.txt" && echo; done | wc -l)"

# 4. Response: the phases in ms, stacked, and the total.
G response --system portal --from 2026-02-10 --to 2026-02-11 \
    --table csv -o "$T/resp.svg" >"$T/resp.csv"
expect_eq "response svg" "$(magic "$T/resp.svg")" "svg"
expect_eq "response header" "$(head -1 "$T/resp.csv")" \
    "time,dns,connect,tls,ttfb,total"
expect_eq "response row" "$(grep '^2026-02-10T00:07:00Z' "$T/resp.csv")" \
    "2026-02-10T00:07:00Z,2.000,10.000,30.000,50.000,107.000"

# 5. Licences: in use against issued, and the utilisation over the day.
G licence --system desk --from 2026-02-10 --to 2026-02-11 --table csv \
    -o "$T/lic.png" >"$T/lic.csv"
expect_eq "licence png" "$(magic "$T/lic.png")" "png 800x300"
expect_eq "licence header" "$(head -1 "$T/lic.csv")" "time,in_use,issued"
expect_eq "licence utilisation" "$(grep '^# utilisation' "$T/lic.csv")" \
    "# utilisation desk: 81.250 %"

# 6. No data: a missing file is a graph that says so.
G availability --system wiki --last 24h --table csv -o "$T/none.png" \
    >"$T/none.csv" 2>"$T/none.err" && rc=0 || rc=$?
expect_eq "no data exit" "$rc" 0
expect_eq "no data png" "$(magic "$T/none.png")" "png 800x300"
expect_eq "no data note" "$(grep '^# availability' "$T/none.csv")" \
    "# availability wiki: unknown %"
: >"$D/quality/desk/smtp.rrd"
G availability --system desk --last 24h -o "$T/empty.png" \
    2>"$T/empty.err" && rc=0 || rc=$?
expect_eq "an empty file: exit 1 with its name" \
    "$rc:$(grep -c "smtp.rrd" "$T/empty.err")" "1:1"
rm "$D/quality/desk/smtp.rrd"

# 7. export: every data source, the step kept or refused, any period.
E() { "$BIN/itfollow" export -c "$T/g.conf" "$@"; }
E --system portal --series web --from 2026-02-10 --to 2026-02-11 \
    --step 1m >"$T/x1.csv"
expect_eq "export header (perspective from the configuration)" \
    "$(head -1 "$T/x1.csv")" "time,up,total,dns,connect,tls,ttfb"
expect_eq "export 1m rows" "$(grep -c '^2026-02-10T' "$T/x1.csv")" 1440
expect_eq "export 1m = the stored minutes" \
    "$(awk -F, 'NR > 1 { s += $2 } END { print s }' "$T/x1.csv")" \
    "$(awk '{ s += $2 } END { print s }' "$T/web.txt")"
E --system portal --series web --from 2026-02-10 --to 2026-02-11 \
    --step 1h --format json >"$T/x2.json"
expect_eq "export 1h rows" "$(grep -c '"time"' "$T/x2.json")" 24
E --system portal --series web --from 2026-02-10 --to 2026-02-11 \
    --step 2m >/dev/null 2>"$T/x3.err" && rc=0 || rc=$?
expect_eq "a step the file does not keep is refused" \
    "$rc:$(grep -c 'keeps no 120s rows' "$T/x3.err")" "1:1"
expect_eq "export --quarter: the quarter's cost" \
    "$(E --system wiki --perspective cost --quarter 2026Q1 |
        awk -F, 'NR > 1 { s += $2 } END { printf "%.2f", s }')" \
    "$(want_cost quarter wiki | cut -d, -f2)"
E --system portal --series nope --last 7d 2>"$T/x4.err" && rc=0 || rc=$?
expect_eq "export of an unknown series: exit 2" \
    "$rc:$(grep -c 'no series nope of system portal' "$T/x4.err")" "2:1"

# 8. Bad requests: a clear message, exit 2.
bad() { # WANT-MESSAGE ARGS...
	local want=$1 out rc
	shift
	out=$(G "$@" 2>&1 >/dev/null) && rc=0 || rc=$?
	expect_eq "exit 2: $*" "$rc" 2
	echo "$out" | grep -qF -- "$want" && ok ||
	    fail "message of $*: got '$out', want '$want'"
}
bad 'unknown system "nosuch"' availability --system nosuch -o "$T/x.png"
bad 'unknown preset "uptime"' uptime --system portal -o "$T/x.png"
bad 'system portal has no quality series "nope"' availability \
    --system portal --series nope -o "$T/x.png"
bad 'bad quarter "2014Q5"' cost --system portal --quarter 2014Q5 -o "$T/x.png"
bad 'ends before it starts' cost --system portal --from 2026-03-01 \
    --to 2026-02-01 -o "$T/x.png"
bad 'unknown grouping "colour"' cost --by colour -o "$T/x.png"
bad 'give --format png|svg|pdf' cost --system portal -o "$T/x.gif"
bad '--format is png, svg or pdf' cost --system portal --format gif \
    -o "$T/x.png"

# The row of now: librrd keeps the step that is not over out of its
# archives; a gauge's newest reading shows in it all the same (a licence
# count read a minute ago), a rate's does not.
now=$(date +%s)
L=$D/maturity/wiki/licence-visio.rrd
mkdir -p "$D/maturity/wiki"
rrdtool create "$L" --start $((now - 3 * 300)) --step 300 \
    DS:issued:GAUGE:600:0:U DS:in_use:GAUGE:600:0:U DS:queued:COUNTER:600:0:U \
    RRA:AVERAGE:0.5:1:576
rrdtool update "$L" "$((now - 60)):40:17:5"
G licence --system wiki --last 24h --table csv >"$T/now.csv"
expect_eq "the row of now: the newest reading" \
    "$(grep -v '^#' "$T/now.csv" | grep -v ',,$' | tail -n +2 | cut -d, -f2-)" \
    "17.00,40.00"
rrdtool fetch "$L" AVERAGE -s $((now - 3600)) -e "$now" >"$T/now.fetch"
expect_eq "librrd's rows: none known yet" \
    "$(grep -c ': [0-9]' "$T/now.fetch" || true)" 0

# A system's graph reads its own collectors, not the other systems' (at a
# city's scale they are most of the file): the same table as from a file
# that holds portal alone. An error in another system's collectors does
# not stop it (itfollow check still says it); one in portal's own is
# reported at its line.
G availability --system portal --quarter 2026Q1 --table csv >"$T/cut.csv"
cat >"$T/one.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates"; };
systems = (
  { id = "portal"; owner = "norrmalm"; category = "differentiating";
    portfolio = "service";
    collectors = ( { type = "http"; series = "web"; url = "http://127.0.0.1:1/"; } ); }
);
CONF
"$BIN/itfollow" graph -c "$T/one.conf" availability --system portal \
    --quarter 2026Q1 --table csv >"$T/one.csv"
expect_eq "a system's graph, others' collectors cut" \
    "$(cmp "$T/cut.csv" "$T/one.csv" && echo same)" same
sed 's/series = "smtp";/series = "smtp"; nokey = 1;/' "$T/g.conf" >"$T/bad.conf"
"$BIN/itfollow" graph -c "$T/bad.conf" availability --system portal \
    --quarter 2026Q1 --table csv >"$T/bad.csv"
expect_eq "another system's bad collector" \
    "$(cmp "$T/cut.csv" "$T/bad.csv" && echo same)" same
line=$(grep -n nokey "$T/bad.conf" | cut -d: -f1)
out=$("$BIN/itfollow" check -c "$T/bad.conf" 2>&1) && rc=0 || rc=$?
echo "$out" | grep -qF "bad.conf:$line: " && ok ||
    fail "itfollow check: got '$out' (rc $rc), want bad.conf:$line"
out=$("$BIN/itfollow" graph -c "$T/bad.conf" availability --system desk \
    --quarter 2026Q1 --table csv 2>&1 >/dev/null) && rc=0 || rc=$?
echo "$out" | grep -qF "bad.conf:$line: " && [ "$rc" != 0 ] && ok ||
    fail "graph of desk: got '$out' (rc $rc), want bad.conf:$line"
# Fonts: the tool's own font configuration (chart_draw.c) reads none of
# the system's files and draws what the system's configuration draws, byte
# for byte, for a time graph (librrd) and bars (cairo and pango), with
# letters beyond ASCII in the legends (an owner's name).
sed 's/owner = "norrmalm";/owner = "Östermalms förvaltning – IT";/' \
    "$T/g.conf" >"$T/fonts.conf"
for p in availability cost; do
	"$BIN/itfollow" graph -c "$T/fonts.conf" "$p" --by owner \
	    --quarter 2026Q1 -o "$T/own-$p.png"
	FONTCONFIG_FILE=/etc/fonts/fonts.conf "$BIN/itfollow" graph \
	    -c "$T/fonts.conf" "$p" --by owner --quarter 2026Q1 \
	    -o "$T/sys-$p.png"
	expect_eq "$p by owner: the same picture with the system's fonts" \
	    "$(cmp "$T/own-$p.png" "$T/sys-$p.png" && echo same)" same
done
expect_eq "the tool's font configuration loads no system file" \
    "$(FC_DEBUG=1024 "$BIN/itfollow" graph -c "$T/fonts.conf" cost \
        --by owner --quarter 2026Q1 -o "$T/x.png" 2>&1 |
        grep -c 'Loading config file' || true)" 0
expect_num "the system's loads its files" \
    "$(FONTCONFIG_FILE=/etc/fonts/fonts.conf FC_DEBUG=1024 "$BIN/itfollow" \
        graph -c "$T/fonts.conf" cost --by owner --quarter 2026Q1 \
        -o "$T/x.png" 2>&1 | grep -c 'Loading config file' || true)" ">" 10
finish
