# The live dashboard and its static twin: the daemon probes a local target
# (up) and a refused port (down); the pages load in headless Chromium
# without console messages, every <img> answers 200 with a PNG of the size
# it asks for, paths with "../" or bad ids are 404, /health answers while
# graphs render, and `itfollow dashboard -o DIR` writes the same pages
# and graphs as files. A screenshot is kept in the build directory.
. "$(dirname "$0")/lib.bash"
# librrd's graph leaks legend strings; suppressed by library, which needs
# full stacks.
export LSAN_OPTIONS="${LSAN_OPTIONS:-}:fast_unwind_on_malloc=0"
OUT=${ITF_BUILD_DIR:-$T}
start_targets
free_port STATUS
cat >"$T/d.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; };
store = { write_delay = 0; };
systems = (
  { id = "portal"; name = "E-service portal"; owner = "norrmalm";
    category = "differentiating"; portfolio = "service";
    collectors = ( { type = "http"; series = "web"; interval = 1; timeout = 0.5;
      url = "http://127.0.0.1:$HTTP/ok"; } ); },
  { id = "desk"; owner = "city <it>"; category = "basic"; portfolio = "cooperation";
    collectors = ( { type = "tcp"; series = "smtp"; interval = 1; timeout = 0.5;
      host = "127.0.0.1"; port = $REFUSED; } ); },
  { id = "wiki"; owner = "city"; category = "basic"; portfolio = "service";
    collectors = ( ); }
);
CONF
# A year of daily cost for portal, so the cost graphs have bars.
mkdir -p "$T/data/rrd/cost/portal"
now=$(date +%s)
d0=$((now - now % 86400 - 300 * 86400))
rrdtool create "$T/data/rrd/cost/portal/cost.rrd" --start $((d0 - 86400)) \
    --step 86400 DS:cost:GAUGE:172800:U:U RRA:AVERAGE:0.5:1:2557
awk -v d0=$d0 'BEGIN { for (d = 1; d <= 299; d++) print d0 + d * 86400 ":" 100 + d % 50 }' |
    xargs rrdtool update "$T/data/rrd/cost/portal/cost.rrd"

"$BIN/itfollowd" -f -c "$T/d.conf" 2>"$T/daemon.log" &
PIDS="$PIDS $!"
U=http://127.0.0.1:$STATUS
wait_http "$U/health"
wait_file "$T/data/rrd/quality/portal/web.rrd"
wait_file "$T/data/rrd/quality/desk/smtp.rrd"
sleep 3

# code PATH: the HTTP status of a path sent as it is (no ../ folding).
code() { curl --path-as-is -s -o "$T/body" -w '%{http_code}' "$U$1"; }
for p in / /system/portal /system/desk /system/wiki /perspective/quality \
    /perspective/cost /perspective/maturity /perspective/external-benefit \
    /portfolio/service /portfolio/innovation; do
	expect_eq "GET $p" "$(code "$p")" 200
	expect_eq "$p is HTML" "$(head -c 15 "$T/body")" "<!DOCTYPE html>"
done
code / >/dev/null
cp "$T/body" "$T/index.html"
grep -q '<td class="up">up</td>' "$T/index.html" && ok ||
    fail "portal is not shown up"
grep -q '<td class="down">down</td>' "$T/index.html" && ok ||
    fail "desk is not shown down"
grep -q '<td class="down">smtp since 20[0-9T:-]*Z (connect)</td>' \
    "$T/index.html" && ok || fail "desk's open outage is not shown"
grep -q 'city &lt;it&gt;' "$T/index.html" && ok ||
    fail "an owner's text is not escaped"
grep -q 'http-equiv="refresh"' "$T/index.html" && ok ||
    fail "the page does not refresh itself"
expect_eq "grouped by portfolio and category" \
    "$(grep -o '<h2>.*</h2>' "$T/index.html" | sed 's/<[^>]*>//g' | tr '\n' ' ')" \
    "service: basic service: differentiating cooperation: basic "
grep -q '<h2><a href="/portfolio/service">service</a>: basic</h2>' \
    "$T/index.html" && ok || fail "a portfolio's heading is not its page's link"
# The last measured value with its unit: the probe's total time in ms,
# and for the refused port why it measured nothing.
grep -q '<td class="up">up</td><td class="value" title="20[0-9T:-]*Z">[0-9.]* ms</td>' \
    "$T/index.html" && ok || fail "portal's last value is not in ms"
grep -q '<td class="down">down</td><td class="value" title="20[0-9T:-]*Z">- (connect)</td>' \
    "$T/index.html" && ok || fail "desk's last value does not say why"
for p in /system/nosuch /system/../etc/passwd /system/PORTAL \
    /perspective/money /portfolio/finance /portfolio/../etc/passwd \
    /graph/../../etc/passwd \
    /graph/availability/system/../../../../etc/passwd/24h/400x120.png \
    /graph/availability/system/nosuch/24h/400x120.png \
    /graph/availability/system/portal/24h/50x50.png \
    /graph/availability/system/portal/2y/400x120.png \
    /graph/uptime/system/portal/24h/400x120.png \
    /graph/availability/by/colour/24h/400x120.png \
    "/graph/availability/system/%2e%2e/24h/400x120.png" /etc/passwd; do
	expect_eq "GET $p" "$(code "$p")" 404
done

# Every image of every page: 200, a PNG of the size its URL names.
pages="/ /system/portal /system/desk /perspective/quality /perspective/cost /perspective/maturity"
for p in $pages; do
	curl -s "$U$p"
done | grep -o '<img src="[^"]*" width="[0-9]*" height="[0-9]*"' |
    sort -u >"$T/imgs"
expect_num "images on the pages" "$(wc -l <"$T/imgs")" ">=" 12
png_size() { od -An -tu1 -j16 -N8 "$1" | awk '{ print $3 * 256 + $4 "x" $7 * 256 + $8 }'; }
while read -r _ src w h; do
	src=${src#src=\"}
	src=${src%\"}
	w=${w//[^0-9]/}
	h=${h//[^0-9]/}
	got=$(curl -s -o "$T/img.png" -w '%{http_code} %{content_type}' "$U$src")
	expect_eq "$src" "$got" "200 image/png"
	expect_eq "$src is a PNG" "$(head -c 4 "$T/img.png" | tail -c 3)" PNG
	expect_eq "$src size" "$(png_size "$T/img.png")" "${w}x$h"
done <"$T/imgs"
# Cached: the same bytes again.
g=/graph/cost/system/portal/1y/800x250.png
curl -s -o "$T/c1.png" "$U$g"
curl -s -o "$T/c2.png" "$U$g"
cmp -s "$T/c1.png" "$T/c2.png" && ok || fail "a graph is not cached"

# The loop is not the renderer: /health answers while graphs render.
busy=""
for s in 1 2 3 4 5 6 7 8; do
	curl -s -o /dev/null "$U/graph/availability/by/portfolio/7d/$((600 + s))x300.png" &
	busy="$busy $!"
done
t0=$(date +%s%N)
expect_eq "/health while rendering" "$(code /health)" 200
t1=$(date +%s%N)
# shellcheck disable=SC2086
wait $busy
expect_num "/health answered in ms" "$(((t1 - t0) / 1000000))" "<" 1000

# Headless Chromium: the page loads with its images and no console message.
chrome() {
	timeout 120 chromium --headless --disable-gpu --no-sandbox \
	    --disable-dev-shm-usage --user-data-dir="$T/chrome" \
	    --enable-logging=stderr --v=0 "$@"
}
chrome --dump-dom "$U/" >"$T/dom.html" 2>"$T/chrome.err" || true
grep -q 'E-service portal' "$T/dom.html" && ok ||
    fail "Chromium did not load the page: $(tail -3 "$T/chrome.err")"
expect_eq "images in the DOM" "$(grep -o '<img ' "$T/dom.html" | wc -l)" 3
expect_eq "console messages" "$(grep -c 'CONSOLE' "$T/chrome.err")" 0
chrome --screenshot="$OUT/dashboard.png" --window-size=1280,900 "$U/" \
    >/dev/null 2>"$T/shot.err" || true
expect_eq "screenshot" "$(png_size "$OUT/dashboard.png")" 1280x900
chrome --screenshot="$OUT/dashboard-system.png" --window-size=1280,1600 \
    "$U/system/portal" >/dev/null 2>>"$T/shot.err" || true
expect_eq "system page screenshot" \
    "$(png_size "$OUT/dashboard-system.png")" 1280x1600

# With the journal, an availability graph shades its outages and lists them.
"$BIN/itfollow" graph -c "$T/d.conf" availability --system desk --last 24h \
    --table csv -o "$T/desk.png" >"$T/desk.csv"
grep -q '^# outage smtp 20[0-9T:-]*Z\.\.open (connect)$' "$T/desk.csv" && ok ||
    fail "desk's open outage is not on its graph: $(grep '^#' "$T/desk.csv")"
expect_eq "desk graph" "$(png_size "$T/desk.png")" 800x300

# The static pages: the same pages and graphs as files.
rc=0
timeout 10 "$BIN/itfollow" dashboard -x -o "$T/nope" 2>/dev/null || rc=$?
expect_eq "dashboard: an unknown option is a usage error" "$rc" 2
"$BIN/itfollow" dashboard -c "$T/d.conf" -o "$T/static" 2>"$T/static.err" &&
    rc=0 || rc=$?
expect_eq "itfollow dashboard exit" "$rc" 0
for f in index.html system-portal.html system-desk.html system-wiki.html \
    perspective-quality.html perspective-cost.html \
    perspective-external-benefit.html portfolio-service.html \
    portfolio-cooperation.html; do
	[ -s "$T/static/$f" ] && ok || fail "no $f"
done
expect_eq "static index: the live page's graphs" \
    "$(grep -o 'src="[^"]*"' "$T/static/index.html")" \
    "$(grep -o 'src="/[^"]*"' "$T/index.html" | sed 's|src="/|src="|')"
grep -q 'href="system-portal.html"' "$T/static/index.html" && ok ||
    fail "static links are not to files"
n=0
for f in $(cd "$T/static" && find graph -name '*.png'); do
	size=${f##*/}
	expect_eq "static $f" "$(png_size "$T/static/$f")" "${size%.png}"
	n=$((n + 1))
done
expect_num "static graphs" "$n" ">=" 12
chrome --screenshot="$OUT/dashboard-static.png" --window-size=1280,900 \
    "file://$T/static/index.html" >/dev/null 2>"$T/shot2.err" || true
expect_eq "static screenshot" "$(png_size "$OUT/dashboard-static.png")" \
    1280x900
if grep -q 'ERROR: AddressSanitizer\|runtime error' "$T/daemon.log"; then
	fail "the daemon's log: $(grep -m3 'ERROR\|runtime error' "$T/daemon.log")"
else
	ok
fi
finish
