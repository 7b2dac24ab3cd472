# No code of anyone else runs as root. Nothing is looked up in PATH nor
# run through a shell: an fc-match first in PATH is never run by the
# daemon (whose dashboard checks for fonts while still root) or the tool.
# A test plugin whose constructor
# writes who loaded it (tests/plugins, kind ctor) is put where a local
# user could: owned by nobody, in a directory of nobody's. As root,
# `itfollowd -n`, `itfollow check` and `itfollow last` never load a
# plugin; the daemon loads only a plugin that root or its own user owns,
# that nobody else may write, in a directory the same holds for, and
# names what it refused and why; with daemon.user it loads the user's
# plugin after the drop, as the user.
. "$(dirname "$0")/lib.bash"
# librrd's graph leaks what only a slow unwind names (tests/lsan.supp).
export LSAN_OPTIONS="${LSAN_OPTIONS:-}:fast_unwind_on_malloc=0"

if [ "$(id -u)" != 0 ]; then
	echo "plugin_owner.sh checks what root loads: run it as root"
	exit 1
fi
BUILD=${ITF_BUILD_DIR:-$SRC/build}
NUID=$(id -u nobody)
chmod 755 "$T"
free_port STATUS
export ITF_TP_MARK=$T/mark
touch "$ITF_TP_MARK"
chmod 666 "$ITF_TP_MARK"
mkdir "$T/plugins"
install -m 755 "$BUILD/tests/plugins/tpctor.so" "$T/plugins/"
# What a local user could have made: theirs, in a directory of theirs.
chown nobody "$T/plugins" "$T/plugins/tpctor.so"
cat >"$T/p.conf" <<CONF
daemon = { data_dir = "data"; status_listen = "127.0.0.1:$STATUS";
  plugin_dir = "plugins"; };
systems = ( { id = "sys"; category = "basic"; portfolio = "information";
  collectors = ( { type = "tpctor"; series = "plug"; value = 1.5; } ); } );
CONF
chmod 644 "$T/p.conf"

# -n and the tool: nothing loaded, whatever the plugin's owner.
rc=0
"$BIN/itfollowd" -n -c "$T/p.conf" >"$T/n.out" 2>&1 || rc=$?
expect_eq "-n exit" "$rc" 0
expect_eq "-n output" "$(cat "$T/n.out")" ""
"$BIN/itfollow" check -c "$T/p.conf" >/dev/null 2>&1 || true
"$BIN/itfollow" last -c "$T/p.conf" sys plug >"$T/last.out" 2>&1 || true
expect_eq "nothing loaded by -n, check or last" "$(cat "$ITF_TP_MARK")" ""
# The tool still knows the plugin's series (from the configuration).
grep -q "no series" "$T/last.out" && fail "last: $(cat "$T/last.out")" || ok

# The daemon as root: another user's plugin is refused, and says why.
run_t() {
	: >"$ITF_TP_MARK"
	rc=0
	"$BIN/itfollowd" -T -c "$T/p.conf" >"$T/t.out" 2>"$T/t.err" || rc=$?
	expect_eq "-T exit ($1)" "$rc" 0
}
run_t "nobody's plugin"
expect_eq "nobody's plugin: not loaded" "$(cat "$ITF_TP_MARK")" ""
grep -q "p.conf:4: plugin $T/plugins/tpctor.so: its directory is owned by uid $NUID, not by root or the daemon's user (uid 0); not loaded; collector skipped" "$T/t.err" &&
    ok || fail "refusal (directory): $(cat "$T/t.err")"
chown root "$T/plugins"
run_t "nobody's file"
expect_eq "nobody's file: not loaded" "$(cat "$ITF_TP_MARK")" ""
grep -q "p.conf:4: plugin $T/plugins/tpctor.so: owned by uid $NUID, not by root or the daemon's user (uid 0); not loaded" "$T/t.err" &&
    ok || fail "refusal (file): $(cat "$T/t.err")"
chown root "$T/plugins/tpctor.so"
chmod 666 "$T/plugins/tpctor.so"
run_t "a file others may write"
expect_eq "writable by others: not loaded" "$(cat "$ITF_TP_MARK")" ""
grep -q "p.conf:4: plugin $T/plugins/tpctor.so: writable by others (mode 0666); not loaded" "$T/t.err" &&
    ok || fail "refusal (mode): $(cat "$T/t.err")"
chmod 755 "$T/plugins/tpctor.so"
chmod 777 "$T/plugins"
run_t "a directory others may write"
expect_eq "directory writable by others: not loaded" "$(cat "$ITF_TP_MARK")" ""
grep -q "its directory is writable by others (mode 0777); not loaded" "$T/t.err" &&
    ok || fail "refusal (directory mode): $(cat "$T/t.err")"
chmod 755 "$T/plugins"
# The control: root's own plugin, in root's directory, loads.
run_t "root's plugin"
expect_eq "root's plugin: loaded" "$(cat "$ITF_TP_MARK")" "loaded uid=0"
grep -q "^sys quality plug status=up" "$T/t.out" && ok ||
    fail "root's plugin did not run: $(cat "$T/t.out")"

# With daemon.user: the user's own plugin loads after the drop, as it.
chown -R nobody "$T/plugins"
sed -i -e 's/plugin_dir = "plugins"; };/plugin_dir = "plugins"; user = "nobody"; };/' \
    -e 's/data_dir = "data"/data_dir = "data2"/' "$T/p.conf"
run_t "the daemon user's plugin"
expect_eq "loaded once, as the user" "$(cat "$ITF_TP_MARK")" "loaded uid=$NUID"

# A program first in PATH named as what a shell would have run.
mkdir "$T/evil"
for p in fc-match sh; do
	printf '#!/bin/sh\necho "$0 ran as uid $(id -u)" >>%s\n' "$T/pathmark" \
	    >"$T/evil/$p"
	chmod 755 "$T/evil/$p"
done
: >"$T/pathmark"
sed -i 's/ user = "nobody";//' "$T/p.conf"
chown -R root "$T/plugins"
PATH="$T/evil:$PATH" "$BIN/itfollowd" -T -c "$T/p.conf" >/dev/null 2>&1 || true
PATH="$T/evil:$PATH" "$BIN/itfollow" graph -c "$T/p.conf" availability \
    --system sys --last 24h -o "$T/g.png" >/dev/null 2>&1 || true
[ -s "$T/g.png" ] && ok || fail "no graph drawn"
expect_eq "nothing run from PATH" "$(cat "$T/pathmark")" ""

for f in "$T/t.err"; do
	if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error' "$f"; then
		fail "sanitizer report in $f"
	else
		ok
	fi
done
finish
