# A full disk: data_dir on a small tmpfs, filled before the daemon starts.
# Write errors are counted in /metrics and logged, collecting goes on
# (runs keep completing), no half-made file is left; once space returns,
# every file is made and written and the errors stop. Where mount is not
# permitted, a file size limit on the daemon (RLIMIT_FSIZE, lifted with
# prlimit) stands in for the full disk, and the test says so.
. "$(dirname "$0")/lib.bash"

start_targets
free_port STATUS
H="http://127.0.0.1:$HTTP"
# Small files: a 2 s step, 10 minutes kept.
mkdir -p "$T/tmpl" "$T/data"
for f in "$SRC"/rrd-templates/*.tmpl; do
	# A counting template's one archive is its buckets: kept as it is.
	if grep -q '^mode count' "$f"; then
		cp "$f" "$T/tmpl/"
		continue
	fi
	sed -e 's/^step 60$/step 2/' -e '/^rra /d' "$f" >"$T/tmpl/${f##*/}"
	printf 'rra AVERAGE 0.5 2 10m\n' >>"$T/tmpl/${f##*/}"
done
{
	cat <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
store = { write_delay = 0; };
defaults = { interval = 1; timeout = 0.8; };
systems = (
CONF
	for i in 1 2 3 4; do
		[ "$i" -gt 1 ] && echo ","
		cat <<CONF
  { id = "s$i"; category = "basic"; portfolio = "service";
    collectors = (
      { type = "http"; series = "ok"; url = "$H/ok"; },
      { type = "tcp"; series = "tcp"; host = "127.0.0.1"; port = $HTTP; }
    ); }
CONF
	done
	echo ");"
} >"$T/f.conf"
chmod 600 "$T/f.conf"

MOUNTED=""
if [ -z "${ITF_NO_MOUNT:-}" ] &&
    mount -t tmpfs -o size=1m itf-diskfull "$T/data" 2>"$T/mount.err"; then
	MOUNTED=1
	trap 'for p in $PIDS; do kill "$p" 2>/dev/null || true; done
	    wait || true
	    umount "$T/data" 2>/dev/null || umount -l "$T/data" || true
	    cleanup' EXIT
	dd if=/dev/zero of="$T/data/filler" bs=4k 2>/dev/null || true
	expect_eq "tmpfs full" "$(df --output=avail -k "$T/data" | tail -1 | tr -d ' ')" 0
	(trap '' XFSZ && exec "$BIN/itfollowd" -f -c "$T/f.conf") 2>"$T/log" &
else
	echo "note: mount not permitted ($(cat "$T/mount.err" 2>/dev/null)):" \
	    "a file size limit stands in for the full disk"
	# The log through a pipe, which no file size limit touches.
	mkfifo "$T/logpipe"
	cat "$T/logpipe" >"$T/log" &
	(trap '' XFSZ && exec prlimit --fsize=0:unlimited "$BIN/itfollowd" -f \
	    -c "$T/f.conf") 2>"$T/logpipe" &
fi
DPID=$!
PIDS="$PIDS $DPID"
wait_http "http://127.0.0.1:$STATUS/health"

metric() {
	curl -s "http://127.0.0.1:$STATUS/metrics" |
	    awk -v m="$1" '$1 == m { print $2 }'
}
sleep 3
e1=$(metric itfollow_store_errors_total)
r1=$(metric itfollow_runs_completed_total)
sleep 2
e2=$(metric itfollow_store_errors_total)
r2=$(metric itfollow_runs_completed_total)
expect_num "write errors counted on a full disk" "$e1" ">" 0
expect_num "write errors go on being counted" "$e2" ">" "$e1"
expect_num "runs go on on a full disk" "$r2" ">=" "$((r1 + 12))"
# (Over the file size limit the write fails as too large, not as full.)
grep -q "store: $T/data/rrd/quality/s1/ok.rrd: create: No space left on device" \
    "$T/log" || { [ -z "$MOUNTED" ] &&
    grep -q "store: $T/data/rrd/quality/s1/ok.rrd: create: File too large" \
    "$T/log"; } && ok || fail "the write error is not logged: $(grep store "$T/log" | head -3)"
code=$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$STATUS/health")
expect_num "/health answers" "$code" ">" 0
left=$(find "$T/data" -name '*.tmp*' -o -name '*.rrd' -size -1k | head -3)
expect_eq "half-made files left on a full disk" "$left" ""

# Space returns.
if [ -n "$MOUNTED" ]; then
	rm -f "$T/data/filler"
else
	prlimit --pid "$DPID" --fsize=unlimited:unlimited
fi
sleep 4
e3=$(metric itfollow_store_errors_total)
sleep 2
e4=$(metric itfollow_store_errors_total)
expect_eq "no write errors once there is space" "$e4" "$e3"
for i in 1 2 3 4; do
	expect_eq "s$i ok written" "$(last "$T/data/rrd/quality/s$i/ok.rrd" up)" 1
	expect_eq "s$i tcp written" "$(last "$T/data/rrd/quality/s$i/tcp.rrd" up)" 1
done
kill "$DPID"
wait "$DPID" && ok || fail "exit"
if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error' "$T/log"; then
	fail "sanitizer report: $(grep -m3 -e ERROR -e 'runtime error' "$T/log")"
else
	ok
fi
finish
