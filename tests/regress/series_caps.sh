# Feeds cannot fill the disk: a licence feed whose 300 feature names change
# at every run stops at its max_series (500 by default) files, its runs
# past the cap end down with reason too_many_series (in the log, once a
# minute, with the figures and the feed's file:line, and in /metrics),
# and a feature it already fills goes on being stored. The daemon's
# hourly cap on new series (daemon.max_new_series_per_hour) holds across
# feeds.
. "$(dirname "$0")/lib.bash"

free_port STATUS
S="http://127.0.0.1:$STATUS"
# Small licence files: the caps are about their number.
mkdir -p "$T/tmpl"
cp "$SRC"/rrd-templates/*.tmpl "$T/tmpl/"
cat >"$T/tmpl/licence.tmpl" <<'TMPL'
step 300
ds issued    GAUGE 600 0 U
ds in_use    GAUGE 600 0 U
ds queued    GAUGE 600 0 U
ds reserved  GAUGE 600 0 U
ds warning   GAUGE 600 0 U
ds suspended GAUGE 600 0 U
rra AVERAGE 0.5 5m 1h
TMPL

# lmstat output with a stable feature and 300 named after run $1.
lmstat() {
	{
		echo "License server status: 27000@lic1"
		echo "    lic1: license server UP (MASTER) v11.16.4"
		echo "Vendor daemon status (on lic1):"
		echo "     vend: UP v11.16.4"
		echo "Feature usage info:"
		echo "Users of STABLE:  (Total of 10 licenses issued;  Total of $1 licenses in use)"
		awk -v r="$1" 'BEGIN { for (i = 0; i < 300; i++)
			printf "Users of R%d_F%d:  (Total of 10 licenses issued;  Total of 1 licenses in use)\n", r, i }'
	} >"$T/lm.tmp"
	mv "$T/lm.tmp" "$T/lm.txt"
}
lmstat 1

cat >"$T/c.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
systems = ( { id = "lic"; category = "basic"; portfolio = "information"; } );
feeds = (
  { id = "changing"; type = "flexlm"; system = "lic";
    url = "file://$T/lm.txt"; interval = 2; timeout = 1; }
);
store = { write_delay = 0; };
CONF

"$BIN/itfollowd" -f -c "$T/c.conf" 2>"$T/log" &
PIDS="$PIDS $!"
wait_http "$S/health"
D=$T/data/rrd/maturity/lic
# A new set of names every 2.5 s, for six runs or more.
for r in 2 3 4 5 6 7; do
	sleep 2.5
	lmstat "$r"
done
sleep 3
n=$(find "$D" -name '*.rrd' | wc -l)
echo "files: $n"
expect_eq "files made: max_series" "$n" 500
[ -f "$D/licence-stable.rrd" ] && ok || fail "no file for STABLE"
expect_eq "STABLE is still stored after the cap" \
    "$(last "$D/licence-stable.rrd" in_use)" 7

curl -s "$S/metrics" >"$T/metrics"
m() { awk -v k="$1" '$1 == k { print $2 }' "$T/metrics"; }
expect_num "runs ended too_many_series" \
    "$(m 'itfollow_runs_failed_total{reason="too_many_series"}')" ">=" 4
expect_num "refusals counted" "$(m itfollow_feed_series_refused_total)" ">=" 1000
expect_eq "series admitted" "$(m itfollow_feed_series_admitted_total)" 500
expect_eq "new series this hour" "$(m itfollow_feed_series_new_this_hour)" 500
expect_eq "journal: the runs past the cap" \
    "$(sqlite3 "$T/data/journal.sqlite" "SELECT count(*) > 3 FROM failed_runs WHERE reason = 'too_many_series'")" 1
grep 'too_many_series' "$T/log" | head -3
lines=$(grep -c 'feed/changing: too_many_series: [0-9]* values of new series refused; the feed fills 500, its max_series ('"$T"'/c.conf:5)' "$T/log" || true)
expect_eq "logged once a minute, with the figures and where" "$lines" 1

# The hourly cap, over two feeds: 300 names each, 450 new series an hour.
lmstat 1
cp "$T/lm.txt" "$T/lm2.txt"
sed -i 's/Users of R1_/Users of S1_/' "$T/lm2.txt"
cat >"$T/h.conf" <<CONF
daemon = { data_dir = "$T/hour"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$STATUS"; max_new_series_per_hour = 450; };
systems = ( { id = "lic"; category = "basic"; portfolio = "information"; },
  { id = "lic2"; category = "basic"; portfolio = "information"; } );
feeds = (
  { id = "a"; type = "flexlm"; system = "lic"; url = "file://$T/lm.txt"; },
  { id = "b"; type = "flexlm"; system = "lic2"; url = "file://$T/lm2.txt"; }
);
store = { write_delay = 0; };
CONF
"$BIN/itfollowd" -T -c "$T/h.conf" >"$T/hour.out" 2>"$T/hour.err" || true
n=$(find "$T/hour/rrd/maturity" -name '*.rrd' | wc -l)
expect_eq "files made under the hourly cap" "$n" 450
grep -q 'too_many_series: [0-9]* values of new series refused; feeds made 450 new series this hour' \
    "$T/hour.err" && ok || fail "hourly cap not logged: $(cat "$T/hour.err")"

# Bad values of the keys are configuration errors.
sed 's/max_new_series_per_hour = 450/max_new_series_per_hour = 0/' "$T/h.conf" >"$T/bad.conf"
"$BIN/itfollowd" -n -c "$T/bad.conf" >"$T/bad.out" 2>&1 || true
grep -q "bad.conf:2: \"max_new_series_per_hour\" must be 1 to 1000000" "$T/bad.out" &&
    ok || fail "bad max_new_series_per_hour: $(cat "$T/bad.out")"

if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error' "$T/log" "$T/hour.err"; then
	fail "sanitizer report"
else
	ok
fi
finish
