# The outage journal and `itfollow report availability` end to end: the
# real daemon probes a target that is made to fail for known stretches
# (one inside a maintenance window), then the report's figures are checked
# against the stretches as timed here, each to within one probe interval.
# Then a restart in the middle of an outage, and bad input to the report.
. "$(dirname "$0")/lib.bash"

start_targets
free_port STATUS
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
now() { date +%s.%N; }
sleep_until() { while [ "$(date +%s)" -lt "$1" ]; do sleep 0.05; done; }
# near NAME GOT WANT TOL
near() {
	if [ -n "$2" ] && awk -v g="$2" -v w="$3" -v t="$4" \
	    'BEGIN { d = g - w; if (d < 0) d = -d; exit !(d <= t) }'; then
		ok
	else
		fail "$1: got '$2', want $3 +- $4"
	fi
}
q() { sqlite3 "$T/data/journal.sqlite" "$1"; }

S=$(($(date +%s) + 3))
M1=$((S + 16))
M2=$((S + 26))
E=$((S + 30))
cat >"$T/j.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
defaults = { interval = 1; timeout = 0.8; fail_after = 2; };
systems = (
  { id = "portal"; name = "Portal"; owner = "Town hall, IT"; category = "basic";
    portfolio = "service";
    maintenance = ( { from = "$(iso $M1)"; to = "$(iso $M2)"; } );
    collectors = (
      { type = "http"; series = "flip"; url = "http://127.0.0.1:$HTTP/flip?file=$T/down"; }
    ); }
);
feeds = (
  { id = "stats"; type = "json"; url = "file://$T/missing.json"; system = "portal";
    values = { visits = "/visits"; }; interval = 2; }
);
CONF
"$BIN/itfollowd" -n -c "$T/j.conf" || fail "-n rejects the configuration"
"$BIN/itfollowd" -f -c "$T/j.conf" 2>"$T/log" &
DPID=$!
PIDS="$PIDS $DPID"

# Up until S+5, down until S+11 (unplanned), up, down from S+18 to S+23
# (inside the window [S+16, S+26): planned), up until E.
sleep_until $((S + 5))
x1=$(now); touch "$T/down"; x2=$(now)
sleep_until $((S + 11))
y1=$(now); rm "$T/down"; y2=$(now)
sleep_until $((S + 18))
touch "$T/down"
sleep_until $((S + 23))
rm "$T/down"
sleep_until $((E + 2))

L1=$(awk -v a="$x1" -v b="$x2" -v c="$y1" -v d="$y2" \
    'BEGIN { print ((c + d) / 2) - ((a + b) / 2) }')
csv=$("$BIN/itfollow" report availability -c "$T/j.conf" --system portal \
    --from "@$S" --to "@$E" --format csv)
echo "$csv"
expect_eq "csv header" "$(echo "$csv" | head -1)" \
    "system,from,to,availability_pct,raw_availability_pct,unknown_s,maintenance_s,outages,longest_outage_s,mttr_s,mtbf_s,service_availability_pct,service_outages,service_mttr_s,service_s,service_unknown_s"
row=$(echo "$csv" | sed -n 2p)
col() { echo "$row" | awk -F, -v i="$1" '{ print $i }'; }
expect_eq "system" "$(col 1)" '"portal"'
expect_eq "from" "$(col 2)" "$(iso $S)"
expect_eq "to" "$(col 3)" "$(iso $E)"
near "unknown_s" "$(col 6)" 0 1
expect_eq "maintenance_s" "$(col 7)" 10
expect_eq "outages (the planned one does not count)" "$(col 8)" 1
near "longest_outage_s" "$(col 9)" "$L1" 1.2
near "mttr_s" "$(col 10)" "$L1" 1.2
# Known outside maintenance: 30 - 10 - unknown; up: that minus the outage.
near "mtbf_s" "$(col 11)" "$(awk -v l="$L1" 'BEGIN { print 20 - l }')" 2.2
near "availability_pct" "$(col 4)" \
    "$(awk -v l="$L1" 'BEGIN { print 100 * (20 - l) / 20 }')" \
    "$(awk 'BEGIN { print 100 * 2.2 / 19 }')"
# Raw: both outages count, maintenance does not matter: (30 - L1 - 5) / 30.
near "raw_availability_pct" "$(col 5)" \
    "$(awk -v l="$L1" 'BEGIN { print 100 * (30 - l - 5) / 30 }')" \
    "$(awk 'BEGIN { print 100 * 2.4 / 29 }')"

# The journal itself: two outages, the second planned, both ended.
expect_eq "outages in the journal" "$(q 'select count(*) from outages')" 2
expect_eq "planned outages" \
    "$(q 'select count(*) from outages where planned = 1')" 1
expect_eq "open outages" \
    "$(q 'select count(*) from outages where end is null')" 0
expect_eq "failed runs carry their reason" \
    "$(q "select count(*) > 5 from failed_runs where reason = 'http_status' and collector = 'http'")" 1
expect_eq "failed feed runs, with the feed id and message" \
    "$(q "select count(*) > 0 from failed_runs where system = 'portal' and series = 'stats' and collector = 'json' and reason = 'connect' and message like 'No such file%'")" 1
expect_eq "feeds make no outages" \
    "$(q "select count(*) from outages where series = 'stats'")" 0
expect_eq "state changes down" \
    "$(q "select count(*) from state_changes where to_state = 'down'")" 2
expect_eq "schema version" "$(q 'pragma user_version')" 3
expect_eq "WAL" "$(q 'pragma journal_mode')" wal

# Grouped, JSON and the text table.
json=$("$BIN/itfollow" report availability -c "$T/j.conf" --by owner \
    --from "@$S" --to "@$E" --format json)
echo "$json" | grep -q '"group": "Town hall, IT", "from": ' ||
    fail "json by owner: $json"
echo "$json" | grep -q '"outages": 1, "longest_outage_s": ' ||
    fail "json outages: $json"
csvg=$("$BIN/itfollow" report availability -c "$T/j.conf" --by owner \
    --from "@$S" --to "@$E" --format csv | sed -n 2p)
expect_eq "csv group quoted" "$(echo "$csvg" | cut -c1-16)" '"Town hall, IT",'
"$BIN/itfollow" report availability -c "$T/j.conf" --by category \
    --from "@$S" --to "@$E" >"$T/text"
grep -q '^GROUP  *FROM  *TO  *AVAIL%' "$T/text" || fail "text header"
grep -q '^basic ' "$T/text" || fail "text row: $(cat "$T/text")"

# A restart in the middle of an outage carries it on: one row, ended.
touch "$T/down"
for i in $(seq 1 100); do
	[ "$(q 'select count(*) from outages where end is null')" = 1 ] && break
	sleep 0.1
done
expect_eq "outage open before the restart" \
    "$(q 'select count(*) from outages where end is null')" 1
kill -TERM "$DPID"
wait "$DPID" || fail "daemon exit status"
"$BIN/itfollowd" -f -c "$T/j.conf" 2>>"$T/log" &
DPID=$!
PIDS="$PIDS $DPID"
sleep 3
rm "$T/down"
for i in $(seq 1 100); do
	[ "$(q 'select count(*) from outages where end is null')" = 0 ] && break
	sleep 0.1
done
expect_eq "one outage across the restart" "$(q 'select count(*) from outages')" 3
expect_eq "and it ended" \
    "$(q 'select count(*) from outages where end is null')" 0
grep -q 'journal .*: 1 open outage(s) carried on' "$T/log" ||
    fail "restart did not load the open outage"

# Bad input: a clear message, exit 2.
bad() {
	local want=$1 rc=0
	shift
	"$BIN/itfollow" report availability -c "$T/j.conf" "$@" \
	    >/dev/null 2>"$T/err" || rc=$?
	expect_eq "exit of $*" "$rc" 2
	grep -q "$want" "$T/err" || fail "$*: $(cat "$T/err")"
}
bad 'unknown system "nope"' --system nope --month 2014-05
bad 'bad quarter "2014Q5"' --system portal --quarter 2014Q5
bad 'ends before it starts' --system portal --from 2014-05-02 --to 2014-05-01
bad 'bad --by "colour"' --by colour --month 2014-05
bad 'one of --system or --by' --month 2014-05
finish
