# /metrics as Prometheus wants it: promtool (Debian's prometheus package)
# checks it with no warning while probes, check programs of the three
# formats and a feed run. /api/v1/systems prints values with full double
# precision: what a check printed is read back from the JSON exactly
# (python3's decimal). Started as root, the log says truly what runs as
# root.
. "$(dirname "$0")/lib.bash"
free_port STATUS

start_targets
chmod 755 "$T" # children run as nobody when the tests run as root
mkdir -p "$T/tmpl"
for f in "$SRC"/rrd-templates/*.tmpl; do
	sed -e 's/^step 60$/step 2/' -e 's/ 1m / 2 /' "$f" >"$T/tmpl/${f##*/}"
done
S=$T/scripts
mkdir -p "$S"
# Values that 10 significant digits would change.
PRECISE="big=19402850304B tenth=0.1 long=123456789.123456789 tiny=1.5e-7 odd=9007199254740993"
printf '#!/bin/sh\necho "OK | %s"\n' "$PRECISE" >"$S/precise"
chmod 755 "$S/precise"
printf '{"total": 42}\n' >"$T/stats.json"
chmod 644 "$T/stats.json"
cat >"$T/m.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
defaults = { interval = 2; timeout = 1.5; };
systems = (
  { id = "all"; category = "basic"; portfolio = "service";
    collectors = (
      { type = "http"; series = "web"; url = "http://127.0.0.1:$HTTP/ok"; },
      { type = "http"; series = "bad"; url = "http://127.0.0.1:$HTTP/status/500"; },
      { type = "tcp"; series = "refused"; host = "127.0.0.1"; port = $REFUSED; },
      { type = "exec"; series = "precise"; command = ["$S/precise"]; },
      { type = "exec"; series = "load"; format = "munin"; command = ["/usr/share/munin/plugins/load"]; },
      { type = "exec"; series = "loop"; format = "collectd"; command = ["$SRC/tests/exec/collectd-loop"]; }
    ); }
);
feeds = ( { id = "stats"; type = "json"; url = "file://$T/stats.json"; system = "all";
  perspective = "external-benefit"; values = { total = "/total"; }; } );
CONF
"$BIN/itfollowd" -f -c "$T/m.conf" 2>"$T/log" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "http://127.0.0.1:$STATUS/health"
sleep 7
curl -s "http://127.0.0.1:$STATUS/metrics" >"$T/metrics"
curl -s "http://127.0.0.1:$STATUS/api/v1/systems" >"$T/api.json"
kill -TERM "$DPID"
wait "$DPID" || true

# promtool: nothing to say, exit 0.
rc=0
promtool check metrics <"$T/metrics" >"$T/promtool.out" 2>&1 || rc=$?
expect_eq "promtool check metrics exit" "$rc" 0
expect_eq "promtool check metrics says" "$(cat "$T/promtool.out")" ""
grep -q '^itfollow_status_loop_lag_seconds [0-9.]*$' "$T/metrics" && ok ||
    fail "loop lag not in seconds"
grep -q 'milliseconds' "$T/metrics" && fail "a metric in milliseconds" || ok
for m in itfollow_runs_total itfollow_rows_skipped_total \
    itfollow_values_out_of_bounds_total itfollow_program_events_total \
    itfollow_journal_records_total; do
	grep -q "^$m" "$T/metrics" && ok || fail "no $m"
done

# /api: each value reads back as the very double the check printed.
python3 - "$T/api.json" "$PRECISE" <<'PY' && ok || fail "/api precision"
import json, sys
from decimal import Decimal
api = json.load(open(sys.argv[1]), parse_float=Decimal)
series = {s["series"]: s for s in api["systems"][0]["series"]}
vals = series["precise"]["values"]
for item in sys.argv[2].split():
    label, printed = item.split("=")
    printed = printed.rstrip("B")
    got = vals[label]
    # The same double: the JSON text and the printed text agree as
    # binary64, and the JSON keeps 17 significant digits at least where
    # fewer would not do.
    assert float(got) == float(Decimal(printed)), (label, got, printed)
    assert float(Decimal(repr(float(got)))) == float(got), (label, got)
assert vals["big"] == Decimal("19402850304"), vals["big"]
print("api ok", {k: str(v) for k, v in vals.items()})
PY

# Root: the warning says what runs as whom.
if [ "$(id -u)" = 0 ]; then
	grep -q 'running as root without daemon.user: check and notifier programs run as nobody (or their user), but the daemon itself (probes, feeds, files) and its C plugins run as root; set daemon.user' "$T/log" &&
	    ok || fail "root warning: $(grep root "$T/log")"
	grep -q 'so that collectors do not run as root' "$T/log" &&
	    fail "the old, untrue warning" || ok
fi
finish
