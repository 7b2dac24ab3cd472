# store.write_delay with files made together: each file's first held
# period ends at its own point of the delay (from its path, worked out
# apart by due_point.py), so the files' writes are spread over the delay
# rather than all in the same second of every period; each period after
# the first lasts the delay. Nothing is lost: every second's value of
# every file is read back after a clean stop.
. "$(dirname "$0")/lib.bash"

DELAY=20
NS=12
free_port STATUS
mkdir -p "$T/tmpl"
# A value a second, and a heartbeat of a second: a value missing is an
# unknown row, not filled by the next one.
for f in "$SRC"/rrd-templates/*.tmpl; do
	sed -e 's/^step 60$/step 1/' -e 's/ 1m / 1 /' \
	    -e 's/^\(ds [a-z]* *GAUGE\) 120 /\1 1 /' "$f" >"$T/tmpl/${f##*/}"
done
cols=""
for i in $(seq 0 $((NS - 1))); do
	cols="$cols${cols:+, }{ type = \"tcp\"; series = \"s$i\"; host = \"127.0.0.1\"; port = $STATUS; }"
done
cat >"$T/s.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$STATUS"; log_level = "warning"; };
store = { write_delay = $DELAY; };
defaults = { interval = 1; timeout = 0.5; };
systems = ( { id = "w"; category = "basic"; portfolio = "service";
  collectors = ( $cols ); } );
CONF
D=$T/data/rrd/quality/w
"$BIN/itfollowd" -f -c "$T/s.conf" 2>"$T/log" &
DPID=$!
PIDS="$PIDS $DPID"
wait_http "http://127.0.0.1:$STATUS/health"
# From before the files are made, for 46 s (their first held periods and
# two more), each time a file is written: when, which, and its newest
# value then.
: >"$T/writes"
declare -A seen
end=$(($(date +%s) + 46))
while [ "$(date +%s)" -lt "$end" ]; do
	now=$(date +%s)
	while read -r m f; do
		[ "${seen[$f]:-}" != "$m" ] || continue
		seen[$f]=$m
		echo "$now ${f##*/} $(rrdtool last "$f")" >>"$T/writes"
	done < <(stat -c '%.9Y %n' "$D"/s*.rrd 2>/dev/null)
	sleep 0.25
done
stop=$(date +%s)
kill -TERM $DPID
rc=0
wait $DPID || rc=$?
expect_eq "exit" "$rc" 0

for i in $(seq 0 $((NS - 1))); do
	python3 "$SRC/tests/regress/due_point.py" "$DELAY" "rrd/quality/w/s$i.rrd"
done >"$T/points"
echo "own points: $(tr '\n' ' ' <"$T/points")"
# The series' points themselves are spread: over half the delay at least.
spread=$(sort -n "$T/points" | awk 'NR == 1 { a = $1 } END { print $1 - a }')
expect_num "the points' spread" "$spread" ">=" $((DELAY / 2))
t0=$(awk 'NR == 1 { print $1 }' "$T/writes")
firsts=""
for i in $(seq 0 $((NS - 1))); do
	p=$(sed -n "$((i + 1))p" "$T/points")
	awk -v f="s$i.rrd" '$2 == f' "$T/writes" >"$T/w$i"
	# Made with its first value, then its first held period's values:
	# about its point's worth; then a delay's worth at a time.
	j1=$(awk 'NR == 1 { a = $3 } NR == 2 { print $3 - a }' "$T/w$i")
	j2=$(awk 'NR == 2 { a = $3 } NR == 3 { print $3 - a }' "$T/w$i")
	expect_num "s$i: first held period's values (point $p)" "$j1" ">=" 1
	expect_num "s$i: first held period's values (point $p)" \
	    "$j1" "<=" "$((p + 2))"
	expect_num "s$i: first held period's values (point $p)" \
	    "$j1" ">=" "$((p - 1))"
	expect_num "s$i: then a delay's values" "$j2" ">=" "$DELAY"
	expect_num "s$i: then a delay's values" "$j2" "<=" "$((DELAY + 2))"
	firsts="$firsts $(awk -v t0="$t0" 'NR == 2 { print $1 - t0 }' "$T/w$i")"
done
echo "first held writes, seconds after the first file was made:$firsts"
# Spread, not all at one moment: over half the delay, a few at a second.
span=$(echo "$firsts" | tr ' ' '\n' | sort -n |
    awk 'NF { if (n++ == 0) a = $1; b = $1 } END { print b - a }')
expect_num "first held writes' spread" "$span" ">=" $((DELAY / 2))
most=$(echo "$firsts" | tr ' ' '\n' | awk 'NF { n[$1]++ }
    END { for (k in n) if (n[k] > m) m = n[k]; print m }')
expect_num "files first written in the same second" "$most" "<=" 3

# Nothing lost: every second from a file's first value to the stop has
# its value, up, read back with librrd.
for i in $(seq 0 $((NS - 1))); do
	F=$D/s$i.rrd
	first=$(awk 'NR == 1 { print $3 }' "$T/w$i")
	last=$(rrdtool last "$F")
	expect_num "s$i: written to the stop (last=$last stop=$stop)" \
	    "$((stop - last))" "<=" 2
	rrdtool fetch "$F" AVERAGE -r 1 -s "$first" -e "$last" |
	    awk -v a="$first" -v b="$last" '
	    $1 ~ /:$/ { t = $1 + 0; if (t <= a || t > b) next;
	        n++; if ($2 + 0 == 1 && $2 !~ /nan/) up++ }
	    END { print n + 0, up + 0 }' >"$T/f$i"
	read -r n up <"$T/f$i"
	expect_eq "s$i: rows from the first value to the last" "$n" \
	    "$((last - first))"
	expect_eq "s$i: every second's value read back, up" "$up" "$n"
done
finish
