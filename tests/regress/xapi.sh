# Learning completions from an xAPI record store: pages of statements from
# the test server (basic auth, the version header, "more" followed), counted
# per verb and course, never twice: a second run, also after a restart,
# counts only what is new (the state file keeps each verb's floor and the
# ids counted after it).
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
# The statements are of 2015, before the 7 years a file keeps: what is
# stored is the run's own day, counted (0).
R=$T/data/rrd/maturity/learning
expect_eq "stored: today counted" "$(last "$R/simple-cbt-completed.rrd" count)" 0
expect_eq "stored: the row of today" "$(rrdtool last "$R/simple-cbt-completed.rrd")" \
    $(( ($(date +%s) / 86400 + 1) * 86400 ))
# The state: each verb's floor, and the ids stored after it (the overlap
# fetches them again).
S=$T/data/state/feed-lrs
expect_eq "state format" "$(head -1 "$S")" "itfollow-xapi 2"
expect_eq "attempted: floor 300 s before the last stored" \
    "$(awk '$1 == "verb" && $2 == "attempted" { print $3 }' "$S")" \
    $(( $(date -u -d 2015-12-18T15:20:44Z +%s) * 1000000000 - 300 * 1000000000 - 1 ))
expect_eq "attempted: the ids after the floor remembered" \
    "$(awk '$1 == "id" && $2 == "attempted" { print $4 }' "$S")" \
    "5e8f1d2c-3b4a-4c5d-8e6f-7a8b9c0d1e2f"

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
