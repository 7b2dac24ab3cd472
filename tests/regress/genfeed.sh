# Generic feeds: JSON values by RFC 6901 pointers (from a file and over
# HTTP with a bearer token), CSV rows by date written in time order with
# their own dates, a JSON list of daily counts (rows) each counted once
# across a restart, and what a bad feed does (nothing written).
. "$(dirname "$0")/lib.bash"

start_targets
chmod 755 "$T"
printf 'tok3n\n' >"$T/token"
chmod 600 "$T/token"
cat >"$T/stats.json" <<'JSON'
{ "stats": { "total": 1234, "queue": 7.5, "a/b": 3, "updated": "2026-11-27T10:00:00Z" },
  "list": [ 10, 20, 30 ] }
JSON
# Rows out of order, a bad number, a blank line, quoted fields.
cat >"$T/desk.csv" <<'CSV'
date,Tickets opened,"Solved, first line"
2026-11-03,14,9
2026-11-01,12,"7"

2026-11-02,abc,8
CSV
chmod 644 "$T/stats.json" "$T/desk.csv"
free_port STATUS
cat >"$T/g.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; };
systems = (
  { id = "portal"; category = "differentiating"; portfolio = "service"; },
  { id = "desk"; category = "basic"; portfolio = "cooperation"; }
);
feeds = (
  { id = "eservices"; type = "json"; system = "portal";
    url = "file://$T/stats.json"; time = "/stats/updated";
    values = { transactions = "/stats/total"; queue = "/stats/queue";
      escaped = "/stats/a~1b"; second = "/list/1"; }; },
  { id = "eservices-http"; type = "json"; system = "portal";
    url = "http://127.0.0.1:$HTTP/file?auth=bearer&path=$T/stats.json";
    token_file = "$T/token"; perspective = "internal-benefit";
    values = { total = "/stats/total"; }; },
  { id = "eservices-401"; type = "json"; system = "portal";
    url = "http://127.0.0.1:$HTTP/file?auth=bearer&path=$T/stats.json";
    values = { nope = "/stats/total"; }; },
  { id = "missing"; type = "json"; system = "portal";
    url = "file://$T/no-such-file.json"; values = { gone = "/a"; }; },
  { id = "desk"; type = "csv"; system = "desk"; perspective = "internal-benefit";
    url = "file://$T/desk.csv"; date_column = "date"; template = "daily";
    values = { opened = "Tickets opened"; solved = "Solved, first line"; }; }
);
CONF
rc=0
"$BIN/itfollowd" -T -c "$T/g.conf" >"$T/out" 2>"$T/err" || rc=$?
expect_eq "-T exit" "$rc" 0
E=$T/data/rrd/external-benefit/portal
expect_eq "json total" "$(last "$E/transactions.rrd" value)" 1234
expect_eq "json queue" "$(last "$E/queue.rrd" value)" 7.5
expect_eq "json ~1 escape" "$(last "$E/escaped.rrd" value)" 3
expect_eq "json array index" "$(last "$E/second.rrd" value)" 20
expect_eq "json time pointer" "$(rrdtool last "$E/transactions.rrd")" \
    "$(date -u -d 2026-11-27T10:00:00Z +%s)"
expect_eq "json over http with a token" \
    "$(last "$T/data/rrd/internal-benefit/portal/total.rrd" value)" 1234
grep -q "^feed/eservices-401 - (nothing stored) status=down reason=auth" \
    "$T/out" && ok || fail "a 401 is not down/auth with nothing stored"
[ ! -e "$T/data/rrd/external-benefit/portal/nope.rrd" ] && ok ||
    fail "a refused feed wrote"
grep -q "^feed/missing - (nothing stored) status=down reason=connect" \
    "$T/out" && ok || fail "a missing file is not down/connect"

# CSV: every row at its date, in time order; the bad cell unknown.
D=$T/data/rrd/internal-benefit/desk
d1=$(date -u -d 2026-11-01 +%s)
d3=$(date -u -d 2026-11-03 +%s)
expect_eq "csv last row's date" "$(rrdtool last "$D/opened.rrd")" "$d3"
rrdtool fetch "$D/opened.rrd" AVERAGE -r 86400 -s $((d1 - 86400)) \
    -e "$d3" >"$T/opened"
rrdtool fetch "$D/solved.rrd" AVERAGE -r 86400 -s $((d1 - 86400)) \
    -e "$d3" >"$T/solved"
day() { awk -v t="$2:" '$1 == t { printf "%g", $2 }' "$1"; }
expect_eq "csv opened day 1 (the first row)" "$(day "$T/opened" "$d1")" 12
expect_eq "csv opened day 2" "$(day "$T/opened" $((d1 + 86400)) | tr -d -)" nan
expect_eq "csv opened day 3" "$(day "$T/opened" "$d3")" 14
expect_eq "csv solved day 2" "$(day "$T/solved" $((d1 + 86400)))" 8
expect_eq "csv solved day 3" "$(day "$T/solved" "$d3")" 9
grep -q "feed/desk: row .*abc" "$T/err" && ok ||
    fail "the bad CSV cell is not reported with its row"

# A JSON list of points (rows): daily counts, each row once, also after
# a restart; a row whose count changed after it was counted is not
# counted again, a bad element is reported with its index.
cat >"$T/days.json" <<'JSON'
{ "days": [ { "date": "2026-11-02", "n": 7 }, { "date": "2026-11-01", "n": 5 },
  { "date": "someday", "n": 1 } ] }
JSON
chmod 644 "$T/days.json"
cat >"$T/r.conf" <<CONF
daemon = { data_dir = "$T/rdata"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; };
systems = ( { id = "portal"; category = "differentiating"; portfolio = "service"; } );
feeds = ( { id = "days"; type = "json"; system = "portal"; url = "file://$T/days.json";
  rows = "/days"; time = "/date"; template = "events"; values = { visits = "/n"; }; } );
CONF
"$BIN/itfollowd" -T -c "$T/r.conf" >"$T/rout" 2>"$T/rerr" || rc=$?
grep -q 'feed/days: row 2: time "/date": the string "someday" is not a time' \
    "$T/rerr" && ok || fail "a bad element is not reported: $(cat "$T/rerr")"
cat >"$T/days.json" <<'JSON'
{ "days": [ { "date": "2026-11-02", "n": 70 }, { "date": "2026-11-01", "n": 5 },
  { "date": "2026-11-03", "n": 9 } ] }
JSON
"$BIN/itfollowd" -T -c "$T/r.conf" >>"$T/rout" 2>>"$T/rerr" || rc=$?
expect_eq "-T exit (rows)" "$rc" 0
"$BIN/itfollow" export -c "$T/r.conf" --system portal --series visits \
    --from 2026-11-01 --to 2026-11-04 --step 1d --format csv >"$T/visits.csv"
expect_eq "rows: each day's count once" \
    "$(grep '^2026' "$T/visits.csv" | cut -d, -f2 | tr '\n' ' ')" "5 7 9 "
sed -i 's|time = "/date"; ||' "$T/r.conf"
"$BIN/itfollowd" -n -c "$T/r.conf" >"$T/rn" 2>&1 && rc=0 || rc=$?
expect_eq "rows without time: a configuration error" "$rc" 1
grep -q "r.conf:5: .*rows want a time" "$T/rn" && ok ||
    fail "rows without time: $(cat "$T/rn")"

# JSON that is not: down, nothing written.
echo '{ "stats": { "total": 12' >"$T/stats.json"
rm -rf "$T/data"
"$BIN/itfollowd" -T -c "$T/g.conf" >"$T/out2" 2>"$T/err2" || true
grep -q "^feed/eservices - (nothing stored) status=down reason=parse_error" \
    "$T/out2" && ok || fail "truncated JSON is not down/parse_error"
[ ! -e "$E/transactions.rrd" ] && ok || fail "truncated JSON wrote"
finish
