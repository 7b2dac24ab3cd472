# Licence feeds: FlexNet lmstat and RLM rlmstat output (the real samples,
# from a file and from a command), Microsoft 365 subscribedSkus over HTTPS
# with an OAuth2 token from a local token endpoint; what a failing feed
# stores (nothing, or unknown for what it knew). Read back from the RRDs.
. "$(dirname "$0")/lib.bash"

SAMPLES=$SRC/tests/samples
start_targets
chmod 755 "$T"
printf 's3cret\n' >"$T/secret"
printf 'wrong\n' >"$T/badsecret"
chmod 600 "$T/secret" "$T/badsecret"
cp "$SAMPLES/flexlm-lmstat/arcgis_windows_lmstat.txt" "$T/arcgis.txt"
chmod 644 "$T/arcgis.txt"
printf '#!/bin/sh\n# lmutil lmstat -a, as a test double\ncat %s\n' \
    "$T/arcgis.txt" >"$T/lmutil"
chmod 755 "$T/lmutil"
free_port STATUS
B=https://127.0.0.1:$HTTPS
cat >"$T/l.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
store = { write_delay = 0; };
systems = (
  { id = "licences"; category = "basic"; portfolio = "information"; },
  { id = "cad"; category = "differentiating"; portfolio = "training"; },
  { id = "office"; category = "basic"; portfolio = "information"; }
);
feeds = (
  { id = "lic-file"; type = "flexlm"; system = "licences";
    url = "file://$SAMPLES/flexlm-lmstat/lmstat_app2.txt";
    features = ( ("feature2", "cad") ); },
  { id = "lic-cmd"; type = "flexlm"; system = "licences";
    command = ["$T/lmutil", "lmstat", "-a", "-c", "27000@lic1"]; },
  { id = "rlm"; type = "rlm"; system = "cad";
    url = "file://$SAMPLES/rlm-rlmstat/rlmstat_a_in_use.txt"; },
  { id = "rlm-down"; type = "rlm"; system = "cad";
    url = "file://$SAMPLES/rlm-rlmstat/rlmstat_error_connecting.txt"; },
  { id = "m365"; type = "m365"; system = "office";
    token_url = "$B/oauth/token"; client_id = "itf-client";
    client_secret_file = "$T/secret"; ca_file = "$CA";
    url = "$B/file?auth=bearer&path=$SAMPLES/ms-graph-subscribedskus/scubagear_test_stub_license_information.json";
    exclude_skus = "FREE|TRIAL"; },
  { id = "m365-badsecret"; type = "m365"; system = "office";
    token_url = "$B/oauth/token"; client_id = "itf-client";
    client_secret_file = "$T/badsecret"; ca_file = "$CA"; url = "$B/file"; },
  { id = "m365-truncated"; type = "m365"; system = "office"; token_file = "$T/token";
    ca_file = "$CA";
    url = "$B/file?auth=bearer&truncate=1&path=$SAMPLES/ms-graph-subscribedskus/graph_rest_subscribedskus.json"; },
  { id = "unreachable"; type = "flexlm"; system = "licences";
    url = "http://127.0.0.1:$REFUSED/lmstat.txt"; }
);
CONF
printf 'tok3n\n' >"$T/token"
chmod 600 "$T/token"

rc=0
"$BIN/itfollowd" -T -c "$T/l.conf" >"$T/out" 2>"$T/err" || rc=$?
expect_eq "-T exit" "$rc" 0
M=$T/data/rrd/maturity
line() { grep "^$1 maturity $2 " "$T/out" || echo "(none)"; }

# lmstat_app2.txt: feature2 mapped to cad, the rest to the feed's system.
expect_eq "feature2 issued" "$(last "$M/cad/licence-feature2.rrd" issued)" 144
expect_eq "feature2 in_use" "$(last "$M/cad/licence-feature2.rrd" in_use)" 22
expect_eq "feature5 in_use" \
    "$(last "$M/licences/licence-feature5.rrd" in_use)" 15
expect_eq "feature10 issued" \
    "$(last "$M/licences/licence-feature10.rrd" issued)" 1
expect_eq "feature10 queued" \
    "$(last "$M/licences/licence-feature10.rrd" queued)" 0
expect_eq "feature2 line" "$(field "$(line cad licence-feature2)" status)" up
# The command, ARC/INFO: a safe, distinct series name.
arc=$(ls "$M/licences/" | grep '^licence-arc_info-[0-9a-f]\{6\}\.rrd$' || true)
[ -n "$arc" ] && ok || fail "no licence-arc_info-XXXXXX series"
expect_eq "ARC/INFO issued" "$(last "$M/licences/$arc" issued)" 6
expect_eq "ARC/INFO in_use" "$(last "$M/licences/$arc" in_use)" 2
# RLM.
expect_eq "rlm converge_super count" \
    "$(last "$M/cad/licence-converge_super.rrd" issued)" 1000
expect_eq "rlm converge_super inuse" \
    "$(last "$M/cad/licence-converge_super.rrd" in_use)" 93
grep -q "^feed/rlm-down - (nothing stored) status=down reason=connect" \
    "$T/out" && ok || fail "rlm connection error not down/connect"
# Microsoft 365: the token from the endpoint, FREE left out.
expect_eq "m365 E5 issued" \
    "$(last "$M/office/licence-developerpack_e5.rrd" issued)" 25
expect_eq "m365 E5 in_use" \
    "$(last "$M/office/licence-developerpack_e5.rrd" in_use)" 22
[ ! -e "$M/office/licence-flow_free.rrd" ] && ok || fail "FLOW_FREE kept"
grep -q "^feed/m365-badsecret - (nothing stored) status=down reason=auth" \
    "$T/out" && ok || fail "a refused secret is not down/auth"
grep -q "^feed/m365-truncated - (nothing stored) status=down reason=parse_error" \
    "$T/out" && ok || fail "truncated JSON is not down/parse_error"
grep -q "^feed/unreachable - (nothing stored) status=down reason=connect" \
    "$T/out" && ok || fail "an unreachable feed is not down/connect"
if grep -q -e s3cret -e tok3n "$T/out" "$T/err"; then
	fail "a secret appears in the output"
else
	ok
fi

# Running: the token is fetched once and cached; a server that goes down
# leaves what the feed knew unknown, never 0.
cp "$SAMPLES/flexlm-lmstat/lmstat_app2.txt" "$T/lmstat.txt"
cat >"$T/r.conf" <<CONF
daemon = { data_dir = "$T/run"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
store = { write_delay = 0; };
defaults = { timeout = 0.8; };
systems = ( { id = "licences"; category = "basic"; portfolio = "information"; },
  { id = "office"; category = "basic"; portfolio = "information"; } );
feeds = (
  { id = "lic"; type = "flexlm"; system = "licences"; url = "file://$T/lmstat.txt";
    interval = 1; },
  { id = "m365"; type = "m365"; system = "office"; interval = 1;
    token_url = "$B/oauth/token"; client_id = "itf-client";
    client_secret_file = "$T/secret"; ca_file = "$CA";
    url = "$B/file?auth=bearer&path=$SAMPLES/ms-graph-subscribedskus/scubagear_test_stub_license_information.json"; }
);
CONF
before=$(curl -s --cacert "$CA" "$B/oauth/count")
"$BIN/itfollowd" -f -c "$T/r.conf" 2>"$T/run.log" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "http://127.0.0.1:$STATUS/health"
sleep 3.5
after=$(curl -s --cacert "$CA" "$B/oauth/count")
expect_eq "one token for several runs" "$((after - before))" 1
R=$T/run/rrd/maturity/licences
expect_eq "running: feature2 in_use" "$(last "$R/licence-feature2.rrd" in_use)" 22
printf 'lmutil - Copyright (c) 1989-2005 Macrovision Europe Ltd.\nFlexible License Manager status on Fri 10/20/2017 17:02\n\nlicense server status: 27000@lic1\nlic1: Cannot connect to license server system. (-15,570:115 "Operation now in progress")\n' >"$T/lmstat.txt"
sleep 3
expect_eq "server down: issued unknown" \
    "$(last "$R/licence-feature2.rrd" issued)" U
expect_eq "server down: in_use unknown" \
    "$(last "$R/licence-feature2.rrd" in_use)" U
grep -q "feed/lic: down (connect)" "$T/run.log" && ok ||
    fail "server down not logged as down (connect)"
kill -TERM $DPID
wait $DPID && ok || fail "daemon exit"
finish
