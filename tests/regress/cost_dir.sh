# FOCUS cost feeds from a directory: every *.csv in it, by name, is one
# run's input; the totals reconcile with all the files together (awk); a
# row's problem names its file; a file that is not FOCUS fails the run,
# naming the file, and nothing stored changes; a directory without CSV
# files fails the same way.
. "$(dirname "$0")/lib.bash"

free_port STATUS
mkdir "$T/focus"
HDR='BillingCurrency,ChargePeriodStart,ChargePeriodEnd,EffectiveCost,Tags'
# Rows of seed $1: days of Q1 2026, systems portal, desk or another.
rows() {
	awk -v seed="$1" -v n="$2" 'BEGIN {
		srand(seed)
		split("portal desk stranger", sys, " ")
		for (i = 0; i < n; i++) {
			t = 1767225600 + int(rand() * 88) * 86400
			len = (i % 7 == 0) ? 2 : 1
			printf "SEK,%s,%s,%.2f,\"{\"\"itfollow-system\"\": \"\"%s\"\"}\"\r\n", \
			    strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), \
			    strftime("%Y-%m-%dT%H:%M:%SZ", t + len * 86400, 1), \
			    rand() * 300 - 50, sys[1 + int(rand() * 3)]
		}
	}'
}
{ printf '\357\273\277%s\r\n' "$HDR"; rows 1 150; } >"$T/focus/2026-01.csv"
# A bad amount is rejected with file and row.
{
	echo "$HDR"
	echo 'SEK,2026-02-01T00:00:00Z,2026-02-02T00:00:00Z,abc,"{""itfollow-system"": ""portal""}"'
	rows 2 120
} >"$T/focus/2026-02.csv"
{ echo "$HDR"; rows 3 90; } >"$T/focus/2026-03.csv"
echo "not a cost file" >"$T/focus/readme.txt"
{ echo "$HDR"; rows 4 10; } >"$T/focus/.partial.csv"

cat >"$T/c.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
systems = (
  { id = "portal"; category = "differentiating"; portfolio = "service"; },
  { id = "desk"; category = "basic"; portfolio = "cooperation"; }
);
feeds = (
  { id = "cloud"; type = "focus"; url = "file://$T/focus/"; }
);
CONF
rc=0
"$BIN/itfollowd" -T -c "$T/c.conf" >"$T/out" 2>"$T/err" || rc=$?
expect_eq "-T exit" "$rc" 0
grep -q "feed/cloud: 2026-02.csv: row 1, column EffectiveCost: bad amount" \
    "$T/err" && ok || fail "the bad amount is not reported with its file"

# Per system, the quarter's total of the three files, as awk makes it.
expected() {
	cat "$T"/focus/2026-0[123].csv | tr -d '\r' | sed 's/^\xef\xbb\xbf//' |
	    awk -F, '$1 == "SEK" && $4 ~ /^-?[0-9.]+$/ {
		match($0, /itfollow-system"": ""[^"]*/)
		s = substr($0, RSTART + 21, RLENGTH - 21)
		if (s != "portal" && s != "desk") s = "unallocated"
		q[s] += $4
	} END { for (k in q) printf "%s,%.2f\n", k, q[k] }' | sort
}
exported() {
	for s in desk portal unallocated; do
		"$BIN/itfollow" export -c "$T/c.conf" --perspective cost \
		    --system "$s" --from 2026-01-01 --to 2026-04-01 --step 1d \
		    --format csv | awk -F, -v s="$s" '
		NR > 1 && $2 != "" { q += $2 } END { printf "%s,%.2f\n", s, q }'
	done | sort
}
expected >"$T/want"
exported >"$T/got"
expect_eq "systems compared" "$(wc -l <"$T/want")" 3
join -t, "$T/want" "$T/got" | awk -F, '
	{ d = $2 - $3; if (d < 0) d = -d; if (d > 0.005) bad = 1; n++ }
	END { exit bad || n != 3 }' && ok ||
    fail "directory totals differ: $(paste -d' ' "$T/want" "$T/got")"

# A file that is not FOCUS: the run fails naming it, nothing changes.
sums() { md5sum "$T"/data/rrd/cost/*/cost.rrd; }
before=$(sums)
# Rows in two currencies: the run fails naming the file and row of each.
{ echo "$HDR"; echo 'EUR,2026-02-01T00:00:00Z,2026-02-02T00:00:00Z,77.00,"{""itfollow-system"": ""portal""}"'; } \
    >"$T/focus/2026-02c.csv"
"$BIN/itfollowd" -T -c "$T/c.conf" >"$T/out1" 2>"$T/err1" || true
grep -q "^feed/cloud - (nothing stored) status=down reason=parse_error" \
    "$T/out1" && ok || fail "rows in two currencies do not fail the run"
grep -q "2026-02c.csv: row 1: BillingCurrency EUR, not SEK as in 2026-01.csv row 1" \
    "$T/err1" && ok || fail "the EUR row is not named: $(grep EUR "$T/err1")"
expect_eq "nothing stored changed (currencies)" "$(sums)" "$before"
rm "$T/focus/2026-02c.csv"
printf 'BillingCurrency,EffectiveCost\nSEK,1.00\n' >"$T/focus/2026-02b.csv"
"$BIN/itfollowd" -T -c "$T/c.conf" >"$T/out2" 2>"$T/err2" || true
grep -q "^feed/cloud - (nothing stored) status=down reason=parse_error" \
    "$T/out2" && ok || fail "a directory with a bad file is not down"
grep -q "2026-02b.csv: not FOCUS: the header has no ChargePeriodStart column" \
    "$T/err2" && ok || fail "the bad file is not named"
expect_eq "nothing stored changed (bad file)" "$(sums)" "$before"

# A directory without CSV files: down, nothing changes.
rm "$T"/focus/*.csv
"$BIN/itfollowd" -T -c "$T/c.conf" >"$T/out3" 2>"$T/err3" || true
grep -q "^feed/cloud - (nothing stored) status=down reason=connect" \
    "$T/out3" && ok || fail "an empty directory is not down"
grep -q "no \*.csv or \*.csv.gz file in $T/focus/" "$T/err3" && ok ||
    fail "an empty directory is not reported"
expect_eq "nothing stored changed (no files)" "$(sums)" "$before"
finish
