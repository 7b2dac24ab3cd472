# Availability within service hours, in local time: a journal of known
# coverage and outages (made by the real daemon, then filled with sqlite3,
# so no test waits across a DST change) for systems in Europe/Stockholm
# with weekday hours, holidays, a system of its own hours open on
# holidays, a maintenance window inside service hours, outages inside and
# outside the hours, over a weekend, across both DST changes of 2026 and
# on holidays. Every figure of the report (CSV and JSON, per system and
# per group), the scorecard and the availability graph is compared with
# tests/tools/availref.py, which works them out again with python3's
# zoneinfo; the periods' local midnights too. Then the API and the
# dashboard of a daemon running on the same journal.
. "$(dirname "$0")/lib.bash"
export LSAN_OPTIONS="${LSAN_OPTIONS:-}:fast_unwind_on_malloc=0"

free_port STATUS
e() { date -d "$1" +%s; } # GNU date reads the offsets given
J=$T/data/journal.sqlite
q() { sqlite3 "$J" "$1"; }
I() { "$BIN/itfollow" "$@"; }

cat >"$T/s.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; timezone = "Europe/Stockholm"; };
service_hours = ( ("mon-fri", "07:00", "18:00") );
# Good Friday, Easter Monday, Christmas Eve and Day.
holidays = ( "2026-04-03", "2026-04-06", "2026-12-24", "2026-12-25" );
maintenance = ( { from = "2026-03-30T06:00:00Z"; to = "2026-03-30T07:00:00Z"; } );
systems = (
  { id = "portal"; owner = "norrmalm"; category = "differentiating";
    portfolio = "service"; collectors = ( ); },
  # Nights and weekends, across both DST changes; open on holidays.
  { id = "desk"; owner = "city"; category = "basic"; portfolio = "service";
    service_hours = ( ("sat,sun", "01:00", "04:00"), ("mon-fri", "16:00", "24:00") );
    holidays = ( ); collectors = ( ); },
  { id = "wiki"; owner = "city"; category = "basic"; portfolio = "cooperation";
    collectors = ( ); }
);
CONF
"$BIN/itfollowd" -n -c "$T/s.conf" || fail "-n rejects the configuration"

# The daemon makes the journal with its schema, then the rows are ours.
"$BIN/itfollowd" -f -c "$T/s.conf" 2>"$T/log0" &
DPID=$!
PIDS="$PIDS $DPID"
wait_file "$J"
wait_http "http://127.0.0.1:$STATUS/health"
kill "$DPID"
wait "$DPID" 2>/dev/null || true

Y0=$(e 2026-01-01T00:00:00+01:00)
Y1=$(e 2027-01-01T00:00:00+01:00)
# outage SYSTEM SERIES FROM TO|NULL: into the journal and the scenario.
OUT=""
outage() {
	local to=$4
	[ "$to" = NULL ] || to=$(e "$4")
	q "insert into outages (system, series, start, end, reason, planned)
	   values ('$1', '$2', $(e "$3"), $to, 'connect', 0)"
	OUT="$OUT$1 $(e "$3") $([ "$to" = NULL ] && echo null || echo "$to")
"
}
q "delete from outages; delete from coverage; delete from series_state;
   delete from state_changes"
# Coverage: portal and desk all year but two hours on a Monday morning
# (the daemon stopped); wiki March and April only.
GAP1=$(e 2026-10-26T10:00:00+01:00)
GAP2=$(e 2026-10-26T12:00:00+01:00)
M1=$(e 2026-03-01T00:00:00+01:00)
M2=$(e 2026-05-01T00:00:00+02:00)
q "insert into coverage values ('portal', 'web', $Y0, $GAP1),
   ('portal', 'web', $GAP2, $Y1), ('portal', 'api', $Y0, $Y1),
   ('desk', 'web', $Y0, $Y1), ('wiki', 'web', $M1, $M2)"
# portal: a Friday morning; a Saturday; Sunday night into Monday across
# the spring change; Monday half in the window; Good Friday; Friday
# evening to Monday across the autumn change; two series at once; an
# hour on Christmas Eve; one still open at the year's end.
outage portal web 2026-03-27T10:00:00+01:00 2026-03-27T10:30:00+01:00
outage portal web 2026-03-28T10:00:00+01:00 2026-03-28T12:00:00+01:00
outage portal web 2026-03-29T01:30:00+01:00 2026-03-30T07:30:00+02:00
outage portal web 2026-03-30T08:30:00+02:00 2026-03-30T09:30:00+02:00
outage portal web 2026-04-03T09:00:00+02:00 2026-04-03T11:00:00+02:00
outage portal web 2026-10-23T17:30:00+02:00 2026-10-26T07:15:00+01:00
outage portal api 2026-10-27T11:00:00+01:00 2026-10-27T11:20:00+01:00
outage portal web 2026-10-27T11:10:00+01:00 2026-10-27T11:40:00+01:00
outage portal web 2026-12-24T10:00:00+01:00 2026-12-24T11:00:00+01:00
outage portal web 2026-12-31T17:00:00+01:00 NULL
# desk: its Sunday window on both change days, a weekday evening, and
# Christmas Eve (it keeps no holidays).
outage desk web 2026-03-29T01:00:00+01:00 2026-03-29T03:30:00+02:00
outage desk web 2026-10-25T02:15:00+02:00 2026-10-25T02:45:00+01:00
outage desk web 2026-06-10T15:00:00+02:00 2026-06-10T17:00:00+02:00
outage desk web 2026-12-24T20:00:00+01:00 2026-12-24T21:00:00+01:00
# wiki: Easter Monday, and a Tuesday.
outage wiki web 2026-04-06T10:00:00+02:00 2026-04-06T12:00:00+02:00
outage wiki web 2026-04-07T10:00:00+02:00 2026-04-07T10:05:00+02:00

# The scenario as the reference reads it.
python3 - "$T" "$OUT" <<'PY'
import json, sys
t, out = sys.argv[1], sys.argv[2]
def e(s):
    import datetime
    return int(datetime.datetime.fromisoformat(s).timestamp())
cov = {"portal": [[e("2026-01-01T00:00:00+01:00"), e("2026-10-26T10:00:00+01:00")],
                  [e("2026-10-26T12:00:00+01:00"), e("2027-01-01T00:00:00+01:00")],
                  [e("2026-01-01T00:00:00+01:00"), e("2027-01-01T00:00:00+01:00")]],
       "desk": [[e("2026-01-01T00:00:00+01:00"), e("2027-01-01T00:00:00+01:00")]],
       "wiki": [[e("2026-03-01T00:00:00+01:00"), e("2026-05-01T00:00:00+02:00")]]}
outs = {"portal": [], "desk": [], "wiki": []}
for line in out.strip().split("\n"):
    s, a, b = line.split()
    outs[s].append([int(a), None if b == "null" else int(b)])
sc = {"zone": "Europe/Stockholm",
      "hours": [["mon-fri", "07:00", "18:00"]],
      "holidays": ["2026-04-03", "2026-04-06", "2026-12-24", "2026-12-25"],
      "maintenance": [[e("2026-03-30T06:00:00+00:00"), e("2026-03-30T07:00:00+00:00")]],
      "systems": {
          "portal": {"groups": {"portfolio": "service", "category": "differentiating",
                                "owner": "norrmalm"},
                     "coverage": cov["portal"], "outages": outs["portal"]},
          "desk": {"groups": {"portfolio": "service", "category": "basic", "owner": "city"},
                   "hours": [["sat,sun", "01:00", "04:00"], ["mon-fri", "16:00", "24:00"]],
                   "holidays": [], "coverage": cov["desk"], "outages": outs["desk"]},
          "wiki": {"groups": {"portfolio": "cooperation", "category": "basic", "owner": "city"},
                   "coverage": cov["wiki"], "outages": outs["wiki"]}},
      "groups": ["portfolio", "category", "owner"],
      "periods": [{"name": "q1", "quarter": "2026Q1"}, {"name": "q2", "quarter": "2026Q2"},
                  {"name": "q4", "quarter": "2026Q4"}, {"name": "y", "year": "2026"},
                  {"name": "mar", "month": "2026-03"}, {"name": "oct", "month": "2026-10"},
                  {"name": "dst", "from": "2026-03-28", "to": "2026-03-31"},
                  {"name": "epoch", "from": e("2026-10-24T22:30:00+00:00"),
                   "to": e("2026-10-26T09:00:00+00:00")}]}
json.dump(sc, open(t + "/scenario.json", "w"))
PY
python3 "$SRC/tests/tools/availref.py" "$T/scenario.json" >"$T/want.jsonl" ||
    fail "the reference failed"

# The command line of each period, as the reference names it.
popt() {
	case $1 in
	q1) echo "--quarter 2026Q1" ;; q2) echo "--quarter 2026Q2" ;;
	q4) echo "--quarter 2026Q4" ;; y) echo "--year 2026" ;;
	mar) echo "--month 2026-03" ;; oct) echo "--month 2026-10" ;;
	dst) echo "--from 2026-03-28 --to 2026-03-31" ;;
	epoch) echo "--from @$(e 2026-10-24T22:30:00Z) --to @$(e 2026-10-26T09:00:00Z)" ;;
	esac
}
# same NAME GOT WANT TOL: numbers (or both empty) within TOL.
same() {
	if { [ -z "$2" ] && [ "$3" = null ]; } ||
	    { [ -n "$2" ] && [ "$3" != null ] && awk -v g="$2" -v w="$3" -v t="$4" \
	        'BEGIN { d = g - w; if (d < 0) d = -d; exit !(d <= t) }'; }; then
		ok
	else
		fail "$1: got '$2', want $3 (+- $4)"
	fi
}
# Column of a CSV row by the header's name.
col() { awk -F, -v k="$2" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == k) c = i }
	NR == 2 { print $c }' "$1"; }

n=0
while read -r w; do
	per=$(echo "$w" | jq -r .period)
	who=$(echo "$w" | jq -r .who)
	x() { echo "$w" | jq -r ".$1"; }
	# shellcheck disable=SC2046
	case $who in
	*:*) I report availability -c "$T/s.conf" --by "${who%%:*}" $(popt "$per") \
	    --format csv | awk -F, -v g="\"${who#*:}\"" 'NR == 1 || $1 == g' >"$T/r.csv" ;;
	*) I report availability -c "$T/s.conf" --system "$who" $(popt "$per") \
	    --format csv >"$T/r.csv" ;;
	esac
	tag="$per $who"
	expect_eq "$tag: from" "$(date -d "$(col "$T/r.csv" from)" +%s)" "$(x frm)"
	expect_eq "$tag: to" "$(date -d "$(col "$T/r.csv" to)" +%s)" "$(x to)"
	for k in unknown_s maintenance_s outages service_outages service_s \
	    service_unknown_s; do
		expect_eq "$tag: $k" "$(col "$T/r.csv" $k)" "$(x $k)"
	done
	same "$tag: availability_pct" "$(col "$T/r.csv" availability_pct)" \
	    "$(x availability_pct)" 0.00005
	same "$tag: service_availability_pct" \
	    "$(col "$T/r.csv" service_availability_pct)" \
	    "$(x service_availability_pct)" 0.00005
	same "$tag: mttr_s" "$(col "$T/r.csv" mttr_s)" "$(x mttr_s)" 0.05
	same "$tag: service_mttr_s" "$(col "$T/r.csv" service_mttr_s)" \
	    "$(x service_mttr_s)" 0.05
	n=$((n + 1))
done <"$T/want.jsonl"
expect_eq "rows compared with the reference" "$n" 72

want() { jq -r "select(.period == \"$1\" and .who == \"$2\") | .$3" "$T/want.jsonl"; }
# The figures must differ where the hours matter, or the test shows nothing.
expect_eq "portal's service outages in Q1 (Fri, Sun-Mon, Mon after the window)" \
    "$(want q1 portal service_outages)" 3
expect_eq "the autumn outage over the weekend is one service outage" \
    "$(want oct portal service_outages)" 2
expect_eq "desk's window on the spring change day is 2 h" \
    "$(want dst desk service_s)" $((3 * 3600 + 2 * 3600 + 8 * 3600))

# JSON: the same keys, and the zone.
I report availability -c "$T/s.conf" --system desk --quarter 2026Q4 \
    --format json >"$T/r.json"
expect_eq "json: service_outages" "$(jq '.[0].service_outages' "$T/r.json")" \
    "$(want q4 desk service_outages)"
same "json: service_availability_pct" \
    "$(jq '.[0].service_availability_pct' "$T/r.json")" \
    "$(want q4 desk service_availability_pct)" 0.00005
expect_eq "json: timezone" "$(jq -r '.[0].timezone' "$T/r.json")" Europe/Stockholm
expect_eq "json: from, local with its offset" "$(jq -r '.[0].from' "$T/r.json")" \
    2026-10-01T00:00:00+02:00
# Text: local times, the zone and the hours said.
I report availability -c "$T/s.conf" --system portal --quarter 2026Q1 >"$T/r.txt"
grep -q "2026-01-01T00:00:00+01:00 2026-04-01T00:00:00+02:00" "$T/r.txt" && ok ||
    fail "text report: local from/to missing: $(cat "$T/r.txt")"
grep -q "^times in Europe/Stockholm$" "$T/r.txt" && ok || fail "text: no zone"
grep -q "^SVC: within service hours, mon-fri 07:00-18:00, not on 4 holiday(s) (Europe/Stockholm)$" \
    "$T/r.txt" && ok || fail "text: service hours not said: $(cat "$T/r.txt")"

# The scorecard: the same figures per system, group and total.
for per in q1 q4; do
	# shellcheck disable=SC2046
	I report scorecard -c "$T/s.conf" $(popt $per) --format csv >"$T/sc.csv"
	for s in portal desk wiki; do
		row=$(awk -F, -v s=$s '$1 == s' "$T/sc.csv")
		c() { awk -F, -v k="$1" 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == k) print i }' "$T/sc.csv"; }
		same "scorecard $per $s: service_availability_pct" \
		    "$(echo "$row" | cut -d, -f"$(c service_availability_pct)")" \
		    "$(want $per $s service_availability_pct)" 0.0005
		expect_eq "scorecard $per $s: service_outages" \
		    "$(echo "$row" | cut -d, -f"$(c service_outages)")" \
		    "$(want $per $s service_outages)"
		same "scorecard $per $s: availability_pct" \
		    "$(echo "$row" | cut -d, -f"$(c availability_pct)")" \
		    "$(want $per $s availability_pct)" 0.0005
	done
	# shellcheck disable=SC2046
	I report scorecard -c "$T/s.conf" $(popt $per) --by portfolio --format json >"$T/sc.json"
	same "scorecard $per by portfolio: service" \
	    "$(jq -r '.rows[] | select(.name == "service") | .service_availability_pct' "$T/sc.json")" \
	    "$(want $per portfolio:service service_availability_pct)" 0.0005
	expect_eq "scorecard $per: timezone" "$(jq -r .timezone "$T/sc.json")" Europe/Stockholm
done
I report scorecard -c "$T/s.conf" --quarter 2026Q1 --html "$T/sc.html" >/dev/null
grep -q "availability within service hours" "$T/sc.html" && ok ||
    fail "scorecard HTML: no service-hours column"
expect_num "scorecard HTML: its charts (availability, within service hours, ...)" \
    "$(grep -o 'src="data:image/png;base64,' "$T/sc.html" | wc -l)" ">=" 5

# The graph's printed figures, one system and grouped. A graph draws the
# configured quality series: the same systems, each with a probe (no
# daemon runs this configuration).
sed 's|collectors = ( );|collectors = ( { type = "tcp"; series = "web"; host = "127.0.0.1"; port = 1; } );|' \
    "$T/s.conf" >"$T/g.conf"
I graph -c "$T/g.conf" availability --system portal --quarter 2026Q4 \
    --table csv >"$T/g.csv"
same "graph: availability" \
    "$(sed -n 's/^# availability portal: \([0-9.]*\) %$/\1/p' "$T/g.csv")" \
    "$(want q4 portal availability_pct)" 0.0005
same "graph: service-hours availability" \
    "$(sed -n 's/^# service-hours availability portal: \([0-9.]*\) % .*/\1/p' "$T/g.csv")" \
    "$(want q4 portal service_availability_pct)" 0.0005
grep -q "^# service-hours availability portal: .* ($(want q4 portal service_outages) outages; mon-fri 07:00-18:00, not on 4 holiday(s), Europe/Stockholm)$" \
    "$T/g.csv" && ok || fail "graph: service hours not said: $(grep '^#' "$T/g.csv")"
grep -q "^# times in Europe/Stockholm$" "$T/g.csv" && ok || fail "graph: no zone"
grep -q "^# outage web 2026-10-23T17:30:00+02:00..2026-10-26T07:15:00+01:00 (connect)$" \
    "$T/g.csv" && ok || fail "graph: outage times not local"
I graph -c "$T/g.conf" availability --by portfolio --quarter 2026Q1 \
    --table csv >"$T/gp.csv"
same "graph by portfolio: service-hours availability" \
    "$(sed -n 's/^# service-hours availability service: \([0-9.]*\) % .*/\1/p' "$T/gp.csv")" \
    "$(want q1 portfolio:service service_availability_pct)" 0.0005
# A system with no hours of its own or above shows no service figure.
sed 's/^service_hours = .*$//; s/^holidays = .*$//' "$T/g.conf" >"$T/n.conf"
I graph -c "$T/n.conf" availability --system wiki --quarter 2026Q2 \
    --table csv >"$T/gn.csv"
grep -q "service-hours" "$T/gn.csv" && fail "a service figure without service hours" || ok
I report availability -c "$T/n.conf" --system wiki --quarter 2026Q2 \
    --format csv >"$T/rn.csv"
expect_eq "without service hours the service figure is the all-hours one" \
    "$(col "$T/rn.csv" service_availability_pct)" "$(col "$T/rn.csv" availability_pct)"

# Without a journal: the up series' hourly rows, each counted within
# service hours by its part inside them. Up all March and April 2026 but
# for some hours: inside and outside service hours, from a Friday evening
# to the Monday after the spring change, half an hour on Good Friday, and
# a gap (no row) that ends a run.
R0=$(e 2026-03-01T00:00:00+01:00)
python3 - "$T" "$R0" <<'PY'
import datetime, json, sys
t, r0 = sys.argv[1], int(sys.argv[2])
def e(s):
    return int(datetime.datetime.fromisoformat(s).timestamp())
down = {e("2026-03-03T10:00:00+01:00"): 0, e("2026-03-03T11:00:00+01:00"): 0.5,
        e("2026-03-04T02:00:00+01:00"): 0,
        e("2026-03-27T17:00:00+01:00"): 0.25, e("2026-03-30T07:00:00+02:00"): 0.5,
        e("2026-04-03T09:00:00+02:00"): 0.5,
        e("2026-04-14T17:00:00+02:00"): 0, e("2026-04-14T19:00:00+02:00"): 0}
gap = {e("2026-04-14T18:00:00+02:00")}
rows, upd = [], []
for h in range((e("2026-05-01T00:00:00+02:00") - r0) // 3600):
    s = r0 + h * 3600
    if s in gap:
        upd.append(f"{s + 3600}:U")
        continue
    # Friday 17:00 to Monday 07:00 down over the spring change.
    v = 0 if e("2026-03-27T18:00:00+01:00") <= s < e("2026-03-30T07:00:00+02:00") else 1
    rows.append([s, down.get(s, v)])
    upd.append(f"{s + 3600}:{rows[-1][1]}")
open(t + "/rows.txt", "w").write("\n".join(upd) + "\n")
sc = {"zone": "Europe/Stockholm", "step": 3600,
      "hours": [["mon-fri", "07:00", "18:00"]], "holidays": ["2026-04-03"],
      "systems": {"portal": {"rows": rows, "groups": {}}},
      "periods": [{"name": "mar", "month": "2026-03"}, {"name": "apr", "month": "2026-04"},
                  {"name": "both", "from": "2026-03-01", "to": "2026-05-01"}]}
json.dump(sc, open(t + "/rrd-scenario.json", "w"))
PY
mkdir -p "$T/rrd-only/rrd/quality/portal"
rrdtool create "$T/rrd-only/rrd/quality/portal/web.rrd" --start $((R0 - 3600)) \
    --step 3600 DS:up:GAUGE:7200:0:1 RRA:AVERAGE:0.5:1:2000
xargs rrdtool update "$T/rrd-only/rrd/quality/portal/web.rrd" <"$T/rows.txt"
cat >"$T/rrd.conf" <<CONF
daemon = { data_dir = "$T/rrd-only"; templates_dir = "$SRC/rrd-templates";
  timezone = "Europe/Stockholm"; };
service_hours = ( ("mon-fri", "07:00", "18:00") );
holidays = ( "2026-04-03" );
systems = ( { id = "portal"; category = "basic"; portfolio = "service";
  collectors = ( { type = "tcp"; series = "web"; host = "127.0.0.1"; port = 1; } ); } );
CONF
python3 "$SRC/tests/tools/availref.py" "$T/rrd-scenario.json" >"$T/rrd-want.jsonl"
rw() { jq -r "select(.period == \"$1\") | .$2" "$T/rrd-want.jsonl"; }
for per in mar apr both; do
	case $per in
	mar) o="--month 2026-03" ;; apr) o="--month 2026-04" ;;
	both) o="--from 2026-03-01 --to 2026-05-01" ;;
	esac
	# shellcheck disable=SC2086
	I report scorecard -c "$T/rrd.conf" $o --format json >"$T/rrd.json"
	j() { jq -r ".rows[] | select(.name == \"portal\") | .$1" "$T/rrd.json"; }
	same "rows $per: availability" "$(j availability_pct)" "$(rw $per availability_pct)" 0.0005
	same "rows $per: within service hours" "$(j service_availability_pct)" \
	    "$(rw $per service_availability_pct)" 0.0005
	expect_eq "rows $per: outages" "$(j outages)" "$(rw $per outages)"
	expect_eq "rows $per: service outages" "$(j service_outages)" "$(rw $per service_outages)"
	# shellcheck disable=SC2086
	I graph -c "$T/rrd.conf" availability --system portal $o --table csv >"$T/rrd-g.csv"
	same "rows $per: the graph's service figure" \
	    "$(sed -n 's/^# service-hours availability portal: \([0-9.]*\) % .*/\1/p' "$T/rrd-g.csv")" \
	    "$(rw $per service_availability_pct)" 0.0005
done
expect_eq "rows: March's service outages (Tue 10-12, the Friday-Monday run)" \
    "$(rw mar service_outages)" 2
expect_eq "rows: April's (Good Friday is a holiday; after the gap on 14 Apr, 19:00 is outside the hours)" \
    "$(rw apr service_outages)" 1

# A daemon on the journal: the API's figures are the report's over the
# period it names, with local times and the zone.
"$BIN/itfollowd" -f -c "$T/s.conf" 2>"$T/log1" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "http://127.0.0.1:$STATUS/health"
curl -s "http://127.0.0.1:$STATUS/api/v1/availability" >"$T/api.json"
expect_eq "api: timezone" "$(jq -r .timezone "$T/api.json")" Europe/Stockholm
af=$(jq -r '.systems[] | select(.id == "portal") | .["30d"].from' "$T/api.json")
at=$(jq -r '.systems[] | select(.id == "portal") | .["30d"].to' "$T/api.json")
case $af in *T00:00:00+0[12]:00) ok ;; *) fail "api: 30 d does not begin at local midnight: $af" ;; esac
I report availability -c "$T/s.conf" --system portal --from "@$(date -d "$af" +%s)" \
    --to "@$(date -d "$at" +%s)" --format csv >"$T/ra.csv"
same "api 30 d: service availability is the report's" \
    "$(jq -r '.systems[] | select(.id == "portal") | .["30d"].service_availability_pct' "$T/api.json")" \
    "$(col "$T/ra.csv" service_availability_pct)" 0.001
expect_eq "api 30 d: service outages are the report's" \
    "$(jq -r '.systems[] | select(.id == "portal") | .["30d"].service_outages' "$T/api.json")" \
    "$(col "$T/ra.csv" service_outages)"
curl -s "http://127.0.0.1:$STATUS/" >"$T/index.html"
grep -q 'title="[^"]*(Europe/Stockholm); [0-9.]* % of the time known; [0-9.]* % within service hours"' \
    "$T/index.html" && ok || fail "dashboard: cell title without the zone and the service figure"
finish
