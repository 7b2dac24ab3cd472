# A renewed secret file counts at the next run, with neither a reload nor
# a restart: every secret is read when it is used. One daemon runs an
# http probe with basic auth and one with a bearer token, a JSON feed
# behind a bearer token, a Microsoft 365 feed with an OAuth2 client
# secret, and a webhook notifier with a secret header, each with a wrong
# secret first: the probes are down (401), the feeds fail, the webhook
# sends the outages' start with the old secret. Each file is then
# rewritten (in place, or a new file renamed over it): the probes are up,
# the feeds store their values, the outages' end goes with the new hook
# secret. A secret file that turns unusable ends that probe's runs
# unknown (auth), logged with its file:line, while the rest runs on. The
# daemon is the same process, never sent SIGHUP, and its log holds no
# secret.
. "$(dirname "$0")/lib.bash"

start_targets
free_port STATUS
H=http://127.0.0.1:$HTTP
B=https://127.0.0.1:$HTTPS
wait_for() { # wait_for SECONDS COMMAND...
	local i n=$(($1 * 10))
	shift
	for i in $(seq 1 "$n"); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
secret() { # secret FILE VALUE: a fresh secret file, 0600
	printf '%s\n' "$2" >"$1"
	chmod 600 "$1"
}
secret "$T/password" wrong-password-1
secret "$T/token" wrong-token-2
secret "$T/feedtoken" wrong-feedtoken-3
secret "$T/client-secret" wrong-client-4
secret "$T/hook" old-hook-5
echo '{ "total": 42 }' >"$T/feed.json"
cat >"$T/r.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "debug"; };
defaults = { interval = 1; timeout = 0.8; fail_after = 1; };
store = { write_delay = 0; };
systems = ( { id = "web"; category = "basic"; portfolio = "service";
  collectors = (
    { type = "http"; series = "basic"; url = "$H/auth/basic"; auth = "basic";
      username = "itf"; password_file = "$T/password"; },
    { type = "http"; series = "bearer"; url = "$H/auth/bearer";
      auth = "bearer"; token_file = "$T/token"; }
  ); } );
feeds = (
  { id = "json"; type = "json"; system = "web"; perspective = "external-benefit";
    url = "$H/file?auth=bearer&path=$T/feed.json"; token_file = "$T/feedtoken";
    values = { transactions = "/total"; }; interval = 1; },
  { id = "m365"; type = "m365"; system = "web"; token_url = "$B/oauth/token";
    client_id = "itf-client"; client_secret_file = "$T/client-secret";
    ca_file = "$CA"; interval = 1;
    url = "$B/file?auth=bearer&path=$SRC/tests/samples/ms-graph-subscribedskus/graph_rest_subscribedskus.json"; }
);
notifiers = (
  { id = "hook"; type = "webhook"; url = "$H/hook?file=$T/hook.log";
    secret_header = "X-Token"; secret_file = "$T/hook"; notify_interval = 0;
    timeout = 1; }
);
CONF
"$BIN/itfollowd" -n -c "$T/r.conf" || fail "-n refuses the configuration"
"$BIN/itfollowd" -f -c "$T/r.conf" 2>"$T/log" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "http://127.0.0.1:$STATUS/health"

# last_of SERIES DS: its last stored value, as the tool reads it.
last_of() {
	"$BIN/itfollow" last -c "$T/r.conf" web "$1" 2>/dev/null |
	    sed -n "s/^$2=//p"
}
is() { [ "$(last_of "$1" "$2")" = "$3" ]; }
hooked() { grep -qs "^token=$1 .*\"event\":\"$2\"" "$T/hook.log"; }
stored() { ls "$T"/data/rrd/*/web/"$1".rrd >/dev/null 2>&1; }
licences() { ls "$T"/data/rrd/maturity/web/licence-*.rrd >/dev/null 2>&1; }

# The wrong secrets: down, nothing from the feeds, the old hook secret.
wait_for 20 is basic reason 5 && ok || fail "basic: not http_status: $(last_of basic reason)"
wait_for 20 is bearer reason 5 && ok || fail "bearer: not http_status"
expect_eq "basic down" "$(last_of basic up)" 0
expect_eq "bearer down" "$(last_of bearer up)" 0
wait_for 20 hooked old-hook-5 outage_start && ok ||
    fail "no webhook with the old secret: $(cat "$T/hook.log" 2>&1)"
stored transactions && fail "the feed stored with a wrong token" || ok
licences && fail "m365 stored with a wrong secret" || ok

# Renewed: in place for some, a new file renamed over others.
secret "$T/password" s3cret
secret "$T/token.new" tok3n
mv "$T/token.new" "$T/token"
secret "$T/feedtoken" tok3n
secret "$T/client-secret.new" s3cret
mv "$T/client-secret.new" "$T/client-secret"
secret "$T/hook" new-hook-6
wait_for 20 is basic up 1 && ok || fail "basic still down after renewal"
wait_for 20 is bearer up 1 && ok || fail "bearer still down after renewal"
wait_for 20 stored transactions && ok || fail "the feed did not take the new token"
expect_eq "the feed's value" "$(last_of transactions value)" 42
wait_for 20 licences && ok || fail "m365 did not take the new secret"
# The probes' outages end: told with the new hook secret.
wait_for 20 hooked new-hook-6 outage_end && ok ||
    fail "no webhook with the new secret: $(cat "$T/hook.log")"
hooked old-hook-5 outage_end && fail "an outage_end with the old secret" || ok

# A secret file that can no longer be used: that probe's runs end
# unknown (auth), the log names the collector's file:line and the file,
# and the rest runs on; put right, it counts at the next run again.
chmod 644 "$T/password"
line=$(grep -n 'series = "basic"' "$T/r.conf" | cut -d: -f1)
wait_for 20 is basic reason 19 && ok || fail "basic: not auth: $(last_of basic reason)"
grep -qF "r.conf:$line: secret file $T/password is readable by others (mode 0644): not used" \
    "$T/log" && ok || fail "not logged with its file:line: $(grep password "$T/log")"
expect_eq "bearer runs on" "$(last_of bearer up)" 1
chmod 600 "$T/password"
wait_for 20 is basic up 1 && ok || fail "basic not up again"

# The same daemon all along: never reloaded, never restarted.
kill -0 "$DPID" && ok || fail "the daemon is gone"
grep -q "reload" "$T/log" && fail "the daemon reloaded" || ok
expect_eq "one start" "$(grep -c 'data in ' "$T/log")" 1
kill "$DPID"
wait "$DPID" && ok || fail "daemon exit"
for s in wrong-password-1 wrong-token-2 wrong-feedtoken-3 wrong-client-4 \
    old-hook-5 new-hook-6 s3cret tok3n; do
	grep -qF "$s" "$T/log" && fail "the log holds $s" || ok
done
grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error' "$T/log" &&
    fail "sanitizer report" || ok
finish
