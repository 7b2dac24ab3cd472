# kill -9 of the daemon in the middle of its writes, then a restart: every
# RRD file reads back with librrd, the journal passes SQLite's integrity
# check, and each outage that was open across the crash is one outage
# (started before the crash, ended after the restart), none lost or
# doubled; series that never failed have none.
. "$(dirname "$0")/lib.bash"

start_targets
free_port STATUS
H="http://127.0.0.1:$HTTP"
mkdir -p "$T/tmpl"
for f in "$SRC"/rrd-templates/*.tmpl; do
	sed -e 's/^step 60$/step 2/' -e 's/ 1m / 2 /' "$f" >"$T/tmpl/${f##*/}"
done

# 30 systems, each with a probe that stays up and one that fails while
# $T/down exists: 60 files written every second.
{
	cat <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
defaults = { interval = 1; timeout = 0.8; fail_after = 2; };
systems = (
CONF
	for i in $(seq 1 30); do
		[ "$i" -gt 1 ] && echo ","
		cat <<CONF
  { id = "s$i"; category = "basic"; portfolio = "service";
    collectors = (
      { type = "http"; series = "ok"; url = "$H/ok"; },
      { type = "http"; series = "flip"; url = "$H/flip?file=$T/down"; }
    ); }
CONF
	done
	echo ");"
} >"$T/c.conf"
chmod 600 "$T/c.conf"

start_daemon() {
	"$BIN/itfollowd" -f -c "$T/c.conf" 2>>"$T/log" &
	DPID=$!
	PIDS="$PIDS $DPID"
	wait_http "http://127.0.0.1:$STATUS/health"
}

start_daemon
sleep 3
touch "$T/down"
# The outages start (2 failures), and writes go on for a while.
sleep 4
crash=$(date +%s)
kill -9 "$DPID"
wait "$DPID" 2>/dev/null || true
echo "== kill -9 at $crash" >>"$T/log"
start_daemon
sleep 3
rm -f "$T/down"
sleep 3
kill "$DPID"
wait "$DPID" && ok || fail "exit after the restart"
end=$(date +%s)

# Every RRD file reads back, and was written after the restart.
n=0
for f in "$T"/data/rrd/quality/*/*.rrd; do
	n=$((n + 1))
	if ! rrdtool info "$f" >/dev/null 2>"$T/rrderr"; then
		fail "$f: info: $(cat "$T/rrderr")"
		continue
	fi
	if ! rrdtool fetch "$f" AVERAGE -s "$((crash - 20))" -e "$end" \
	    >/dev/null 2>"$T/rrderr"; then
		fail "$f: fetch: $(cat "$T/rrderr")"
		continue
	fi
	t=$(rrdtool last "$f")
	expect_num "$f: last update after the restart" "$t" ">" "$crash"
done
expect_eq "RRD files" "$n" 60

J=$T/data/journal.sqlite
expect_eq "journal integrity" "$(sqlite3 "$J" 'PRAGMA integrity_check')" ok
q() { sqlite3 "$J" "$1"; }
expect_eq "outages of series that never failed" \
    "$(q "SELECT count(*) FROM outages WHERE series = 'ok'")" 0
expect_eq "flip series with exactly one outage" \
    "$(q "SELECT count(*) FROM (SELECT system FROM outages WHERE series = 'flip'
        GROUP BY system HAVING count(*) = 1)")" 30
expect_eq "outages in all" "$(q "SELECT count(*) FROM outages")" 30
expect_eq "outages that started before the crash" \
    "$(q "SELECT count(*) FROM outages WHERE start < $crash")" 30
expect_eq "outages ended after the restart" \
    "$(q "SELECT count(*) FROM outages WHERE end IS NOT NULL AND end > $crash")" 30
if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error' "$T/log"; then
	fail "sanitizer report: $(grep -m3 -e ERROR -e 'runtime error' "$T/log")"
else
	ok
fi
finish
