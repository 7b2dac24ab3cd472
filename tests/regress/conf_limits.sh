# Checking a configuration takes time linear in its size, and its errors
# are one line each: 40,000 systems are checked in seconds (the duplicate
# id check is a hash); a string of 4 MiB (libconfig's scanner is
# quadratic in one) and a file over 16 MiB are refused at once, with
# where; an id holding a newline is reported on one line, escaped.
. "$(dirname "$0")/lib.bash"

head40k() {
	echo 'daemon = { data_dir = "/nonexistent/itf"; };'
	echo 'systems = ('
	awk 'BEGIN { for (i = 0; i < 40000; i++)
		printf "%s{ id = \"s%d\"; category = \"basic\"; portfolio = \"service\"; collectors = ( { type = \"tcp\"; series = \"t\"; host = \"127.0.0.1\"; port = 1; } ); }\n",
		    (i ? "," : ""), i }'
}
{ head40k; echo ');'; } >"$T/40k.conf"
t0=$(date +%s.%N)
rc=0
"$BIN/itfollowd" -n -c "$T/40k.conf" >"$T/40k.out" 2>&1 || rc=$?
t1=$(date +%s.%N)
secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }')
echo "40,000 systems checked in $secs s"
expect_eq "40,000 systems: no error" "$rc/$(cat "$T/40k.out")" "0/"
expect_num "40,000 systems: seconds" "$secs" "<" 20
# One duplicate among them is found, at its line, naming the first.
{ head40k; echo ', { id = "s39999"; category = "basic"; portfolio = "service"; } );'; } \
    >"$T/dup.conf"
"$BIN/itfollowd" -n -c "$T/dup.conf" >"$T/dup.out" 2>&1 || true
expect_eq "the duplicate" "$(cat "$T/dup.out")" \
    "$T/dup.conf:40003: duplicate system id \"s39999\" (first at line 40002)"

# A string of 4 MiB: refused before libconfig reads it.
{
	echo 'daemon = { data_dir = "/nonexistent/itf"; };'
	printf 'systems = ( { id = "a"; name = "'
	head -c 4194304 /dev/zero | tr '\0' x
	echo '"; category = "basic"; portfolio = "service"; } );'
} >"$T/string.conf"
t0=$(date +%s)
"$BIN/itfollowd" -n -c "$T/string.conf" >"$T/string.out" 2>&1 && fail "took a 4 MiB string" || ok
expect_eq "a 4 MiB string" "$(cat "$T/string.out")" \
    "$T/string.conf:2: a string of more than 65536 bytes"
expect_num "refused at once (s)" "$(($(date +%s) - t0))" "<" 5
# Adjacent literals are one string to libconfig, and to the check.
{
	echo 'daemon = { data_dir = "/nonexistent/itf"; };'
	printf 'systems = ( { id = "a"; name = '
	for i in $(seq 1 70); do printf '"%s" # part\n' "$(head -c 1024 /dev/zero | tr '\0' y)"; done
	echo '; category = "basic"; portfolio = "service"; } );'
} >"$T/joined.conf"
"$BIN/itfollowd" -n -c "$T/joined.conf" >"$T/joined.out" 2>&1 && fail "took 70 KiB of joined strings" || ok
expect_eq "joined literals" "$(cat "$T/joined.out")" \
    "$T/joined.conf:2: a string of more than 65536 bytes"
# A file over 16 MiB.
{ head40k; echo ');'; head -c 17000000 /dev/zero | tr '\0' '#'; } >"$T/huge.conf"
"$BIN/itfollowd" -n -c "$T/huge.conf" >"$T/huge.out" 2>&1 && fail "took a huge file" || ok
grep -q "^$T/huge.conf: [0-9]* bytes, more than a configuration may be (16777216)$" "$T/huge.out" &&
    ok || fail "huge file: $(cat "$T/huge.out")"

# An id with a newline and a tab: one line, escaped.
printf 'daemon = { data_dir = "/nonexistent/itf"; };\nsystems = ( { id = "bad\\nid\\tx"; category = "basic"; portfolio = "service"; } );\n' \
    >"$T/nl.conf"
"$BIN/itfollowd" -n -c "$T/nl.conf" >"$T/nl.out" 2>&1 || true
expect_eq "one line" "$(wc -l <"$T/nl.out")" 1
expect_eq "escaped" "$(cat "$T/nl.out")" \
    "$T/nl.conf:2: bad id \"bad\\nid\\tx\" (want [a-z0-9][a-z0-9_-]{0,63})"
finish
