# Learning completions from an xAPI record store: pages of statements from
# the test server (basic auth, the version header, "more" followed), counted
# per verb and course, never twice: a second run, also after a restart,
# counts only what is new.
. "$(dirname "$0")/lib.bash"

start_targets
# The test server's xAPI pages.
kill "$(cat "$T/testsrv.pid")"
sleep 0.3
rm -f "$T/testsrv.pid"
"$BIN/itf-testsrv" --http "$HTTP" --xapi "$SRC/tests/samples/xapi-learning" \
    --pidfile "$T/testsrv.pid" 2>"$T/testsrv.log" &
PIDS="$PIDS $!"
wait_file "$T/testsrv.pid"
printf 's3cret\n' >"$T/password"
chmod 600 "$T/password"
free_port STATUS
V=http://adlnet.gov/expapi/verbs
C=http://example.adlnet.gov/xapi/example
cat >"$T/x.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; };
systems = ( { id = "learning"; category = "basic"; portfolio = "training"; } );
feeds = (
  { id = "lrs"; type = "xapi"; system = "learning";
    url = "http://127.0.0.1:$HTTP/xapi/statements";
    username = "itf"; password_file = "$T/password";
    verbs = ( ("$V/completed", "completed"), ("$V/attempted", "attempted") );
    courses = ( ("$C/simpleCBT", "simple-cbt"), ("$C/securityAwareness", "security") ); }
);
CONF
rc=0
"$BIN/itfollowd" -T -c "$T/x.conf" >"$T/out" 2>"$T/err" || rc=$?
expect_eq "-T exit" "$rc" 0
count() { field "$(grep "^learning maturity $1 " "$2")" count; }
expect_eq "simple-cbt completed" "$(count simple-cbt-completed "$T/out")" 1
expect_eq "simple-cbt attempted" "$(count simple-cbt-attempted "$T/out")" 1
expect_eq "security attempted (page 2)" \
    "$(count security-attempted "$T/out")" 1
expect_eq "security completed" "$(count security-completed "$T/out")" 0
expect_eq "other courses" "$(count other-attempted "$T/out")" 0
R=$T/data/rrd/maturity/learning
expect_eq "stored count" "$(last "$R/simple-cbt-completed.rrd" count)" 1
[ -s "$T/data/state/feed-lrs" ] && ok || fail "no state file"

# Again (a restart): the same pages, nothing new, nothing counted twice.
sleep 1
"$BIN/itfollowd" -T -c "$T/x.conf" >"$T/out2" 2>"$T/err2" || true
expect_eq "again: simple-cbt completed" \
    "$(count simple-cbt-completed "$T/out2")" 0
expect_eq "again: security attempted" \
    "$(count security-attempted "$T/out2")" 0

# A wrong password: down, nothing counted, the state not moved on.
printf 'wrong\n' >"$T/password"
rm -f "$T/data/state/feed-lrs"
sleep 1
"$BIN/itfollowd" -T -c "$T/x.conf" >"$T/out3" 2>"$T/err3" || true
grep -q "^feed/lrs - (nothing stored) status=down reason=auth" "$T/out3" &&
    ok || fail "a refused login is not down/auth"
[ ! -e "$T/data/state/feed-lrs" ] && ok || fail "state moved on a failure"
finish
