# HTTP and TCP probes against the project's own local targets, through
# `itfollowd -T`: each target's status, reason, times and code as printed,
# and as read back from the RRD files with librrd.
. "$(dirname "$0")/lib.bash"

start_targets
printf 's3cret\n' >"$T/password"
printf 'tok3n\n' >"$T/token"
chmod 600 "$T/password" "$T/token"
free_port STATUS

H="http://127.0.0.1:$HTTP"
cat >"$T/probes.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "error"; };
defaults = { interval = 60; timeout = 2; };
systems = (
  { id = "web"; name = "Web"; owner = "test"; category = "basic";
    portfolio = "service";
    collectors = (
      { type = "http"; series = "ok"; url = "$H/ok"; body_regex = "itfollow-ok"; },
      { type = "http"; series = "err500"; url = "$H/status/500"; },
      { type = "http"; series = "err500-ok"; url = "$H/status/500"; expect_status = "200-399,500"; },
      { type = "http"; series = "wrongbody"; url = "$H/wrongbody"; body_regex = "^itfollow-ok"; },
      { type = "http"; series = "hang"; url = "$H/hang"; timeout = 1.5; },
      { type = "http"; series = "endless"; url = "$H/endless"; max_body = 65536; },
      { type = "http"; series = "redirect"; url = "$H/redirect/3"; },
      { type = "http"; series = "redirect-max"; url = "$H/redirect/3"; max_redirects = 2; },
      { type = "http"; series = "redirect-nofollow"; url = "$H/redirect/1"; follow_redirects = false; expect_status = "3xx"; },
      { type = "http"; series = "basic"; url = "$H/auth/basic"; auth = "basic"; username = "itf"; password_file = "$T/password"; },
      { type = "http"; series = "basic-none"; url = "$H/auth/basic"; },
      { type = "http"; series = "bearer"; url = "$H/auth/bearer"; auth = "bearer"; token_file = "$T/token"; },
      { type = "http"; series = "headers"; url = "$H/echo-headers"; headers = [ "X-Probe: itfollow" ]; body_regex = "X-Probe: itfollow"; },
      { type = "http"; series = "head"; url = "$H/ok"; method = "HEAD"; },
      { type = "http"; series = "refused"; url = "http://127.0.0.1:$REFUSED/"; },
      { type = "http"; series = "closed"; url = "http://127.0.0.1:$CLOSE/"; },
      { type = "http"; series = "garbage"; url = "http://127.0.0.1:$GARBAGE/"; },
      { type = "http"; series = "silent"; url = "http://127.0.0.1:$SILENT/"; timeout = 1; },
      { type = "http"; series = "https"; url = "https://127.0.0.1:$HTTPS/ok"; ca_file = "$CA"; },
      { type = "http"; series = "https-untrusted"; url = "https://127.0.0.1:$HTTPS/ok"; },
      { type = "http"; series = "https-noverify"; url = "https://127.0.0.1:$HTTPS/ok"; tls_verify = false; },
      { type = "tcp"; series = "tcp-ok"; host = "127.0.0.1"; port = $HTTP; },
      { type = "tcp"; series = "tcp-refused"; host = "127.0.0.1"; port = $REFUSED; },
      { type = "tcp"; series = "tcp-expect"; host = "127.0.0.1"; port = $GARBAGE; expect = "not HTTP"; },
      { type = "tcp"; series = "tcp-expect-bad"; host = "127.0.0.1"; port = $GARBAGE; expect = "SMTP"; },
      { type = "tcp"; series = "tcp-send"; host = "127.0.0.1"; port = $HTTP; send = "GET /ok HTTP/1.0\r\n\r\n"; expect = "itfollow-ok"; },
      { type = "tcp"; series = "tcp-silent"; host = "127.0.0.1"; port = $SILENT; expect = "220"; timeout = 1; }
    ); }
);
CONF

"$BIN/itfollowd" -n -c "$T/probes.conf" || fail "-n rejects the test configuration"
start=$(date +%s)
rc=0
"$BIN/itfollowd" -T -c "$T/probes.conf" >"$T/out" 2>"$T/err" || rc=$?
end=$(date +%s)
expect_eq "-T exit code" "$rc" 0
expect_eq "-T prints one line per series" "$(wc -l <"$T/out")" 27
# The hanging and silent targets run in parallel with the rest: one
# timeout's worth, not the sum of them.
expect_num "-T wall time" "$((end - start))" "<=" 5

# check SERIES STATUS REASON CODE: the printed line and the stored file.
check() {
	local series=$1 status=$2 reason=$3 code=$4 line file ds v p
	line=$(grep "^web quality $series " "$T/out" || true)
	if [ -z "$line" ]; then
		fail "$series: no line in -T output"
		return
	fi
	expect_eq "$series status" "$(field "$line" status)" "$status"
	expect_eq "$series reason" "$(field "$line" reason)" "$reason"
	file=$T/data/rrd/quality/web/$series.rrd
	[ -f "$file" ] || { fail "$series: no $file"; return; }
	expect_eq "$series stored up" "$(last "$file" up)" \
	    "$([ "$status" = up ] && echo 1 || echo 0)"
	if [ -n "$code" ]; then
		expect_eq "$series stored code" "$(last "$file" code)" "$code"
	fi
	# Everything printed is what was stored.
	for ds in $(echo "$line" | tr ' ' '\n' | sed -n 's/=.*//p' |
	    grep -v '^status$'); do
		[ "$ds" = reason ] && continue
		v=$(field "$line" "$ds")
		p=$(last "$file" "$ds")
		if [ "$v" = U ] || [ "$p" = U ]; then
			expect_eq "$series $ds stored" "$p" "$v"
		else
			expect_num "$series $ds stored ($p vs $v)" \
			    "$(awk -v a="$p" -v b="$v" 'BEGIN{d=a-b; print (d<0?-d:d)}')" \
			    "<" 0.000002
		fi
	done
}

check ok up ok 200
check err500 down http_status 500
check err500-ok up ok 500
check wrongbody down body_mismatch 200
check hang down timeout U
check endless down too_large 200
check redirect up ok 200
check redirect-max down protocol 302
check redirect-nofollow up ok 302
check basic up ok 200
check basic-none down http_status 401
check bearer up ok 200
check headers up ok 200
check head up ok 200
check refused down connect U
check closed down recv U
check garbage down protocol U
check silent down timeout U
check https up ok 200
check https-untrusted down tls U
check https-noverify up ok 200
check tcp-ok up ok ""
check tcp-refused down connect ""
check tcp-expect up ok ""
check tcp-expect-bad down expect_mismatch ""
check tcp-send up ok ""
check tcp-silent down timeout ""

R=$T/data/rrd/quality/web
# Times: measured phases are numbers, unreached ones U, never 0 for failure.
expect_num "ok total" "$(last $R/ok.rrd total)" ">" 0
expect_num "ok ttfb" "$(last $R/ok.rrd ttfb)" ">=" 0
expect_eq "ok tls (plain http)" "$(last $R/ok.rrd tls)" U
expect_eq "ok cert_days (plain http)" "$(last $R/ok.rrd cert_days)" U
expect_eq "ok reason code" "$(last $R/ok.rrd reason)" 0
expect_eq "refused total" "$(last $R/refused.rrd total)" U
expect_eq "refused connect" "$(last $R/refused.rrd connect)" U
expect_eq "refused reason code" "$(last $R/refused.rrd reason)" 3
expect_eq "hang reason code" "$(last $R/hang.rrd reason)" 1
expect_num "hang connect measured" "$(last $R/hang.rrd connect)" ">=" 0
expect_eq "hang total" "$(last $R/hang.rrd total)" U
expect_num "err500 total measured" "$(last $R/err500.rrd total)" ">" 0
expect_num "https tls" "$(last $R/https.rrd tls)" ">" 0
# The certificate was made for 2 days.
expect_num "https cert_days >" "$(last $R/https.rrd cert_days)" ">" 1.9
expect_num "https cert_days <" "$(last $R/https.rrd cert_days)" "<=" 2.01
expect_eq "https-untrusted reason code" "$(last $R/https-untrusted.rrd reason)" 4
expect_num "tcp-ok connect" "$(last $R/tcp-ok.rrd connect)" ">" 0
expect_eq "tcp-refused connect" "$(last $R/tcp-refused.rrd connect)" U

# The file layout and the template: a 60 s step, 2 days at full resolution.
rrdtool info "$R/ok.rrd" >"$T/info"
grep -q '^step = 60$' "$T/info" && ok || fail "ok.rrd step"
grep -q '^rra\[0\].rows = 2880$' "$T/info" && ok || fail "ok.rrd rows"
grep -q '^ds\[cert_days\].type = "GAUGE"$' "$T/info" && ok ||
    fail "ok.rrd cert_days"

# The running daemon reuses curl handles from one transfer to the next:
# probes with other options, run every second through the same few
# handles, keep their own (HEAD, authentication, expected status) and an
# HTTPS probe makes a whole handshake each time (its certificate is read).
cat >"$T/reuse.conf" <<CONF
daemon = { data_dir = "$T/reuse"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "error"; };
defaults = { interval = 1; timeout = 0.8; };
systems = (
  { id = "web"; name = "Web"; owner = "test"; category = "basic";
    portfolio = "service";
    collectors = (
      { type = "http"; series = "ok"; url = "$H/ok"; body_regex = "itfollow-ok"; },
      { type = "http"; series = "head"; url = "$H/ok"; method = "HEAD"; },
      { type = "http"; series = "basic"; url = "$H/auth/basic"; auth = "basic"; username = "itf"; password_file = "$T/password"; },
      { type = "http"; series = "basic-none"; url = "$H/auth/basic"; },
      { type = "http"; series = "err500-ok"; url = "$H/status/500"; expect_status = "500"; },
      { type = "http"; series = "err500"; url = "$H/status/500"; },
      { type = "http"; series = "https"; url = "https://127.0.0.1:$HTTPS/ok"; ca_file = "$CA"; }
    ); }
);
CONF
"$BIN/itfollowd" -f -c "$T/reuse.conf" 2>"$T/reuse.log" &
DPID=$!
PIDS="$PIDS $DPID"
S="http://127.0.0.1:$STATUS"
wait_http "$S/health"
sleep 6
curl -s "$S/metrics" >"$T/reuse.metrics"
curl -s "$S/api/v1/systems" >"$T/reuse.json"
kill -TERM "$DPID"
wait "$DPID" || fail "daemon exit status $?"
expect_num "reuse: runs" "$(awk '$1 ~ /^itfollow_runs_total\{type="http"/ { n += $2 } END { print n + 0 }' "$T/reuse.metrics")" ">=" 35
# state reason code cert_days of a series
api() {
	jq -r --arg s "$1" '.systems[0].series[] | select(.series == $s) |
	    [.state, .reason, .values.code, .values.cert_days] | map(tostring) |
	    join(" ")' "$T/reuse.json"
}
expect_eq "reuse: ok" "$(api ok)" "up ok 200 null"
expect_eq "reuse: head" "$(api head)" "up ok 200 null"
expect_eq "reuse: basic" "$(api basic)" "up ok 200 null"
expect_eq "reuse: basic-none" "$(api basic-none)" "down http_status 401 null"
expect_eq "reuse: err500-ok" "$(api err500-ok)" "up ok 500 null"
expect_eq "reuse: err500" "$(api err500)" "down http_status 500 null"
days=$(api https | awk '{ print $4 }')
expect_eq "reuse: https" "$(api https | awk '{ print $1, $2, $3 }')" "up ok 200"
expect_num "reuse: https cert_days >" "$days" ">" 1.9
expect_num "reuse: https cert_days <" "$days" "<=" 2.01
expect_eq "reuse: failed runs only of the failing probes" \
    "$(sqlite3 "$T/reuse/journal.sqlite" \
    "select distinct series from failed_runs order by series" | tr '\n' ' ')" \
    "basic-none err500 "

# The secret never reaches the output or the log.
if grep -q -e s3cret -e tok3n "$T/out" "$T/err" "$T/reuse.log"; then
	fail "a secret appears in the output"
else
	ok
fi

finish
