# Microsoft Graph subscribedSkus over several pages (@odata.nextLink),
# from a Graph server written for the test (tests/tools/feedsrv.py): ten
# SKUs in pages of four, three left out by exclude_skus whatever their
# case, the token from the client-credentials grant. A page that fails, a
# paging loop, the same page twice, a link or a redirect to another
# origin make the run down with nothing stored, and no token goes to the
# other origin. A
# 429 is waited out within the run. A token that lives 30 s serves every
# run of a running daemon instead of being got anew each time.
. "$(dirname "$0")/lib.bash"

free_port GRAPH
free_port OTHER
free_port STATUS
mkdir -p "$T/graph" "$T/other"
for s in graph:$GRAPH other:$OTHER; do
	"$SRC/tests/tools/feedsrv.py" --port "${s#*:}" --dir "$T/${s%%:*}" \
	    --pidfile "$T/${s%%:*}.pid" 2>"$T/${s%%:*}.err" &
	PIDS="$PIDS $!"
	wait_file "$T/${s%%:*}.pid"
done
printf 'client-s3cret\n' >"$T/secret"
chmod 600 "$T/secret"

# graph.json: the SKUs (the REST API's shape) and how it pages.
graph() { # NEXT [KEY=JSON ...]
	python3 - "$T" "$@" <<'PY'
import json, sys
T, nxt = sys.argv[1], sys.argv[2]
parts = ["ENTERPRISEPACK", "EMS", "POWER_BI_PRO", "FLOW_FREE", "PROJECTPREMIUM",
         "VISIOCLIENT", "Power_BI_Free", "STREAM", "TEAMS_TRIAL", "SPE_E5"]
skus = [{"capabilityStatus": "Enabled", "skuId": "%08d-0000-0000-0000-000000000000" % i,
         "skuPartNumber": p, "appliesTo": "User", "consumedUnits": 3 * i + 1,
         "prepaidUnits": {"enabled": 10 * (i + 1), "suspended": i % 2,
                          "warning": i % 3, "lockedOut": 0},
         "servicePlans": []} for i, p in enumerate(parts)]
doc = {"skus": skus, "page_size": 4, "next": nxt, "expires_in": 30}
for kv in sys.argv[3:]:
    k, v = kv.split("=", 1)
    doc[k] = json.loads(v)
json.dump(doc, open(T + "/graph/graph.json", "w"))
with open(T + "/want.txt", "w") as f:
    for s in skus:
        if "free" in s["skuPartNumber"].lower() or "trial" in s["skuPartNumber"].lower():
            continue
        f.write("licence-%s %d %d %d %d\n" % (s["skuPartNumber"].lower(),
                s["prepaidUnits"]["enabled"], s["consumedUnits"],
                s["prepaidUnits"]["warning"], s["prepaidUnits"]["suspended"]))
PY
}
cat >"$T/m.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
systems = ( { id = "office"; category = "basic"; portfolio = "information"; } );
feeds = (
  { id = "m365"; type = "m365"; system = "office"; interval = 1; timeout = 0.9;
    url = "http://127.0.0.1:$GRAPH/v1.0/subscribedSkus";
    token_url = "http://127.0.0.1:$GRAPH/oauth/token"; client_id = "itf-client";
    client_secret_file = "$T/secret"; exclude_skus = "free|trial"; }
);
CONF
run() { # NAME [CONF]: a -T run on a fresh data directory
	rm -rf "$T/data"
	"$BIN/itfollowd" -T -c "${2:-$T/m.conf}" >"$T/out-$1" 2>"$T/err-$1" || true
}
down() { # NAME REASON WHAT: down with REASON, WHAT logged, nothing stored
	grep -q "^feed/m365 - (nothing stored) status=down reason=$2" \
	    "$T/out-$1" && ok || fail "$1: not down/$2: $(cat "$T/out-$1")"
	[ -z "$3" ] || grep -qF "$3" "$T/err-$1" && ok ||
	    fail "$1: no \"$3\" in the log"
	[ ! -d "$T/data/rrd" ] && ok || fail "$1: something was stored"
}

graph absolute
run pages
R=$T/data/rrd/maturity/office
while read -r series issued in_use warning suspended; do
	expect_eq "$series" "$(last "$R/$series.rrd" issued) $(last "$R/$series.rrd" in_use) $(last "$R/$series.rrd" warning) $(last "$R/$series.rrd" suspended)" \
	    "$issued $in_use $warning $suspended"
done <"$T/want.txt"
expect_eq "SKUs of the three pages stored, the excluded not" \
    "$(ls "$R" | sort | tr '\n' ' ')" \
    "$(awk '{ print $1 ".rrd" }' "$T/want.txt" | sort | tr '\n' ' ')"
expect_eq "three pages, each with the token" \
    "$(grep -c '"path": "/v1.0/subscribedSkus[^"]*", "port": '"$GRAPH"', "code": 200, "authorization": "Bearer tok-' \
        "$T/graph/requests.log")" 3

graph fail:2
run fail
down fail http_status ""

graph loop
run loop
down loop protocol "paging loop: @odata.nextLink leads back to page 2"

graph same
run same
down same protocol "page 2 brought only SKUs of earlier pages: the same page twice"

graph "origin:$OTHER"
run origin
down origin protocol "an @odata.nextLink to another origin (http://127.0.0.1:$OTHER) refused"
graph "redirect:$OTHER"
run redirect
down redirect protocol "redirect to another origin (http://127.0.0.1:$OTHER) refused"
[ ! -e "$T/other/requests.log" ] && ok ||
    fail "the other origin got requests: $(cat "$T/other/requests.log")"

# 429 for 1 s within a run of 5 s: waited out, every page stored.
sed 's/timeout = 0.9;/timeout = 5;/; s/interval = 1;/interval = 10;/' "$T/m.conf" \
    >"$T/m5.conf"
graph absolute throttle=1 retry_after=1
run throttled "$T/m5.conf"
expect_eq "429 of 1 s: all seven stored" "$(ls "$R" | wc -l)" 7
expect_eq "429 of 1 s: answered, then asked again" \
    "$(tail -n 4 "$T/graph/requests.log" | sed -n 's/.*"code": \([0-9]*\).*/\1/p' | tr '\n' ' ')" \
    "429 200 200 200 "
graph absolute throttle=1 retry_after=3600
run hour "$T/m5.conf"
grep -q "^feed/m365 - (nothing stored) status=unknown reason=rate_limited" \
    "$T/out-hour" && ok || fail "429 of an hour: not unknown/rate_limited"

# A token of 30 s (refreshed when 3 s are left): one for every run of
# four seconds; a token the server refuses is got again.
graph absolute
rm -rf "$T/data"
n0=$(wc -l <"$T/graph/requests.log")
since() { tail -n +$((n0 + 1)) "$T/graph/requests.log"; }
"$BIN/itfollowd" -f -c "$T/m.conf" 2>"$T/err-run" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "http://127.0.0.1:$STATUS/health"
sleep 4
expect_eq "one token for the runs of 4 s" \
    "$(since | grep -c '"path": "/oauth/token"')" 1
expect_num "runs in 4 s" \
    "$(since | grep -c '"path": "/v1.0/subscribedSkus", ')" ">=" 3
kill -TERM "$DPID"
wait "$DPID" || true
if grep -q "client-s3cret" "$T/graph/requests.log" "$T/err-run"; then
	fail "the client secret appears"
else
	ok
fi
finish
