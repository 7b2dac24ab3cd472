# cmake --install into a DESTDIR: the binaries run, the installed
# configuration passes -n and is the one the daemon reads by default, the
# systemd unit and the sysusers.d entry pass systemd's own checks, the man
# pages lint clean, the installed daemon draws a graph with the installed
# renderer, and a reinstall keeps an edited configuration.
. "$(dirname "$0")/lib.bash"

BUILD=${ITF_BUILD_DIR:-$SRC/build}
D=$T/root
PREFIX=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$BUILD/CMakeCache.txt")
DESTDIR=$D cmake --install "$BUILD" >"$T/install.log" 2>&1 && rc=0 || rc=$?
expect_eq "cmake --install" "$rc" 0
P=$D$PREFIX

expect_eq "itfollowd -V" "$("$P/sbin/itfollowd" -V)" \
    "$("$BIN/itfollowd" -V)"
expect_eq "itfollow -V" "$("$P/bin/itfollow" -V)" \
    "itfollow ${ITF_VERSION:-$("$BIN/itfollowd" -V | cut -d' ' -f2)}"
for f in share/itfollow/rrd-templates/http.tmpl \
    share/itfollow/rrd-templates/cost.tmpl include/itfollow/collector.h \
    share/pkgconfig/itfollow-collector.pc \
    share/doc/itfollow/examples/itfollowd.conf; do
	[ -f "$P/$f" ] && ok || fail "not installed: $PREFIX/$f"
done
[ -d "$P/lib/itfollow/plugins" ] && ok || fail "no plugin directory"

# The configuration: where the daemon looks by default, naming the
# installed templates and the service's user and data directory.
CONF=$(sed -n 's/^ *-c file *configuration (default \(.*\), else.*/\1/p' \
    <<<"$("$P/sbin/itfollowd" -h 2>&1 || true)")
case "$CONF" in
/*/itfollow/itfollowd.conf) ok ;;
*) fail "default configuration path: '$CONF'" ;;
esac
[ -f "$D$CONF" ] && ok || fail "not installed where the daemon reads: $CONF"
grep -qx '  templates_dir = "'"$PREFIX"'/share/itfollow/rrd-templates";' \
    "$D$CONF" && ok || fail "templates_dir of the installed configuration"
grep -qx '  data_dir = "/var/lib/itfollow";' "$D$CONF" && ok ||
    fail "data_dir of the installed configuration"
grep -qx '  user = "itfollow";' "$D$CONF" && ok ||
    fail "daemon.user of the installed configuration"
# Checked as installed, but with the templates under DESTDIR and, where
# the itfollow user does not exist, a user that does; nothing else changed.
sed -e "s|\"$PREFIX/share/itfollow|\"$P/share/itfollow|" "$D$CONF" \
    >"$T/installed.conf"
if ! getent passwd itfollow >/dev/null; then
	out=$("$P/sbin/itfollowd" -n -c "$T/installed.conf" 2>&1) || true
	expect_eq "installed conf without the itfollow user" "$out" \
	    "$T/installed.conf:$(grep -n '^  user = ' "$T/installed.conf" |
		cut -d: -f1): no user \"itfollow\" (daemon.user)"
	sed -i 's/^  user = "itfollow";/  user = "nobody";/' "$T/installed.conf"
fi
out=$("$P/sbin/itfollowd" -n -c "$T/installed.conf" 2>&1) && rc=0 || rc=$?
expect_eq "itfollowd -n on the installed configuration" "$rc:$out" "0:"
out=$("$P/bin/itfollow" check -c "$T/installed.conf" 2>&1) && rc=0 || rc=$?
expect_eq "itfollow check on the installed configuration" "$rc:$out" "0:"

# The unit: systemd's verifier with the installed paths (the binary under
# DESTDIR, the man pages its Documentation= names), and its hardening.
UNIT=$(find "$D" -name itfollowd.service)
[ -n "$UNIT" ] && ok || fail "no itfollowd.service installed"
case "$UNIT" in
"$P/lib/systemd/system/itfollowd.service") ok ;;
*) fail "unit installed at $UNIT" ;;
esac
for kv in "Type=simple" "User=itfollow" "NoNewPrivileges=yes" \
    "ProtectSystem=strict" "ReadWritePaths=/var/lib/itfollow" \
    "PrivateTmp=yes" "ProtectHome=yes" "StateDirectory=itfollow" \
    "ExecReload=/bin/kill -HUP \$MAINPID" \
    "ExecStart=$PREFIX/sbin/itfollowd -f -c $CONF"; do
	grep -qxF "$kv" "$UNIT" && ok || fail "unit lacks $kv"
done
if command -v systemd-analyze >/dev/null; then
	mkdir "$T/unit"
	sed "s|^ExecStart=$PREFIX/|ExecStart=$P/|" "$UNIT" \
	    >"$T/unit/itfollowd.service"
	out=$(MANPATH=$P/share/man systemd-analyze verify \
	    "$T/unit/itfollowd.service" 2>&1) && rc=0 || rc=$?
	expect_eq "systemd-analyze verify" "$rc:$out" "0:"
	# The verifier can fail: a bad value is reported.
	sed -i 's/^NoNewPrivileges=yes/NoNewPrivileges=maybe/' \
	    "$T/unit/itfollowd.service"
	out=$(MANPATH=$P/share/man systemd-analyze verify \
	    "$T/unit/itfollowd.service" 2>&1) || true
	case "$out" in
	*"Failed to parse boolean value"*) ok ;;
	*) fail "systemd-analyze verify missed a bad value: $out" ;;
	esac
	out=$(systemd-sysusers --dry-run --root="$D" 2>&1) || true
	case "$out" in
	*"Creating user 'itfollow'"*) ok ;;
	*) fail "systemd-sysusers: $out" ;;
	esac
else
	fail "systemd-analyze is missing (Debian package systemd)"
fi

# The man pages: mandoc's linter at every level (but for the pages they
# refer to, which are not in the system's database), and man finds them.
for page in man8/itfollowd.8 man1/itfollow.1 man5/itfollowd.conf.5; do
	out=$(mandoc -Tlint -W warning "$P/share/man/$page" 2>&1) &&
	    rc=0 || rc=$?
	expect_eq "mandoc -Tlint $page" "$rc:$out" "0:"
	out=$(mandoc -Tlint -W style "$P/share/man/$page" 2>&1 |
	    grep -v -e 'referenced manual not found' -e 'mandoc\.db') || true
	expect_eq "mandoc -Tlint -W style $page" "$out" ""
	name=${page#*/}
	out=$(MANPATH=$P/share/man man -P cat "${name##*.}" "${name%.*}" \
	    2>/dev/null | head -3)
	up=${name%.*}
	case "$out" in
	"${up^^}(${name##*.})"*) ok ;;
	*) fail "man ${name##*.} ${name%.*}: '$out'" ;;
	esac
done
# Every option of the daemon and every key it accepts is in its page.
for o in c f n T V; do
	grep -q "^\.Op Fl .*$o\|^\.It Fl $o" "$P/share/man/man8/itfollowd.8" &&
	    ok || fail "itfollowd(8) lacks -$o"
done
for key in data_dir templates_dir status_listen log_level plugin_dir \
    max_children user group write_delay interval timeout journal \
    journal_password_file name zone role heartbeat lease; do
	grep -q "^\.It Ic $key" "$P/share/man/man5/itfollowd.conf.5" && ok ||
	    fail "itfollowd.conf(5) lacks $key"
done

# The dashboard's renderer, where the installed daemon finds it relative
# to itself: a graph of the installed daemon is drawn.
R=$P/lib/itfollow/itfollow-render
[ -x "$R" ] && ok || fail "not installed: $PREFIX/lib/itfollow/itfollow-render"
free_port ISTATUS
free_port IREFUSED
cat >"$T/live.conf" <<CONF
daemon = { data_dir = "$T/live"; templates_dir = "$P/share/itfollow/rrd-templates";
  status_listen = "127.0.0.1:$ISTATUS"; };
systems = ( { id = "portal"; category = "basic"; portfolio = "service";
  collectors = ( { type = "tcp"; series = "smtp"; interval = 1;
    timeout = 0.5; host = "127.0.0.1"; port = $IREFUSED; } ); } );
CONF
"$P/sbin/itfollowd" -f -c "$T/live.conf" 2>"$T/live.log" &
PIDS="$PIDS $!"
wait_http "http://127.0.0.1:$ISTATUS/health"
expect_eq "installed daemon: a graph" "$(curl -s -o "$T/live.png" \
    -w '%{http_code} %{content_type}' \
    "http://127.0.0.1:$ISTATUS/graph/availability/system/portal/24h/800x250.png")" \
    "200 image/png"
read -r got _ < <(python3 "$SRC/tests/tools/pngdecode.py" "$T/live.png")
expect_eq "installed daemon: the graph decodes" "$got" 800x250

# A reinstall keeps a configuration the administrator edited.
echo "# edited" >>"$D$CONF"
DESTDIR=$D cmake --install "$BUILD" >"$T/install2.log" 2>&1
tail -1 "$D$CONF" | grep -qx "# edited" && ok ||
    fail "reinstall replaced the edited configuration"
grep -q "Keeping: $D$CONF" "$T/install2.log" && ok ||
    fail "reinstall did not say it kept the configuration"
finish
