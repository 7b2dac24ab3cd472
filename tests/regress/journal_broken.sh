# A corrupt or locked journal: reported with its path; the daemon keeps
# storing probes in the RRD files, and the journal is retried: a corrupt
# file is moved aside and a new one started, a locked one gets the records
# that waited once the lock is gone.
. "$(dirname "$0")/lib.bash"

start_targets
free_port STATUS
q() { sqlite3 "$T/data/journal.sqlite" "$1"; }
rrdlast() { rrdtool last "$T/data/rrd/quality/portal/flip.rrd" 2>/dev/null || echo 0; }

mkdir -p "$T/data"
head -c 65536 /dev/urandom >"$T/data/journal.sqlite"
cat >"$T/b.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
store = { write_delay = 0; };
defaults = { interval = 1; timeout = 0.8; fail_after = 2; };
systems = (
  { id = "portal"; owner = "it"; category = "basic"; portfolio = "service";
    collectors = (
      { type = "http"; series = "flip"; url = "http://127.0.0.1:$HTTP/flip?file=$T/down"; }
    ); }
);
CONF
"$BIN/itfollowd" -f -c "$T/b.conf" 2>"$T/log" &
DPID=$!
PIDS="$PIDS $DPID"
sleep 3

# Garbage: moved aside, logged with its path, a new journal in its place.
grep -q "journal $T/data/journal.sqlite is corrupt: moved to $T/data/journal.sqlite.corrupt-" "$T/log" ||
    fail "corrupt journal not reported: $(cat "$T/log")"
ls "$T/data"/journal.sqlite.corrupt-* >/dev/null 2>&1 ||
    fail "corrupt journal not kept aside"
expect_eq "new journal's schema" "$(q 'pragma user_version')" 3
expect_num "new journal has covered time" \
    "$(q 'select count(*) from series_state where span_end > span_start')" ">" 0
expect_num "probes land in RRD" "$(rrdlast)" ">" 0

# Locked: hold the write lock for 5 s while the target fails.
(echo "BEGIN EXCLUSIVE;"; sleep 5; echo "COMMIT;") |
    sqlite3 "$T/data/journal.sqlite" &
LOCK=$!
sleep 0.5
before=$(rrdlast)
touch "$T/down"
lock_from=$(date +%s)
sleep 3.5
rm "$T/down"
during=$(rrdlast)
expect_num "probes land in RRD while the journal is locked" \
    "$during" ">=" $((before + 2))
wait "$LOCK"
grep -q "journal $T/data/journal.sqlite: cannot write: database is locked" "$T/log" ||
    fail "locked journal not reported with its path: $(cat "$T/log")"
for i in $(seq 1 100); do
	grep -q "journal $T/data/journal.sqlite: written again" "$T/log" && break
	sleep 0.1
done
grep -q "journal $T/data/journal.sqlite: written again" "$T/log" ||
    fail "journal not retried after the lock"
# What happened under the lock is in the journal now.
expect_num "failed runs from under the lock" \
    "$(q "select count(*) from failed_runs where time >= $lock_from")" ">=" 2
expect_eq "the outage from under the lock" \
    "$(q "select count(*) from outages where start >= $lock_from and end is not null")" 1
kill -TERM "$DPID"
rc=0
wait "$DPID" || rc=$?
expect_eq "daemon exit" "$rc" 0
finish
