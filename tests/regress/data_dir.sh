# data_dir is made safely: started as root with daemon.user, the daemon
# walks data_dir a component at a time without following symbolic links,
# so a link the daemon's user planted in a parent it may write (pointing
# at a root-only directory) is refused and that directory stays root's; a
# parent that others may write is refused unless root owns it (a sticky
# /tmp is fine); a plain data_dir is made 0750 and given to the user.
. "$(dirname "$0")/lib.bash"

if [ "$(id -u)" != 0 ]; then
	echo "data_dir.sh starts the daemon as root: run it as root"
	exit 1
fi
chmod 755 "$T"
free_port STATUS
mkdir -m 700 "$T/secret"
# A parent the daemon's user may write, and a link planted in it.
mkdir "$T/parent"
chown nobody "$T/parent"
ln -s "$T/secret" "$T/parent/data"

conf() {
	cat >"$T/d.conf" <<CONF
daemon = { data_dir = "$1"; status_listen = "127.0.0.1:$STATUS";
  user = "nobody"; };
systems = ( { id = "sys"; category = "basic"; portfolio = "information";
  collectors = ( { type = "tcp"; series = "t"; host = "127.0.0.1"; port = $STATUS; } ); } );
CONF
}
run() {
	rc=0
	timeout 20 "$BIN/itfollowd" -T -c "$T/d.conf" >"$T/out" 2>"$T/err" || rc=$?
}

conf "$T/parent/data/rrd-here"
run
expect_eq "a planted link: refused" "$rc" 1
grep -q "data_dir $T/parent/data/rrd-here: \"data\" is a symbolic link or not a directory: refused" \
    "$T/err" && ok || fail "refusal not said: $(cat "$T/err")"
expect_eq "the root-only directory stays root's" \
    "$(stat -c '%U %a' "$T/secret")" "root 700"
[ -e "$T/secret/rrd-here" ] && fail "made inside the link's target" || ok

# The link as data_dir itself: refused too.
conf "$T/parent/data"
run
expect_eq "a link as data_dir: refused" "$rc" 1
expect_eq "still root's" "$(stat -c '%U %a' "$T/secret")" "root 700"

# A parent others may write, not root's: refused.
mkdir -m 777 "$T/open"
chown nobody "$T/open"
chmod 777 "$T/open"
conf "$T/open/data"
run
expect_eq "a parent others may write: refused" "$rc" 1
grep -q "a parent of \"data\" is writable by others and not root's: refused" "$T/err" &&
    ok || fail "refusal not said: $(cat "$T/err")"
# Root's sticky one, as /tmp, is fine.
mkdir "$T/sticky"
chmod 1777 "$T/sticky"
conf "$T/sticky/a/data"
run
expect_eq "below root's sticky directory: made" "$rc" 0
expect_eq "data_dir given to the user, 0750" \
    "$(stat -c '%U %a' "$T/sticky/a/data")" "nobody 750"
expect_eq "its parent made root's" "$(stat -c '%U' "$T/sticky/a")" root

if grep -q -e 'ERROR: AddressSanitizer' -e 'runtime error' "$T/err"; then
	fail "sanitizer report"
else
	ok
fi
finish
