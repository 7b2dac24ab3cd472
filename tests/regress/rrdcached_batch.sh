# Updates go to rrdcached in batches, many files per request: one file's
# update that rrdcached refuses (its last update was made newer behind the
# daemon's back, with rrdtool through the same rrdcached) fails that file
# only, logged with its path; the other files of the same batch, before and
# after it, are written: read back with rrdtool, their last update is the
# last one the daemon sent.
. "$(dirname "$0")/lib.bash"

rrdcached_ground
SERIES="a b c d e f g h"
REFUSE="b d g"

rrdcached -g -F -w 3600 -f 7200 -l "unix:$SOCK" -b "$D" -B \
    -p "$T/rrdcached.pid" >>"$T/rrdcached.log" 2>&1 &
RC_PID=$!
PIDS="$PIDS $RC_PID"
for _ in $(seq 1 100); do
	[ -S "$SOCK" ] && break
	sleep 0.05
done
[ -S "$SOCK" ] || fail "rrdcached did not start: $(cat "$T/rrdcached.log")"

{
	echo "daemon = { data_dir = \"$D\"; templates_dir = \"$T/tmpl\";"
	echo "  status_listen = \"127.0.0.1:$S0\"; log_level = \"debug\"; };"
	echo "store = { write_delay = 30; rrdcached = \"unix:$SOCK\"; };"
	echo "defaults = { interval = 2; timeout = 1; };"
	echo "systems = ( { id = \"sys0\"; category = \"basic\"; portfolio = \"service\";"
	echo "    collectors = ("
	for s in $SERIES; do
		echo "      { type = \"http\"; series = \"$s\"; url = \"$H/ok?k=$s\"; },"
	done | sed '$ s/,$//'
	echo "    ); } );"
} >"$T/d.conf"

"$BIN/itfollowd" -f -c "$T/d.conf" 2>"$T/log" &
P=$!
PIDS="$PIDS $P"
wait_http "http://127.0.0.1:$S0/health"
sleep 5
# Every file made and written once: the daemon knows each one's last update.
curl -sf -o /dev/null "http://127.0.0.1:$S0/api/v1/flush" || fail "first flush"
sleep 5

# Each round: the chosen files get an update a second ahead of anything the
# daemon holds, then everything held goes out in one batch. A round counts
# when a refused file has written files both before and after it in the
# batch (the order is the order values came in: up to three rounds).
middle=0
for round in 1 2 3; do
	ahead=$(($(date +%s) + 1))
	for s in $REFUSE; do
		f=$D/rrd/quality/sys0/$s.rrd
		n=$(rrdtool info --daemon "unix:$SOCK" "$f" |
		    grep -c '^ds\[.*\]\.type')
		rrdtool update --daemon "unix:$SOCK" "$f" \
		    "$ahead$(printf ':1%.0s' $(seq 1 "$n"))" 2>>"$T/direct" ||
		    fail "direct update of $s: $(cat "$T/direct")"
	done
	mark=$(wc -l <"$T/log")
	curl -sf -o /dev/null "http://127.0.0.1:$S0/api/v1/flush" ||
	    fail "flush $round"
	tail -n +"$((mark + 1))" "$T/log" >"$T/round"
	# The batch: its files in order, with what each had sent.
	awk '/store: sending a batch of/ { n++ } n == 1 &&
	    /updates \(.*\) sent to rrdcached/ {
		f = $0; sub(/.*store: /, "", f); sub(/: [0-9]+ of .*/, "", f)
		t = $0; sub(/.*\.\./, "", t); sub(/:.*/, "", t)
		k = $0; sub(/.*store: [^ ]*: /, "", k); sub(/ of .*/, "", k)
		print f, k, t }' "$T/round" >"$T/batch"
	order=""
	while read -r path k t; do
		s=${path##*/}
		s=${s%.rrd}
		case " $REFUSE " in
		*" $s "*)
			order="${order}R"
			expect_eq "$s: nothing of it taken" "$k" 0
			grep -q "store: $path: illegal attempt to update" "$T/log" ||
			    fail "$s: refusal not logged with its file: $(grep "$s.rrd" "$T/log" | tail -3)"
			last=$(rrdtool lastupdate --daemon "unix:$SOCK" "$path" |
			    awk 'NR == 3 { sub(/:/, "", $1); print $1 }')
			expect_eq "$s: last update is the direct one" "$last" "$ahead"
			;;
		*)
			order="${order}W"
			expect_num "$s: updates taken" "$k" ">=" 1
			last=$(rrdtool lastupdate --daemon "unix:$SOCK" "$path" |
			    awk 'NR == 3 { sub(/:/, "", $1); print $1 }')
			expect_eq "$s: last update is the last sent" "$last" "$t"
			;;
		esac
	done <"$T/batch"
	echo "round $round: batch order $order"
	expect_eq "round $round: files in the batch" "${#order}" 8
	case $order in
	*W*R*W*) middle=1; break ;;
	esac
	sleep 3
done
expect_eq "a refused file between written ones" "$middle" 1

curl -s "http://127.0.0.1:$S0/metrics" >"$T/m"
errs=$(awk '$1 == "itfollow_store_errors_total" { print $2 }' "$T/m")
expect_num "write errors counted" "$errs" ">=" 3
kill -TERM "$P"
wait "$P" || fail "itfollowd exit code"
kill -TERM "$RC_PID"
wait "$RC_PID" 2>/dev/null || true
if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error' "$T/log"; then
	fail "sanitizer report"
	cat "$T/log"
else
	ok
fi
finish
