# Munin plugins and Monitoring Plugins as Debian ships them, each run
# through tests/exec/tee-run so that what itfollowd stored is compared
# with what the program itself printed: if_ (its "up" field must not
# become the series' status, in a new file or one made before), the
# multigraph diskstats (a series per section, typed by its config),
# check_disk (its "/" named root, its maximum no bound), perfdata named
# like the daemon's own data sources, values out of bounds, and an
# rrdtool graph drawn from the names.
. "$(dirname "$0")/lib.bash"
free_port STATUS

MUNIN=/usr/share/munin/plugins
NAGIOS=/usr/lib/nagios/plugins
TEE=$SRC/tests/exec/tee-run
chmod 755 "$T" # children run as nobody when the tests run as root
mkdir -p "$T/tmpl" "$T/w" "$T/out/if" "$T/out/old" "$T/out/disk" "$T/out/df"
chmod 1777 "$T/w" "$T/out"/*
for f in "$SRC"/rrd-templates/*.tmpl; do
	sed -e 's/^step 60$/step 2/' -e 's/ 1m / 2 /' "$f" >"$T/tmpl/${f##*/}"
done
ln -s "$MUNIN/if_" "$T/if_lo"
S=$T/scripts
mkdir -p "$S"
script() {
	printf '#!/bin/sh\n%s\n' "$2" >"$S/$1"
	chmod 755 "$S/$1"
}
# Perfdata named like the daemon's own data sources; a percentage over
# 100; a size over the maximum it gives (a file system that grew).
script named 'echo "OK - fine | up=5000c reason=3 other=1"'
script grown "echo \"DISK OK | '/'=2000B;;;0;1000 use=150%;;;0;100\""
# Values of the plugins, by field, from what they printed: "FIELD VALUE".
values() { # FILE [SECTION]: the FIELD.value lines (of a multigraph section)
	awk -v sec="${2:-}" '
	    $1 == "multigraph" { cur = $2; next }
	    cur == sec && $1 ~ /\.value$/ { sub(/\.value$/, "", $1); print $1, $2 }' "$1"
}

# 1. if_, a file made by an earlier daemon for it, perfdata like it, and
# bounds, run by the daemon every 2 s.
D=$T/data
R=$D/rrd/quality/net
mkdir -p "$R"
# What a daemon before this one made of if_: its "up" field in the
# status data source; files made so go on being written.
rrdtool create "$R/if-old.rrd" --step 2 --start $(($(date +%s) - 10)) \
    DS:up:GAUGE:4:0:1 DS:reason:GAUGE:4:0:255 DS:down:DERIVE:4:0:U \
    RRA:AVERAGE:0.5:1:100 RRA:MIN:0.5:1:100 RRA:MAX:0.5:1:100
cat >"$T/net.conf" <<CONF
daemon = { data_dir = "$D"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
defaults = { interval = 2; timeout = 1.5; };
systems = ( { id = "net"; category = "basic"; portfolio = "service";
  collectors = (
    { type = "exec"; series = "if"; format = "munin"; command = ["$TEE", "$T/out/if", "$T/if_lo"]; },
    { type = "exec"; series = "if-old"; format = "munin"; command = ["$TEE", "$T/out/old", "$T/if_lo"]; },
    { type = "exec"; series = "named"; command = ["$S/named"]; },
    { type = "exec"; series = "grown"; command = ["$S/grown"]; }
  ); } );
CONF
"$BIN/itfollowd" -f -c "$T/net.conf" 2>"$T/net.log" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "http://127.0.0.1:$STATUS/health"
sleep 5
curl -s "http://127.0.0.1:$STATUS/api/v1/systems" >"$T/api.json"
curl -s "http://127.0.0.1:$STATUS/metrics" >"$T/net.metrics"
kill -TERM "$DPID"
wait "$DPID" || true
printed_up=$(values "$T/out/if/last" | awk '$1 == "up" { print $2 }')
printed_down=$(values "$T/out/if/last" | awk '$1 == "down" { print $2 }')
expect_eq "if: up is the run's status" "$(last "$R/if.rrd" up)" 1
expect_num "if: its up field as up_value" "$(last "$R/if.rrd" up_value)" "==" "$printed_up"
expect_num "if: down" "$(last "$R/if.rrd" down)" "==" "$printed_down"
rrdtool info "$R/if.rrd" >"$T/if.info"
for ds in up_value down; do
	grep -q "^ds\[$ds\].type = \"DERIVE\"$" "$T/if.info" && ok ||
	    fail "if: $ds is not a DERIVE, as its config says"
	grep -q "^ds\[$ds\].min = 0" "$T/if.info" && ok || fail "if: $ds min"
done
expect_eq "if: the rename logged once" \
    "$(grep -c 'net/if: the program.s "up" is a name the daemon keeps for itself; stored as "up_value"' "$T/net.log")" 1
# /api: the status and the counter, exactly as printed.
python3 - "$T/api.json" "$printed_up" <<'PY' && ok || fail "/api values"
import json, sys
from decimal import Decimal
api = json.load(open(sys.argv[1]))
s = [x for x in api["systems"][0]["series"] if x["series"] == "if"][0]
v = s["values"]
assert v["up"] == 1.0, v
assert Decimal(repr(v["up_value"])) == Decimal(sys.argv[2]), (v, sys.argv[2])
PY
# The old file: written on, status in up, the new name reported.
old_up=$(values "$T/out/old/last" | awk '$1 == "down" { print $2 }')
expect_eq "old file: up is the status" "$(last "$R/if-old.rrd" up)" 1
expect_num "old file: down" "$(last "$R/if-old.rrd" down)" "==" "$old_up"
expect_num "old file: written now" "$(rrdtool last "$R/if-old.rrd")" ">" $(($(date +%s) - 10))
grep -q 'if-old.rrd: no data source "up_value" in the file' "$T/net.log" && ok ||
    fail "old file: the new name not reported"
grep -q 'if-old.rrd.*data sources differ' "$T/net.log" &&
    fail "old file: refused" || ok
# Perfdata named up and reason: the status stays the daemon's.
expect_eq "named: up" "$(last "$R/named.rrd" up)" 1
expect_eq "named: reason" "$(last "$R/named.rrd" reason)" 0
expect_eq "named: up_value" "$(last "$R/named.rrd" up_value)" 5000
expect_eq "named: reason_value" "$(last "$R/named.rrd" reason_value)" 3
grep -q '^ds\[up_value\].type = "DERIVE"$' <(rrdtool info "$R/named.rrd") &&
    ok || fail "named: up_value is a counter (c)"
# A size over its perfdata maximum is stored; a percentage over 100 is
# unknown to rrdtool, and counted and logged.
expect_eq "grown: stored past its maximum" "$(last "$R/grown.rrd" root)" 2000
grep -q '^ds\[root\].max = NaN' <(rrdtool info "$R/grown.rrd") && ok ||
    fail "grown: the perfdata maximum became a bound"
oob=$(awk '$1 == "itfollow_values_out_of_bounds_total" { print $2 }' "$T/net.metrics")
expect_num "out of bounds counted" "$oob" ">=" 1
expect_eq "out of bounds logged once" \
    "$(grep -c 'net/grown: grown: use 150 is outside its bounds \[0, 100\]' "$T/net.log")" 1

# 2. diskstats, a multigraph plugin, and check_disk, run once each time.
cat >"$T/disk.conf" <<CONF
daemon = { data_dir = "$D"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$STATUS"; };
systems = ( { id = "host"; category = "basic"; portfolio = "service";
  collectors = (
    { type = "exec"; series = "disk"; format = "munin"; command = ["$TEE", "$T/out/disk", "$MUNIN/diskstats"];
      env = { MUNIN_PLUGSTATE = "$T/w"; }; },
    { type = "exec"; series = "df"; command = ["$TEE", "$T/out/df", "$NAGIOS/check_disk", "-w", "10%", "-c", "5%", "-p", "/"]; }
  ); } );
CONF
"$BIN/itfollowd" -T -c "$T/disk.conf" >"$T/disk1.out" 2>"$T/disk1.err" || true
# Its first run has no state yet (a new MUNIN_PLUGSTATE): it prints no
# value, so the run is not up.
expect_eq "diskstats' first run printed" "$(wc -c <"$T/out/disk/last")" 0
grep -q '^host quality disk status=unknown reason=parse_error' "$T/disk1.out" &&
    ok || fail "diskstats without values is up: $(cat "$T/disk1.out")"
sleep 2
"$BIN/itfollowd" -T -c "$T/disk.conf" >"$T/disk2.out" 2>"$T/disk2.err" || true
H=$D/rrd/quality/host
sections=$(awk '$1 == "multigraph" { print $2 }' "$T/out/disk/last-config")
expect_num "diskstats sections" "$(echo "$sections" | wc -l)" ">=" 8
for sec in $sections; do
	f=$H/disk-$(echo "$sec" | tr 'A-Z.' 'a-z-').rrd
	if [ ! -f "$f" ]; then
		fail "section $sec: no file $f"
		continue
	fi
	rrdtool info "$f" >"$T/sec.info"
	while read -r field v; do
		expect_num "$sec $field" "$(last "$f" "$field")" "==" "$v"
		type=$(awk -v s="$sec" -v f="$field.type" '
		    $1 == "multigraph" { cur = $2 } cur == s && $1 == f { print $2 }' \
		    "$T/out/disk/last-config")
		grep -q "^ds\[$field\].type = \"${type:-GAUGE}\"$" "$T/sec.info" &&
		    ok || fail "$sec $field: not ${type:-GAUGE}"
	done < <(values "$T/out/disk/last" "$sec")
done
expect_eq "one file per section, no more" \
    "$(ls "$H" | grep -c '^disk-')" "$(echo "$sections" | wc -l)"
grep -q '^host quality disk-diskstats_latency status=up reason=ok' "$T/disk2.out" &&
    ok || fail "-T line of a section: $(cat "$T/disk2.out")"
# A section's series is read back like any other.
now=$(date +%s)
"$BIN/itfollow" export -c "$T/disk.conf" --perspective quality --system host \
    --series disk-diskstats_utilization --from @$((now / 60 * 60 - 120)) --to @$((now / 60 * 60 + 60)) \
    --step 1m --format csv >"$T/util.csv" && ok || fail "export of a section"
want_fields=$(values "$T/out/disk/last" diskstats_utilization | awk '{ print $1 }' | paste -sd, -)
expect_eq "export header" "$(head -1 "$T/util.csv")" "time,up,reason,$want_fields"
# check_disk: "/" is root, in bytes, with no maximum.
root=$(sed -n "s/.*| *'*\/'*=\([0-9]*\)B;.*/\1/p" "$T/out/df/last")
expect_num "check_disk printed /" "${root:-0}" ">" 0
expect_num "check_disk: root" "$(last "$H/df.rrd" root)" "==" "$root"
grep -q '^ds\[root\].max = NaN' <(rrdtool info "$H/df.rrd") && ok ||
    fail "check_disk: the file system's size became a bound"

# 3. The names as a graph shows them (kept in the build directory).
G=${ITF_BUILD_DIR:-$T}
rrdtool graph "$G/exec_names_df.png" --start end-60s --end now \
    --width 500 --height 120 --title "check_disk -p / (data source root)" \
    DEF:root="$H/df.rrd":root:AVERAGE LINE2:root#1f77b4:"root" \
    GPRINT:root:LAST:"%.0lf bytes" >"$T/graph.out" && ok ||
    fail "rrdtool graph of check_disk"
rrdtool graph "$G/exec_names_if.png" --start end-60s --end now \
    --width 500 --height 120 --title "if_lo (data sources up_value, down, up)" \
    DEF:tx="$R/if.rrd":up_value:AVERAGE LINE2:tx#ff7f0e:"up_value" \
    DEF:rx="$R/if.rrd":down:AVERAGE LINE1:rx#1f77b4:"down" \
    DEF:st="$R/if.rrd":up:AVERAGE CDEF:pct=st,100,* \
    GPRINT:pct:LAST:"up %.0lf %%" >>"$T/graph.out" && ok ||
    fail "rrdtool graph of if_"
finish
