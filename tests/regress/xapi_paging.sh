# A learning record store that pages badly (tests/tools/feedsrv.py): a
# "more" link to another origin, a redirect to another origin, a paging
# loop, the same page twice. Each run stops down with a reason that says
# so, counts nothing, moves nothing on, and sends no credential to the
# other origin (a second server on another port logs whatever reaches
# it). A redirect within the store's origin is followed; a 429 is waited
# out within the run, or the run ends rate_limited and the running daemon
# asks nothing more before Retry-After has passed.
. "$(dirname "$0")/lib.bash"

free_port LRS
free_port OTHER
free_port STATUS
mkdir -p "$T/lrs" "$T/other"
for s in lrs:$LRS other:$OTHER; do
	"$SRC/tests/tools/feedsrv.py" --port "${s#*:}" --dir "$T/${s%%:*}" \
	    --pidfile "$T/${s%%:*}.pid" 2>"$T/${s%%:*}.err" &
	PIDS="$PIDS $!"
	wait_file "$T/${s%%:*}.pid"
done
printf 's3cret\n' >"$T/password"
chmod 600 "$T/password"

# lrs.json with 20 statements (three pages of 7) and the given paging.
lrs() { # MORE [KEY=VALUE as JSON members]
	python3 - "$T/lrs/lrs.json" "$@" <<'PY'
import json, sys
path, more = sys.argv[1], sys.argv[2]
doc = {"page_size": 7, "more": more, "user": "itf", "password": "s3cret",
       "statements": [{"id": "00000000-0000-4000-8000-%012d" % i,
                       "verb": "http://adlnet.gov/expapi/verbs/completed",
                       "object": "https://lms.example/course/gdpr",
                       "stored": "2026-08-%02dT10:00:00.000Z" % (i + 1)}
                      for i in range(20)]}
for kv in sys.argv[3:]:
    k, v = kv.split("=", 1)
    doc[k] = json.loads(v)
json.dump(doc, open(path, "w"))
PY
}
cat >"$T/x.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
systems = ( { id = "learning"; category = "basic"; portfolio = "training"; } );
feeds = (
  { id = "lrs"; type = "xapi"; system = "learning"; interval = 1; timeout = 0.9;
    url = "http://127.0.0.1:$LRS/xapi/statements";
    username = "itf"; password_file = "$T/password";
    verbs = ( ("http://adlnet.gov/expapi/verbs/completed", "completed") );
    courses = ( ("https://lms.example/course/gdpr", "gdpr") ); }
);
CONF
sed 's/timeout = 0.9;/timeout = 0.9; overlap = 0;/' "$T/x.conf" >"$T/x0.conf"
run() { # NAME: a -T run on a fresh data directory
	rm -rf "$T/data"
	"$BIN/itfollowd" -T -c "$T/x.conf" >"$T/out-$1" 2>"$T/err-$1" || true
}
down() { # NAME WHAT: the run was down/protocol, logged WHAT, stored nothing
	grep -q "^feed/lrs - (nothing stored) status=down reason=protocol" \
	    "$T/out-$1" && ok || fail "$1: not down/protocol: $(cat "$T/out-$1")"
	grep -q "$2" "$T/err-$1" && ok || fail "$1: no \"$2\" in the log"
	[ ! -e "$T/data/rrd/maturity/learning/gdpr-completed.rrd" ] && ok ||
	    fail "$1: something was stored"
	[ ! -e "$T/data/state/feed-lrs" ] && ok || fail "$1: the state moved on"
}

lrs relative
run good
expect_eq "relative links: all 20 counted" \
    "$(field "$(grep "^learning maturity gdpr-completed " "$T/out-good")" count)" 20

lrs "origin:$OTHER"
run origin
down origin "a \"more\" link to another origin (http://127.0.0.1:$OTHER) refused"

lrs "redirect:$OTHER"
run redirect
down redirect "redirect to another origin (http://127.0.0.1:$OTHER) refused"
[ ! -e "$T/other/requests.log" ] && ok ||
    fail "the other origin got requests: $(cat "$T/other/requests.log")"

lrs redirect-same
: >"$T/lrs/requests.log"
run redirect-same
expect_eq "a redirect within the origin is followed" \
    "$(field "$(grep "^learning maturity gdpr-completed " "$T/out-redirect-same")" count)" 20
expect_eq "redirected requests made" \
    "$(grep -c '"code": 302' "$T/lrs/requests.log")" 2

lrs loop
run loop
down loop "paging loop: \"more\" leads back to page 2 of verb completed"

lrs same
run same
down same "page 2 of verb completed brought only statements this run had seen"

# Overlap 0 and a store whose filter lets the floor's statement through
# again: it is not counted again (exclusive since, ids remembered).
lrs relative
rm -rf "$T/data"
"$BIN/itfollowd" -T -c "$T/x0.conf" >/dev/null 2>&1 || true
lrs relative 'consistent_through="2026-08-10T10:00:00.000Z"'
"$BIN/itfollowd" -T -c "$T/x0.conf" >"$T/out-again" 2>&1 || true
expect_eq "again with a floor before the last: nothing counted twice" \
    "$(field "$(grep "^learning maturity gdpr-completed " "$T/out-again")" count)" 0

# 429 with Retry-After: 1 s fits in the run: waited out, all counted.
: >"$T/lrs/requests.log"
sed 's/timeout = 0.9;/timeout = 5;/; s/interval = 1;/interval = 10;/' "$T/x.conf" \
    >"$T/x5.conf"
lrs relative throttle=1 retry_after=1
rm -rf "$T/data"
"$BIN/itfollowd" -T -c "$T/x5.conf" >"$T/out-429" 2>"$T/err-429" || true
expect_eq "429, 1 s: waited and counted" \
    "$(field "$(grep "^learning maturity gdpr-completed " "$T/out-429")" count)" 20
expect_eq "429, 1 s: asked again after the wait" \
    "$(python3 -c 'import json,sys
r=[json.loads(l) for l in open(sys.argv[1])]
print(r[0]["code"], r[1]["code"], round(r[1]["t"] - r[0]["t"]) >= 1)' "$T/lrs/requests.log")" \
    "429 200 True"

# 429 for an hour, the daemon running: the run ends rate_limited, and
# the slots that follow ask nothing.
rm -f "$T/lrs/requests.log"
lrs relative throttle=1000 retry_after=3600
rm -rf "$T/data"
"$BIN/itfollowd" -f -c "$T/x.conf" 2>"$T/err-wait" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "http://127.0.0.1:$STATUS/health"
sleep 3.5
curl -s "http://127.0.0.1:$STATUS/metrics" >"$T/metrics"
kill -TERM "$DPID"
wait "$DPID" || true
expect_eq "429 for an hour: one request in 3.5 s of 1 s slots" \
    "$(grep -c . "$T/lrs/requests.log")" 1
grep -q 'feed/lrs: unknown (rate_limited): HTTP status 429: the server asked to wait 3600 s' \
    "$T/err-wait" && ok || fail "the rate_limited run is not logged"
expect_num "rate_limited runs counted" \
    "$(sed -n 's/^itfollow_runs_total{type="xapi",reason="rate_limited"} //p' "$T/metrics")" ">=" 3
finish
