"""A client of the status server's streamed /metrics, for metrics_stream.sh.

    metrics_stream.py PORT MODE OUT

An HTTP/1.1 GET with small segments and a small receive buffer; MODE
"slow": read 1 KB per 100 ms for 4 s, then at once; "stall": nothing
read for 16 s, then what is left. The body, chunks taken apart, goes to
OUT; the last line printed says how the answer ended: "whole" (the last
chunk came), "cut" (closed before it), or "bad framing".
"""
import socket
import sys
import time


def dechunk(data):
    body, pos = b"", 0
    while True:
        eol = data.find(b"\r\n", pos)
        if eol < 0:
            return body, "cut"
        try:
            size = int(data[pos:eol], 16)
        except ValueError:
            return body, "bad framing"
        if size == 0:
            return body, "whole" if data[eol:] == b"\r\n\r\n" else "cut"
        if len(data) < eol + 2 + size + 2:
            return body + data[eol + 2:eol + 2 + size], "cut"
        if data[eol + 2 + size:eol + 4 + size] != b"\r\n":
            return body, "bad framing"
        body += data[eol + 2:eol + 2 + size]
        pos = eol + 4 + size


def main():
    port, mode, out = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    s = socket.socket()
    # Small segments and window, as over a real network: the server's
    # send buffer stays small too, and what is not read stays with it.
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 2048)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_MAXSEG, 536)
    s.connect(("127.0.0.1", port))
    s.sendall(b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    data = b""
    if mode == "slow":
        end = time.monotonic() + 4
        while time.monotonic() < end:
            data += s.recv(1024)
            time.sleep(0.1)
    else:
        time.sleep(16)
    s.settimeout(30)
    while True:
        try:
            got = s.recv(65536)
        except ConnectionResetError:
            break
        if not got:
            break
        data += got
    head, _, rest = data.partition(b"\r\n\r\n")
    body, how = dechunk(rest)
    with open(out, "wb") as f:
        f.write(body)
    print(head.split(b"\r\n")[0].decode())
    print(how)


main()
