# The exec collector with real programs: Debian's check_http and check_tcp
# unchanged against the project's test server, a real Munin plugin, PUTVAL
# and Monitoring Plugins scripts, and children that hang, fork hanging
# grandchildren, flood, die by a signal or cannot run. Values are read back
# from the RRD files.
. "$(dirname "$0")/lib.bash"
free_port STATUS

NAGIOS=/usr/lib/nagios/plugins
MUNIN=/usr/share/munin/plugins
start_targets
chmod 755 "$T" # children run as nobody when the tests run as root
S=$T/scripts
mkdir -p "$S"

script() {
	printf '#!/bin/sh\n%s\n' "$2" >"$S/$1"
	chmod 755 "$S/$1"
}
script perf "echo \"DISK OK - free space | '/ space'=1.5GB;;;0;10 'it''s'=5% time=250ms count=12c\"; echo 'long text line'; echo \"more | extra=7;;;;\"; exit 0"
script warn 'echo "LOAD WARNING - high|load=5"; exit 1'
script unknown 'echo "UNKNOWN - cannot tell"; exit 3'
script garbage 'echo "OK |this is ==not perfdata x=abc y=1"; exit 0'
script hang "sleep 300.$$ & echo 'started|a=1'; wait"
script grandchild "(trap '' TERM; exec sleep 300.$$) & exit 0"
script flood "yes 'flood flood flood flood' | head -c 2000000; echo; exit 0"
script selfkill 'kill -9 $$'
script env 'echo "ENV OK|uid=$(id -u) foo=${FOO:-0} home=${HOME:+1}${HOME:-0}"'
script putval 'echo "PUTVAL \"host/exec-magic/gauge-magic_level\" interval=10 N:42"; echo "PUTVAL host/cpu-0/cpu-idle N:12.5"; echo "PUTVAL host/if/if_octets N:100:200"'
script labels 'cat '"$T"'/labels'
printf 'OK|first=1\n' >"$T/labels"
chmod 644 "$T/labels"

H=127.0.0.1
cat >"$T/exec.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
store = { write_delay = 0; };
defaults = { interval = 60; timeout = 3; };
systems = (
  { id = "chk"; category = "basic"; portfolio = "service";
    collectors = (
      { type = "exec"; series = "http"; command = ["$NAGIOS/check_http", "-H", "$H", "-p", "$HTTP", "-u", "/ok", "-s", "itfollow-ok"]; },
      { type = "exec"; series = "http500"; command = ["$NAGIOS/check_http", "-H", "$H", "-p", "$HTTP", "-u", "/status/500"]; },
      { type = "exec"; series = "http-refused"; command = ["$NAGIOS/check_http", "-H", "$H", "-p", "$REFUSED"]; },
      { type = "exec"; series = "tcp"; command = ["$NAGIOS/check_tcp", "-H", "$H", "-p", "$HTTP"]; },
      { type = "exec"; series = "tcp-refused"; command = ["$NAGIOS/check_tcp", "-H", "$H", "-p", "$REFUSED"]; },
      { type = "exec"; series = "load"; format = "munin"; command = ["$MUNIN/load"];
        env = { MUNIN_LIBDIR = "/usr/share/munin"; }; },
      { type = "exec"; series = "perf"; command = ["$S/perf"]; },
      { type = "exec"; series = "renamed"; command = ["$S/perf"];
        datasources = ( ("/ space", "root_free"), ("time", "latency") ); },
      { type = "exec"; series = "warn"; command = ["$S/warn"]; },
      { type = "exec"; series = "warn-down"; command = ["$S/warn"]; warning_is_up = false; },
      { type = "exec"; series = "unknown"; command = ["$S/unknown"]; },
      { type = "exec"; series = "garbage"; command = ["$S/garbage"]; },
      { type = "exec"; series = "hang"; command = ["$S/hang"]; timeout = 1; },
      { type = "exec"; series = "grandchild"; command = ["$S/grandchild"]; },
      { type = "exec"; series = "flood"; command = ["$S/flood"]; },
      { type = "exec"; series = "selfkill"; command = ["$S/selfkill"]; },
      { type = "exec"; series = "env"; command = ["$S/env"]; env = { FOO = "42"; }; },
      { type = "exec"; series = "putval"; format = "collectd"; command = ["$S/putval"]; },
      { type = "exec"; series = "labels"; command = ["$S/labels"]; }
    ); }
);
CONF

rc=0
"$BIN/itfollowd" -T -c "$T/exec.conf" >"$T/out" 2>"$T/err" || rc=$?
expect_eq "-T exit" "$rc" 0
expect_eq "-T lines" "$(wc -l <"$T/out")" 19
R=$T/data/rrd/quality/chk

line() { grep "^chk quality $1 " "$T/out" || echo "(none)"; }
check() { # SERIES STATUS REASON
	local l
	l=$(line "$1")
	expect_eq "$1 status" "$(field "$l" status)" "$2"
	expect_eq "$1 reason" "$(field "$l" reason)" "$3"
}

check http up ok
check http500 down check_critical
check http-refused down check_critical
check tcp up ok
check tcp-refused down check_critical
check load up ok
check perf up ok
check warn up check_warning
check warn-down down check_warning
check unknown unknown check_unknown
check garbage up ok
check hang unknown timeout
check grandchild up ok
check flood up ok
check selfkill unknown killed
check env up ok
check putval up ok

# check_http's performance data, stored: time (s) and size (bytes).
expect_num "check_http time" "$(last "$R/http.rrd" time)" ">" 0
expect_num "check_http size" "$(last "$R/http.rrd" size)" ">" 0
expect_eq "check_http up" "$(last "$R/http.rrd" up)" 1
expect_eq "check_http 500 up" "$(last "$R/http500.rrd" up)" 0
expect_eq "check_http refused up" "$(last "$R/http-refused.rrd" up)" 0
expect_num "check_tcp time" "$(last "$R/tcp.rrd" time)" ">=" 0
expect_eq "check_tcp refused up" "$(last "$R/tcp-refused.rrd" up)" 0
# Munin: the load plugin's one field, a number.
expect_num "munin load" "$(last "$R/load.rrd" load)" ">=" 0
# Units normalised: GB to bytes, ms to seconds; '' unquoted; c a DERIVE.
expect_eq "perf GB" "$(last "$R/perf.rrd" space)" 1610612736
expect_eq "perf ms" "$(last "$R/perf.rrd" time)" 0.25
expect_eq "perf %" "$(last "$R/perf.rrd" it_s)" 5
expect_eq "perf later line" "$(last "$R/perf.rrd" extra)" 7
rrdtool info "$R/perf.rrd" >"$T/perf.info"
grep -q '^ds\[count\].type = "DERIVE"$' "$T/perf.info" && ok ||
    fail "c is not stored as DERIVE"
grep -q '^ds\[count\].min = 0' "$T/perf.info" && ok || fail "DERIVE min"
# A perfdata min and max describe the value, they are no bounds (a
# grown file system would be stored as unknown); a percentage is 0..100.
grep -q '^ds\[space\].max = NaN' "$T/perf.info" && ok || fail "GB max made a bound"
grep -q '^ds\[space\].min = NaN' "$T/perf.info" && ok || fail "GB min made a bound"
grep -q '^ds\[it_s\].max = 1.0000000000e+02' "$T/perf.info" && ok || fail "% max"
expect_eq "renamed root_free" "$(last "$R/renamed.rrd" root_free)" 1610612736
expect_eq "renamed latency" "$(last "$R/renamed.rrd" latency)" 0.25
# Warnings: up unless warning_is_up = false; unknown is U, not 0.
expect_eq "warn up" "$(last "$R/warn.rrd" up)" 1
expect_eq "warn-down up" "$(last "$R/warn-down.rrd" up)" 0
expect_eq "unknown up" "$(last "$R/unknown.rrd" up)" U
expect_eq "unknown reason" "$(last "$R/unknown.rrd" reason)" 18
# Garbage perfdata: the good item kept, the bad reported.
expect_eq "garbage y" "$(last "$R/garbage.rrd" y)" 1
grep -q "chk/garbage: output: .*bad perfdata" "$T/err" && ok ||
    fail "bad perfdata not reported"
# A hang: killed at its timeout with its group; nothing left behind.
expect_eq "hang up" "$(last "$R/hang.rrd" up)" U
expect_eq "hang reason" "$(last "$R/hang.rrd" reason)" 1
sleep 0.5
if pgrep -f "sleep 300.$$" >/dev/null; then
	fail "a hanging child or grandchild survived"
	pkill -f "sleep 300.$$" || true
else
	ok
fi
grep -q "chk/flood: output over 65536 bytes" "$T/err" && ok ||
    fail "flood not capped"
expect_eq "selfkill reason" "$(last "$R/selfkill.rrd" reason)" 20
# An explicit environment, and not root.
expect_eq "env FOO" "$(last "$R/env.rrd" foo)" 42
expect_eq "env HOME unset" "$(last "$R/env.rrd" home)" 0
if [ "$(id -u)" = 0 ]; then
	expect_eq "children run as nobody" "$(last "$R/env.rrd" uid)" \
	    "$(id -u nobody)"
fi
# PUTVAL: type-instance names, typed by Debian's types.db: cpu is a
# DERIVE (stored as its integer part, as collectd reads it), if_octets
# two DERIVEs named after their data sources.
expect_eq "putval gauge" "$(last "$R/putval.rrd" gauge_magic_level)" 42
expect_eq "putval cpu" "$(last "$R/putval.rrd" cpu_idle)" 12
expect_eq "putval if_octets rx" "$(last "$R/putval.rrd" if_octets_rx)" 100
expect_eq "putval if_octets tx" "$(last "$R/putval.rrd" if_octets_tx)" 200
rrdtool info "$R/putval.rrd" >"$T/putval.info"
for ds in cpu_idle if_octets_rx if_octets_tx; do
	grep -q "^ds\[$ds\].type = \"DERIVE\"$" "$T/putval.info" && ok ||
	    fail "putval $ds is not a DERIVE"
done

# Labels that change after the file was made: reported, not stored in the
# wrong data source.
printf 'OK|second=2\n' >"$T/labels"
sleep 1
"$BIN/itfollowd" -T -c "$T/exec.conf" >"$T/out2" 2>"$T/err2" || true
expect_eq "old label kept" "$(last "$R/labels.rrd" first)" U
expect_eq "new label not stored" "$(last "$R/labels.rrd" second)" missing
grep -q "labels.rrd: no data source \"second\" in the file" "$T/err2" &&
    ok || fail "new label not reported"

# The daemon running bad children for a while: no zombie, no fd leak, and
# an HTTP probe next to them stays on time.
mkdir -p "$T/tmpl"
for f in "$SRC"/rrd-templates/*.tmpl; do
	sed -e 's/^step 60$/step 2/' -e 's/ 1m / 2 /' "$f" >"$T/tmpl/${f##*/}"
done
free_port STATUS2
cat >"$T/run.conf" <<CONF
daemon = { data_dir = "$T/run"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$STATUS2"; log_level = "warning"; };
store = { write_delay = 0; };
defaults = { interval = 2; timeout = 1; };
systems = ( { id = "bad"; category = "basic"; portfolio = "service";
  collectors = (
    { type = "exec"; series = "hang"; command = ["$S/hang"]; },
    { type = "exec"; series = "grandchild"; command = ["$S/grandchild"]; },
    { type = "exec"; series = "flood"; command = ["$S/flood"]; },
    { type = "exec"; series = "selfkill"; command = ["$S/selfkill"]; },
    { type = "http"; series = "web"; url = "http://127.0.0.1:$HTTP/ok"; }
  ); } );
CONF
"$BIN/itfollowd" -f -c "$T/run.conf" 2>"$T/run.log" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "http://127.0.0.1:$STATUS2/health"
# Open fds over one interval (2 s), as "least most": how many a run's
# children hold at one moment depends on where in their runs it falls, so
# the fewest seen later must not exceed the most seen earlier (a leak of
# even one fd a run would, after 3 intervals of 5 collectors).
fd_range() {
	local i n lo=100000 hi=0
	for i in $(seq 1 10); do
		n=$(ls /proc/$DPID/fd | wc -l)
		[ "$n" -lt "$lo" ] && lo=$n
		[ "$n" -gt "$hi" ] && hi=$n
		sleep 0.2
	done
	echo "$lo $hi"
}
sleep 3
read -r _ fds1_hi <<<"$(fd_range)"
sleep 4
read -r fds2_lo _ <<<"$(fd_range)"
expect_num "open fds steady (fewest later <= most earlier)" \
    "$fds2_lo" "<=" "$fds1_hi"
expect_eq "no zombie children" \
    "$(ps -o stat= --ppid $DPID | grep -c '^Z' || true)" 0
curl -s "http://127.0.0.1:$STATUS2/metrics" >"$T/run.metrics"
started=$(awk '$1 == "itfollow_runs_started_total" { print $2 }' "$T/run.metrics")
ontime=$(awk '$1 == "itfollow_runs_ontime_total" { print $2 }' "$T/run.metrics")
expect_num "runs started" "$started" ">=" 20
expect_eq "every run on time" "$ontime" "$started"
expect_eq "web stays up" "$(last "$T/run/rrd/quality/bad/web.rrd" up)" 1
kill -TERM $DPID
rc=0
wait $DPID || rc=$?
expect_eq "daemon exit" "$rc" 0
sleep 0.5
if pgrep -f "sleep 300.$$" >/dev/null; then
	fail "children left behind after the daemon stopped"
	pkill -f "sleep 300.$$" || true
else
	ok
fi

# At most max_children at once: three 0.5 s checks with room for one take
# three times as long as with room for all.
script slow 'sleep 0.5; echo "OK|slept=1"'
script munin 'if [ "${1:-}" = config ]; then echo config >>'"$T"'/munin.calls; printf "graph_title T\nmm.label m\n"; else echo "mm.value 5"; fi'
touch "$T/munin.calls"
chmod 666 "$T/munin.calls"
for max in 1 32; do
	cat >"$T/max.conf" <<CONF
daemon = { data_dir = "$T/max"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; max_children = $max; };
store = { write_delay = 0; };
systems = ( { id = "m"; category = "basic"; portfolio = "service";
  collectors = (
    { type = "exec"; series = "a"; command = ["$S/slow"]; },
    { type = "exec"; series = "b"; command = ["$S/slow"]; },
    { type = "exec"; series = "c"; command = ["$S/slow"]; }
  ); } );
CONF
	t0=$(date +%s%N)
	"$BIN/itfollowd" -T -c "$T/max.conf" >"$T/max.out" 2>&1 || true
	t1=$(date +%s%N)
	eval "ms_$max=$(((t1 - t0) / 1000000))"
	expect_eq "max_children $max: all ran" \
	    "$(grep -c 'status=up' "$T/max.out")" 3
done
expect_num "max_children 1 runs them one by one (${ms_1} ms)" "$ms_1" ">=" 1500
expect_num "max_children 32 runs them together (${ms_32} ms)" "$ms_32" "<" 1400

# A reload makes a Munin plugin's fields be learned again.
cat >"$T/mu.conf" <<CONF
daemon = { data_dir = "$T/mu"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$STATUS2"; };
store = { write_delay = 0; };
defaults = { interval = 1; timeout = 0.8; };
systems = ( { id = "m"; category = "basic"; portfolio = "service";
  collectors = ( { type = "exec"; series = "mu"; format = "munin";
    command = ["$S/munin"]; } ); } );
CONF
"$BIN/itfollowd" -f -c "$T/mu.conf" 2>"$T/mu.log" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "http://127.0.0.1:$STATUS2/health"
sleep 3
expect_eq "munin config asked once" "$(wc -l <"$T/munin.calls")" 1
kill -HUP $DPID
sleep 2.5
expect_eq "munin config asked again after a reload" \
    "$(wc -l <"$T/munin.calls")" 2
expect_eq "munin value" "$(last "$T/mu/rrd/quality/m/mu.rrd" mm)" 5
kill -TERM $DPID
wait $DPID || true

# A program that is not there, or not absolute: configuration errors.
cat >"$T/bad.conf" <<CONF
systems = ( { id = "x"; category = "basic"; portfolio = "service";
  collectors = (
    { type = "exec"; series = "a"; command = ["$S/missing"]; },
    { type = "exec"; series = "b"; command = ["check_http"]; },
    { type = "exec"; series = "c"; command = ["$S/perf"]; format = "nrpe"; }
  ); } );
CONF
out=$("$BIN/itfollowd" -n -c "$T/bad.conf" 2>&1) && rc=0 || rc=$?
expect_eq "-n exit on bad exec" "$rc" 1
expect_eq "-n errors on bad exec" "$out" "$T/bad.conf:3: $S/missing: No such file or directory
$T/bad.conf:4: the program \"check_http\" must be an absolute path (no shell, no PATH search)
$T/bad.conf:5: unknown format \"nrpe\" (want nagios | munin | collectd)"
finish
