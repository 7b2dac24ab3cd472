# /health does not call an idle writer stuck: the writer sits idle for
# more than 30 s (no collector), then a reload brings a probe whose first
# write makes a big file (a template of 1 s rows over 60 days, some 120
# MB, a few hundred ms to write). /health, asked every 50 ms meanwhile,
# never says the writer has not moved.
. "$(dirname "$0")/lib.bash"

free_port STATUS
free_port TARGET
S="http://127.0.0.1:$STATUS"
mkdir -p "$T/tmpl"
cp "$SRC"/rrd-templates/*.tmpl "$T/tmpl/"
printf 'step 1\nds up GAUGE 2 0 1\nds connect GAUGE 2 0 U\nds reason GAUGE 2 0 255\nrra AVERAGE 0.5 1s 60d\n' \
    >"$T/tmpl/big.tmpl"
cat >"$T/w.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
store = { write_delay = 0; };
systems = ( { id = "sys"; category = "basic"; portfolio = "information"; } );
CONF
"$BIN/itfollowd" -f -c "$T/w.conf" 2>"$T/log" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "$S/health"
sleep 33
cat >"$T/w.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
store = { write_delay = 0; };
systems = ( { id = "sys"; category = "basic"; portfolio = "information";
  collectors = ( { type = "tcp"; series = "big"; template = "big";
    host = "127.0.0.1"; port = $TARGET; interval = 1; timeout = 0.5; } ); } );
CONF
kill -HUP "$DPID"
: >"$T/health"
for i in $(seq 1 100); do
	curl -s -m 1 "$S/health" >>"$T/health" || true
	echo >>"$T/health"
	[ -s "$T/data/rrd/quality/sys/big.rrd" ] && [ "$i" -gt 60 ] && break
	sleep 0.05
done
[ -s "$T/data/rrd/quality/sys/big.rrd" ] && ok || fail "the big file was not made"
expect_eq "/health never called the idle writer stuck" \
    "$(grep -c 'writer has not moved' "$T/health")" 0
grep -m 3 'writer has not moved' "$T/health" || true
if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error' "$T/log"; then
	fail "sanitizer report"
else
	ok
fi
finish
