# Reading a configuration runs nothing: `itfollowd -n` and the tool
# (check, last, graph, report, export, dashboard) read the configuration
# model only. Run as root with a plugin_dir whose plugin (tests/plugins,
# kind ctor) writes a marker from its constructor, none leaves a marker.
# Every secret file is a named pipe, which blocks whoever opens it to
# read: none of them hangs, so none read a secret. Then the secrets are
# files of mode 000 owned by root and the tool runs as nobody, who could
# not read them: it works the same.
. "$(dirname "$0")/lib.bash"
export LSAN_OPTIONS="${LSAN_OPTIONS:-}:fast_unwind_on_malloc=0"

if [ "$(id -u)" != 0 ]; then
	echo "conf_model.sh checks what root runs: run it as root"
	exit 1
fi
BUILD=${ITF_BUILD_DIR:-$SRC/build}
start_targets
free_port STATUS
chmod 755 "$T"
export ITF_TP_MARK=$T/mark
: >"$ITF_TP_MARK"
chmod 666 "$ITF_TP_MARK"
mkdir "$T/plugins"
install -m 755 "$BUILD/tests/plugins/tpctor.so" "$T/plugins/"
H=http://127.0.0.1:$HTTP

# The series and journal the tool reads, stored by a daemon of a
# configuration with neither plugins nor secrets.
cat >"$T/plain.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; };
defaults = { interval = 1; timeout = 0.5; };
systems = ( { id = "web"; category = "basic"; portfolio = "service";
  collectors = ( { type = "http"; series = "site"; url = "$H/ok"; } ); } );
CONF
"$BIN/itfollowd" -f -c "$T/plain.conf" >"$T/plain.out" 2>&1 &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "http://127.0.0.1:$STATUS/health"
sleep 2.5
kill "$DPID"
wait "$DPID" || fail "the plain daemon: $(cat "$T/plain.out")"
[ -s "$T/data/rrd/quality/web/site.rrd" ] && ok || fail "nothing stored"

cat >"$T/m.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; plugin_dir = "$T/plugins"; };
systems = ( { id = "web"; category = "basic"; portfolio = "service";
  collectors = (
    { type = "http"; series = "site"; url = "$H/auth/basic"; auth = "basic";
      username = "itf"; password_file = "$T/sec/password"; },
    { type = "http"; series = "api"; url = "$H/auth/bearer"; auth = "bearer";
      token_file = "$T/sec/token"; },
    { type = "tpctor"; series = "plug"; value = 1.5; }
  ); } );
feeds = (
  { id = "json"; type = "json"; system = "web"; perspective = "external-benefit";
    url = "$H/file?path=$T/none.json"; token_file = "$T/sec/feedtoken";
    values = { transactions = "/total"; }; },
  { id = "m365"; type = "m365"; system = "web"; token_url = "$H/oauth/token";
    client_id = "itf-client"; client_secret_file = "$T/sec/client-secret";
    url = "$H/file"; }
);
notifiers = (
  { id = "hook"; type = "webhook"; url = "$H/hook";
    secret_header = "X-Itf-Secret"; secret_file = "$T/sec/hook-secret"; }
);
CONF
chmod 644 "$T/m.conf"
SECRETS="password token feedtoken client-secret hook-secret"
mkdir -m 755 "$T/sec"

# run NAME CMD...: CMD exits 0 within 60 s (a read secret hangs it).
run() {
	local name=$1 rc=0
	shift
	timeout 60 "$@" >"$T/out" 2>&1 || rc=$?
	if [ "$rc" = 0 ]; then
		ok
	else
		fail "$name: exit $rc: $(head -5 "$T/out")"
	fi
}
tool_all() {
	local as=("$@") E=$T/dash-$RANDOM
	run "itfollowd -n" "${as[@]}" "$BIN/itfollowd" -n -c "$T/m.conf"
	run "check" "${as[@]}" "$BIN/itfollow" check -c "$T/m.conf"
	run "last" "${as[@]}" "$BIN/itfollow" last -c "$T/m.conf" web site
	grep -q "^up" "$T/out" && ok || fail "last shows no up: $(cat "$T/out")"
	run "graph" "${as[@]}" "$BIN/itfollow" graph -c "$T/m.conf" \
	    availability --system web --last 1h -o "$T/g$RANDOM.png"
	run "graph table" "${as[@]}" "$BIN/itfollow" graph -c "$T/m.conf" \
	    availability --system web --last 1h --table csv
	run "report" "${as[@]}" "$BIN/itfollow" report availability \
	    -c "$T/m.conf" --system web --last 24h
	run "export" "${as[@]}" "$BIN/itfollow" export -c "$T/m.conf" \
	    --system web --series site --perspective quality --last 1h --format csv
	run "dashboard" "${as[@]}" "$BIN/itfollow" dashboard -c "$T/m.conf" \
	    -o "$E"
	expect_eq "no plugin loaded ($*)" "$(cat "$ITF_TP_MARK")" ""
}

# Named pipes: opening one to read blocks until someone writes.
for s in $SECRETS; do
	mkfifo -m 600 "$T/sec/$s"
done
tool_all

# Files no one but root may read, the tool run as nobody.
for s in $SECRETS; do
	rm "$T/sec/$s"
	echo "not-for-nobody-$s" >"$T/sec/$s"
	chmod 000 "$T/sec/$s"
done
chmod -R a+rX "$T/data"
chmod 777 "$T"
setpriv --reuid=nobody --regid=nogroup --clear-groups cat "$T/sec/token" \
    >/dev/null 2>&1 && fail "nobody can read the secret" || ok
tool_all setpriv --reuid=nobody --regid=nogroup --clear-groups

# The daemon itself, root, with the secrets: it loads the plugin (the
# control: the marker works) and reads them.
chmod 600 "$T/sec"/*
chmod 755 "$T"
"$BIN/itfollowd" -T -c "$T/m.conf" >"$T/t.out" 2>"$T/t.err" || true
expect_eq "the daemon loads the plugin" "$(cat "$ITF_TP_MARK")" "loaded uid=0"
finish
