#!/usr/bin/env python3
"""runs.py: what itf-testsrv's request log (--log: "EPOCH.MS URI" a line)
says about the runs of probes, for the tests of daemons sharing collectors.
Standard library only.

  runs.py check LOG INTERVAL FROM TO [MATCH]
      Per URI (containing MATCH) requested in [FROM, TO): requests closer
      than half an interval (a slot run twice) and more than one and a half
      apart (a slot not run). Prints "uris N requests N twice N missed N"
      and one line per finding.
  runs.py first LOG AFTER URI...
      For each URI, the first request at or after AFTER; prints the
      longest wait ("wait S", or "wait none" if one never came).
  runs.py quiet LOG INTERVAL [MATCH]
      Seconds to sleep so as to wake in the middle of the widest stretch
      of the interval in which no probe's slot falls (from the phases of
      the last two intervals' requests): a moment to stop a daemon without
      a run in flight.
  runs.py count LOG MATCH [FROM TO]
      How many requests containing MATCH (in [FROM, TO)).
  runs.py offset INTERVAL_MS KEY...
      The slot offset the scheduler gives each collector key (FNV-1a 64
      of the key modulo the interval), one a line: "KEY OFFSET_MS".
"""
import collections
import sys
import time


def read(log, t0=float("-inf"), t1=float("inf"), match=""):
    by = collections.defaultdict(list)
    with open(log) as f:
        for line in f:
            t, _, uri = line.rstrip("\n").partition(" ")
            t = float(t)
            if t0 <= t < t1 and match in uri:
                by[uri].append(t)
    for v in by.values():
        v.sort()
    return by


def check(log, iv, t0, t1, match=""):
    by = read(log, float(t0), float(t1), match)
    iv = float(iv)
    twice = missed = 0
    out = []
    for uri, ts in sorted(by.items()):
        for a, b in zip(ts, ts[1:]):
            if b - a < iv / 2:
                twice += 1
                out.append("twice %s %.3f %.3f" % (uri, a, b))
            elif b - a > iv * 1.5:
                missed += 1
                out.append("missed %s %.3f %.3f" % (uri, a, b))
    print("uris %d requests %d twice %d missed %d" %
          (len(by), sum(len(v) for v in by.values()), twice, missed))
    for line in out:
        print(line)


def first(log, after, uris):
    by = read(log, float(after))
    worst = 0.0
    for uri in uris:
        if not by.get(uri):
            print("wait none")
            return
        worst = max(worst, by[uri][0] - float(after))
    print("wait %.3f" % worst)


def quiet(log, iv, match=""):
    iv = float(iv)
    now = time.time()
    by = read(log, now - 2 * iv, now + 1, match)
    phases = sorted({round(ts[-1] % iv, 3) for ts in by.values() if ts})
    if not phases:
        print("0")
        return
    best, at = -1.0, 0.0
    for a, b in zip(phases, phases[1:] + [phases[0] + iv]):
        if b - a > best:
            best, at = b - a, (a + (b - a) / 2) % iv
    print("%.3f" % ((at - now % iv) % iv))


def count(log, match, t0=float("-inf"), t1=float("inf")):
    print(sum(len(v) for v in read(log, float(t0), float(t1),
                                   match).values()))


def offset(iv_ms, keys):
    for key in keys:
        h = 14695981039346656037
        for c in key.encode():
            h = ((h ^ c) * 1099511628211) % (1 << 64)
        print("%s %d" % (key, h % int(iv_ms)))


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "check":
        check(*args)
    elif cmd == "first":
        first(args[0], args[1], args[2:])
    elif cmd == "quiet":
        quiet(*args)
    elif cmd == "count":
        count(*args)
    elif cmd == "offset":
        offset(args[0], args[1:])
    else:
        sys.exit("runs.py: unknown command " + cmd)


if __name__ == "__main__":
    main(sys.argv)
