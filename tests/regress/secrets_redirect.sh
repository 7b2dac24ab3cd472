# Secrets never leave for another origin: every place itfollowd sends a
# secret (the Microsoft 365 token request's client_secret, its bearer
# token, a feed's bearer token and basic auth, an xAPI store's basic auth,
# an HTTP probe's basic and bearer auth, a webhook's secret header) is
# pointed at a server that answers 307 to another loopback address (and,
# for the token request, to another port of the same address). The other
# origin receives nothing from any of them; a feed without secrets is
# redirected there as a control. The runs end down with the reason.
. "$(dirname "$0")/lib.bash"

free_port PA
free_port PB
free_port PC
free_port STATUS
free_port REFUSED
# B: the other origin, on another address; C: another port, same address.
"$BIN/itf-attack" capture --listen "127.0.0.2:$PB" --out "$T/b.txt" \
    --duration 120 --pidfile "$T/b.pid" >/dev/null &
PIDS="$PIDS $!"
"$BIN/itf-attack" capture --listen "127.0.0.1:$PC" --out "$T/c.txt" \
    --duration 120 --pidfile "$T/c.pid" >/dev/null &
PIDS="$PIDS $!"
# A: the configured origin, redirecting everything to B (A2: to C).
"$BIN/itf-attack" capture --listen "127.0.0.1:$PA" --out "$T/a.txt" \
    --redirect "http://127.0.0.2:$PB/stolen" --duration 120 \
    --pidfile "$T/a.pid" >/dev/null &
PIDS="$PIDS $!"
free_port PA2
"$BIN/itf-attack" capture --listen "127.0.0.1:$PA2" --out "$T/a2.txt" \
    --redirect "http://127.0.0.1:$PC/stolen" --duration 120 \
    --pidfile "$T/a2.pid" >/dev/null &
PIDS="$PIDS $!"
for f in a b c a2; do wait_file "$T/$f.pid"; done

printf 'cl1ent-s3cret\n' >"$T/client.secret"
printf 'tok3n-bearer\n' >"$T/token"
printf 's3cret-basic\n' >"$T/password"
printf 'hook-s3cret\n' >"$T/hook.secret"
chmod 600 "$T/client.secret" "$T/token" "$T/password" "$T/hook.secret"
A="http://127.0.0.1:$PA"
cat >"$T/s.conf" <<CONF
daemon = { data_dir = "$T/data"; status_listen = "127.0.0.1:$STATUS"; };
defaults = { interval = 2; timeout = 1; fail_after = 1; };
notifiers = (
  { id = "hook"; type = "webhook"; url = "$A/hook";
    secret_header = "X-Token"; secret_file = "$T/hook.secret"; }
);
systems = (
  { id = "web"; category = "basic"; portfolio = "service";
    collectors = (
      { type = "http"; series = "basic"; url = "$A/basic"; follow_redirects = true;
        auth = "basic"; username = "itf"; password_file = "$T/password"; },
      { type = "http"; series = "bearer"; url = "$A/bearer"; follow_redirects = true;
        auth = "bearer"; token_file = "$T/token"; },
      { type = "tcp"; series = "down"; host = "127.0.0.1"; port = $REFUSED; }
    ); },
  { id = "office"; category = "basic"; portfolio = "information"; }
);
feeds = (
  { id = "m365-token"; type = "m365"; system = "office";
    token_url = "$A/token"; client_id = "itf"; client_secret_file = "$T/client.secret";
    url = "$A/skus"; interval = 2; timeout = 1; },
  { id = "m365-token-port"; type = "m365"; system = "office";
    token_url = "http://127.0.0.1:$PA2/token"; client_id = "itf";
    client_secret_file = "$T/client.secret"; url = "$A/skus"; },
  { id = "m365-bearer"; type = "m365"; system = "office";
    token_file = "$T/token"; url = "$A/skus"; },
  { id = "json-bearer"; type = "json"; system = "web"; url = "$A/json";
    token_file = "$T/token"; values = { v = "/v"; }; },
  { id = "csv-basic"; type = "csv"; system = "web"; url = "$A/csv";
    username = "itf"; password_file = "$T/password";
    date_column = "day"; values = { w = "n"; }; },
  { id = "xapi-basic"; type = "xapi"; system = "office"; url = "$A/xapi";
    username = "itf"; password_file = "$T/password";
    verbs = ( ("http://adlnet.gov/expapi/verbs/completed", "completed") ); },
  { id = "control"; type = "json"; system = "web"; url = "$A/control";
    values = { c = "/v"; }; }
);
CONF

rc=0
"$BIN/itfollowd" -T -c "$T/s.conf" >"$T/out" 2>"$T/err" || rc=$?
expect_eq "-T exit" "$rc" 0
for s in basic bearer; do
	l=$(grep "^web quality $s " "$T/out" || true)
	expect_eq "probe $s: down" "$(field "$l" status)/$(field "$l" reason)" \
	    down/http_status
done
# The paging feeds (Graph, xAPI) follow redirects themselves, within the
# origin only, and call one elsewhere a protocol fault (as a nextLink or
# a "more" to another origin); the others end on the redirect's status.
for f in m365-token m365-token-port m365-bearer json-bearer csv-basic xapi-basic; do
	want=down/http_status
	case $f in m365-bearer | xapi-basic) want=down/protocol ;; esac
	l=$(grep "^feed/$f " "$T/out" || true)
	expect_eq "feed $f: down" "$(field "$l" status)/$(field "$l" reason)" \
	    "$want"
done

# The webhook: an outage of "down" is notified to A, which redirects.
"$BIN/itfollowd" -f -c "$T/s.conf" 2>"$T/log" &
DPID=$!
PIDS="$PIDS $DPID"
for i in $(seq 1 100); do
	grep -q 'X-Token: hook-s3cret' "$T/a.txt" 2>/dev/null && break
	sleep 0.1
done
sleep 2
kill "$DPID"
wait "$DPID" || true
grep -q 'X-Token: hook-s3cret' "$T/a.txt" && ok ||
    fail "the webhook did not reach its own origin"
q() { sqlite3 "$T/data/journal.sqlite" "$1"; }
expect_eq "the token request's refusal, in the journal" \
    "$(q "SELECT DISTINCT message FROM failed_runs WHERE series = 'm365-token'")" \
    "HTTP status 307: a redirect to http://127.0.0.2:$PB not followed: the request carries credentials"
expect_eq "the probe's, in the journal" \
    "$(q "SELECT DISTINCT message FROM failed_runs WHERE series = 'basic'")" \
    "status 307: a redirect to http://127.0.0.2:$PB not followed: the probe carries credentials"

# What the configured origin saw: the secrets, as it should.
grep -q 'client_secret=cl1ent-s3cret' "$T/a.txt" && ok ||
    fail "the token request did not reach its origin"
grep -q -i 'Authorization: Bearer tok3n-bearer' "$T/a.txt" && ok ||
    fail "no bearer token at its origin"
grep -q -i "Authorization: Basic $(printf 'itf:s3cret-basic' | base64)" \
    "$T/a.txt" && ok || fail "no basic auth at its origin"
# What the other origins saw: the control only, and no secret at all.
touch "$T/b.txt" "$T/c.txt"
expect_eq "other origin: only the control's request" \
    "$(grep -c '^GET /stolen' "$T/b.txt")" 1
expect_eq "other port: nothing" "$(grep -c '^[A-Z]* /' "$T/c.txt")" 0
for secret in cl1ent-s3cret tok3n-bearer s3cret-basic hook-s3cret \
    "$(printf 'itf:s3cret-basic' | base64)" -i:authorization -i:x-token; do
	case $secret in
	-i:*) n=$(cat "$T/b.txt" "$T/c.txt" | grep -c -i "${secret#-i:}" || true) ;;
	*) n=$(cat "$T/b.txt" "$T/c.txt" | grep -c -F "$secret" || true) ;;
	esac
	expect_eq "the other origins never saw $secret" "$n" 0
done

if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error' "$T/err" "$T/log"; then
	fail "sanitizer report"
else
	ok
fi
finish
