# Exec children cannot escape: a check program that starts a grandchild
# in a session of its own (setsid), out of the process group the daemon
# kills, loses it at its timeout; one that leaves such a grandchild behind
# and exits loses it when the daemon stops (SIGTERM); one that leaves a
# grandchild that ends by itself has it reaped, not left a zombie.
. "$(dirname "$0")/lib.bash"

chmod 755 "$T"
free_port STATUS
# Each check writes its grandchild's pid where the test looks for it.
touch "$T/hang.pids" "$T/leave.pids"
chmod 666 "$T/hang.pids" "$T/leave.pids"
printf '#!/bin/sh\nsetsid sleep 300 &\necho $! >>%s\nsleep 30\n' \
    "$T/hang.pids" >"$T/hang"
# leave exits only once its grandchild is in a session of its own: the
# daemon kills the group a program leaves, and setsid may not have run yet.
cat >"$T/leave" <<EOF
#!/bin/sh
setsid sleep 300 &
g=\$!
echo \$g >>$T/leave.pids
i=0
while [ "\$(cut -d' ' -f6 /proc/\$g/stat)" = "\$(cut -d' ' -f6 /proc/\$\$/stat)" ] &&
    [ \$i -lt 100 ]; do
	sleep 0.05
	i=\$((i + 1))
done
echo "LEAVE OK|n=1"
EOF
cat >"$T/brief" <<EOF
#!/bin/sh
setsid sleep 0.2 &
echo "BRIEF OK|n=1"
exit 0
EOF
chmod 755 "$T/hang" "$T/leave" "$T/brief"
cat >"$T/e.conf" <<CONF
daemon = { data_dir = "$T/data"; status_listen = "127.0.0.1:$STATUS"; };
systems = ( { id = "sys"; category = "basic"; portfolio = "information";
  collectors = (
    { type = "exec"; series = "hang"; command = [ "$T/hang" ];
      interval = 5; timeout = 1; },
    { type = "exec"; series = "leave"; command = [ "$T/leave" ];
      interval = 2; timeout = 1; },
    { type = "exec"; series = "brief"; command = [ "$T/brief" ];
      interval = 2; timeout = 1; }
  ); } );
CONF

# alive FILE: how many of the pids in FILE still run (zombies are not).
alive() {
	local n=0 p
	for p in $(cat "$1"); do
		if [ -d "/proc/$p" ] &&
		    ! grep -q '^State:.*Z' "/proc/$p/status" 2>/dev/null; then
			n=$((n + 1))
		fi
	done
	echo "$n"
}

"$BIN/itfollowd" -f -c "$T/e.conf" 2>"$T/log" &
DPID=$!
PIDS="$PIDS $DPID"
# The hanging check's first run times out (1 s plus the kill grace).
for i in $(seq 1 100); do
	[ -s "$T/leave.pids" ] && [ -f "$T/data/rrd/quality/sys/hang.rrd" ] &&
	    break
	sleep 0.1
done
sleep 3
expect_eq "hang timed out" \
    "$(sqlite3 "$T/data/journal.sqlite" "SELECT count(*) > 0 FROM failed_runs WHERE series = 'hang' AND reason = 'timeout'")" 1
[ -s "$T/hang.pids" ] && ok || fail "hang started no grandchild"
expect_eq "its setsid grandchild was killed at the timeout" "$(alive "$T/hang.pids")" 0
expect_num "leave's grandchildren run on meanwhile" "$(alive "$T/leave.pids")" ">=" 1
# Grandchildren that ended by themselves are reaped: brief leaves one
# each 2 s; they do not pile up.
most=0
for i in $(seq 1 8); do
	z=$(ps -o stat= --ppid "$DPID" | grep -c '^Z' || true)
	[ "$z" -gt "$most" ] && most=$z
	sleep 1
done
expect_num "zombies at most" "$most" "<=" 1

kill -TERM "$DPID"
rc=0
wait "$DPID" || rc=$?
expect_eq "exit on SIGTERM" "$rc" 0
expect_eq "leave's grandchild was killed at SIGTERM" "$(alive "$T/leave.pids")" 0
expect_eq "and hang's" "$(alive "$T/hang.pids")" 0

if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error' "$T/log"; then
	fail "sanitizer report"
	cat "$T/log"
else
	ok
fi
# Leave nothing behind whatever happened: the grandchildren, by pid.
for p in $(cat "$T/hang.pids" "$T/leave.pids"); do
	kill "$p" 2>/dev/null || true
done
finish
