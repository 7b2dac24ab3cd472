#!/usr/bin/env python3
"""due_point.py DELAY PATH...: each RRD file's own point of the write delay
(README, "Storage"), worked out apart from the daemon: the first held
period after a file is opened lasts this many seconds. PATH is the file's
path below data_dir (rrd/PERSPECTIVE/SYSTEM/SERIES.rrd): FNV-1a of it,
times 2654435761 modulo 2^32, times DELAY, over 2^32. Prints one a line."""
import sys


def point(rel, delay):
    h = 2166136261
    for b in rel.encode():
        h = ((h ^ b) * 16777619) & 0xFFFFFFFF
    return (((h * 2654435761) & 0xFFFFFFFF) * delay) >> 32


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: due_point.py DELAY PATH...")
    delay = int(sys.argv[1])
    for rel in sys.argv[2:]:
        print(point(rel, delay))


main()
