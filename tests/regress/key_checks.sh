# Key tables carry their checks (ABI 5): ranges and allowed values are
# checked by the daemon, each error at the value's file:line, for the
# built-in http collector (-n) and for a plugin's own keys (when the
# daemon loads it; -n loads no plugin). A plugin built for ABI 4, whose
# key table has only names and types, still loads and runs, its keys
# read at their own layout, and one of ABI 1 too.
. "$(dirname "$0")/lib.bash"
export LSAN_OPTIONS="${LSAN_OPTIONS:-}:fast_unwind_on_malloc=0"

BUILD=${ITF_BUILD_DIR:-$SRC/build}
free_port STATUS
mkdir -m 755 "$T/plugins"
for k in current v4 old; do
	install -m 755 "$BUILD/tests/plugins/tp$k.so" "$T/plugins/"
done
conf_head() {
	cat <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; plugin_dir = "$T/plugins"; };
systems = ( { id = "sys"; category = "basic"; portfolio = "information";
  collectors = (
CONF
}

# Built in: http's ranges and vocabulary, at the key's line.
{
	conf_head
	cat <<CONF
    { type = "http"; series = "a"; url = "http://127.0.0.1:1/";
      max_redirects = 51;
      max_body = 0;
      auth = "digest"; },
    { type = "http"; series = "b"; url = "http://127.0.0.1:1/";
      max_redirects = 50; max_body = 67108864; auth = "bearer";
      token_file = "$T/token"; }
  ); } );
CONF
} >"$T/h.conf"
printf 'tok\n' >"$T/token"
chmod 600 "$T/token"
rc=0
"$BIN/itfollowd" -n -c "$T/h.conf" >"$T/h.out" 2>&1 || rc=$?
expect_eq "-n exit" "$rc" 1
expect_eq "-n errors" "$(cat "$T/h.out")" "$T/h.conf:6: max_redirects must be 0 to 50
$T/h.conf:7: max_body must be 1 to 67108864 bytes
$T/h.conf:8: unknown auth \"digest\" (want basic | bearer)"

# Plugins: good values load and run, the ABI 4 plugin's second key too.
{
	conf_head
	cat <<CONF
    { type = "tpcurrent"; series = "cur"; value = 1.5; level = 5;
      mode = "slow"; },
    { type = "tpv4"; series = "four"; value = 2.5; colour = "red"; },
    { type = "tpold"; series = "one"; }
  ); } );
CONF
} >"$T/p.conf"
rc=0
"$BIN/itfollowd" -T -c "$T/p.conf" >"$T/p.out" 2>"$T/p.err" || rc=$?
expect_eq "-T exit" "$rc" 0
for s in cur four one; do
	grep -q "^sys quality $s status=up" "$T/p.out" && ok ||
	    fail "$s did not run: $(cat "$T/p.out" "$T/p.err")"
done
expect_eq "ABI 4 value stored" "$(last "$T/data/rrd/quality/sys/four.rrd" value)" 2.5
expect_eq "ABI 5 value stored" "$(last "$T/data/rrd/quality/sys/cur.rrd" value)" 1.5

# Plugins: values outside their key, and an unknown key of the ABI 4
# plugin: the daemon refuses the configuration, naming each line.
{
	conf_head
	cat <<CONF
    { type = "tpcurrent"; series = "cur";
      level = 9;
      mode = "medium";
      value = 1; },
    { type = "tpv4"; series = "four";
      shade = "red"; }
  ); } );
CONF
} >"$T/b.conf"
rc=0
"$BIN/itfollowd" -n -c "$T/b.conf" >"$T/bn.out" 2>&1 || rc=$?
expect_eq "-n loads no plugin, so checks none of its keys" "$rc:$(cat "$T/bn.out")" "0:"
rc=0
"$BIN/itfollowd" -T -c "$T/b.conf" >"$T/b.out" 2>"$T/b.err" || rc=$?
expect_eq "-T exit" "$rc" 1
for e in "b.conf:6: \"level\" must be 1 to 5" \
    "b.conf:7: unknown mode \"medium\" (want fast | slow)" \
    "b.conf:10: unknown key \"shade\" in collector"; do
	grep -qF "$T/$e" "$T/b.err" && ok || fail "not said: $e: $(cat "$T/b.err")"
done
grep -q "b.conf:8" "$T/b.err" && fail "a good value refused" || ok
finish
