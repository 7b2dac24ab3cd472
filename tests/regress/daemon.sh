# The real daemon on loopback: scheduled probes stored over time and read
# back with librrd, /health and /metrics, a write error that stops nothing,
# a file that differs from its template left alone, SIGHUP reloads (good
# and bad), and SIGTERM with a run in flight.
. "$(dirname "$0")/lib.bash"

start_targets
free_port STATUS
H="http://127.0.0.1:$HTTP"

# Templates with a 2 s step so a short test sees whole steps.
mkdir -p "$T/tmpl"
for f in "$SRC"/rrd-templates/*.tmpl; do
	sed -e 's/^step 60$/step 2/' -e 's/ 1m / 2 /' "$f" >"$T/tmpl/${f##*/}"
done

conf() {
	cat >"$T/d.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
store = { write_delay = 0; };
defaults = { interval = 2; timeout = 1; };
systems = (
  { id = "web"; category = "basic"; portfolio = "service";
    collectors = (
      { type = "http"; series = "ok"; url = "$H/ok"; },
      { type = "http"; series = "flip"; url = "$H/flip?file=$T/down"; },
      { type = "http"; series = "hang"; url = "$H/hang"; $1 },
      { type = "http"; series = "mismatch"; url = "$H/ok"; },
      { type = "tcp"; series = "$2"; host = "127.0.0.1"; port = $REFUSED; }
    ); },
  { id = "blocked"; category = "basic"; portfolio = "service";
    collectors = ( { type = "http"; series = "ok"; url = "$H/ok"; } ); }
);
CONF
}
conf "" refused

# A file whose data sources differ from the template: reported, untouched.
mkdir -p "$T/data/rrd/quality/web" "$T/data/rrd/quality"
rrdtool create "$T/data/rrd/quality/web/mismatch.rrd" --step 2 \
    DS:other:GAUGE:4:0:1 RRA:AVERAGE:0.5:1:10
sum_before=$(md5sum <"$T/data/rrd/quality/web/mismatch.rrd")
# A directory that cannot be made: a plain file stands where it should be.
echo "not a directory" >"$T/data/rrd/quality/blocked"

"$BIN/itfollowd" -f -c "$T/d.conf" 2>"$T/log" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "http://127.0.0.1:$STATUS/health"

metric() {
	curl -s "http://127.0.0.1:$STATUS/metrics" |
	    awk -v m="$1" '$1 == m { print $2 }'
}

sleep 7
touch "$T/down"
sleep 7

code=$(curl -s -o "$T/health" -w '%{http_code}' \
    "http://127.0.0.1:$STATUS/health")
expect_eq "/health status" "$code" 200
grep -q '"status":"ok"' "$T/health" && ok || fail "/health body"
curl -s "http://127.0.0.1:$STATUS/metrics" >"$T/metrics"
for m in itfollow_runs_scheduled_total itfollow_runs_completed_total \
    itfollow_store_updates_total; do
	expect_num "$m" "$(metric $m)" ">=" 20
done
expect_num "write errors counted" "$(metric itfollow_store_errors_total)" \
    ">=" 3
expect_eq "no overruns" "$(metric itfollow_runs_overrun_total)" 0
grep -q 'itfollow_runs_failed_total{reason="connect"}' "$T/metrics" && ok ||
    fail "failures by reason in /metrics"

R=$T/data/rrd/quality/web
# fetch FILE DS: the AVERAGE values of DS over the last 30 s, known ones.
fetch() {
	rrdtool fetch "$1" AVERAGE --start end-30s | awk -v ds="$2" '
	    NR == 1 { for (i = 1; i <= NF; i++) if ($i == ds) col = i }
	    NR > 2 && $(col + 1) !~ /nan/ { printf "%g\n", $(col + 1) }'
}
n_ok=$(fetch "$R/ok.rrd" up | grep -c '^1$' || true)
expect_num "ok: steps stored up" "$n_ok" ">=" 5
expect_eq "ok: no step down" "$(fetch "$R/ok.rrd" up | grep -vc '^1$')" 0
expect_eq "refused: every step down" \
    "$(fetch "$R/refused.rrd" up | grep -vc '^0$')" 0
expect_num "refused: steps stored" "$(fetch "$R/refused.rrd" up | wc -l)" \
    ">=" 5
# flip answered 200 until the file appeared, then 503.
flips=$(fetch "$R/flip.rrd" up | tr '\n' ' ')
case "$flips" in
*1*0*) ok ;;
*) fail "flip: want up then down, got $flips" ;;
esac
expect_eq "flip: ends down" "$(last "$R/flip.rrd" up)" 0
expect_eq "flip: code 503" "$(last "$R/flip.rrd" code)" 503
expect_eq "hang: timeout" "$(last "$R/hang.rrd" reason)" 1

expect_eq "mismatch file untouched" \
    "$(md5sum <"$T/data/rrd/quality/web/mismatch.rrd")" "$sum_before"
expect_eq "mismatch reported once" "$(grep -c \
    'mismatch.rrd: data sources differ from template http; file left alone' \
    "$T/log")" 1
grep -q "store: $T/data/rrd/quality/blocked/ok.rrd: " "$T/log" && ok ||
    fail "write error not logged with the file's name"

# A bad configuration on SIGHUP: logged, the running one stays.
cp "$T/d.conf" "$T/good.conf"
echo "systems = ( { id = \"x\"; bogus = 1; } );" >"$T/d.conf"
kill -HUP $DPID
sleep 1
grep -q "reload: .* has 3 error(s); keeping the running configuration" \
    "$T/log" && ok || fail "bad reload not reported"
grep -q "d.conf:1: unknown key \"bogus\" in system" "$T/log" && ok ||
    fail "bad reload error not logged with file:line"
kill -0 $DPID && ok || fail "daemon died on a bad reload"
before=$(metric itfollow_runs_completed_total)
sleep 3
expect_num "still collecting" "$(metric itfollow_runs_completed_total)" \
    ">" "$before"

# A good reload: hang changes, tcp renamed; three collectors unchanged.
conf "interval = 3;" refused2
kill -HUP $DPID
sleep 1
grep -q "collectors (4 kept, 2 new, 2 removed)" "$T/log" && ok ||
    fail "reload did not keep the unchanged collectors"
sleep 4
[ -f "$R/refused2.rrd" ] && ok || fail "new collector after reload"

# SIGTERM with the hanging probe in flight: stops at once, exits 0.
while [ "$(metric itfollow_runs_inflight)" = 0 ]; do sleep 0.1; done
t0=$(date +%s%N)
kill -TERM $DPID
rc=0
wait $DPID || rc=$?
t1=$(date +%s%N)
expect_eq "exit code on SIGTERM" "$rc" 0
expect_num "stop time (ms)" "$(((t1 - t0) / 1000000))" "<" 1500
if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error' "$T/log"; then
	fail "sanitizer report"
	cat "$T/log"
else
	ok
fi
finish
