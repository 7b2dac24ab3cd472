# One availability everywhere: the real daemon runs a check that is made
# to fail for known stretches (one inside a maintenance window) and is
# stopped and started again; then the report, the scorecard, the figure
# printed on the availability graph, the dashboard's 24 h and 30 d cells
# and /api/v1/availability must agree to 0.01 percentage points, and the
# report must agree with the stretches as timed here. The graph shows no
# value before the first run or while the daemon was stopped, and draws
# the outages, the planned outage and the window in their own colours
# (the picture is kept in the build directory).
. "$(dirname "$0")/lib.bash"
export LSAN_OPTIONS="${LSAN_OPTIONS:-}:fast_unwind_on_malloc=0"
OUT=${ITF_BUILD_DIR:-$T}

free_port STATUS
chmod 755 "$T" # the check runs as nobody when the tests run as root
iso() { date -u -d "@$1" +%Y-%m-%dT%H:%M:%SZ; }
sleep_until() { while [ "$(date +%s)" -lt "$1" ]; do sleep 0.05; done; }
now() { date +%s.%N; }
# The check: exits with what the state file says (0 up, 2 down, 3 unknown).
printf '#!/bin/sh\ns=$(cat %s/state)\necho "STATE $s|x=1"\nexit "$s"\n' "$T" \
    >"$T/check"
chmod 755 "$T/check"
state() { echo "$1" >"$T/state.new" && chmod 644 "$T/state.new" &&
    mv "$T/state.new" "$T/state"; }
state 0

P0=$(date +%s)
S=$((P0 + 4))
W1=$((S + 14))
W2=$((S + 22))
cat >"$T/a.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
defaults = { interval = 1; timeout = 0.8; fail_after = 2; };
systems = (
  { id = "portal"; category = "basic"; portfolio = "service";
    maintenance = ( { from = "$(iso $W1)"; to = "$(iso $W2)"; } );
    collectors = ( { type = "exec"; series = "check"; command = ["$T/check"]; } ); }
);
CONF
start() {
	"$BIN/itfollowd" -f -c "$T/a.conf" 2>>"$T/log" &
	DPID=$!
	PIDS="$PIDS $DPID"
}
sleep_until "$S"
start
# Down (unplanned) from S+5 to S+11; down inside the window from S+16 to
# S+20 (planned); the daemon stopped from S+25 to S+32; unknown from E.
sleep_until $((S + 5)); d1=$(now); state 2
sleep_until $((S + 11)); d2=$(now); state 0
sleep_until $((S + 16)); state 2
sleep_until $((S + 20)); state 0
sleep_until $((S + 25)); k1=$(now); kill "$DPID"; wait "$DPID" 2>/dev/null || true
sleep_until $((S + 32)); k2=$(now); start
E=$((S + 40))
sleep_until "$E"; state 3
# Runs that end unknown add no known time: the figures stop moving.
sleep 2
wait_http "http://127.0.0.1:$STATUS/health"

I() { "$BIN/itfollow" "$@"; }
PER="--from @$P0 --to @$((E + 5))"
# shellcheck disable=SC2086
rep=$(I report availability -c "$T/a.conf" --system portal $PER --format csv |
    sed -n 2p)
echo "report: $rep"
avail=$(echo "$rep" | cut -d, -f4)
expect_eq "outages (the planned one does not count)" "$(echo "$rep" | cut -d, -f8)" 1
expect_eq "maintenance_s" "$(echo "$rep" | cut -d, -f7)" 8

# The report against the stretches as timed here: known time is every
# second the daemon ran, less the window; down is the unplanned outage.
want=$(awk -v s="$S" -v e="$E" -v w1="$W1" -v w2="$W2" -v d1="$d1" -v d2="$d2" \
    -v k1="$k1" -v k2="$k2" 'BEGIN {
	known = (k1 - s) + (e - k2) - (w2 - w1)
	down = d2 - d1
	printf "%.4f", (known - down) / known * 100 }')
near() { awk -v g="$2" -v w="$3" -v t="$4" 'BEGIN { d = g - w; if (d < 0) d = -d; exit !(d <= t) }' &&
    ok || fail "$1: got '$2', want $3 +- $4"; }
near "the report against the timed stretches" "$avail" "$want" 6

agree() { # NAME GOT: the report's figure to 0.01 points
	if [ -n "$2" ] && awk -v g="$2" -v w="$avail" \
	    'BEGIN { d = g - w; if (d < 0) d = -d; exit !(d <= 0.01) }'; then
		ok
	else
		fail "$1: got '$2', the report says $avail"
	fi
}
# shellcheck disable=SC2086
I report scorecard -c "$T/a.conf" $PER --format csv >"$T/sc.csv"
agree "scorecard" "$(awk -F, '$1 == "portal" { print $3 }' "$T/sc.csv")"
cov=$(awk -F, '$1 == "portal" { print $4 }' "$T/sc.csv")
expect_num "scorecard coverage below 100 % (before the first run, the stop)" \
    "$cov" "<" 90
# shellcheck disable=SC2086
I graph -c "$T/a.conf" availability --system portal $PER --table csv \
    -o "$OUT/availability-truth.png" --width 1000 --height 360 >"$T/g.csv"
agree "graph figure" "$(sed -n 's/^# availability portal: \([0-9.]*\) %$/\1/p' "$T/g.csv")"
# shellcheck disable=SC2086
I graph -c "$T/a.conf" availability --by portfolio $PER --table csv >"$T/gp.csv"
agree "graph figure by portfolio" \
    "$(sed -n 's/^# availability service: \([0-9.]*\) %$/\1/p' "$T/gp.csv")"
# shellcheck disable=SC2086
I report availability -c "$T/a.conf" --by portfolio $PER --format csv >"$T/rp.csv"
agree "report by portfolio" "$(sed -n 2p "$T/rp.csv" | cut -d, -f4)"

# No value before the first run or while the daemon was stopped.
row() { awk -F, -v t="$(iso "$1")" 'index($1, t) == 1 { print $2; exit }' "$T/g.csv"; }
first=$(awk -F, 'NR > 1 && $2 != "" { print $1; exit }' "$T/g.csv")
expect_num "no row before the first run" "$(date -u -d "$first" +%s)" ">=" "$S"
expect_eq "no row while the daemon was stopped" \
    "$(awk -F, -v a="$(iso $((S + 27)))" -v b="$(iso $((S + 30)))" \
        'NR > 1 && !/^#/ && $1 >= a && $1 < b && $2 != ""' "$T/g.csv" | wc -l)" 0
expect_num "rows during the unplanned outage are below 100" \
    "$(awk -F, -v a="$(iso $((S + 7)))" -v b="$(iso $((S + 10)))" \
        'NR > 1 && !/^#/ && $1 >= a && $1 < b && $2 != "" && $2 < 100' "$T/g.csv" | wc -l)" ">" 0
expect_eq "rows in the window are not counted (unknown)" \
    "$(awk -F, -v a="$(iso $((S + 17)))" -v b="$(iso $((S + 19)))" \
        'NR > 1 && !/^#/ && $1 >= a && $1 < b && $2 != ""' "$T/g.csv" | wc -l)" 0
grep -q "^# maintenance $(iso $W1)..$(iso $W2)" "$T/g.csv" && ok ||
    fail "the window is not listed under the graph"

# The last 24 hours and 30 days hold all the known time: the same figure
# from the report, the scorecard, the graph, the dashboard and the API.
rep24=$(I report availability -c "$T/a.conf" --system portal --last 24h --format csv |
    sed -n 2p | cut -d, -f4)
agree "report, last 24 h" "$rep24"
agree "scorecard, last 30 d" "$(I report scorecard -c "$T/a.conf" --last 30d \
    --format csv | awk -F, '$1 == "portal" { print $3 }')"
agree "graph, last 24 h" "$(I graph -c "$T/a.conf" availability --system portal \
    --last 24h --table csv | sed -n 's/^# availability portal: \([0-9.]*\) %$/\1/p')"
U=http://127.0.0.1:$STATUS
curl -s "$U/" >"$T/index.html"
cells=$(grep -o 'class="avail"[^>]*>[0-9.]* %' "$T/index.html" |
    sed 's/.*>\([0-9.]*\) %/\1/')
agree "dashboard 24 h" "$(echo "$cells" | sed -n 1p)"
agree "dashboard 30 d" "$(echo "$cells" | sed -n 2p)"
curl -s "$U/api/v1/availability" >"$T/api.json"
agree "api 24 h" "$(jq -r '.systems[0]["24h"].availability_pct' "$T/api.json")"
agree "api 30 d" "$(jq -r '.systems[0]["30d"].availability_pct' "$T/api.json")"
expect_eq "api: the journal's" "$(jq -r '.systems[0]["24h"].source' "$T/api.json")" journal
curl -s -o "$OUT/availability-truth-24h.png" \
    "$U/graph/availability/system/portal/24h/800x250.png"
expect_eq "dashboard graph is a PNG" \
    "$(head -c 4 "$OUT/availability-truth-24h.png" | tail -c 3)" PNG
finish
