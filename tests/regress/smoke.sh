# itfollow graph smoke: an icmp series made with rrdtool from known round
# trips (two hours of minutes, with runs that lost everything and rows
# nothing wrote); --table compared row by row with those values and its
# notes with python3's decimal; the picture drawn as PNG, SVG and PDF,
# the SVG holding the smoke's greys and the loss colours, the PDF's text
# the legend and the notes; bad requests exit 2.
. "$(dirname "$0")/lib.bash"
export LSAN_OPTIONS="${LSAN_OPTIONS:-}:fast_unwind_on_malloc=0"

D=$T/data/rrd
cat >"$T/s.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates"; };
systems = (
  { id = "link"; owner = "city"; category = "basic"; portfolio = "service";
    collectors = ( { type = "icmp"; series = "gw"; host = "192.0.2.1"; } ); },
  { id = "web"; owner = "city"; category = "basic"; portfolio = "service";
    collectors = ( { type = "tcp"; series = "smtp"; host = "192.0.2.1"; port = 25; } ); }
);
CONF
G() { "$BIN/itfollow" graph -c "$T/s.conf" "$@"; }
T0=$(date -u -d 2026-03-02T08:00:00Z +%s)

# Each minute's run: loss and seven sorted round trips in ms (3
# decimals), from a seed; every 17th minute lost everything, every 29th
# wrote nothing (the next run's update, within the heartbeat, fills it),
# and two in a row wrote nothing (past the heartbeat: three rows unknown).
awk -v t0="$T0" 'BEGIN { srand(21)
	for (m = 0; m < 120; m++) {
		t = t0 + m * 60
		if (m % 29 == 5 || m == 70 || m == 71) continue
		if (m % 17 == 3) { printf "%d 100 U U U U U U U\n", t; continue }
		loss = int(rand() * 5) * 5
		base = 10 + rand() * 20
		printf "%d %d", t, loss
		v = base
		for (i = 0; i < 7; i++) { v += rand() * 4; printf " %.3f", v }
		printf "\n"
	} }' >"$T/runs.txt"
# The file as the icmp template makes it (its data sources, by awk).
mkdir -p "$D/quality/link"
# shellcheck disable=SC2046
rrdtool create "$D/quality/link/gw.rrd" --start $((T0 - 60)) --step 60 \
    $(awk '$1 == "ds" { printf "DS:%s:%s:%s:%s:%s ", $2, $3, $4, $5, $6 }' \
        "$SRC/rrd-templates/icmp.tmpl") RRA:AVERAGE:0.5:1:2880
# In the template's order: up loss min p10 p25 median p75 p90 max reason.
awk '{ printf "%d:%d:%s", $1 + 60, $2 < 100, $2
	for (i = 3; i <= 9; i++) printf ":%s", ($i == "U" ? "U" : $i / 1000)
	printf ":0\n" }' "$T/runs.txt" |
    xargs rrdtool update "$D/quality/link/gw.rrd"

FROM=2026-03-02T08:00:00Z
TO=2026-03-02T10:00:00Z
rc=0
G smoke --system link --from $FROM --to $TO --table csv >"$T/smoke.csv" \
    2>"$T/err" || rc=$?
expect_eq "smoke --table exit code" "$rc" 0
expect_eq "smoke columns" "$(head -1 "$T/smoke.csv")" \
    "time,min,p10,p25,median,p75,p90,max,loss"

# Rows: the runs' values as they went in, as RRD keeps them: a row is
# the update that closes it, known when that came within the heartbeat
# (120 s) of the one before.
python3 - "$T/runs.txt" "$T/smoke.csv" "$T0" <<'PY' >"$T/cmp" || true
import sys, datetime
from decimal import Decimal as D
runs = {}
for line in open(sys.argv[1]):
    f = line.split()
    runs[int(f[0])] = f[1:]
rows = [l.rstrip("\n").split(",") for l in open(sys.argv[2]) if not l.startswith("#")][1:]
t0 = int(sys.argv[3])
ups = sorted(t + 60 for t in runs)
def run_of(t):
    later = [u for u in ups if u >= t + 60]
    if not later:
        return None
    u = later[0]
    before = [p for p in ups if p < u]
    prev = before[-1] if before else t0 - 60
    return runs[u - 60] if u - prev <= 120 else None
bad = 0
if len(rows) != 120:
    print("rows", len(rows)); bad += 1
meds, losses = [], []
for i, r in enumerate(rows):
    t = t0 + i * 60
    want_t = datetime.datetime.fromtimestamp(t, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    run = run_of(t)
    if run is None:
        want = [""] * 8
    else:
        want = ["" if v == "U" else str(D(v).quantize(D("0.001"))) for v in run[1:]]
        want.append(str(D(run[0]).quantize(D("0.001"))))
        losses.append(D(run[0]))
        if run[4] != "U":
            meds.append(D(run[4]))
    if r[0] != want_t or r[1:] != want:
        print("row", i, r, "want", want_t, want); bad += 1
print("median", sum(meds) / len(meds))
print("loss", sum(losses) / len(losses))
sys.exit(bad)
PY
grep -q "^row\|^rows" "$T/cmp" && fail "smoke rows: $(grep '^row' "$T/cmp" | head -3)" || ok
# Notes: the means of the known rows, to the 3 decimals printed.
for what in median loss; do
	want=$(awk -v w="$what" '$1 == w { print $2 }' "$T/cmp")
	got=$(sed -n "s/^# $what link: \([0-9.]*\) .*/\1/p" "$T/smoke.csv")
	expect_num "smoke note $what ($got, $want)" \
	    "$(awk -v a="$got" -v b="$want" 'BEGIN { d = a - b; print (d < 0 ? -d : d) }')" \
	    "<=" 0.0005
done

# Pictures.
for f in png svg pdf; do
	rc=0
	G smoke --system link --from $FROM --to $TO -o "$T/smoke.$f" \
	    2>>"$T/err" || rc=$?
	expect_eq "smoke $f exit code" "$rc" 0
	expect_num "smoke $f size" "$(stat -c %s "$T/smoke.$f" 2>/dev/null || echo 0)" ">" 2000
done
expect_eq "PNG header" "$(head -c 8 "$T/smoke.png" | od -An -tx1 | tr -d ' \n')" \
    89504e470d0a1a0a
expect_eq "PDF header" "$(head -c 5 "$T/smoke.pdf")" "%PDF-"
# The bands' greys (DDDDDD, BBBBBB, 999999) and the loss colours
# (26FF00 none, 7E00FF to 25 %) are in the drawing; the legend and the
# notes in its text.
for want in "86.666667%,86.666667%,86.666667%" "73.333333%,73.333333%,73.333333%" \
    "60%,60%,60%" "14.901961%,100%,0%" "49.411765%,0%,100%"; do
	grep -qF "rgb($want)" "$T/smoke.svg" && ok || fail "smoke.svg has no rgb($want)"
done
pdftotext "$T/smoke.pdf" "$T/smoke.txt"
for want in "min..p10" "p10..p25" "p25..p75" "loss 0" "to 25 %" "to 100 %" \
    "median link: $(sed -n 's/^# median link: \([0-9.]*\) .*/\1/p' "$T/smoke.csv") ms"; do
	grep -qF "$want" "$T/smoke.txt" && ok || fail "smoke.pdf has no \"$want\""
done

# A system without an icmp series, a grouping: exit 2 and why.
rc=0
G smoke --system web --last 24h --table csv >/dev/null 2>"$T/err2" || rc=$?
expect_eq "smoke of a system without icmp: exit code" "$rc" 2
grep -q "system web has no icmp series" "$T/err2" && ok || fail "no icmp: $(cat "$T/err2")"
rc=0
G smoke --by portfolio --last 24h --table csv >/dev/null 2>"$T/err3" || rc=$?
expect_eq "smoke --by: exit code" "$rc" 2
grep -q "give --system" "$T/err3" && ok || fail "smoke --by: $(cat "$T/err3")"
finish
