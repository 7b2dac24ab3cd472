# collectd exec programs as collectd runs them: a collectd-exec(5) program
# that runs for good (tests/exec/collectd-loop) under itfollowd and under
# collectd itself (its csv plugin, started and stopped here by pid), what
# each stored compared value by value and with the rates the script's
# formula gives; PUTVAL times (an hour ago, then older: skipped and
# counted); PUTNOTIF in the journal; a reload and SIGTERM stopping the
# program; and programs that flood, print a line without end, print
# garbage, die at once, or ignore SIGTERM, next to an HTTP probe that must
# stay on time.
. "$(dirname "$0")/lib.bash"
free_port STATUS

LOOP=$SRC/tests/exec/collectd-loop
start_targets
chmod 755 "$T" # children run as nobody when the tests run as root
RUNAS=$(id -un)
[ "$(id -u)" = 0 ] && RUNAS=nobody
mkdir -p "$T/tmpl"
for f in "$SRC"/rrd-templates/*.tmpl; do
	sed -e 's/^step 60$/step 2/' -e 's/ 1m / 2 /' "$f" >"$T/tmpl/${f##*/}"
done
S=$T/scripts
mkdir -p "$S"
script() {
	printf '#!/bin/sh\n%s\n' "$2" >"$S/$1"
	chmod 755 "$S/$1"
}

# 1. The loop under collectd (csv, rates stored) and under itfollowd, at
# once, for seven intervals of 2 s.
mkdir -p "$T/collectd"
cat >"$T/collectd/c.conf" <<CONF
Hostname "itftest"
FQDNLookup false
Interval 2
BaseDir "$T/collectd"
PIDFile "$T/collectd/collectd.pid"
TypesDB "/usr/share/collectd/types.db"
LoadPlugin logfile
<Plugin logfile>
  File "$T/collectd/collectd.log"
</Plugin>
LoadPlugin exec
LoadPlugin csv
<Plugin exec>
  Exec "$RUNAS" "$LOOP"
</Plugin>
<Plugin csv>
  DataDir "$T/collectd/csv"
  StoreRates true
</Plugin>
CONF
mkdir -p "$T/w"
chmod 1777 "$T/w" # where the programs write, as whoever they run as
cat >"$T/loop.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
store = { write_delay = 0; };
systems = ( { id = "app"; category = "basic"; portfolio = "service";
  collectors = (
    { type = "exec"; series = "loop"; format = "collectd"; command = ["$LOOP"];
      interval = 2; timeout = 1; env = { STOPPED = "$T/w/stopped"; }; }
  ); } );
CONF
/usr/sbin/collectd -f -C "$T/collectd/c.conf" >"$T/collectd/out" 2>&1 &
CPID=$!
PIDS="$PIDS $CPID"
"$BIN/itfollowd" -f -c "$T/loop.conf" 2>"$T/loop.log" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "http://127.0.0.1:$STATUS/health"
sleep 15
curl -s "http://127.0.0.1:$STATUS/metrics" >"$T/loop.metrics"
kill -TERM "$CPID"
rc=0
wait "$CPID" || rc=$?
expect_eq "collectd stopped" "$rc" 0

R=$T/data/rrd/quality/app/loop.rrd
rrdtool info "$R" >"$T/loop.info"
for ds in derive_requests if_octets_lo_rx if_octets_lo_tx; do
	grep -q "^ds\[$ds\].type = \"DERIVE\"$" "$T/loop.info" && ok ||
	    fail "$ds is not a DERIVE, as types.db has it"
	grep -q "^ds\[$ds\].min = 0" "$T/loop.info" && ok ||
	    fail "$ds has not types.db's minimum 0"
done
grep -q '^ds\[gauge_k\].type = "GAUGE"$' "$T/loop.info" && ok || fail "gauge_k"
# What itfollowd stored, per k (its gauge): "k requests rx tx", rates.
rrdtool fetch "$R" AVERAGE -r 2 -s end-30 -e now | awk '
    NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i + 1 }
    NR > 2 && $0 !~ /nan/ {
	printf "%d %.6f %.6f %.6f\n", $col["gauge_k"], $col["derive_requests"],
	    $col["if_octets_lo_rx"], $col["if_octets_lo_tx"]
    }' >"$T/itf.rates"
# What collectd stored, per k.
C=$T/collectd/csv/itftest/exec-app
join_k() { # FILE: "k value..." from a csv keyed by epoch, with gauge-k's
	awk -F, 'NR == FNR { if (FNR > 1) k[$1] = $2; next }
	    FNR > 1 && ($1 in k) && $2 != "nan" {
		printf "%d", k[$1]
		for (i = 2; i <= NF; i++) printf " %.6f", $i
		printf "\n"
	    }' "$C"/gauge-k-* "$1"
}
join_k "$(ls "$C"/derive-requests-* | head -1)" >"$T/cd.req"
join_k "$(ls "$C"/if_octets-lo-* | head -1)" >"$T/cd.if"
join "$T/cd.req" "$T/cd.if" >"$T/cd.rates"
# The rates the script's formula gives (k >= 2: the first has none).
awk '{ k = $1; printf "%d %.6f %.6f %.6f\n", k, 600 * k / 2, 1000 / 2, 3000 / 2 }' \
    "$T/cd.rates" >"$T/want.rates"
expect_num "collectd stored rates" "$(wc -l <"$T/cd.rates")" ">=" 4
expect_eq "collectd's rates are the formula's" "$(cat "$T/cd.rates")" \
    "$(cat "$T/want.rates")"
expect_num "itfollowd stored rates" "$(wc -l <"$T/itf.rates")" ">=" 4
awk '{ k = $1; printf "%d %.6f %.6f %.6f\n", k, 600 * k / 2, 1000 / 2, 3000 / 2 }' \
    "$T/itf.rates" >"$T/want2.rates"
expect_eq "itfollowd's rates are the formula's" "$(cat "$T/itf.rates")" \
    "$(cat "$T/want2.rates")"
# Where both have a k, they agree.
common=$(join "$T/itf.rates" "$T/cd.rates" | awk '
    { n++; if ($2 != $5 || $3 != $6 || $4 != $7) bad++ }
    END { print n + 0, bad + 0 }')
expect_num "rates of the same k in both" "${common% *}" ">=" 3
expect_eq "rates differing between collectd and itfollowd" "${common#* }" 0
echo "k, requests/s, rx/s, tx/s as collectd stored them:"
cat "$T/cd.rates"
echo "and as itfollowd stored them:"
cat "$T/itf.rates"
# Every row at its own time, on the script's grid (even seconds).
expect_eq "last update on the grid" $(($(rrdtool last "$R") % 2)) 0
# Up while it runs on, and /api says so.
expect_eq "loop up" "$(last "$R" up)" 1
grep -q 'app/loop: .*collectd-loop runs on' "$T/loop.log" && ok ||
    fail "running on not logged"
grep -q '^itfollow_runs_total{type="exec",reason="timeout"}' "$T/loop.metrics" &&
    fail "a run of the program ended as a timeout" || ok
# Its notification, in the journal.
J=$T/data/journal.sqlite
expect_eq "PUTNOTIF in the journal" \
    "$(sqlite3 "$J" "select system, series, severity, source, message from events where severity = 'okay'")" \
    "app|loop|okay|app|collectd-loop started"
# SIGTERM to the daemon: the program gets SIGTERM and stops by itself.
kill -TERM "$DPID"
rc=0
wait "$DPID" || rc=$?
expect_eq "daemon exit" "$rc" 0
[ -e "$T/w/stopped" ] && ok || fail "the program was not stopped by SIGTERM"
# It wrote "stopped" in its trap and is exiting; give a loaded machine
# 3 s to finish that before calling it left behind.
for _ in $(seq 30); do
	pgrep -f "$LOOP" >/dev/null || break
	sleep 0.1
done
pgrep -f "$LOOP" >/dev/null && fail "the program outlived the daemon" || ok

# 2. A reload that removes it stops it; one that keeps it keeps it.
rm -f "$T/w/stopped"
"$BIN/itfollowd" -f -c "$T/loop.conf" 2>"$T/reload.log" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "http://127.0.0.1:$STATUS/health"
sleep 3
pid1=$(pgrep -f "$LOOP" | head -1)
kill -HUP "$DPID"
sleep 2
expect_eq "kept by a reload that keeps it" "$(pgrep -f "$LOOP" | head -1)" "$pid1"
sed 's/series = "loop"/series = "loop2"/' "$T/loop.conf" >"$T/loop2.conf"
cp "$T/loop2.conf" "$T/loop.conf"
kill -HUP "$DPID"
sleep 2
[ -e "$T/w/stopped" ] && ok || fail "a reload did not stop the removed program"
kill -0 "$pid1" 2>/dev/null && fail "the removed program still runs" || ok
kill -TERM "$DPID"
wait "$DPID" || true

# A program that runs on leaves room for others: with max_children 1, a
# check every second still runs.
script ok 'echo "OK | fine=1"'
free_port STATUS4
cat >"$T/room.conf" <<CONF
daemon = { data_dir = "$T/rdata"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$STATUS4"; max_children = 1; };
store = { write_delay = 0; };
systems = ( { id = "app"; category = "basic"; portfolio = "service";
  collectors = (
    { type = "exec"; series = "loop"; format = "collectd"; command = ["$LOOP"];
      interval = 2; timeout = 1; },
    { type = "exec"; series = "ok"; command = ["$S/ok"]; interval = 1; timeout = 0.5; }
  ); } );
CONF
"$BIN/itfollowd" -f -c "$T/room.conf" 2>"$T/room.log" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "http://127.0.0.1:$STATUS4/health"
sleep 6
ok_runs=$(curl -s "http://127.0.0.1:$STATUS4/metrics" |
    awk '$1 == "itfollow_runs_total{type=\"exec\",reason=\"ok\"}" { print $2 }')
kill -TERM "$DPID"
wait "$DPID" || true
expect_num "runs beside a program that runs on, max_children 1" "$ok_runs" ">=" 6
expect_eq "the check stays up" "$(last "$T/rdata/rrd/quality/app/ok.rrd" up)" 1

# 3. PUTVAL times: a value of an hour ago is stored then; an older one
# is skipped, counted and logged once; a newer one is stored.
now=$(date +%s)
echo $((now - 3600)) >"$T/when"
script when 'echo "PUTVAL h/exec-t/gauge-old $(cat '"$T"'/when):$(cat '"$T"'/when)"'
chmod 644 "$T/when"
free_port STATUS2
cat >"$T/when.conf" <<CONF
daemon = { data_dir = "$T/wdata"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$STATUS2"; log_level = "info"; };
store = { write_delay = 0; };
systems = ( { id = "app"; category = "basic"; portfolio = "service";
  collectors = ( { type = "exec"; series = "when"; format = "collectd";
    command = ["$S/when"]; interval = 1; timeout = 0.8; } ); } );
CONF
"$BIN/itfollowd" -f -c "$T/when.conf" 2>"$T/when.log" &
DPID=$!
PIDS="$PIDS $DPID"
W=$T/wdata/rrd/quality/app/when.rrd
wait_file "$W"
sleep 1
expect_eq "stored at its own time" "$(rrdtool last "$W")" $((now - 3600))
expect_eq "its value" "$(last "$W" gauge_old)" $((now - 3600))
echo $((now - 7200)) >"$T/when"
sleep 3
expect_eq "an older value is skipped" "$(rrdtool last "$W")" $((now - 3600))
skipped=$(curl -s "http://127.0.0.1:$STATUS2/metrics" |
    awk '$1 == "itfollow_rows_skipped_total" { print $2 }')
expect_num "skipped rows counted" "$skipped" ">=" 2
expect_eq "logged once" "$(grep -c 'app/when: when: values at .* are not after the last stored' "$T/when.log")" 1
echo $((now - 3000)) >"$T/when"
sleep 2
expect_eq "a newer value is stored" "$(rrdtool last "$W")" $((now - 3000))
kill -TERM "$DPID"
wait "$DPID" || true

# 4. Types: without a types.db the four base types; a types_db of one's
# own, a bad line of it reported with its place; one that is not there
# refused with the configuration's line.
script types 'echo "PUTVAL h/p/gauge-a N:1.5"; echo "PUTVAL h/p/derive-b N:7"; echo "PUTVAL h/p/if_octets N:1:2"; echo "PUTVAL h/p/mine-c N:3:4"'
printf 'mine first:GAUGE:0:U, second:DERIVE:0:U\nbroken value:FLOAT:U:U\ngauge value:GAUGE:U:U\n' >"$T/my.types"
cat >"$T/types.conf" <<CONF
daemon = { data_dir = "$T/tdata"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$STATUS"; };
systems = ( { id = "t"; category = "basic"; portfolio = "service";
  collectors = (
    { type = "exec"; series = "base"; format = "collectd"; command = ["$S/types"]; types_db = ""; },
    { type = "exec"; series = "mine"; format = "collectd"; command = ["$S/types"]; types_db = "$T/my.types"; }
  ); } );
CONF
"$BIN/itfollowd" -T -c "$T/types.conf" >"$T/types.out" 2>"$T/types.err" || true
TD=$T/tdata/rrd/quality/t
expect_eq "base: gauge" "$(last "$TD/base.rrd" gauge_a)" 1.5
expect_eq "base: derive" "$(last "$TD/base.rrd" derive_b)" 7
grep -q '^ds\[derive_b\].type = "DERIVE"$' <(rrdtool info "$TD/base.rrd") &&
    ok || fail "base: derive is not a DERIVE"
expect_eq "base: if_octets unknown" "$(last "$TD/base.rrd" if_octets_rx)" missing
grep -qF 't/base: type "if_octets" is not in the four base types (no types.db); its values are not stored (logged once)' \
    "$T/types.err" && ok || fail "base: the unknown type not reported"
expect_eq "mine: first" "$(last "$TD/mine.rrd" mine_c_first)" 3
expect_eq "mine: second" "$(last "$TD/mine.rrd" mine_c_second)" 4
expect_eq "mine: derive not in it" "$(last "$TD/mine.rrd" derive_b)" missing
grep -qF "t/mine: $T/my.types: line 2: type 'broken': unknown kind" "$T/types.err" &&
    ok || fail "mine: the bad line not reported with its place"
sed 's|types_db = "";|types_db = "/nonexistent/types.db";|' "$T/types.conf" >"$T/types2.conf"
out=$("$BIN/itfollowd" -n -c "$T/types2.conf" 2>&1) && rc=0 || rc=$?
expect_eq "a missing types_db refused" "$rc" 1
echo "$out" | grep -qxF "$T/types2.conf:5: /nonexistent/types.db: No such file or directory" &&
    ok || fail "a missing types_db: $out"

# 5. Bad programs that run on, next to an HTTP probe every second.
script flood 'exec yes "PUTVAL h/p/gauge-f N:1"'
script endless "exec tr '\\\\0' x </dev/zero"
script garbage 'while :; do echo "PUTVAL h/p/gauge-g N:1"; head -c 3000 /dev/urandom; echo; sleep 0.1; done'
script dies 'echo start >>'"$T"'/dies.starts; exit 1'
script stubborn 'trap "" TERM; while :; do echo "PUTVAL h/p/gauge-s N:1"; sleep 1; done'
: >"$T/dies.starts"
chmod 666 "$T/dies.starts"
free_port STATUS3
cat >"$T/bad.conf" <<CONF
daemon = { data_dir = "$T/bdata"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$STATUS3"; log_level = "info"; };
store = { write_delay = 0; };
defaults = { interval = 1; timeout = 0.5; };
systems = ( { id = "bad"; category = "basic"; portfolio = "service";
  collectors = (
    { type = "exec"; series = "flood"; format = "collectd"; command = ["$S/flood"]; },
    { type = "exec"; series = "endless"; format = "collectd"; command = ["$S/endless"]; },
    { type = "exec"; series = "garbage"; format = "collectd"; command = ["$S/garbage"]; },
    { type = "exec"; series = "dies"; format = "collectd"; command = ["$S/dies"]; },
    { type = "exec"; series = "stubborn"; format = "collectd"; command = ["$S/stubborn"]; },
    { type = "http"; series = "web"; url = "http://127.0.0.1:$HTTP/ok"; }
  ); } );
CONF
# A small ASan quarantine, so that RSS shows what the daemon holds, not
# what the sanitizer keeps of what it freed (256 MiB by default).
ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=1" \
    "$BIN/itfollowd" -f -c "$T/bad.conf" 2>"$T/bad.log" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "http://127.0.0.1:$STATUS3/health"
rss() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$DPID/status"; }
sleep 6
rss1=$(rss)
sleep 10
rss2=$(rss)
curl -s "http://127.0.0.1:$STATUS3/metrics" >"$T/bad.metrics"
health=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$STATUS3/health")
m() { awk -v n="$1" '$1 == n { print $2 }' "$T/bad.metrics"; }
expect_num "runs started" "$(m itfollow_runs_started_total)" ">=" 60
expect_eq "every run on time" "$(m itfollow_runs_ontime_total)" \
    "$(m itfollow_runs_started_total)"
expect_num "loop lag (s)" "$(m itfollow_status_loop_lag_seconds)" "<" 0.5
expect_eq "healthy" "$health" 200
expect_eq "the probe stays up" "$(last "$T/bdata/rrd/quality/bad/web.rrd" up)" 1
echo "bad programs: RSS $rss1 KiB after 6 s, $rss2 KiB after 16 s;" \
    "$(m itfollow_runs_started_total) runs, $(m itfollow_runs_ontime_total) on time," \
    "loop lag $(m itfollow_status_loop_lag_seconds) s"
# Memory: bounded, not growing with what the programs print.
expect_num "RSS grew by at most 10% in 10 s ($rss1 -> $rss2 KiB)" \
    "$rss2" "<=" $((rss1 + rss1 / 10))
# Each case logged with the program's name, a few lines a minute.
expect_num "log lines of the garbage in 16 s" \
    "$(grep -c 'bad/garbage: output' "$T/bad.log")" "<=" 4
for want in "$S/flood: writes more than 65536 bytes a second" \
    "$S/endless: writes more than 65536 bytes a second" \
    "bad/endless: $S/endless: a line longer than 4096 bytes; dropped" \
    "bad/garbage: output: line" \
    "bad/garbage: output: line 4: not a PUTVAL line" \
    "bad/dies: $S/dies exited with 1 after"; do
	grep -qF "$want" "$T/bad.log" && ok || fail "not logged: $want"
done
# The flood's values are stored nonetheless, bounded.
expect_eq "flood stored" "$(last "$T/bdata/rrd/quality/bad/flood.rrd" gauge_f)" 1
# Dying at once: started again after pauses that double (1 s interval:
# at 0, 1, 3, 6, 11 s...), not at every slot.
starts=$(wc -l <"$T/dies.starts")
echo "a program that dies at once: started $starts times in 16 s at a 1 s interval"
expect_num "a dying program's starts in 16 s ($starts)" "$starts" "<=" 7
expect_num "but it is started again ($starts)" "$starts" ">=" 3
expect_eq "dies: unknown" "$(last "$T/bdata/rrd/quality/bad/dies.rrd" up)" U
expect_eq "dies: reason check_unknown" \
    "$(last "$T/bdata/rrd/quality/bad/dies.rrd" reason)" 18
# Stopping: the one that ignores SIGTERM is killed after the grace.
t0=$(date +%s%N)
kill -TERM "$DPID"
rc=0
wait "$DPID" || rc=$?
t1=$(date +%s%N)
expect_eq "daemon exit" "$rc" 0
expect_num "stopped within the grace ($(((t1 - t0) / 1000000)) ms)" \
    $(((t1 - t0) / 1000000)) "<" 5000
grep -qF "$S/stubborn: still running 2000 ms after SIGTERM; killed" "$T/bad.log" &&
    ok || fail "the stubborn program's kill not logged"
for p in flood endless garbage stubborn; do
	pgrep -f "$S/$p" >/dev/null && fail "$p outlived the daemon" || ok
done
finish
