#!/usr/bin/env python3
# A learning record store and a Microsoft Graph server for the regress
# tests, on 127.0.0.1 (python3's standard library only). What they serve
# is read from files in DIR at each request, so a test changes it between
# runs; every request is logged to DIR/requests.log, one JSON object a
# line, with the Authorization header it carried, so a test can tell
# where credentials went.
#
#   feedsrv.py --port P --dir DIR [--pidfile FILE]
#
# DIR/lrs.json (all keys optional):
#   {"statements": [{"id", "verb", "object", "stored", "hidden"}],
#    "page_size": 7, "more": "relative" | "absolute" | "alternate" |
#    "loop" | "same" | "origin:PORT" | "redirect:PORT" | "redirect-same",
#    "consistent_through": "ISO time", "throttle": N, "retry_after": S,
#    "user": "itf", "password": "s3cret"}
# GET /xapi/statements?verb=&since=&ascending=true (basic auth, the
# X-Experience-API-Version header), pages of page_size statements in
# stored order, "more" links as the "more" key says ("loop": page 2 links
# to itself; "same": every link serves page 1 again under another
# URL; "origin:PORT" and "redirect:PORT": page 2 is on (or redirected to)
# 127.0.0.1:PORT; "redirect-same": page 2 is redirected within this
# origin). A hidden statement is not served. The first `throttle`
# requests since the file last changed answer 429 with Retry-After:
# retry_after.
#
# DIR/graph.json (all keys optional):
#   {"skus": [SKU, ...], "page_size": 4, "next": "absolute" | "loop" |
#    "same" | "origin:PORT" | "redirect:PORT" | "fail:N", "throttle": N,
#    "retry_after": S,
#    "token": "tok", "expires_in": 3600}
# GET /v1.0/subscribedSkus (Authorization: Bearer TOKEN): pages with
# @odata.nextLink ("loop": page 2 links to itself; "same": every page is
# the first; "origin:PORT": links to 127.0.0.1:PORT; "redirect:PORT":
# links here, redirected there; "fail:N": page N answers 500). POST /oauth/token gives
# a new token "tok-N" (N counts the tokens given) valid expires_in
# seconds; a bearer token is accepted when it is "token" or one given.
# Any other path answers 404 (and is logged: a capture of what came).
import argparse
import base64
import datetime
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LOCK = threading.Lock()
STATE = {"lrs_requests": 0, "graph_requests": 0, "tokens": 0, "issued": {}}


def parse_time(s):
    s = s.replace("Z", "+00:00")
    return datetime.datetime.fromisoformat(s).timestamp()


def load(name):
    try:
        with open(os.path.join(ARGS.dir, name)) as f:
            return json.load(f)
    except FileNotFoundError:
        return {}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def record(self, code):
        entry = {"t": time.time(), "method": self.command, "path": self.path,
                 "port": self.server.server_address[1], "code": code,
                 "authorization": self.headers.get("Authorization")}
        with LOCK, open(os.path.join(ARGS.dir, "requests.log"), "a") as f:
            f.write(json.dumps(entry) + "\n")

    def reply(self, code, body, headers=()):
        data = body.encode() if isinstance(body, str) else body
        self.record(code)
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        url = urllib.parse.urlsplit(self.path)
        query = urllib.parse.parse_qs(url.query)
        if url.path == "/xapi/statements":
            self.lrs(query)
        elif url.path == "/v1.0/subscribedSkus":
            self.graph(query)
        elif url.path == "/redirect":
            self.reply(302, "", [("Location", query["to"][0])])
        else:
            self.reply(404, "not here\n")

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(n)
        if urllib.parse.urlsplit(self.path).path != "/oauth/token":
            self.reply(404, "not here\n")
            return
        conf = load("graph.json")
        with LOCK:
            STATE["tokens"] += 1
            tok = "tok-%d" % STATE["tokens"]
            STATE["issued"][tok] = time.time() + conf.get("expires_in", 3600)
        self.reply(200, json.dumps({"access_token": tok, "token_type":
                                    "Bearer", "expires_in":
                                    conf.get("expires_in", 3600)}),
                   [("Content-Type", "application/json")])

    def throttled(self, conf, counter, name):
        # Counted from the last change of the file.
        try:
            mtime = os.stat(os.path.join(ARGS.dir, name)).st_mtime_ns
        except FileNotFoundError:
            mtime = 0
        with LOCK:
            if STATE.get(counter + "_mtime") != mtime:
                STATE[counter + "_mtime"] = mtime
                STATE[counter] = 0
            STATE[counter] += 1
            n = STATE[counter]
        if n <= conf.get("throttle", 0):
            self.reply(429, "slow down\n",
                       [("Retry-After", str(conf.get("retry_after", 1)))])
            return True
        return False

    # The learning record store.
    def lrs(self, query):
        conf = load("lrs.json")
        user = "%s:%s" % (conf.get("user", "itf"),
                          conf.get("password", "s3cret"))
        want = "Basic " + base64.b64encode(user.encode()).decode()
        if self.headers.get("X-Experience-API-Version") is None:
            self.reply(400, "X-Experience-API-Version missing\n")
            return
        if self.headers.get("Authorization") != want:
            self.reply(401, "unauthorized\n")
            return
        if self.throttled(conf, "lrs_requests", "lrs.json"):
            return
        style = conf.get("more", "relative")
        if "hop" in query and style == "redirect-same":
            target = "/xapi/statements?" + urllib.parse.urlencode(
                {k: v[0] for k, v in query.items() if k != "hop"})
            self.reply(302, "", [("Location", target)])
            return
        sts = [s for s in conf.get("statements", []) if not s.get("hidden")]
        if "verb" in query:
            sts = [s for s in sts if s["verb"] == query["verb"][0]]
        if "since" in query:
            since = parse_time(query["since"][0])
            sts = [s for s in sts if parse_time(s["stored"]) > since]
        sts.sort(key=lambda s: (parse_time(s["stored"]), s["id"]))
        size = conf.get("page_size", 7)
        page = int(query.get("page", ["0"])[0])
        if style == "same":
            page = 0
        chunk = sts[page * size:(page + 1) * size]
        more = ""
        if (page + 1) * size < len(sts):
            more = self.more_link(style, query, page + 1)
        doc = {"statements": [self.statement(s) for s in chunk],
               "more": more}
        headers = [("Content-Type", "application/json")]
        if "consistent_through" in conf:
            headers.append(("X-Experience-API-Consistent-Through",
                            conf["consistent_through"]))
        self.reply(200, json.dumps(doc), headers)

    def more_link(self, style, query, page):
        q = {k: v[0] for k, v in query.items()
             if k not in ("page", "hop", "n")}
        q["page"] = str(min(page, 1) if style == "loop" else page)
        if style == "same":
            q["n"] = str(time.time_ns())
        rel = "/xapi/statements?" + urllib.parse.urlencode(sorted(q.items()))
        here = "http://127.0.0.1:%d" % self.server.server_address[1]
        if style.startswith("origin:"):
            return "http://127.0.0.1:%s%s" % (style[7:], rel)
        if style.startswith("redirect:"):
            other = "http://127.0.0.1:%s%s" % (style[9:], rel)
            return "/redirect?" + urllib.parse.urlencode({"to": other})
        if style == "redirect-same":
            return rel + "&hop=1"
        if style == "absolute" or (style == "alternate" and page % 2 == 0):
            return here + rel
        return rel

    @staticmethod
    def statement(s):
        return {"id": s["id"], "stored": s["stored"],
                "timestamp": s["stored"],
                "actor": {"objectType": "Agent",
                          "mbox": "mailto:learner@example.org"},
                "verb": {"id": s["verb"]},
                "object": {"objectType": "Activity", "id": s["object"]}}

    # Microsoft Graph.
    def graph(self, query):
        conf = load("graph.json")
        auth = self.headers.get("Authorization") or ""
        tok = auth[7:] if auth.startswith("Bearer ") else None
        with LOCK:
            good = tok is not None and (tok == conf.get("token") or
                                        STATE["issued"].get(tok, 0) >
                                        time.time())
        if not good:
            self.reply(401, json.dumps({"error": {"code":
                                                  "InvalidAuthenticationToken"}}))
            return
        if self.throttled(conf, "graph_requests", "graph.json"):
            return
        style = conf.get("next", "absolute")
        page = int(query.get("$skiptoken", ["0"])[0])
        if style.startswith("fail:") and page == int(style[5:]) - 1:
            self.reply(500, "page gone\n")
            return
        skus = conf.get("skus", [])
        size = conf.get("page_size", 4)
        shown = 0 if style == "same" else page
        doc = {"@odata.context": "https://graph.microsoft.com/v1.0/"
               "$metadata#subscribedSkus",
               "value": skus[shown * size:(shown + 1) * size]}
        if (page + 1) * size < len(skus):
            nxt = page + 1 if style != "loop" else 1
            here = "127.0.0.1:%d" % self.server.server_address[1]
            host = here
            if style.startswith("origin:") or style.startswith("redirect:"):
                host = "127.0.0.1:" + style.split(":", 1)[1]
            link = "http://%s/v1.0/subscribedSkus?$skiptoken=%d" % (host, nxt)
            if style.startswith("redirect:"):
                link = "http://%s/redirect?%s" % (
                    here, urllib.parse.urlencode({"to": link}))
            doc["@odata.nextLink"] = link
        self.reply(200, json.dumps(doc), [("Content-Type",
                                           "application/json")])


def main():
    global ARGS
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--dir", required=True)
    p.add_argument("--pidfile")
    ARGS = p.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    if ARGS.pidfile:
        with open(ARGS.pidfile, "w") as f:
            f.write("%d\n" % os.getpid())
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
