# Journal schema versions: a version 1 file (as the first release wrote
# it, with an outage left open) is migrated in place and its outage carried
# on and ended; a file newer than the daemon is reported and left alone
# while probes go on landing in RRD.
. "$(dirname "$0")/lib.bash"

start_targets
free_port STATUS
J=$T/data/journal.sqlite
q() { sqlite3 "$J" "$1"; }

mkdir -p "$T/data"
now=$(date +%s)
sqlite3 "$J" >/dev/null <<SQL
PRAGMA journal_mode = WAL;
CREATE TABLE state_changes (id INTEGER PRIMARY KEY, system TEXT NOT NULL, series TEXT NOT NULL, time INTEGER NOT NULL, from_state TEXT, to_state TEXT NOT NULL, reason TEXT NOT NULL);
CREATE INDEX state_changes_series ON state_changes (system, series, time);
CREATE TABLE outages (id INTEGER PRIMARY KEY, system TEXT NOT NULL, series TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER, reason TEXT NOT NULL, planned INTEGER NOT NULL DEFAULT 0, UNIQUE (system, series, start));
CREATE TABLE failed_runs (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, system TEXT NOT NULL, series TEXT NOT NULL, collector TEXT NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL, message TEXT);
CREATE INDEX failed_runs_time ON failed_runs (time);
CREATE TABLE coverage (system TEXT NOT NULL, series TEXT NOT NULL, start INTEGER NOT NULL, end INTEGER NOT NULL, PRIMARY KEY (system, series, start));
CREATE TABLE series_state (system TEXT NOT NULL, series TEXT NOT NULL, state TEXT NOT NULL, fails INTEGER NOT NULL, first_fail INTEGER NOT NULL, first_reason TEXT NOT NULL, span_start INTEGER NOT NULL, span_end INTEGER NOT NULL, PRIMARY KEY (system, series));
CREATE TABLE notifications (id INTEGER PRIMARY KEY, time INTEGER NOT NULL, notifier TEXT NOT NULL, event TEXT NOT NULL, system TEXT NOT NULL, series TEXT NOT NULL, attempts INTEGER NOT NULL, delivered INTEGER NOT NULL, last_error TEXT);
INSERT INTO outages (system, series, start, reason) VALUES ('portal', 'web', $((now - 600)), 'connect');
INSERT INTO series_state VALUES ('portal', 'web', 'down', 5, $((now - 600)), 'connect', $((now - 900)), $((now - 60)));
INSERT INTO notifications VALUES (7, $((now - 600)), 'hook', 'outage_start', 'portal', 'web', 3, 0, 'HTTP status 500');
PRAGMA user_version = 1;
SQL

cat >"$T/m.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
defaults = { interval = 1; timeout = 0.8; };
systems = (
  { id = "portal"; owner = "it"; category = "basic"; portfolio = "service";
    collectors = (
      { type = "http"; series = "web"; url = "http://127.0.0.1:$HTTP/ok"; }
    ); }
);
CONF
"$BIN/itfollowd" -f -c "$T/m.conf" 2>"$T/log" &
DPID=$!
PIDS="$PIDS $DPID"
sleep 3
kill -TERM "$DPID"
rc=0
wait "$DPID" || rc=$?
expect_eq "daemon exit" "$rc" 0
expect_eq "migrated to version 3" "$(q 'pragma user_version')" 3
expect_eq "events table made" \
    "$(q "select count(*) from sqlite_master where name = 'events'")" 1
expect_eq "notifications gained payload" \
    "$(q "select count(*) from pragma_table_info('notifications') where name = 'payload'")" 1
expect_eq "old rows kept" "$(q 'select last_error from notifications where id = 7')" \
    "HTTP status 500"
expect_eq "the open outage carried on, not duplicated" \
    "$(q 'select count(*) from outages')" 1
expect_num "and ended by the first success" \
    "$(q 'select end from outages')" ">=" "$now"
expect_eq "its start kept" "$(q 'select start from outages')" $((now - 600))
grep -q "journal $J: 1 open outage(s) carried on" "$T/log" ||
    fail "open outage not loaded: $(cat "$T/log")"

# A journal from a newer daemon: reported, not touched, probes go on.
q 'pragma user_version = 99'
"$BIN/itfollowd" -f -c "$T/m.conf" 2>"$T/log2" &
DPID=$!
PIDS="$PIDS $DPID"
before=$(rrdtool last "$T/data/rrd/quality/portal/web.rrd")
sleep 3
kill -TERM "$DPID"
wait "$DPID" || true
grep -q "journal $J: cannot open: schema version 99 is newer than this daemon's (3)" "$T/log2" ||
    fail "newer journal not reported: $(cat "$T/log2")"
expect_num "probes land in RRD meanwhile" \
    "$(rrdtool last "$T/data/rrd/quality/portal/web.rrd")" ">" "$before"
expect_eq "the newer journal left alone" "$(q 'pragma user_version')" 99
ls "$T/data"/journal.sqlite.corrupt-* >/dev/null 2>&1 &&
    fail "a newer journal was moved aside"
finish
