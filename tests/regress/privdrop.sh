# daemon.user: started as root, the daemon binds the status server, gives
# data_dir to the user and becomes it before any collector runs; checked in
# /proc while collectors run, in the owner of the RRD files, in the uid a
# check program sees, and across a reload. Also the errors: an unknown user
# (file:line), a start as the wrong user, and the warning of root without
# daemon.user.
. "$(dirname "$0")/lib.bash"

if [ "$(id -u)" != 0 ]; then
	echo "privdrop.sh starts the daemon as root: run it as root"
	exit 1
fi
BUILD=${ITF_BUILD_DIR:-$SRC/build}
RUSER=nobody
RUID=$(id -u "$RUSER")
RGID=$(id -g "$RUSER")
chmod 755 "$T" # the dropped daemon reaches its files through $T
free_port STATUS

mkdir "$T/bin"
cat >"$T/bin/whoami-check" <<'EOF'
#!/bin/sh
echo "WHO OK|uid=$(id -u) gid=$(id -g)"
EOF
chmod 755 "$T/bin/whoami-check"
# A C plugin: loaded, and its configure run, only as the user.
mkdir "$T/plugins"
install -m 755 "$BUILD/tests/plugins/tpcurrent.so" "$T/plugins/"

cat >"$T/p.conf" <<CONF
daemon = { data_dir = "data"; status_listen = "127.0.0.1:$STATUS";
  user = "$RUSER"; plugin_dir = "plugins"; };
store = { write_delay = 0; };
defaults = { interval = 1; timeout = 0.9; };
systems = ( { id = "self"; category = "basic"; portfolio = "information";
  collectors = (
    { type = "http"; series = "health";
      url = "http://127.0.0.1:$STATUS/health"; },
    { type = "exec"; series = "who"; command = [ "$T/bin/whoami-check" ]; },
    { type = "tpcurrent"; series = "plug"; value = 2.5; }
  ); } );
CONF
# As installed: readable by the user's group (for reloads), not by others.
chgrp "$RGID" "$T/p.conf"
chmod 640 "$T/p.conf"
"$BIN/itfollowd" -f -c "$T/p.conf" 2>"$T/log" &
DPID=$!
PIDS="$PIDS $DPID"
wait_file "$T/data/rrd/quality/self/who.rrd"
wait_file "$T/data/rrd/quality/self/health.rrd"
wait_file "$T/data/rrd/quality/self/plug.rrd"

# Every thread of the daemon runs as the user, with only its groups.
for task in /proc/$DPID/task/*; do
	expect_eq "Uid of $task" "$(awk '/^Uid:/ { print $2, $3, $4, $5 }' \
	    "$task/status")" "$RUID $RUID $RUID $RUID"
	expect_eq "Gid of $task" "$(awk '/^Gid:/ { print $2, $3, $4, $5 }' \
	    "$task/status")" "$RGID $RGID $RGID $RGID"
done
expect_eq "supplementary groups" \
    "$(awk '/^Groups:/ { $1 = ""; print }' "/proc/$DPID/status" | xargs)" \
    "$(id -G "$RUSER")"

# The writers run below the event loop (10 nicer), the loop at the
# daemon's own priority; lowering needs no privilege.
base=$(nice)
seen=""
for task in /proc/$DPID/task/*; do
	name=$(cat "$task/comm")
	stat=$(cat "$task/stat")
	got=$(awk '{ print $17 }' <<<"${stat##*) }")
	case $name in
	itf-store | itf-journal | itf-offload)
		want=$((base + 10 > 19 ? 19 : base + 10)) ;;
	itfollowd) want=$base ;;
	*) continue ;;
	esac
	expect_eq "nice of $name" "$got" "$want"
	seen+=" $name"
done
for name in itfollowd itf-store itf-journal; do
	case " $seen " in
	*" $name "*) ;;
	*) fail "no thread $name" ;;
	esac
done

# The status server was bound before the drop and answers.
expect_eq "/health" "$(curl -s -o /dev/null -w '%{http_code}' \
    "http://127.0.0.1:$STATUS/health")" 200

# What the daemon writes is the user's.
for f in "$T/data" "$T/data/rrd" "$T/data/rrd/quality/self/health.rrd" \
    "$T/data/rrd/quality/self/who.rrd" "$T/data/journal.sqlite"; do
	expect_eq "owner of ${f#$T/}" "$(stat -c '%u:%g' "$f")" "$RUID:$RGID"
done

# The check program ran as the user, and the probe of the status server
# (bound as root) was up.
sleep 1.5
expect_eq "uid of the check program" \
    "$(last "$T/data/rrd/quality/self/who.rrd" uid)" "$RUID"
expect_eq "health probe up" \
    "$(last "$T/data/rrd/quality/self/health.rrd" up)" 1
expect_eq "uid the plugin was configured as" \
    "$(last "$T/data/rrd/quality/self/plug.rrd" conf_uid)" "$RUID"
expect_eq "plugin value" "$(last "$T/data/rrd/quality/self/plug.rrd" value)" 2.5
# No plugin code ran as root: the plugin was never even loaded by it.
grep -q "loading 1 plugin collector(s) as the daemon's user" "$T/log" && ok ||
    fail "plugin loading not logged: $(cat "$T/log")"
grep -q "running as user $RUSER (uid $RUID, gid $RGID)" "$T/log" && ok ||
    fail "drop not logged"

# A reload, read as the user, keeps both collectors running.
kill -HUP $DPID
for i in $(seq 1 50); do
	grep -q "[1-9] kept" "$T/log" && break
	sleep 0.1
done
grep -q "3 collectors (3 kept, 0 new, 0 removed)" "$T/log" && ok ||
    fail "reload as $RUSER: $(tail -3 "$T/log")"
before=$(rrdtool lastupdate "$T/data/rrd/quality/self/who.rrd" | tail -1)
sleep 2.5
after=$(rrdtool lastupdate "$T/data/rrd/quality/self/who.rrd" | tail -1)
[ "$before" != "$after" ] && ok || fail "no runs after the reload"
expect_eq "uid of the check program after reload" \
    "$(last "$T/data/rrd/quality/self/who.rrd" uid)" "$RUID"

kill -TERM $DPID
rc=0
wait $DPID || rc=$?
expect_eq "exit on SIGTERM" "$rc" 0
if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error' -e '\[error\]' -e '\[warning\]' \
    "$T/log"; then
	fail "errors logged"
	cat "$T/log"
else
	ok
fi

# An unknown user is an error at its line, as is one that is root.
cat >"$T/bad.conf" <<CONF
daemon = { data_dir = "data";
  user = "no-such-user-itf"; };
CONF
out=$("$BIN/itfollowd" -n -c "$T/bad.conf" 2>&1) && rc=0 || rc=$?
expect_eq "unknown user" "$rc:$out" \
    "1:$T/bad.conf:2: no user \"no-such-user-itf\" (daemon.user)"
printf 'daemon = { user = "root";\n  group = "no-such-group-itf"; };\n' \
    >"$T/root.conf"
out=$("$BIN/itfollowd" -n -c "$T/root.conf" 2>&1) && rc=0 || rc=$?
expect_eq "root and an unknown group" "$rc:$out" \
    "1:$T/root.conf:1: daemon.user \"root\" is root; name the user the daemon runs as instead
$T/root.conf:2: no group \"no-such-group-itf\" (daemon.group)"

# daemon.group: the group the daemon runs as.
sed -e "s/user = \"$RUSER\";/user = \"$RUSER\"; group = \"daemon\";/" \
    -e "s/data_dir = \"data\"/data_dir = \"gdata\"/" "$T/p.conf" >"$T/g.conf"
"$BIN/itfollowd" -T -c "$T/g.conf" >"$T/g.out" 2>"$T/g.err" || true
expect_eq "data_dir group with daemon.group" \
    "$(stat -c '%u:%g' "$T/gdata")" "$RUID:$(getent group daemon | cut -d: -f3)"
line=$(grep "^self quality who " "$T/g.out" || true)
expect_eq "check program under daemon.group" \
    "$(field "$line" status) $(field "$line" uid) $(field "$line" gid)" \
    "up $RUID $(getent group daemon | cut -d: -f3)"

# Started as another user than daemon.user: an error naming the line.
sed "s/user = \"$RUSER\"/user = \"daemon\"/" "$T/p.conf" >"$T/w.conf"
out=$(setpriv --reuid="$RUID" --regid="$RGID" --clear-groups \
    "$BIN/itfollowd" -T -c "$T/w.conf" 2>&1) && rc=0 || rc=$?
expect_eq "wrong user: exit" "$rc" 1
echo "$out" | grep -qF "$T/w.conf:2: daemon.user is \"daemon\" but itfollowd runs as uid $RUID: start it as root or as daemon" &&
    ok || fail "wrong user not reported: $out"
# Started as daemon.user itself: it runs.
rm -rf "$T/data/rrd"
setpriv --reuid="$RUID" --regid="$RGID" --clear-groups \
    "$BIN/itfollowd" -T -c "$T/p.conf" >"$T/self.out" 2>"$T/self.err" &&
    rc=0 || rc=$?
expect_eq "as daemon.user: exit" "$rc" 0
line=$(grep "^self quality who " "$T/self.out" || true)
expect_eq "as daemon.user: the check program" \
    "$(field "$line" status) $(field "$line" uid) $(field "$line" gid)" \
    "up $RUID $RGID"

# Root without daemon.user: a warning.
sed "s/ user = \"$RUSER\";//" "$T/p.conf" >"$T/r.conf"
"$BIN/itfollowd" -T -c "$T/r.conf" >/dev/null 2>"$T/r.err" || true
grep -q "running as root without daemon.user: check and notifier programs run as nobody" "$T/r.err" && ok ||
    fail "no warning for root without daemon.user: $(cat "$T/r.err")"
# Root without daemon.user: still no child runs as root. A check
# program, a licence feed's command and a notifier's command (on an
# outage) each say who they are.
mkdir -m 777 "$T/who"
printf '#!/bin/sh\nid -u >"$ITF_WHO_DIR/notifier"\n' >"$T/bin/notify-who"
printf '#!/bin/sh\nprintf "Users of who:  (Total of %%s licenses issued;  Total of 0 licenses in use)\\n" "$(id -u)"\n' \
    >"$T/bin/lmutil-who"
chmod 755 "$T/bin/notify-who" "$T/bin/lmutil-who"
free_port REFUSED
cat >"$T/root.conf" <<CONF
daemon = { data_dir = "$T/rootdata"; status_listen = "127.0.0.1:$STATUS"; };
store = { write_delay = 0; };
defaults = { interval = 1; timeout = 0.9; fail_after = 1; };
systems = ( { id = "self"; category = "basic"; portfolio = "information";
  collectors = (
    { type = "exec"; series = "who"; command = [ "$T/bin/whoami-check" ]; },
    { type = "tcp"; series = "down"; host = "127.0.0.1"; port = $REFUSED; }
  ); } );
feeds = ( { id = "lic"; type = "flexlm"; system = "self";
  command = [ "$T/bin/lmutil-who" ]; interval = 1; } );
notifiers = ( { id = "who"; type = "exec"; command = [ "/usr/bin/env",
  "ITF_WHO_DIR=$T/who", "$T/bin/notify-who" ]; } );
CONF
chmod 640 "$T/root.conf"
"$BIN/itfollowd" -f -c "$T/root.conf" 2>"$T/root.log" &
DPID=$!
PIDS="$PIDS $DPID"
wait_file "$T/who/notifier" || true
sleep 1
kill "$DPID"
wait "$DPID" || true
expect_eq "as root: the notifier's command runs as" \
    "$(cat "$T/who/notifier" 2>/dev/null)" "$RUID"
expect_eq "as root: the check program runs as" \
    "$(last "$T/rootdata/rrd/quality/self/who.rrd" uid)" "$RUID"
expect_eq "as root: the feed's command runs as" \
    "$(last "$T/rootdata/rrd/maturity/self/licence-who.rrd" issued)" "$RUID"
finish
