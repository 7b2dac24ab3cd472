# The default store.write_delay holds each file's updates back for a
# minute, and whatever reads the files still sees every value the daemon
# has received: `itfollow last`, `graph --table` and `export` ask the
# daemon (/api/v1/flush) to write them first, and its dashboard asks its
# writer. /api/v1/flush is for the loopback only. A kill -9 loses at most
# the held values, write_delay seconds of them (README, "Storage").
. "$(dirname "$0")/lib.bash"

free_port STATUS
mkdir -p "$T/tmpl"
for f in "$SRC"/rrd-templates/*.tmpl; do
	sed -e 's/^step 60$/step 1/' -e 's/ 1m / 1 /' "$f" >"$T/tmpl/${f##*/}"
done
# $1: the configuration's file; $2: extra store keys.
write_conf() {
	cat >"$1" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$STATUS"; log_level = "warning"; };
store = { $2 };
defaults = { interval = 1; timeout = 0.5; };
systems = ( { id = "w"; category = "basic"; portfolio = "service";
  collectors = ( { type = "tcp"; series = "self"; host = "127.0.0.1"; port = $STATUS; } ); } );
CONF
}
write_conf "$T/d.conf" ""
F=$T/data/rrd/quality/w/self.rrd
U=http://127.0.0.1:$STATUS
"$BIN/itfollowd" -f -c "$T/d.conf" 2>"$T/log" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "$U/health"
delay=$(curl -s "$U/metrics" |
    awk '$1 == "itfollow_store_write_delay_seconds" { print $2 }')
expect_eq "default write_delay" "$delay" 60
sleep 4
# The file is made with its first value; those since are held back: the
# newest value on disk is the first, seconds old at a 1 s interval.
now=$(date +%s)
[ -f "$F" ] && ok || fail "not made at its first value"
t=$(rrdtool last "$F" 2>/dev/null || echo 0)
expect_num "held back: newest value on disk is old (last=$t now=$now)" \
    "$((now - t))" ">=" 2

# The dashboard asks its writer: after its overview page the file holds
# the value of a second ago, and the page shows the system up.
now=$(date +%s)
curl -s "$U/" >"$T/index.html"
[ -f "$F" ] && ok || fail "the dashboard did not have the file written"
t=$(rrdtool last "$F" 2>/dev/null || echo 0)
expect_num "dashboard: newest value's age (last=$t now=$now)" \
    "$((now - t))" "<=" 2
grep -q 'class="up"' "$T/index.html" && ok ||
    fail "the dashboard does not show the system up"
# What comes next is held again: `last` sees it only by asking.
sleep 3

# last: the newest value is at most a couple of seconds old.
now=$(date +%s)
"$BIN/itfollow" last -c "$T/d.conf" w self >"$T/last" 2>"$T/last.err" ||
    fail "itfollow last: $(cat "$T/last.err")"
t=$(sed -n 's/^time=//p' "$T/last")
expect_num "last: newest value's age (time=$t now=$now)" \
    "$((now - ${t:-0}))" "<=" 2
grep -qx "up=1" "$T/last" && ok || fail "itfollow last: up"
[ ! -s "$T/last.err" ] && ok || fail "itfollow last said: $(cat "$T/last.err")"

# graph --table: the row of a second ago is there.
sleep 2
now=$(date +%s)
"$BIN/itfollow" graph -c "$T/d.conf" availability --system w \
    --from "$((now - 30))" --to "$now" --table csv >"$T/g.csv" \
    2>"$T/g.err" || fail "itfollow graph: $(cat "$T/g.err")"
newest=$(awk -F, 'NR > 1 && $2 != "" && $2 != "nan" { t = $1 } END { print t }' \
    "$T/g.csv")
echo "graph table newest row: $newest (now $now)"
ts=$(date -u -d "$newest" +%s 2>/dev/null || echo "$newest")
expect_num "graph: newest row's age" "$((now - ${ts:-0}))" "<=" 3

# export: the same, as CSV.
sleep 2
now=$(date +%s)
"$BIN/itfollow" export -c "$T/d.conf" --system w --series self \
    --from "$((now - 30))" --to "$now" --step 1s >"$T/e.csv" \
    2>"$T/e.err" || fail "itfollow export: $(cat "$T/e.err")"
newest=$(awk -F, 'NR > 1 && $2 != "" && $2 != "nan" { t = $1 } END { print t }' \
    "$T/e.csv")
ts=$(date -u -d "$newest" +%s 2>/dev/null || echo "$newest")
expect_num "export: newest row's age ($newest, now $now)" \
    "$((now - ${ts:-0}))" "<=" 3

# The flush is served to the loopback only, and names files by ids.
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/api/v1/flush/quality/w/..")
expect_eq "flush of a bad id" "$code" 404
code=$(curl -s -o /dev/null -w '%{http_code}' "$U/api/v1/flush")
expect_eq "flush of every file" "$code" 200

# kill -9: what was written stays, at most write_delay (here 3 s) of
# held values is lost.
kill -TERM "$DPID"
wait "$DPID" || true
write_conf "$T/k.conf" "write_delay = 3;"
"$BIN/itfollowd" -f -c "$T/k.conf" 2>"$T/log2" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "$U/health"
sleep 8
k=$(date +%s)
kill -KILL "$DPID"
wait "$DPID" 2>/dev/null || true
last=$(rrdtool last "$F")
expect_num "kill -9: lost (kill=$k last=$last)" "$((k - last))" "<=" 5
finish
