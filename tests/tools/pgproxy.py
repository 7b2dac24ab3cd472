#!/usr/bin/env python3
"""pgproxy.py PORT TARGET_PORT ARM_FILE: a TCP relay on 127.0.0.1:PORT to
a PostgreSQL server on 127.0.0.1:TARGET_PORT that loses a commit's answer
on demand. While ARM_FILE exists, the next COMMIT a client sends (a simple
query "COMMIT") is passed on, the server is given time to do it, and then
the client's connection is cut before the answer reaches it: the client
cannot know whether its transaction was committed. ARM_FILE is removed
and "cut" appended to ARM_FILE.log. Standard library only; ends on
SIGTERM.
"""
import os
import socket
import sys
import threading
import time

COMMIT = b"Q\x00\x00\x00\x0bCOMMIT\x00"


def pump(src, dst, pair, scan, arm):
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if pair["cut"]:
                continue
            if scan and COMMIT in data and os.path.exists(arm):
                # No answer passes from here on; the commit does.
                pair["cut"] = True
                os.unlink(arm)
                dst.sendall(data)
                time.sleep(0.3)
                with open(arm + ".log", "a") as f:
                    f.write("cut\n")
                break
            dst.sendall(data)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def serve(port, target, arm):
    lis = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lis.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lis.bind(("127.0.0.1", port))
    lis.listen(64)
    while True:
        c, _ = lis.accept()
        try:
            s = socket.create_connection(("127.0.0.1", target))
        except OSError:
            c.close()
            continue
        pair = {"cut": False}
        threading.Thread(target=pump, args=(c, s, pair, True, arm),
                         daemon=True).start()
        threading.Thread(target=pump, args=(s, c, pair, False, arm),
                         daemon=True).start()


if __name__ == "__main__":
    serve(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])
