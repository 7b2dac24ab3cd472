#!/usr/bin/env python3
"""
Decode a PNG whole, independently of the libraries that wrote it (zlib
only): the signature, every chunk's CRC, IHDR, the IDAT stream inflated
and unfiltered row by row (filters 0-4). Prints "WIDTHxHEIGHT COLOURS",
COLOURS the number of distinct pixel values: a drawn graph has many, an
empty or broken picture one or none. Exit 1 with the reason on a picture
that does not decode.

Usage: pngdecode.py FILE
"""
import struct
import sys
import zlib

CHANNELS = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}


def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    if pa <= pb and pa <= pc:
        return a
    return b if pb <= pc else c


def unfilter(raw, width, height, bpp):
    stride = width * bpp
    prev = bytearray(stride)
    rows = []
    pos = 0
    for _ in range(height):
        kind = raw[pos]
        line = bytearray(raw[pos + 1:pos + 1 + stride])
        pos += 1 + stride
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                line[i] = (line[i] + paeth(a, b, c)) & 255
            elif kind != 0:
                raise ValueError('row filter %d' % kind)
        rows.append(bytes(line))
        prev = line
    return rows


def decode(data):
    if data[:8] != b'\x89PNG\r\n\x1a\n':
        raise ValueError('no PNG signature')
    pos, idat, head = 8, b'', None
    while pos < len(data):
        n, kind = struct.unpack('>I4s', data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        crc, = struct.unpack('>I', data[pos + 8 + n:pos + 12 + n])
        if zlib.crc32(kind + body) != crc:
            raise ValueError('bad CRC in %s' % kind.decode())
        if kind == b'IHDR':
            head = struct.unpack('>IIBBBBB', body)
        elif kind == b'IDAT':
            idat += body
        elif kind == b'IEND':
            break
        pos += 12 + n
    if head is None:
        raise ValueError('no IHDR')
    width, height, depth, colour, _, _, interlace = head
    if depth != 8 or colour not in CHANNELS or interlace:
        raise ValueError('unexpected format %r' % (head,))
    bpp = CHANNELS[colour]
    raw = zlib.decompress(idat)
    if len(raw) != height * (1 + width * bpp):
        raise ValueError('IDAT holds %d bytes, not %d' %
                         (len(raw), height * (1 + width * bpp)))
    rows = unfilter(raw, width, height, bpp)
    colours = set()
    for row in rows:
        for i in range(0, len(row), bpp):
            colours.add(row[i:i + bpp])
    return width, height, len(colours)


def main():
    try:
        with open(sys.argv[1], 'rb') as f:
            w, h, n = decode(f.read())
    except (ValueError, zlib.error, struct.error) as e:
        print('%s: %s' % (sys.argv[1], e))
        return 1
    print('%dx%d %d' % (w, h, n))
    return 0


if __name__ == '__main__':
    sys.exit(main())
