# Notifications end to end: a flip target fails and recovers; an exec
# notifier (its environment written to a file) and a webhook (received by
# itf-testsrv's /hook, with the secret header) hear of the outage's start
# and end with the right fields. An outage in a maintenance window notifies
# nobody. A webhook that answers 500 is retried with backoff until it is
# delivered; an exec notifier with notify_interval hears of a repeat once.
# A certificate expiring within cert_warn_days notifies too.
. "$(dirname "$0")/lib.bash"

start_targets
free_port STATUS
q() { sqlite3 "$T/data/journal.sqlite" "$1"; }
wait_for() { # wait_for SECONDS COMMAND...
	local i n=$(($1 * 10))
	shift
	for i in $(seq 1 "$n"); do
		"$@" && return 0
		sleep 0.1
	done
	return 1
}
# more EVENT N: the webhook has received more than N of EVENT.
more() {
	[ -f "$T/hook.log" ] &&
	    [ "$(grep -c "\"event\":\"$1\"" "$T/hook.log")" -gt "$2" ]
}

mkdir -p "$T/env"
# Run as root, the daemon runs exec notifiers as nobody: let it write.
chmod 711 "$T"
chmod 777 "$T/env"
cat >"$T/notify.sh" <<'SH'
#!/bin/sh
# An exec notifier: its whole environment, one file per call.
env | sort >"$1/$ITF_EVENT-$ITF_SYSTEM-$ITF_SERIES.$(date +%s%N)"
SH
chmod 755 "$T/notify.sh"
printf 'hook-s3cret\n' >"$T/token"
chmod 600 "$T/token"
cat >"$T/n.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
defaults = { interval = 1; timeout = 0.8; fail_after = 2; cert_warn_days = 14; };
notifiers = (
  { id = "ops"; type = "exec"; command = ["$T/notify.sh", "$T/env"];
    notify_interval = 3600; },
  { id = "hook"; type = "webhook"; url = "http://127.0.0.1:$HTTP/hook?file=$T/hook.log";
    secret_header = "X-Token"; secret_file = "$T/token"; notify_interval = 0; }
);
systems = (
  { id = "portal"; name = "E-service portal"; owner = "it"; category = "basic";
    portfolio = "service";
    collectors = (
      { type = "http"; series = "flip"; url = "http://127.0.0.1:$HTTP/flip?file=$T/down"; },
      { type = "http"; series = "tls"; url = "https://127.0.0.1:$HTTPS/ok"; ca_file = "$CA";
        interval = 5; timeout = 2; }
    ); },
  { id = "backoffice"; owner = "it"; category = "basic"; portfolio = "service";
    maintenance = ( { from = "2000-01-01"; to = "2100-01-01"; } );
    collectors = (
      { type = "http"; series = "flip"; url = "http://127.0.0.1:$HTTP/flip?file=$T/down-maint"; }
    ); }
);
CONF
"$BIN/itfollowd" -n -c "$T/n.conf" || fail "-n rejects the configuration"
"$BIN/itfollowd" -f -c "$T/n.conf" 2>"$T/log" &
DPID=$!
PIDS="$PIDS $DPID"
sleep 2

# The certificate of the test server is valid for 2 days: below 14.
wait_for 20 more cert_expiring 0 ||
    fail "no cert_expiring webhook"
grep '"event":"cert_expiring"' "$T/hook.log" | grep -q '"series":"tls"' ||
    fail "cert_expiring names the series"
# The notifier writes its file a line at a time: wait for the line. The
# certificate is valid 2 days from about now.
certdays() {
	grep -qs '^ITF_CERT_DAYS=[012]$' "$T/env"/cert_expiring-portal-tls.*
}
wait_for 20 certdays || fail "exec cert_expiring with ITF_CERT_DAYS: $(
    cat "$T/env"/cert_expiring-portal-tls.* 2>&1)"

# 1. An outage and its end: both notifiers, the right fields.
touch "$T/down" "$T/down-maint"
d0=$(date +%s)
sleep 4
rm "$T/down" "$T/down-maint"
wait_for 10 more outage_end 0 ||
    fail "no outage_end webhook: $(cat "$T/hook.log")"
start=$(ls "$T/env"/outage_start-portal-flip.* | head -1)
wait_for 5 ls "$T/env"/outage_end-portal-flip.* >/dev/null 2>&1 || true
end=$(ls "$T/env"/outage_end-portal-flip.* | head -1)
env_of() { sed -n "s/^$2=//p" "$1"; }
expect_eq "exec ITF_EVENT" "$(env_of "$start" ITF_EVENT)" outage_start
expect_eq "exec ITF_SYSTEM" "$(env_of "$start" ITF_SYSTEM)" portal
expect_eq "exec ITF_SYSTEM_NAME" "$(env_of "$start" ITF_SYSTEM_NAME)" "E-service portal"
expect_eq "exec ITF_SERIES" "$(env_of "$start" ITF_SERIES)" flip
expect_eq "exec ITF_REASON" "$(env_of "$start" ITF_REASON)" http_status
expect_eq "exec ITF_NOTIFIER" "$(env_of "$start" ITF_NOTIFIER)" ops
expect_num "exec ITF_START_EPOCH" "$(env_of "$start" ITF_START_EPOCH)" ">=" "$d0"
expect_num "exec ITF_START_EPOCH" "$(env_of "$start" ITF_START_EPOCH)" "<=" $((d0 + 2))
expect_eq "exec start has no ITF_DURATION" "$(env_of "$start" ITF_DURATION)" ""
expect_eq "exec end ITF_EVENT" "$(env_of "$end" ITF_EVENT)" outage_end
expect_eq "exec end ITF_START" "$(env_of "$end" ITF_START)" "$(env_of "$start" ITF_START)"
expect_num "exec end ITF_DURATION" "$(env_of "$end" ITF_DURATION)" ">=" 3
expect_num "exec end ITF_DURATION" "$(env_of "$end" ITF_DURATION)" "<=" 6
expect_eq "exec: no PATH but its own" "$(env_of "$end" PATH)" "/usr/local/bin:/usr/bin:/bin"
if [ "$(id -u)" -eq 0 ]; then
	expect_eq "exec notifier not run as root" "$(stat -c %U "$end")" nobody
fi
hs=$(grep '"event":"outage_start"' "$T/hook.log" | head -1)
he=$(grep '"event":"outage_end"' "$T/hook.log" | head -1)
expect_eq "webhook secret header" "$(echo "$hs" | cut -d' ' -f1)" "token=hook-s3cret"
echo "$hs" | grep -q '"reason":"http_status"' || fail "webhook reason: $hs"
echo "$hs" | grep -q "\"start\":\"$(env_of "$start" ITF_START)\"" ||
    fail "webhook start: $hs"
echo "$hs" | grep -q '"end":null' || fail "webhook start end: $hs"
echo "$he" | grep -q '"duration_s":[3-6],' || fail "webhook duration: $he"

# 2. The maintenance window's outage: in the journal, planned, told to nobody.
expect_eq "planned outage in the journal" \
    "$(q "select planned from outages where system = 'backoffice'")" 1
if grep -q '"system":"backoffice"' "$T/hook.log" ||
    ls "$T/env" | grep -q backoffice; then
	fail "a planned outage notified someone"
fi

# 3. The webhook fails (500) for a while: retried, then delivered.
touch "$T/hook.log.fail"
n0=$(grep -c '"event":"outage_start"' "$T/hook.log")
touch "$T/down"
sleep 4
rm "$T/down"
sleep 3
expect_eq "nothing received while failing" \
    "$(grep -c '"event":"outage_start"' "$T/hook.log")" "$n0"
rm "$T/hook.log.fail"
wait_for 40 more outage_start "$n0" ||
    fail "outage_start not delivered after the webhook recovered"
wait_for 40 more outage_end 1 ||
    fail "outage_end not delivered after the webhook recovered"
sleep 1
expect_num "retried attempts in the journal" \
    "$(q "select max(attempts) from notifications where notifier = 'hook' and event = 'outage_start' and delivered = 1")" ">=" 2
grep -q 'notifier hook: outage_start of portal/flip failed (attempt 1): HTTP status 500; retry in 1 s' "$T/log" ||
    fail "failed attempt not logged"
# The exec notifier has notify_interval = 3600: the repeat is not sent.
expect_eq "exec told of one outage_start only" \
    "$(ls "$T/env" | grep -c '^outage_start-portal-flip')" 1
# Retries in flight (a cert_expiring told while the hook failed) finish.
alldone() { [ "$(q 'select count(*) from notifications where delivered = 0')" = 0 ]; }
wait_for 30 alldone || true
expect_eq "every notification delivered" \
    "$(q 'select count(*) from notifications where delivered = 0')" 0
# A delivery still being retried at exit is dropped cleanly (logged).
nfail() { grep -c 'notifier hook: outage_start of portal/flip failed' "$T/log"; }
failing() { [ "$(nfail)" -gt "$1" ]; }
f0=$(nfail)
touch "$T/hook.log.fail" "$T/down"
wait_for 10 failing "$f0" || fail "the last outage_start did not fail"
kill -TERM "$DPID"
rc=0
wait "$DPID" || rc=$?
expect_eq "daemon exit" "$rc" 0
grep -q 'notifier hook: outage_start of portal/flip not delivered before exit' "$T/log" ||
    fail "a pending delivery at exit is not logged"

# It is in the journal, undelivered; the next start delivers it, under the
# same id.
id=$(q "select id from notifications where notifier = 'hook' and delivered = 0 and event = 'outage_start'")
[ -n "$id" ] || fail "the pending notification is not in the journal"
rm -f "$T/hook.log.fail" "$T/down"
"$BIN/itfollowd" -f -c "$T/n.conf" 2>>"$T/log" &
DPID=$!
PIDS="$PIDS $DPID"
wait_for 20 grep -q "\"id\":$id," "$T/hook.log" ||
    fail "notification $id not delivered after the restart"
grep "\"id\":$id," "$T/hook.log" | grep -q '"event":"outage_start"' ||
    fail "notification $id is not the outage_start"
delivered() { [ "$(q "select delivered from notifications where id = $1")" = 1 ]; }
wait_for 5 delivered "$id" ||
    fail "notification $id not marked delivered"
kill -TERM "$DPID"
rc=0
wait "$DPID" || rc=$?
expect_eq "daemon exit after the restart" "$rc" 0
finish
