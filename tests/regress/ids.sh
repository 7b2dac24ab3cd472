# Names from outside never reach a path unchecked: a plugin naming series
# with ../, absolute paths, '/' and over-long ids; licence features, Munin
# fields and PUTVAL identifiers with ../, '/' and NUL bytes from a check
# program; FOCUS Tags naming ../ and absolute systems; status server
# requests for ../ paths; the tool asked for such a system. Every file the
# daemon made is under data_dir, each refused series is logged, and the
# good series of the same runs are stored.
. "$(dirname "$0")/lib.bash"

BUILD=${ITF_BUILD_DIR:-$SRC/build}
start_targets
free_port STATUS
# data_dir deep enough that ../../../ still lands inside $T, where a file
# that escaped would be found.
D=$T/a/b/c/data
mkdir -p "$T/a/b/c" "$T/in"
rm -f /tmp/itf-hostile-abs*

# A licence server whose feature names try to leave, one with a NUL byte.
cat >"$T/in/lmutil" <<'SH'
#!/bin/sh
printf 'License server status: 27000@lic1\n\n'
printf 'lic1: license server UP v11.16\n\nFeature usage info:\n\n'
printf 'Users of ../../../../escape-lic:  (Total of 5 licenses issued;  Total of 1 license in use)\n\n'
printf 'Users of /tmp/itf-hostile-abs-lic:  (Total of 5 licenses issued;  Total of 2 licenses in use)\n\n'
printf 'Users of nul\000../../escape-nul:  (Total of 5 licenses issued;  Total of 3 licenses in use)\n\n'
printf 'Users of good:  (Total of 5 licenses issued;  Total of 4 licenses in use)\n\n'
SH
# Munin fields and PUTVAL identifiers that look like paths.
cat >"$T/in/munin" <<'SH'
#!/bin/sh
if [ "${1:-}" = config ]; then
	printf 'graph_title x\n../../../../escape-munin.label x\n'
	exit 0
fi
printf '../../../../escape-munin.value 3\n/tmp/itf-hostile-abs-munin.value 4\n'
printf 'ok\000../../x.value 5\n'
SH
cat >"$T/in/putval" <<'SH'
#!/bin/sh
printf 'PUTVAL "../../../../escape/gauge-../../escape-pv" N:6\n'
printf 'PUTVAL "/tmp/itf-hostile-abs/gauge-x" N:7\n'
printf 'PUTVAL host/exec-good/gauge-fine N:8\n'
SH
chmod 755 "$T/in/lmutil" "$T/in/munin" "$T/in/putval"
# FOCUS rows tagged with systems that try to leave, one with \u0000.
{
	echo 'ChargePeriodStart,ChargePeriodEnd,EffectiveCost,Tags'
	echo '2026-01-01,2026-01-02,1.00,"{""itfollow-system"": ""../../../../escape-focus""}"'
	echo '2026-01-01,2026-01-02,2.00,"{""itfollow-system"": ""/tmp/itf-hostile-abs-focus""}"'
	echo '2026-01-01,2026-01-02,4.00,"{""itfollow-system"": ""plug\u0000/../../x""}"'
	echo '2026-01-01,2026-01-02,8.00,"{""itfollow-system"": ""plug""}"'
} >"$T/in/focus.csv"
chmod -R a+rX "$T"

cat >"$T/ids.conf" <<CONF
daemon = { data_dir = "$D"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; plugin_dir = "$BUILD/tests/plugins";
  log_level = "info"; };
systems = ( { id = "plug"; category = "basic"; portfolio = "information";
  collectors = (
    { type = "tphostile"; series = "hostile"; value = 2.5; },
    { type = "exec"; series = "munin"; format = "munin"; command = ["$T/in/munin"]; },
    { type = "exec"; series = "putval"; format = "collectd"; command = ["$T/in/putval"]; }
  ); } );
feeds = (
  { id = "lic"; type = "flexlm"; system = "plug"; command = ["$T/in/lmutil"]; },
  { id = "cloud"; type = "focus"; url = "file://$T/in/focus.csv"; }
);
CONF

rc=0
"$BIN/itfollowd" -T -c "$T/ids.conf" >"$T/out" 2>"$T/err" || rc=$?
expect_eq "-T exit" "$rc" 0

# Nothing outside data_dir: every file under $T is an input or in $D.
outside=$(find "$T" -newer "$T/ids.conf" ! -path "$D/*" ! -path "$D" \
    ! -path "$T" ! -path "$T/a" ! -path "$T/a/b" ! -path "$T/a/b/c" \
    ! -name out ! -name err | sort)
expect_eq "files made outside data_dir" "$outside" ""
if ls -d /tmp/itf-hostile-abs* 2>/dev/null; then
	fail "an absolute name was written to"
	rm -rf /tmp/itf-hostile-abs*
else
	ok
fi
# Inside data_dir, only what the layout allows: rrd/PERSPECTIVE/SYSTEM/
# SERIES.rrd with valid ids (and the state directory).
bad=$(cd "$D" && find . -type f ! -path './state/*' |
    grep -Ev '^\./rrd/(quality|maturity|cost)/[a-z0-9][a-z0-9_-]{0,63}/[a-z0-9][a-z0-9_-]{0,63}\.rrd$' || true)
expect_eq "files in data_dir outside the layout" "$bad" ""

# The plugin: each hostile series refused and logged, escaped; the good
# one stored.
for s in "../../../escape/quality/up" "plug/quality/../../../../escape" \
    "plug/quality//tmp/itf-hostile-abs" "plug/../quality/rel" \
    "plug/quality/a/b"; do
	grep -qF "plug/hostile: series \"$s\": not a valid id; not stored" \
	    "$T/err" && ok || fail "not logged: $s"
done
# Ten series and one data source refused.
grep -qF 'plug/hostile: 11 names refused in this run (5 logged)' "$T/err" &&
    ok || fail "the refused names are not counted"
expect_eq "plugin: good series" "$(last "$D/rrd/quality/plug/fine.rrd" count)" 7

# Licence features: made into safe, distinct series; the good one plain;
# the line with a NUL byte refused with its line number.
L=$D/rrd/maturity/plug
expect_eq "licence good" "$(last "$L/licence-good.rrd" in_use)" 4
n=$(find "$L" -name 'licence-*.rrd' | wc -l)
expect_eq "licence series, one per feature" "$n" 3
grep -q "feed/lic: line 11: NUL byte in line" "$T/err" && ok ||
    fail "the NUL feature is not reported"
for v in 1 2; do
	found=""
	for f in "$L"/licence-*.rrd; do
		[ "$(last "$f" in_use)" = "$v" ] && found=$f
	done
	[ -n "$found" ] && ok || fail "the feature with $v in use is not stored"
done

# Munin and PUTVAL: path-like names refused with their line; what is
# left is data sources of the check's own file.
# Nothing it printed could be stored: the run is not up.
expect_eq "munin up" "$(last "$D/rrd/quality/plug/munin.rrd" up)" U
expect_eq "munin reason" "$(last "$D/rrd/quality/plug/munin.rrd" reason)" 13
grep -qF "plug/munin: output: line 2: bad field name '../../../../escape-munin.label'" \
    "$T/err" && ok || fail "munin: the bad field is not reported"
expect_eq "putval up" "$(last "$D/rrd/quality/plug/putval.rrd" up)" 1
expect_eq "putval good" "$(last "$D/rrd/quality/plug/putval.rrd" gauge_fine)" 8
grep -qF "plug/putval: output: line 2: bad identifier '/tmp/itf-hostile-abs/gauge-x'" \
    "$T/err" && ok || fail "putval: the bad identifier is not reported"

# FOCUS: systems that are not configured ids go to unallocated (\u0000
# makes the Tags unreadable: reported, unallocated too).
C=$D/rrd/cost
expect_eq "focus plug" "$(last "$C/plug/cost.rrd" cost)" 8
expect_eq "focus unallocated" "$(last "$C/unallocated/cost.rrd" cost)" 7
grep -q "feed/cloud: row 3, column Tags: not a JSON object" "$T/err" && ok ||
    fail "focus: the Tags with a NUL are not reported"

# The status server: ../ in any spelling names no file.
"$BIN/itfollowd" -f -c "$T/ids.conf" 2>"$T/daemon.err" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "http://127.0.0.1:$STATUS/health"
for p in "/../../../../etc/passwd" "/metrics/../../../etc/passwd" \
    "/%2e%2e/%2e%2e/%2e%2e/etc/passwd" "/health/..%2f..%2f..%2fetc%2fpasswd" \
    "/a/b/c/data/rrd/quality/plug/fine.rrd" "/health%00/../../etc/passwd" \
    "/$(printf 'x%.0s' $(seq 1 9000))"; do
	code=$(curl -s --path-as-is -o "$T/body" -w '%{http_code}' \
	    "http://127.0.0.1:$STATUS$p" || true)
	# 4xx, or the health answer itself (evhttp reads %00 as the end).
	case $code in
	4??) ok ;;
	200) grep -qF '"status":"ok"' "$T/body" && ok || fail "GET ${p:0:60}: 200" ;;
	*) fail "GET ${p:0:60}: status $code" ;;
	esac
	if grep -q 'root:' "$T/body" 2>/dev/null ||
	    grep -qa 'RRD' "$T/body" 2>/dev/null; then
		fail "GET ${p:0:60} served a file"
	else
		ok
	fi
done
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$STATUS/health")
expect_eq "health after the requests" "$code" 200
kill "$DPID"
wait "$DPID" && ok || fail "daemon exit"

# The tool: a system or series named by its caller is checked too.
for args in "../../../../etc passwd" "plug ../../../x" "/etc passwd"; do
	# shellcheck disable=SC2086
	out=$("$BIN/itfollow" last -c "$T/ids.conf" $args 2>&1) && rc=0 ||
	    rc=$?
	[ "$rc" -ne 0 ] && ok || fail "itfollow last $args: exit 0"
	echo "$out" | grep -q "root:" && fail "itfollow last $args read a file" ||
	    ok
done
finish
