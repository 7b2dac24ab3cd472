# The dashboard's graphs are drawn by itfollow-render, not in the daemon:
# the daemon maps no drawing library, a graph it serves decodes whole (an
# independent decoder, tests/tools/pngdecode.py) at the size its URL
# names and is the very picture `itfollow dashboard` draws in its own
# process for the same data; the renderer inherits no descriptor but its
# standard ones; a renderer that is missing, prints junk,
# dies, hangs or can be written by others gives a 503 that says why,
# while pages and /health answer and the next graph is drawn again.
. "$(dirname "$0")/lib.bash"
export LSAN_OPTIONS="${LSAN_OPTIONS:-}:fast_unwind_on_malloc=0"
PNG="python3 $SRC/tests/tools/pngdecode.py"
free_port REFUSED
# A year of daily cost for portal, written before the daemon starts and
# never after: its graph is the same whenever and whoever draws it.
mkdir -p "$T/data/rrd/cost/portal"
now=$(date +%s)
d0=$((now - now % 86400 - 300 * 86400))
rrdtool create "$T/data/rrd/cost/portal/cost.rrd" --start $((d0 - 86400)) \
    --step 86400 DS:cost:GAUGE:172800:U:U RRA:AVERAGE:0.5:1:2557
awk -v d0=$d0 'BEGIN { for (d = 1; d <= 299; d++) print d0 + d * 86400 ":" 100 + d % 50 }' |
    xargs rrdtool update "$T/data/rrd/cost/portal/cost.rrd"

# daemon DIR: itfollowd run from DIR (its renderer is looked for there).
daemon() {
	free_port STATUS
	cat >"$T/d.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; };
store = { write_delay = 0; };
systems = (
  { id = "portal"; category = "differentiating"; portfolio = "service";
    collectors = ( { type = "tcp"; series = "smtp"; interval = 1;
      timeout = 0.5; host = "127.0.0.1"; port = $REFUSED; } ); }
);
CONF
	"$1/itfollowd" -f -c "$T/d.conf" 2>"$T/daemon.log" &
	DPID=$!
	PIDS="$PIDS $DPID"
	U=http://127.0.0.1:$STATUS
	wait_http "$U/health"
}
stop() {
	kill "$DPID"
	wait "$DPID" 2>/dev/null || true
}
get() { curl -s -o "$T/body" -w '%{http_code} %{content_type}' "$U$1"; }

# The daemon links no drawing library; the renderer does.
libs=$(ldd "$BIN/itfollowd")
for l in librrd libcairo libpango libfontconfig libxml2 libicu libX11 \
    libpng libfreetype libpixman; do
	case "$libs" in *"$l"*) fail "itfollowd links $l" ;; *) ok ;; esac
done
case "$(ldd "$BIN/itfollow-render")" in *libcairo*) ok ;;
*) fail "itfollow-render does not link cairo" ;; esac

daemon "$BIN"
wait_file "$T/data/rrd/quality/portal/smtp.rrd"
for g in /graph/availability/system/portal/24h/800x250.png \
    /graph/availability/system/portal/24h/360x100.png \
    /graph/cost/system/portal/1y/800x360.png; do
	expect_eq "$g" "$(get "$g")" "200 image/png"
	cp "$T/body" "$T/live.png"
	size=${g##*/}
	read -r got colours < <($PNG "$T/live.png")
	expect_eq "$g decodes" "$got" "${size%.png}"
	expect_num "$g colours" "$colours" ">" 2
done
# The same picture as the tool draws in its process for the same data.
"$BIN/itfollow" dashboard -c "$T/d.conf" -o "$T/static" 2>"$T/static.err"
cmp "$T/live.png" "$T/static/graph/cost/system/portal/1y/800x360.png" &&
    ok || fail "the renderer's cost graph differs from the tool's"
grep -q 'renderer\|cannot be drawn' "$T/daemon.log" &&
    fail "renderer messages: $(grep -m2 'renderer' "$T/daemon.log")" || ok
stop

# No renderer next to the daemon: graphs are a 503 that says so; the
# daemon serves everything else.
mkdir "$T/alone"
cp "$BIN/itfollowd" "$T/alone/"
daemon "$T/alone"
expect_eq "no renderer" \
    "$(get /graph/availability/system/portal/24h/400x150.png)" \
    "503 text/plain"
grep -q "^no itfollow-render next to the daemon ($T/alone/itfollow-render)" \
    "$T/body" && ok || fail "the 503 does not say why: $(cat "$T/body")"
grep -q "graphs cannot be drawn: no itfollow-render" "$T/daemon.log" &&
    ok || fail "the daemon does not warn at start"
expect_eq "a page without renderer" "$(get /system/portal)" \
    "200 text/html; charset=utf-8"
expect_eq "/health without renderer" "$(get /health | cut -c1-3)" 200

# Broken renderers, one after the other, each in place of the real one.
# broken KIND SCRIPT: a 503 whose text has KIND, then /health.
n=0
broken() {
	printf '#!/bin/sh\n%s\n' "$2" >"$T/alone/itfollow-render"
	chmod 755 "$T/alone/itfollow-render"
	n=$((n + 1))
	expect_eq "$1: code" \
	    "$(get "/graph/availability/system/portal/24h/$((400 + n))x150.png")" \
	    "503 text/plain"
	grep -q "$1" "$T/body" && ok || fail "$1: $(cat "$T/body")"
	expect_eq "$1: /health" "$(get /health | cut -c1-3)" 200
}
broken "the renderer gave no picture (exit status 0" \
    'cat >/dev/null; echo junk'
broken "the renderer gave no picture (exit status 0" \
    'cat >/dev/null; printf "ok 99999\nshort"'
broken "the renderer was killed by signal 9" 'kill -9 $$'
broken "the renderer: bad chart: not a chart" \
    "exec $BIN/itfollow-render </dev/null"
# A renderer that hangs is killed after 10 s. Meanwhile: it holds its
# standard input, output and error, nothing else of the daemon's
# (sockets, files, the journal).
printf '#!/bin/sh\nexec sleep 30\n' >"$T/alone/itfollow-render"
t0=$(date +%s)
get /graph/availability/system/portal/24h/499x150.png >"$T/hang" &
GET=$!
sleep 2
kid=$(pgrep -P "$DPID" -x sleep || true)
expect_eq "the hanging renderer's descriptors" \
    "$(ls "/proc/$kid/fd" 2>&1 | sort -n | tr '\n' ' ')" "0 1 2 "
expect_eq "/health while the renderer hangs" "$(get /health | cut -c1-3)" 200
wait "$GET"
expect_eq "a hanging renderer" "$(cat "$T/hang")" "503 text/plain"
grep -q "the renderer took more than 10000 ms" "$T/body" && ok ||
    fail "a hanging renderer: $(cat "$T/body")"
expect_num "a hanging renderer is killed in s" "$(($(date +%s) - t0))" "<" 20
# Writable by its group: refused, not run.
cp "$BIN/itfollow-render" "$T/alone/itfollow-render"
chmod 775 "$T/alone/itfollow-render"
expect_eq "group-writable renderer" \
    "$(get /graph/availability/system/portal/24h/300x150.png)" \
    "503 text/plain"
grep -q "itfollow-render: refused: it can be written by others" "$T/body" &&
    ok || fail "a writable renderer is not refused: $(cat "$T/body")"
# Made safe again: drawn, the daemon unharmed by what came before.
chmod 755 "$T/alone/itfollow-render"
expect_eq "renderer back" \
    "$(get /graph/availability/system/portal/24h/300x150.png)" \
    "200 image/png"
read -r got _ < <($PNG "$T/body")
expect_eq "renderer back: decodes" "$got" 300x150
kill -0 "$DPID" && ok || fail "the daemon died"
stop
if grep -q 'ERROR: AddressSanitizer\|runtime error' "$T/daemon.log"; then
	fail "the daemon's log: $(grep -m3 'ERROR\|runtime error' "$T/daemon.log")"
else
	ok
fi
finish
