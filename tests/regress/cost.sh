# FOCUS cost feeds: rows by Tags key, map and column; multi-day rows spread;
# credits; another currency and bad rows rejected; daily series exported and
# summed by month and quarter, compared with sums computed independently
# from the same CSV with awk; a corrected file replaces the days it covers;
# a file without the required columns changes nothing.
. "$(dirname "$0")/lib.bash"

free_port STATUS
# A FOCUS 1.0 file: BOM, CRLF, quoted Tags JSON, extra and x_ columns.
gen() {
	printf '\357\273\277'
	printf 'BillingCurrency,ChargePeriodStart,ChargePeriodEnd,ChargeClass,EffectiveCost,BilledCost,ServiceName,Tags,x_Note\r\n'
	awk -v seed="$1" 'BEGIN {
		srand(seed)
		split("portal desk legacy-portal nobody-knows", sys, " ")
		for (i = 0; i < 240; i++) {
			day = int(rand() * 88)          # Q1 2026 is 90 days
			t = 1767225600 + day * 86400    # 2026-01-01
			len = (i % 17 == 0) ? 3 : 1
			c = sprintf("%.2f", rand() * 200 - (i % 13 == 0 ? 150 : 0))
			s = sys[1 + int(rand() * 4)]
			printf "SEK,%s,%s,,%s,%s,Hosting,\"{\"\"itfollow-system\"\": \"\"%s\"\"}\",x\r\n", \
			    strftime("%Y-%m-%dT%H:%M:%SZ", t, 1), \
			    strftime("%Y-%m-%dT%H:%M:%SZ", t + len * 86400, 1), c, c, s
		}
	}'
	printf 'SEK,1/5/26,1/6/26,,5.00,5.00,Hosting,"{""itfollow-system"": ""portal""}",\r\n'
	printf 'SEK,2026-01-05T00:00:00Z,2026-01-06T00:00:00Z,,"$10,100.00 ",1,Hosting,"{}",\r\n'
	printf '\r\n'
}
gen 7 >"$T/focus.csv"
cat >"$T/c.conf" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
systems = (
  { id = "portal"; category = "differentiating"; portfolio = "service"; },
  { id = "desk"; category = "basic"; portfolio = "cooperation"; }
);
feeds = (
  { id = "cloud"; type = "focus"; url = "file://$T/focus.csv";
    cost_column = "EffectiveCost"; system_key = "tag:itfollow-system";
    map = ( ("legacy-portal", "portal") ); currency = "SEK"; }
);
CONF
rc=0
"$BIN/itfollowd" -T -c "$T/c.conf" >"$T/out" 2>"$T/err" || rc=$?
expect_eq "-T exit" "$rc" 0
grep -q "row 241, column ChargePeriodStart: bad date" "$T/err" && ok ||
    fail "the M/D/YY row is not rejected with row and column"
grep -q 'row 242, column EffectiveCost: bad amount' "$T/err" && ok ||
    fail "the \$10,100.00 row is not rejected with row and column"

# What awk makes of the same file: per system, month and quarter.
expected() {
	tr -d '\r' <"$1" | sed '1s/^\xef\xbb\xbf//' | awk -F, '
	NR == 1 || $1 != "SEK" || $2 !~ /^2026-/ || $5 !~ /^-?[0-9.]+$/ { next }
	{
		match($0, /itfollow-system"": ""[^"]*/)
		s = substr($0, RSTART + 21, RLENGTH - 21)
		if (s == "legacy-portal") s = "portal"
		if (s != "portal" && s != "desk") s = "unallocated"
		cmd = "date -u -d " $2 " +%s"; cmd | getline t0; close(cmd)
		cmd = "date -u -d " $3 " +%s"; cmd | getline t1; close(cmd)
		n = (t1 - t0) / 86400
		for (d = 0; d < n; d++) {
			cmd = "date -u -d @" (t0 + d * 86400) " +%m"
			cmd | getline m; close(cmd)
			month[s "," m] += $5 / n
			q[s] += $5 / n
		}
	}
	END {
		for (k in month) printf "%s,%.2f\n", k, month[k]
		for (k in q) printf "%s,Q1,%.2f\n", k, q[k]
	}' | sort
}
# What the tool exports, summed the same way.
exported() {
	for s in portal desk unallocated; do
		"$BIN/itfollow" export -c "$T/c.conf" --perspective cost \
		    --system "$s" --from 2026-01-01 --to 2026-04-01 --step 1d \
		    --format csv | awk -F, -v s="$s" '
		NR == 1 { if ($0 != "time,cost") print "BAD HEADER " $0; next }
		$2 != "" { m = substr($1, 6, 2); month[s "," m] += $2; q += $2 }
		END {
			for (k in month) printf "%s,%.2f\n", k, month[k]
			printf "%s,Q1,%.2f\n", s, q
		}'
	done | sort
}
expected "$T/focus.csv" >"$T/want"
exported >"$T/got"
# Each sum to within half a cent.
compare() {
	join -t, -j1 <(awk -F, '{ print $1 "," $2 "|" $3 }' "$1" | sed 's/|/,/' | awk -F, '{ print $1 ":" $2 "," $3 }' | sort) \
	    <(awk -F, '{ print $1 "," $2 "|" $3 }' "$2" | sed 's/|/,/' | awk -F, '{ print $1 ":" $2 "," $3 }' | sort) |
	    awk -F, '{ d = $2 - $3; if (d < 0) d = -d; if (d > 0.005) { print "DIFF " $0; bad = 1 } n++ }
	    END { print n " sums compared"; exit bad }'
}
if out=$(compare "$T/want" "$T/got"); then ok; else fail "sums differ: $out"; fi
expect_eq "sums compared" "$(compare "$T/want" "$T/got" | tail -1)" \
    "$(wc -l <"$T/want") sums compared"
expect_num "unallocated has rows" "$(grep -c '^unallocated' "$T/got")" ">=" 2

# A re-export with a correction: the days it covers are what it says.
gen 7 >"$T/focus2.csv"
printf 'SEK,2026-02-10T00:00:00Z,2026-02-11T00:00:00Z,Correction,-12.34,-12.34,Hosting,"{""itfollow-system"": ""desk""}",\r\n' >>"$T/focus2.csv"
cp "$T/focus2.csv" "$T/focus.csv"
sleep 1
"$BIN/itfollowd" -T -c "$T/c.conf" >"$T/out2" 2>"$T/err2" || true
expected "$T/focus.csv" >"$T/want2"
exported >"$T/got2"
if out=$(compare "$T/want2" "$T/got2"); then ok; else
	fail "sums differ after the correction: $out"
fi
expect_eq "the correction moved desk's February" \
    "$(awk -F, '$1 == "desk" && $2 == "02" { print $3 }' "$T/want2")" \
    "$(awk -F, '$1 == "desk" && $2 == "02" { printf "%.2f", $3 }' "$T/want" | awk '{ printf "%.2f", $1 - 12.34 }')"

# A row in another currency than the configured one: the run fails,
# naming the row, and nothing stored changes.
sum=$(md5sum <"$T/data/rrd/cost/portal/cost.rrd")
cp "$T/focus.csv" "$T/focus.keep"
printf 'EUR,2026-01-05T00:00:00Z,2026-01-06T00:00:00Z,,999.99,999.99,Hosting,"{""itfollow-system"": ""portal""}",\r\n' >>"$T/focus.csv"
"$BIN/itfollowd" -T -c "$T/c.conf" >"$T/out4" 2>"$T/err4" || true
grep -q "^feed/cloud - (nothing stored) status=down reason=parse_error" \
    "$T/out4" && ok || fail "a row in EUR does not fail the run"
grep -q "row 244: BillingCurrency EUR, not SEK as configured (currency)" \
    "$T/err4" && ok || fail "the EUR row is not named: $(grep EUR "$T/err4")"
expect_eq "nothing stored changed (EUR)" \
    "$(md5sum <"$T/data/rrd/cost/portal/cost.rrd")" "$sum"
cp "$T/focus.keep" "$T/focus.csv"

# A file without the required columns: down, nothing stored changes.
sum=$(md5sum <"$T/data/rrd/cost/portal/cost.rrd")
printf 'BillingCurrency,EffectiveCost\nSEK,1.00\n' >"$T/focus.csv"
"$BIN/itfollowd" -T -c "$T/c.conf" >"$T/out3" 2>"$T/err3" || true
grep -q "^feed/cloud - (nothing stored) status=down reason=parse_error" \
    "$T/out3" && ok || fail "a file without ChargePeriodStart is not down"
grep -q "the header has no ChargePeriodStart column" "$T/err3" && ok ||
    fail "the missing column is not named"
expect_eq "nothing stored changed" \
    "$(md5sum <"$T/data/rrd/cost/portal/cost.rrd")" "$sum"
finish
