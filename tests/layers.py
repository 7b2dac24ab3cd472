#!/usr/bin/env python3
"""
The folder rules, checked from the sources (the build enforces the same
with each folder's include directories, see CMakeLists.txt):

- every source of daemon/, collectors/ and tools/ is in a known folder;
- a file includes the project's headers only by name ("log.h") or the
  collector ABI (<itfollow/collector.h>), never by a path that could
  reach around the include directories;
- a header it includes is in its own folder or in a folder its folder
  may use (the layers below it), save the exceptions listed here;
- the folders' graph has no cycle, so no two files of different folders
  include each other, directly or not;
- no file has more than 800 lines and no function more than 80 (sizes
  a reader can hold; SIZE_EXCEPTIONS lists what is still to split);
- no string literal is continued by another on the next line: a message
  is one literal, so grep finds it.

Usage: layers.py [SOURCE_DIR]. Prints each breach; exit 1 if any.
"""
import os
import re
import sys

ROOT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
    os.path.dirname(os.path.abspath(__file__)), '..')

# Folder -> the folders it may include from (besides itself). Keep in
# step with the DEPS of each folder's CMakeLists.txt.
ABI = 'collectors/include/itfollow'
LAYERS = {
    ABI: [],
    'daemon/util': [ABI],
    'collectors/parse': ['daemon/util', ABI],
    'collectors/engine': ['collectors/parse', 'daemon/util', ABI],
    'collectors/builtin': ['collectors/engine', 'collectors/parse',
                           'daemon/util', ABI],
    'collectors/examples': [ABI],
    'daemon/config': ['collectors/parse', 'daemon/util', ABI],
    'daemon/store': ['daemon/config', 'collectors/parse', 'daemon/util',
                     ABI],
    'daemon/journal': ['daemon/config', 'collectors/parse', 'daemon/util',
                       ABI],
    'tools/report': ['daemon/journal', 'daemon/store', 'daemon/config',
                     'collectors/parse', 'daemon/util', ABI],
    'daemon': ['tools/report', 'daemon/journal', 'daemon/store',
               'daemon/config', 'collectors/builtin', 'collectors/engine',
               'collectors/parse', 'daemon/util', ABI],
    'tools': ['tools/report', 'daemon/journal', 'daemon/store',
              'daemon/config', 'collectors/parse', 'daemon/util', ABI],
    'tools/render': ['tools/report', 'daemon/util', ABI],
}

# (file, header): includes across a boundary that are still to go, each
# with the CMake exception that lets it compile: none.
EXCEPTIONS = set()

# Files and functions still over the size rule: none.
SIZE_EXCEPTIONS = set()

MAX_LINES = 800
MAX_FUNC = 80


def sources():
    for top in ('daemon', 'collectors', 'tools'):
        for dp, dn, fn in os.walk(os.path.join(ROOT, top)):
            for f in sorted(fn):
                if f.endswith(('.c', '.h')):
                    yield os.path.relpath(os.path.join(dp, f), ROOT)


def functions(text):
    """(name, first line, lines) of each function definition: a line that
    starts with a name and '(' at column 0, its body from the next '{' at
    column 0 to the next '}' at column 0."""
    lines = text.split('\n')
    out = []
    i = 0
    while i < len(lines):
        m = re.match(r'^([a-z_][a-z0-9_]*)\(', lines[i])
        if m:
            j = i
            while j < len(lines) and lines[j] != '{':
                if lines[j].endswith(';'):
                    break
                j += 1
            if j < len(lines) and lines[j] == '{':
                k = j
                while k < len(lines) and lines[k] != '}':
                    k += 1
                out.append((m.group(1), i + 1, k - i + 2))
                i = k
        i += 1
    return out


def main():
    errs = []
    files = list(sources())
    where = {}
    for f in files:
        where.setdefault(os.path.basename(f), []).append(os.path.dirname(f))
    for name, dirs in where.items():
        if name.endswith('.h') and len(dirs) > 1:
            errs.append('%s is in several folders: %s' % (name, dirs))
    edges = set()
    over = set()
    used = set()
    for f in files:
        folder = os.path.dirname(f)
        if folder not in LAYERS:
            errs.append('%s: folder %s is no layer (tests/layers.py)'
                        % (f, folder))
            continue
        text = open(os.path.join(ROOT, f), errors='replace').read()
        for n, line in enumerate(text.split('\n'), 1):
            m = re.match(r'\s*#\s*include\s+(["<])([^">]+)[">]', line)
            if not m:
                continue
            inc = m.group(2)
            if m.group(1) == '<' and not inc.startswith('itfollow/'):
                continue
            if inc.startswith('itfollow/'):
                hdir = ABI
            elif '/' in inc:
                errs.append('%s:%d: include "%s" by a path' % (f, n, inc))
                continue
            elif inc in where:
                hdir = where[inc][0]
            else:
                errs.append('%s:%d: "%s" is no header of the project'
                            % (f, n, inc))
                continue
            if hdir == folder:
                continue
            if (f, inc) in EXCEPTIONS:
                used.add((f, inc))
                continue
            edges.add((folder, hdir))
            if hdir in LAYERS[folder]:
                continue
            errs.append('%s:%d: %s may not include %s (%s)'
                        % (f, n, folder, inc, hdir))
        lines = text.split('\n')
        for n in range(len(lines) - 1):
            a = lines[n].rstrip()
            if (a.endswith('"') and lines[n + 1].strip().startswith('"')
                    and not a.lstrip().startswith(('#', '*', '/*', '//'))):
                errs.append('%s:%d: a string literal split across lines'
                            % (f, n + 1))
        nlines = text.count('\n')
        if nlines > MAX_LINES:
            over.add(f)
        if nlines > MAX_LINES and f not in SIZE_EXCEPTIONS:
            errs.append('%s: %d lines (at most %d)' % (f, nlines, MAX_LINES))
        for name, first, length in functions(text):
            if length > MAX_FUNC:
                over.add((f, name))
            if length > MAX_FUNC and (f, name) not in SIZE_EXCEPTIONS:
                errs.append('%s:%d: %s() has %d lines (at most %d)'
                            % (f, first, name, length, MAX_FUNC))
    # An exception nothing needs any more is struck off.
    for e in sorted(SIZE_EXCEPTIONS - over, key=str):
        errs.append('%s is within the sizes now: strike it off '
                    'SIZE_EXCEPTIONS' % (e,))
    for e in sorted(EXCEPTIONS - used, key=str):
        errs.append('%s is no longer included: strike it off EXCEPTIONS'
                    % (e,))
    # The folders' graph must have no cycle.
    graph = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    state = {}

    def visit(v, path):
        state[v] = 1
        for w in sorted(graph.get(v, ())):
            if state.get(w) == 1:
                errs.append('folders include each other: %s'
                            % ' -> '.join(path + [v, w]))
            elif w not in state:
                visit(w, path + [v])
        state[v] = 2
    for v in sorted(graph):
        if v not in state:
            visit(v, [])
    for e in errs:
        print(e)
    print('%d files, %d breaches, %d exceptions left'
          % (len(files), len(errs), len(EXCEPTIONS) + len(SIZE_EXCEPTIONS)))
    return 1 if errs else 0


if __name__ == '__main__':
    sys.exit(main())
