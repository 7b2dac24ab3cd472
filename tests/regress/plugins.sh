# C plugins: the test plugins (current ABI, an older one, a bad version,
# version 0, a missing symbol, a failing init) and the example plugin, built
# out of tree against the installed header found with pkg-config. Broken
# ones are logged with their file's name and skipped; the rest run.
. "$(dirname "$0")/lib.bash"

BUILD=${ITF_BUILD_DIR:-$SRC/build}
free_port STATUS
cat >"$T/p.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; plugin_dir = "$BUILD/tests/plugins"; };
systems = ( { id = "plug"; category = "basic"; portfolio = "information";
  collectors = (
    { type = "tpcurrent"; series = "current"; value = 4.5; },
    { type = "tpold"; series = "old"; },
    { type = "tpbadver"; series = "badver"; },
    { type = "tpzerover"; series = "zerover"; },
    { type = "tpnosym"; series = "nosym"; },
    { type = "tpfailinit"; series = "failinit"; },
    { type = "tcp"; series = "after"; host = "127.0.0.1"; port = $STATUS; }
  ); } );
CONF
rc=0
"$BIN/itfollowd" -T -c "$T/p.conf" >"$T/out" 2>"$T/err" || rc=$?
expect_eq "-T exit with broken plugins" "$rc" 0
expect_eq "-T lines: the three that load" "$(wc -l <"$T/out")" 3
P=$BUILD/tests/plugins
for want in \
    "p.conf:7: plugin $P/tpbadver.so: ABI version 6 (this daemon supports 1 to 5); collector skipped" \
    "p.conf:8: plugin $P/tpzerover.so: ABI version 0 (this daemon supports 1 to 5); collector skipped" \
    "p.conf:9: plugin $P/tpnosym.so: no symbol itf_collector_entry; collector skipped" \
    "p.conf:10: failinit always fails (plugin $P/tpfailinit.so); collector skipped"; do
	grep -qF "$want" "$T/err" && ok || fail "not logged: $want"
done
R=$T/data/rrd/quality/plug
expect_eq "current: value" "$(last "$R/current.rrd" value)" 4.5
expect_eq "current: runs" "$(last "$R/current.rrd" runs)" 1
expect_eq "current: up" "$(last "$R/current.rrd" up)" 1
expect_eq "old ABI: up" "$(last "$R/old.rrd" up)" 1
# The old plugin's struct has no flags: it is not dynamic, whatever lies
# past its end.
expect_eq "old ABI: no learned data source" "$(last "$R/old.rrd" value)" \
    missing
expect_eq "the collector after them ran" "$(last "$R/after.rrd" up)" 1
# -n: a broken plugin is not a configuration error.
"$BIN/itfollowd" -n -c "$T/p.conf" 2>/dev/null && ok ||
    fail "-n fails on a broken plugin"

# The example, out of tree, against the installed header and .pc file.
cmake --install "$BUILD" --prefix "$T/prefix" >/dev/null
[ -f "$T/prefix/include/itfollow/collector.h" ] && ok || fail "header install"
export PKG_CONFIG_PATH="$T/prefix/share/pkgconfig"
cflags=$(pkg-config --cflags itfollow-collector)
inc=${cflags#-I}
inc=${inc%% *}
[ "$(cd "$inc" && pwd)" = "$T/prefix/include" ] && ok ||
    fail "pkg-config cflags $cflags"
mkdir -p "$T/plugins"
cc -std=c11 -Wall -Wextra -Werror -shared -fPIC $cflags \
    -o "$T/plugins/loadavg.so" "$SRC/collectors/examples/loadavg.c" && ok ||
    fail "the example does not build out of tree"
cat >"$T/ex.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; plugin_dir = "$T/plugins"; };
systems = ( { id = "host"; category = "basic"; portfolio = "information";
  collectors = ( { type = "loadavg"; series = "load"; scale = 100.0; } ); } );
CONF
"$BIN/itfollowd" -T -c "$T/ex.conf" >"$T/ex.out" 2>"$T/ex.err" && ok ||
    fail "-T with the example plugin"
want=$(awk '{ printf "%g", $1 * 100 }' /proc/loadavg)
got=$(last "$T/data/rrd/quality/host/load.rrd" load1)
expect_num "example load1 (~$want)" "$got" ">=" 0
expect_num "example load1 scaled" \
    "$(awk -v a="$got" -v b="$want" 'BEGIN{d=a-b; print (d<0?-d:d)}')" "<" 100
grep -q "^host quality load status=up reason=ok up=1 reason=0 load1=" \
    "$T/ex.out" && ok || fail "example -T line"
finish
