# Secrets come from files and go nowhere else: distinctive passwords,
# tokens, an OAuth2 client secret and a webhook secret, each used by a
# collector or notifier that fails (so error messages are made), with the
# daemon at debug level. Nothing it printed (-n, -T, the log), served
# (/health, /metrics, /api) or stored (journal, RRD files) holds any of
# them. What the daemon stores is kept from others (files 0640,
# directories 0750). A secret file others may read is refused at its
# key's file:line, for every kind of secret, and a configuration file
# others may read is warned about.
. "$(dirname "$0")/lib.bash"

start_targets
free_port STATUS
chmod 755 "$T"
PW=PwSecret-7f3a9c41
TOK=TokSecret-52be0d17
FTOK=FeedTok-90c4e2aa
CS=ClientSecret-3d7f11b8
HOOK=HookSecret-a61c0e95
printf '%s\n' "$PW" >"$T/password"
printf '%s\n' "$TOK" >"$T/token"
printf '%s\n' "$FTOK" >"$T/feedtoken"
printf '%s\n' "$CS" >"$T/client-secret"
printf '%s\n' "$HOOK" >"$T/hook-secret"
# The test server's own client secret, and the access token it hands out
# for it: short, but found nowhere else.
printf 's3cret\n' >"$T/good-client-secret"
chmod 600 "$T/password" "$T/token" "$T/client-secret" "$T/hook-secret" \
    "$T/good-client-secret" "$T/feedtoken"
H=http://127.0.0.1:$HTTP
B=https://127.0.0.1:$HTTPS
cat >"$T/s.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "debug"; };
defaults = { interval = 2; timeout = 1; fail_after = 1; };
systems = ( { id = "web"; category = "basic"; portfolio = "service";
  collectors = (
    { type = "http"; series = "basic"; url = "$H/auth/basic"; auth = "basic";
      username = "itf"; password_file = "$T/password"; },
    { type = "http"; series = "basic-refused"; url = "http://127.0.0.1:$REFUSED/";
      auth = "basic"; username = "itf"; password_file = "$T/password"; },
    { type = "http"; series = "bearer"; url = "$H/auth/bearer"; auth = "bearer";
      token_file = "$T/token"; }
  ); } );
feeds = (
  { id = "json"; type = "json"; system = "web"; perspective = "external-benefit";
    url = "$H/file?auth=bearer&path=$T/nothing.json"; token_file = "$T/feedtoken";
    values = { transactions = "/total"; }; interval = 2; },
  { id = "m365"; type = "m365"; system = "web"; token_url = "$B/oauth/token";
    client_id = "itf-client"; client_secret_file = "$T/client-secret";
    ca_file = "$CA"; url = "$B/file"; interval = 2; },
  { id = "m365-ok"; type = "m365"; system = "web"; token_url = "$B/oauth/token";
    client_id = "itf-client"; client_secret_file = "$T/good-client-secret";
    ca_file = "$CA"; interval = 2;
    url = "$B/file?auth=bearer&path=$SRC/tests/samples/ms-graph-subscribedskus/graph_rest_subscribedskus.json"; }
);
notifiers = (
  { id = "hook"; type = "webhook"; url = "http://127.0.0.1:$REFUSED/hook";
    secret_header = "X-Itf-Secret"; secret_file = "$T/hook-secret"; timeout = 1; }
);
CONF
chmod 644 "$T/s.conf"

# grep_secrets WHAT FILE: none of the secrets in FILE.
grep_secrets() {
	local s
	for s in "$PW" "$TOK" "$FTOK" "$CS" "$HOOK" s3cret tok3n; do
		if grep -aqF "$s" "$2"; then
			fail "$1 holds the secret $s: $(grep -aF "$s" "$2" | head -2)"
		else
			ok
		fi
	done
}

"$BIN/itfollowd" -n -c "$T/s.conf" >"$T/n.out" 2>&1 || true
grep_secrets "-n output" "$T/n.out"
"$BIN/itfollowd" -T -c "$T/s.conf" >"$T/t.out" 2>"$T/t.err" || true
grep_secrets "-T output" "$T/t.out"
grep_secrets "-T log" "$T/t.err"
grep -q "^web quality basic status=down reason=http_status" "$T/t.out" && ok ||
    fail "basic with a wrong password is not down: $(cat "$T/t.out")"
grep -q "^feed/m365 .*status=down" "$T/t.out" && ok ||
    fail "m365 with a wrong secret is not down"
grep -q "^web maturity licence-.*status=up" "$T/t.out" && ok ||
    fail "m365 with the right secret stored nothing"

"$BIN/itfollowd" -f -c "$T/s.conf" >"$T/d.out" 2>"$T/d.err" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "http://127.0.0.1:$STATUS/health"
# Long enough for runs, an outage, and the webhook's first retries.
sleep 5
for p in /health /metrics /api/v1/systems /api; do
	curl -s "http://127.0.0.1:$STATUS$p" >"$T/served" || true
	grep_secrets "GET $p" "$T/served"
done
grep -q "itfollow_" "$T/served" || curl -s "http://127.0.0.1:$STATUS/metrics" |
    grep -q "itfollow_" && ok || fail "/metrics serves nothing"
kill -HUP "$DPID"
sleep 1.5
kill "$DPID"
wait "$DPID" && ok || fail "daemon exit"
grep_secrets "daemon stdout" "$T/d.out"
grep_secrets "daemon log (debug)" "$T/d.err"
# It did run and fail: the messages the secrets could have been in.
grep -q "web/basic.*http_status" "$T/d.err" && ok ||
    fail "no failed basic-auth run in the debug log"
grep -qi "hook" "$T/d.err" && ok || fail "the webhook never ran"
# What it stored.
sqlite3 "$T/data/journal.sqlite" .dump >"$T/journal.dump"
[ -s "$T/journal.dump" ] && ok || fail "empty journal"
grep_secrets "journal" "$T/journal.dump"
cat "$T"/data/rrd/*/*/*.rrd >"$T/rrds"
grep_secrets "RRD files" "$T/rrds"

# What it stored is not for others.
for f in "$T/data/journal.sqlite" "$T"/data/rrd/*/*/*.rrd; do
	expect_eq "mode of ${f#$T/}" "$(stat -c %a "$f")" 640
done
for d in "$T/data" "$T/data/rrd" "$T"/data/rrd/*; do
	expect_eq "mode of ${d#$T/}" "$(stat -c %a "$d")" 750
done
grep -qF "secret file" "$T/d.err" && fail "a secret file was complained of" || ok

# A secret file others may read: refused, at its key's line, each kind.
chmod 644 "$T/feedtoken" "$T/password" "$T/token" "$T/client-secret" \
    "$T/hook-secret"
"$BIN/itfollowd" -n -c "$T/s.conf" >"$T/modes.out" 2>&1 && fail "-n took them" || ok
for f in "$T/password" "$T/token" "$T/feedtoken" "$T/client-secret" \
    "$T/hook-secret"; do
	line=$(grep -n "\"$f\"" "$T/s.conf" | head -1 | cut -d: -f1)
	grep -qF "s.conf:$line: secret file $f is readable by others (mode 0644): not used; keep it 0600 or 0640" \
	    "$T/modes.out" && ok || fail "$f (line $line) not refused: $(cat "$T/modes.out")"
done
chmod 600 "$T/feedtoken" "$T/password" "$T/token" "$T/client-secret" \
    "$T/hook-secret"
grep -qF "configuration $T/s.conf is readable by others (mode 0644)" \
    "$T/d.err" && ok || fail "no warning for the configuration file"
chmod 640 "$T/s.conf"
"$BIN/itfollowd" -f -c "$T/s.conf" 2>"$T/d2.err" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "http://127.0.0.1:$STATUS/health"
kill "$DPID"
wait "$DPID" || true
grep -qF "configuration $T/s.conf is readable" "$T/d2.err" &&
    fail "warned about a 0640 configuration" || ok
finish
