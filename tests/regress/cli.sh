# The command lines: -n on good and bad files, the embedded default
# configuration, and itfollow check / last reading back what -T stored.
. "$(dirname "$0")/lib.bash"
free_port STATUS

out=$("$BIN/itfollowd" -n -c "$SRC/conf/itfollowd.conf" 2>&1) && rc=0 || rc=$?
expect_eq "-n on conf/itfollowd.conf: exit" "$rc" 0
expect_eq "-n on conf/itfollowd.conf: output" "$out" ""
# conf/demo.conf is the demo's template: the configuration the demo runs
# is what scripts/demo-world makes of it.
python3 "$SRC/scripts/demo-world" --dir "$T/demo" --status-port 8470 \
    --targets-port 8471 --feeds-port 8472 --user nobody
out=$("$BIN/itfollowd" -n -c "$T/demo/itfollowd.conf" 2>&1) && rc=0 || rc=$?
expect_eq "-n on the demo's configuration" "$rc:$out" "0:"

cat >"$T/bad.conf" <<'CONF'
daemon = { data_dir = "/tmp/x"; };
defaults = { intervall = 60; };
systems = (
  { id = "portal"; category = "basic"; portfolio = "servic";
    collectors = ( { type = "http"; series = "x"; url = "http://a/";
      timeout = 60; } ); }
);
CONF
out=$("$BIN/itfollowd" -n -c "$T/bad.conf" 2>&1) && rc=0 || rc=$?
expect_eq "-n on a bad file: exit" "$rc" 1
expect_eq "-n on a bad file: errors" "$out" "$T/bad.conf:2: unknown key \"intervall\" in defaults
$T/bad.conf:4: unknown portfolio \"servic\" (want service | information | training | cooperation | innovation)
$T/bad.conf:5: timeout (60s) must be below interval (60s)"
out=$("$BIN/itfollow" check -c "$T/bad.conf" 2>&1) && rc=0 || rc=$?
expect_eq "itfollow check on a bad file: exit" "$rc" 1
expect_num "itfollow check on a bad file: errors" \
    "$(echo "$out" | grep -c "^$T/bad.conf:")" "=" 3
out=$("$BIN/itfollowd" -n -c "$T/missing.conf" 2>&1) && rc=0 || rc=$?
expect_eq "-n on a missing file" "$rc:$out" \
    "1:$T/missing.conf: cannot read: No such file or directory"

# No -c and no default file (SYSCONFDIR/itfollow/itfollowd.conf): the
# embedded default watches the daemon's own status endpoint and writes
# under ./itfollow-data.
DEFAULT_CONF=$("$BIN/itfollowd" -h 2>&1 | sed -n 's/.*(default \(.*\), else.*/\1/p') || true
if [ -n "$DEFAULT_CONF" ] && [ ! -e "$DEFAULT_CONF" ]; then
	mkdir "$T/cwd"
	(cd "$T/cwd" && "$BIN/itfollowd" -T >"$T/emb.out" 2>"$T/emb.err") &&
	    rc=0 || rc=$?
	expect_eq "embedded -T exit" "$rc" 0
	grep -q "running the embedded default configuration" "$T/emb.err" &&
	    ok || fail "embedded default not announced"
	grep -q "^itfollowd quality health status=" "$T/emb.out" && ok ||
	    fail "embedded default did not probe itself"
	[ -f "$T/cwd/itfollow-data/rrd/quality/itfollowd/health.rrd" ] && ok ||
	    fail "embedded default stored nothing"
fi

# itfollow last reads back what -T stored.
start_targets
cat >"$T/one.conf" <<CONF
daemon = { data_dir = "data"; status_listen = "127.0.0.1:$STATUS"; };
systems = ( { id = "web"; category = "basic"; portfolio = "service";
  collectors = ( { type = "http"; series = "ok"; url = "http://127.0.0.1:$HTTP/ok"; } ); } );
CONF
"$BIN/itfollowd" -T -c "$T/one.conf" >"$T/one.out"
[ -f "$T/data/rrd/quality/web/ok.rrd" ] && ok ||
    fail "relative data_dir not taken from the file's directory"
"$BIN/itfollow" last -c "$T/one.conf" web ok >"$T/last"
grep -qx "up=1" "$T/last" && ok || fail "itfollow last: up"
grep -qx "code=200" "$T/last" && ok || fail "itfollow last: code"
grep -qx "reason=0" "$T/last" && ok || fail "itfollow last: reason"
out=$("$BIN/itfollow" last -c "$T/one.conf" web nope 2>&1) && rc=0 || rc=$?
expect_eq "itfollow last of an unknown series" "$rc" 1
finish
