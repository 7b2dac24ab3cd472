#!/usr/bin/env bash
# The tool asks the daemon on status_listen to write what it holds
# (/api/v1/flush) with a GET of its own over a socket, not libcurl. Against
# stand-in daemons on loopback: a 200 is taken silently and the request is
# the one documented (path, Host), also when status_listen names a host
# (each of its addresses tried); a 404, a 500, garbage, a connection
# closed without an answer and one that never answers (15 s) are each
# reported once, naming the URL, and the file is read as it is; nobody
# listening means no daemon: no message, no wait.
. "$(dirname "$0")/lib.bash"

for m in ok notfound error garbage close silent; do
	free_port "P_$m"
done
free_port NOBODY
cat >"$T/fake.py" <<'PY'
import socket, sys, threading
log = open(sys.argv[1], "a", buffering=1)
ANSWERS = {
    "ok": b"HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nflushed\n",
    "notfound": b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n",
    "error": b"HTTP/1.1 500 Internal Server Error\r\nContent-Length: 0\r\n\r\n",
    "garbage": b"SSH-2.0-OpenSSH_9.2\r\n\r\n",
}
def serve(mode, port):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(8)
    while True:
        c, _ = s.accept()
        data = b""
        while b"\r\n\r\n" not in data:
            d = c.recv(4096)
            if not d:
                break
            data += d
        log.write(mode + " " + repr(data.decode()) + "\n")
        if mode == "silent":
            threading.Timer(30, c.close).start()
            continue
        if mode in ANSWERS:
            c.sendall(ANSWERS[mode])
        c.close()
for arg in sys.argv[2:]:
    mode, port = arg.split(":")
    threading.Thread(target=serve, args=(mode, int(port)), daemon=True).start()
open(sys.argv[1] + ".ready", "w").write("1")
threading.Event().wait()
PY
python3 "$T/fake.py" "$T/requests" ok:"$P_ok" notfound:"$P_notfound" \
    error:"$P_error" garbage:"$P_garbage" close:"$P_close" \
    silent:"$P_silent" &
PIDS="$PIDS $!"
wait_file "$T/requests.ready"

# A file of the tcp template with one value, for `itfollow last`.
mkdir -p "$T/data/rrd/quality/w"
F=$T/data/rrd/quality/w/self.rrd
now=$(date +%s)
rrdtool create "$F" --start $((now - 120)) --step 60 DS:up:GAUGE:120:0:1 \
    DS:connect:GAUGE:120:0:U DS:reason:GAUGE:120:0:255 RRA:AVERAGE:0.5:1:10
rrdtool update "$F" "$((now - 60)):1:0.001:0"

# run NAME PORT [HOST]: itfollow last against a daemon said to be on
# HOST:PORT (127.0.0.1); its stderr in $T/NAME.err, its wall time in ms
# in $T/NAME.ms.
run() {
	cat >"$T/$1.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "${3:-127.0.0.1}:$2"; };
systems = ( { id = "w"; category = "basic"; portfolio = "service";
  collectors = ( { type = "tcp"; series = "self"; host = "127.0.0.1"; port = 9; } ); } );
CONF
	local t0 t1
	t0=$(date +%s%N)
	"$BIN/itfollow" last -c "$T/$1.conf" w self >"$T/$1.out" \
	    2>"$T/$1.err" || fail "$1: itfollow last failed: $(cat "$T/$1.err")"
	t1=$(date +%s%N)
	echo $(((t1 - t0) / 1000000)) >"$T/$1.ms"
	grep -qx "up=1" "$T/$1.out" && ok || fail "$1: the file was not read"
}
# said NAME TEXT: stderr is the one report, naming the URL and TEXT.
said() {
	local want="itfollow: http://127.0.0.1:$2/api/v1/flush/quality/w/self: $3 (reading the files as they are; values the daemon holds back may be missing)"
	expect_eq "$1: message" "$(cat "$T/$1.err")" "$want"
}

run ok "$P_ok"
[ ! -s "$T/ok.err" ] && ok || fail "ok: said $(cat "$T/ok.err")"
req=$(grep '^ok ' "$T/requests" | head -1)
expect_eq "ok: the request" "$req" "ok 'GET /api/v1/flush/quality/w/self HTTP/1.1\\r\\nHost: 127.0.0.1:$P_ok\\r\\nUser-Agent: itfollow/$(
    "$BIN/itfollow" -V | awk '{ print $NF }')\\r\\nConnection: close\\r\\n\\r\\n'"

# A name: each of its addresses is tried (localhost may give ::1 first,
# where nobody listens).
run name "$P_ok" localhost
[ ! -s "$T/name.err" ] && ok || fail "name: said $(cat "$T/name.err")"
grep -q "^ok .*Host: localhost:$P_ok" "$T/requests" && ok ||
    fail "name: no request came"

run notfound "$P_notfound"
said notfound "$P_notfound" "not served"
run error "$P_error"
said error "$P_error" "refused"
run garbage "$P_garbage"
said garbage "$P_garbage" "not an HTTP answer: not an HTTP/1.x status line"
run close "$P_close"
said close "$P_close" "the connection closed before an answer"

run nobody "$NOBODY"
[ ! -s "$T/nobody.err" ] && ok || fail "nobody: said $(cat "$T/nobody.err")"
expect_num "nobody listening: wall ms" "$(cat "$T/nobody.ms")" "<" 1000

run silent "$P_silent"
said silent "$P_silent" "no answer within 15000 ms"
expect_num "silent: waited ms" "$(cat "$T/silent.ms")" ">=" 15000
expect_num "silent: waited ms" "$(cat "$T/silent.ms")" "<" 20000
finish
