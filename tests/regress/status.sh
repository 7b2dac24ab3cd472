# The status server of the running daemon: /health, /metrics in the
# Prometheus text format, /api/v1/systems, 404 for other paths, only GET
# and HEAD, an oversized request refused, and a flood of 200 parallel
# connections after which the probes are still on time (values in the RRD
# at every step) and the daemon healthy.
. "$(dirname "$0")/lib.bash"
# The dashboard draws a graph: librrd leaks what only a slow unwind names.
export LSAN_OPTIONS="${LSAN_OPTIONS:-}:fast_unwind_on_malloc=0"

start_targets
free_port STATUS
H="http://127.0.0.1:$HTTP"
S="http://127.0.0.1:$STATUS"

mkdir -p "$T/tmpl"
for f in "$SRC"/rrd-templates/*.tmpl; do
	sed -e 's/^step 60$/step 2/' -e 's/ 1m / 2 /' "$f" >"$T/tmpl/${f##*/}"
done
cat >"$T/s.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
store = { write_delay = 0; };
defaults = { interval = 2; timeout = 1; fail_after = 2; };
systems = (
  { id = "web"; name = "Web portal"; owner = "city-office";
    category = "basic"; portfolio = "service";
    collectors = (
      { type = "http"; series = "ok"; url = "$H/ok"; },
      { type = "tcp"; series = "refused"; host = "127.0.0.1"; port = $REFUSED; }
    ); },
  { id = "lic"; name = "Licences"; owner = "it-unit";
    category = "differentiating"; portfolio = "information";
    collectors = (
      { type = "http"; series = "err"; url = "$H/status/500"; }
    ); }
);
CONF

"$BIN/itfollowd" -f -c "$T/s.conf" 2>"$T/log" &
PIDS="$PIDS $!"
wait_http "$S/health"
sleep 5

# /health
code=$(curl -s -o "$T/health" -w '%{http_code}' "$S/health")
expect_eq "/health status" "$code" 200
grep -q '"status":"ok"' "$T/health" && ok || fail "/health body: $(cat "$T/health")"

# /metrics: HELP and TYPE for every family, the labelled series.
curl -s -D "$T/mh" "$S/metrics" >"$T/metrics"
grep -qi '^content-type: text/plain; version=0.0.4' "$T/mh" && ok ||
    fail "/metrics content type"
for fam in itfollow_runs_total itfollow_run_duration_seconds \
    itfollow_store_queue_depth itfollow_write_errors_total \
    itfollow_last_success_timestamp_seconds itfollow_up \
    itfollow_build_info; do
	grep -q "^# HELP $fam " "$T/metrics" && ok || fail "no HELP for $fam"
	grep -q "^# TYPE $fam " "$T/metrics" && ok || fail "no TYPE for $fam"
done
# sample NAME{LABELS}: its value.
sample() {
	awk -v k="$1" '$1 == k { print $2 }' "$T/metrics"
}
expect_num "runs ok (http)" \
    "$(sample 'itfollow_runs_total{type="http",reason="ok"}')" ">=" 2
expect_num "runs connect (tcp)" \
    "$(sample 'itfollow_runs_total{type="tcp",reason="connect"}')" ">=" 2
expect_num "runs http_status (http)" \
    "$(sample 'itfollow_runs_total{type="http",reason="http_status"}')" \
    ">=" 2
expect_eq "up of ok" \
    "$(sample 'itfollow_up{system="web",perspective="quality",series="ok"}')" 1
expect_eq "up of refused" \
    "$(sample 'itfollow_up{system="web",perspective="quality",series="refused"}')" 0
expect_eq "up of err" \
    "$(sample 'itfollow_up{system="lic",perspective="quality",series="err"}')" 0
ls=$(sample 'itfollow_last_success_timestamp_seconds{system="web",series="ok"}')
expect_num "last success of ok is recent" "$ls" ">=" "$(($(date +%s) - 5))"
expect_eq "no last success of refused" \
    "$(sample 'itfollow_last_success_timestamp_seconds{system="web",series="refused"}')" ""
expect_eq "build info" "$(sample "itfollow_build_info{version=\"$("$BIN/itfollowd" -V | cut -d' ' -f2)\"}")" 1
cnt=$(sample 'itfollow_run_duration_seconds_count{type="http"}')
inf=$(sample 'itfollow_run_duration_seconds_bucket{type="http",le="+Inf"}')
expect_num "duration histogram counts runs" "$cnt" ">=" 4
expect_eq "+Inf bucket = count" "$inf" "$cnt"
expect_eq "write errors" "$(sample itfollow_write_errors_total)" 0
expect_eq "journal up" "$(sample itfollow_journal_up)" 1
expect_num "journal records written" \
    "$(sample itfollow_journal_records_total)" ">=" 1
expect_eq "no notifier, no notification" \
    "$(sample itfollow_notifications_total)" 0
expect_num "queue depth present" "$(sample itfollow_store_queue_depth)" ">=" 0

# /api/v1/systems
curl -s "$S/api/v1/systems" >"$T/api.json"
jq_() { jq -r "$1" "$T/api.json"; }
expect_eq "api: systems" "$(jq_ '[.systems[].id] | join(" ")')" "web lic"
expect_eq "api: tags" \
    "$(jq_ '.systems[1] | [.name, .owner, .category, .portfolio] | join(",")')" \
    "Licences,it-unit,differentiating,information"
expect_eq "api: ok state" "$(jq_ '.systems[0].series[0].state')" up
expect_eq "api: ok value up" "$(jq_ '.systems[0].series[0].values.up')" 1
expect_eq "api: ok code" "$(jq_ '.systems[0].series[0].values.code')" 200
expect_eq "api: ok tls unknown" "$(jq_ '.systems[0].series[0].values.tls')" null
expect_eq "api: refused reason" "$(jq_ '.systems[0].series[1].reason')" connect
expect_eq "api: err state" "$(jq_ '.systems[1].series[0].state')" down
expect_eq "api: err reason" "$(jq_ '.systems[1].series[0].reason')" http_status
# The journal's open outage: err failed from its first run on.
expect_eq "api: err outage reason" \
    "$(jq_ '.systems[1].series[0].outage.reason')" http_status
expect_num "api: err outage started at its first failure" \
    "$(jq_ '.systems[1].series[0].outage.start_epoch')" "<=" \
    "$(($(date +%s) - 2))"
expect_eq "api: no outage of ok" "$(jq_ '.systems[0].series[0].outage')" null

# Other paths and methods; request limits.
expect_eq "404" "$(curl -s -o /dev/null -w '%{http_code}' "$S/nope")" 404
expect_eq "404 below a route" \
    "$(curl -s -o /dev/null -w '%{http_code}' "$S/health/x")" 404
expect_eq "HEAD" "$(curl -s -I -o /dev/null -w '%{http_code}' "$S/metrics")" 200
code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "$S/health")
case $code in 405 | 501) ok ;; *) fail "POST answered $code" ;; esac
big=$(head -c 20000 /dev/zero | tr '\0' a)
code=$(curl -s -o /dev/null -w '%{http_code}' -H "X-Big: $big" "$S/health" ||
    true)
case $code in 400 | 413 | 431 | 000) ok ;; *) fail "big headers answered $code" ;; esac
code=$(curl -s -o /dev/null -w '%{http_code}' -X GET --data "$big" "$S/health" ||
    true)
case $code in 400 | 413 | 000) ok ;; *) fail "a body answered $code" ;; esac

# A graph has one URL: other spellings of it are 404, not rendered again.
G=$S/graph/availability/system/web/24h
expect_eq "graph" "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$G/400x150.png")" \
    "200 image/png"
for alias in +400x0150.png 0400x150.png 400x150.png/ 400x+150.png; do
	expect_eq "graph alias $alias" \
	    "$(curl -s -o /dev/null -w '%{http_code}' "$G/$alias")" 404
done

# Request heads read as RFC 9112 says: what two parsers could read two
# ways is a 400 and the connection closes, so nothing after it is served
# as a second request.
raw() {
	exec 3<>"/dev/tcp/127.0.0.1/$STATUS"
	# The server may close before all is written: no SIGPIPE here.
	(trap '' PIPE; printf "$1" >&3) 2>/dev/null || true
	timeout 5 cat <&3 >"$T/raw.out" || true
	exec 3<&-
}
smuggled='GET /api/v1/systems HTTP/1.1\r\nHost: a\r\n\r\n'
raw "GET /health HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\nContent-Length: 43\r\n\r\n$smuggled"
expect_eq "two Content-Lengths: 400" "$(head -1 "$T/raw.out" | tr -d '\r')" \
    "HTTP/1.1 400 Bad Request"
expect_eq "two Content-Lengths: one answer" "$(grep -c '^HTTP/' "$T/raw.out")" 1
raw "GET /health HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\nContent-Length: 0\r\n\r\n0\r\n\r\n$smuggled"
expect_eq "Transfer-Encoding with Content-Length: 400" \
    "$(head -1 "$T/raw.out" | tr -d '\r')" "HTTP/1.1 400 Bad Request"
expect_eq "Transfer-Encoding with Content-Length: one answer" \
    "$(grep -c '^HTTP/' "$T/raw.out")" 1
raw 'GET /health HTTP/1.1\nHost: a\n\n'
expect_eq "bare LF: 400" "$(head -1 "$T/raw.out" | tr -d '\r')" \
    "HTTP/1.1 400 Bad Request"
raw "GET /health HTTP/1.1\r\nHost: a\r\n\r\nGET /metrics HTTP/1.1\r\nHost: a\r\nConnection: close\r\n\r\n"
expect_eq "two pipelined requests: two answers" \
    "$(grep -c '^HTTP/1.1 200' "$T/raw.out")" 2
expect_num "bad requests counted" \
    "$(curl -s "$S/metrics" | awk '$1 == "itfollow_status_bad_requests_total" { print $2 }')" \
    ">=" 3

# A flood: 200 connections at once. Each is answered (200, or 503 at the
# connection cap), nothing hangs, and the probes keep their slots.
before=$(curl -s "$S/metrics" | awk '$1 == "itfollow_runs_ontime_total" { print $2 }')
started0=$(curl -s "$S/metrics" | awk '$1 == "itfollow_runs_started_total" { print $2 }')
t0=$(date +%s)
: >"$T/flood.cfg"
for i in $(seq 1 200); do
	printf 'url = "%s/metrics"\noutput = "/dev/null"\n' "$S" >>"$T/flood.cfg"
done
for round in 1 2 3; do
	curl -s --no-progress-meter --parallel --parallel-immediate \
	    --parallel-max 200 -m 10 -K "$T/flood.cfg" -w '%{http_code}\n' \
	    >>"$T/flood.out" 2>/dev/null || true
done
expect_eq "flood: every request answered" \
    "$(grep -c -E '^(200|503)$' "$T/flood.out")" 600
expect_num "flood: some served" "$(grep -c '^200$' "$T/flood.out")" ">=" 64
refused=$(curl -s "$S/metrics" | awk '$1 == "itfollow_status_refused_total" { print $2 }')
expect_eq "flood: refused counted" "$refused" "$(grep -c '^503$' "$T/flood.out")"
sleep 6
curl -s "$S/metrics" >"$T/metrics2"
after=$(awk '$1 == "itfollow_runs_ontime_total" { print $2 }' "$T/metrics2")
started1=$(awk '$1 == "itfollow_runs_started_total" { print $2 }' "$T/metrics2")
expect_eq "flood: every run on time" "$((after - before))" "$((started1 - started0))"
expect_num "flood: runs went on" "$((started1 - started0))" ">=" 6
# Values in the RRD at each 2 s step since the flood began.
R=$T/data/rrd/quality/web/ok.rrd
n=$(rrdtool fetch "$R" AVERAGE --start "$t0" --end "$(($(date +%s) - 2))" |
    awk 'NR > 2 && $2 !~ /nan/ && $2 == 1' | wc -l)
want=$(( ($(date +%s) - 2 - t0) / 2 - 1 ))
expect_num "flood: ok stored each step ($want)" "$n" ">=" "$want"
expect_eq "healthy after the flood" \
    "$(curl -s -o /dev/null -w '%{http_code}' "$S/health")" 200

# A request that sends nothing is closed by the per-request timeout.
t1=$(date +%s)
(exec 3<>"/dev/tcp/127.0.0.1/$STATUS"; cat <&3 >/dev/null) || true
expect_num "idle connection closed" "$(($(date +%s) - t1))" "<=" 8

if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error' "$T/log"; then
	fail "sanitizer report"
	cat "$T/log"
else
	ok
fi
finish
