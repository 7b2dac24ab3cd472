# 100 SIGHUP reloads in a row (under the ASan build: LeakSanitizer checks
# the exit), alternating a configuration with an extra collector and one
# without it: the collectors kept through every reload run once a second
# before, during and after the storm (none lost, none doubled), nothing
# is missed or overrun, and the daemon exits 0 with no leak reported.
. "$(dirname "$0")/lib.bash"

start_targets
free_port STATUS
H="http://127.0.0.1:$HTTP"
mkdir -p "$T/bin"
chmod 755 "$T" # children run as nobody
printf '#!/bin/sh\necho "OK|x=1"\n' >"$T/bin/check"
chmod 755 "$T/bin/check"
conf() { # EXTRA
	cat <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "debug"; };
defaults = { interval = 1; timeout = 0.8; };
systems = ( { id = "r"; category = "basic"; portfolio = "service";
  collectors = (
    { type = "http"; series = "http"; url = "$H/ok"; },
    { type = "tcp"; series = "tcp"; host = "127.0.0.1"; port = $HTTP; },
    { type = "exec"; series = "exec"; command = ["$T/bin/check"]; },
    { type = "http"; series = "refused"; url = "http://127.0.0.1:$REFUSED/"; }
    $1
  ); } );
CONF
}
conf "" >"$T/a.conf"
conf ', { type = "http"; series = "extra"; url = "'"$H"'/ok"; },
    { type = "tcp"; series = "extra-tcp"; host = "127.0.0.1"; port = '"$HTTP"'; }' \
    >"$T/b.conf"
chmod 600 "$T/a.conf" "$T/b.conf"
cp "$T/a.conf" "$T/r.conf"

"$BIN/itfollowd" -f -c "$T/r.conf" 2>"$T/log" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "http://127.0.0.1:$STATUS/health"

# runs SERIES FROM TO: runs of r/SERIES that ended in seconds [FROM, TO).
runs() {
	awk -v s="r/$2:" -v from="$3" -v to="$4" '
	    $2 == s && $3 ~ /^(up|down|unknown)$/ {
		cmd = "date -u -d " substr($1, 1, 19) " +%s"
		cmd | getline t; close(cmd)
		if (t >= from && t < to) n++
	    }
	    END { print n + 0 }' "$1"
}

sleep 3
a0=$(date +%s)
sleep 5
a1=$(date +%s)
for i in $(seq 1 100); do
	if [ $((i % 2)) -eq 1 ]; then
		cp "$T/b.conf" "$T/r.conf"
	else
		cp "$T/a.conf" "$T/r.conf"
	fi
	kill -HUP "$DPID"
	sleep 0.05
done
b1=$(date +%s)
sleep 1
c0=$(date +%s)
sleep 5
c1=$(date +%s)
curl -s "http://127.0.0.1:$STATUS/metrics" >"$T/metrics"
# A file with a syntax error after a string: libconfig 1.5 leaks what it
# held of the string (tests/lsan.supp); the running configuration stays.
for i in 1 2 3; do
	cp "$SRC/tests/fuzz/corpus/conffile/libconfig-strbuf-leak" "$T/r.conf"
	kill -HUP "$DPID"
	sleep 0.3
done
expect_eq "a broken file reloaded three times: kept the running one" \
    "$(grep -c "reload: $T/r.conf has 1 error(s); keeping the running configuration" "$T/log")" 3
cp "$T/a.conf" "$T/r.conf"
kill "$DPID"
rc=0
wait "$DPID" || rc=$?
expect_eq "exit after 100 reloads" "$rc" 0

# Log lines are "TIME itfollowd[LEVEL]: KEY: STATUS (REASON)...": made
# into "TIME KEY: STATUS".
sed -n 's/^\([^ ]*\) itfollowd\[[a-z]*\]: \(r\/[a-z-]*:\) \([a-z]*\) (.*/\1 \2 \3/p' \
    "$T/log" >"$T/runs"
expect_eq "reloads logged (100, and the broken file 3 times)" \
    "$(grep -c 'SIGHUP: reloading' "$T/log")" 103
expect_eq "reloads applied" \
    "$(grep -c "configuration $T/r.conf: " "$T/log")" 101
for s in http tcp exec refused; do
	# One run a second, give or take the one at each edge.
	n=$(runs "$T/runs" "$s" "$a0" "$a1")
	expect_num "$s: runs in $((a1 - a0)) s before" "$n" ">=" $((a1 - a0 - 1))
	expect_num "$s: runs in $((a1 - a0)) s before" "$n" "<=" $((a1 - a0 + 1))
	n=$(runs "$T/runs" "$s" "$a1" "$b1")
	expect_num "$s: runs in the $((b1 - a1)) s of reloads" "$n" ">=" $((b1 - a1 - 1))
	expect_num "$s: runs in the $((b1 - a1)) s of reloads" "$n" "<=" $((b1 - a1 + 1))
	n=$(runs "$T/runs" "$s" "$c0" "$c1")
	expect_num "$s: runs in $((c1 - c0)) s after" "$n" ">=" $((c1 - c0 - 1))
	expect_num "$s: runs in $((c1 - c0)) s after" "$n" "<=" $((c1 - c0 + 1))
done
# The extra collectors come and go: none left after the last reload.
n=$(runs "$T/runs" extra "$c0" "$c1")
expect_eq "extra: no runs once removed" "$n" 0
grep -q "r/exec: up (ok)" "$T/log" && ok || fail "the check program did not run"
metric() { awk -v m="$1" '$1 == m { print $2 }' "$T/metrics"; }
expect_eq "missed slots" "$(metric itfollow_runs_missed_total)" 0
expect_eq "overruns" "$(metric itfollow_runs_overrun_total)" 0
if grep -q -e 'LeakSanitizer' -e 'ERROR: AddressSanitizer' -e 'runtime error' \
    "$T/log"; then
	fail "sanitizer report: $(grep -m5 -e Sanitizer -e 'runtime error' "$T/log")"
else
	ok
fi
finish
