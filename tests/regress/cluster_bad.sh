# Bad input around a shared journal, each refused with a clear message at
# start or by -n, with nothing stored changed: connection strings libpq
# cannot read or that lead nowhere (no server, a wrong password, no such
# database, a missing password file), a database of a newer schema, a
# second daemon of another configuration (both named) or of the same name,
# and a lease shorter than the heartbeat interval.
. "$(dirname "$0")/lib.bash"

start_postgres || { finish; exit 1; }
free_port STATUS
free_port NOPORT
mkdir -p "$T/data"
cat >"$T/systems.conf" <<CONF
systems = ( { id = "portal"; category = "basic"; portfolio = "service";
  collectors = ( { type = "tcp"; series = "smtp"; host = "127.0.0.1"; port = $NOPORT; } ); } );
CONF
# conf FILE NAME JOURNAL [EXTRA DAEMON KEYS] [EXTRA SYSTEMS FILE]
conf() {
	cat >"$T/$1" <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; name = "$2"; ${4:-} };
store = { journal = "$3"; journal_password_file = "$T/pgpass"; };
@include "${5:-$T/systems.conf}"
CONF
}
# run NAME FILE: itfollowd -f on FILE; its exit code, output in $T/NAME.
run() {
	local rc=0
	timeout 30 "$BIN/itfollowd" -f -c "$T/$2" >"$T/$1" 2>&1 || rc=$?
	echo $rc
}
# snapshot: what the database holds, to tell that nothing changed.
snapshot() {
	pgq "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'public'"
	if [ "$(pgq "SELECT to_regclass('members') IS NOT NULL")" = t ]; then
		pgq "SELECT name, incarnation, heartbeat FROM members ORDER BY name"
		pgq "SELECT version FROM itfollow_schema"
		pgq "SELECT count(*) FROM series_state"
	fi
}

# Connection strings libpq cannot read: -n, file:line.
conf bad1.conf d0 "hots=127.0.0.1 dbname=postgres"
"$BIN/itfollowd" -n -c "$T/bad1.conf" >"$T/n1" 2>&1 && fail "-n took hots=" || ok
expect_eq "-n: an unknown option" "$(cat "$T/n1")" \
    "$T/bad1.conf:3: journal: invalid connection option \"hots\""
conf bad2.conf d0 "postgresql://itf:secret@127.0.0.1:$PGPORT/postgres"
"$BIN/itfollowd" -n -c "$T/bad2.conf" >"$T/n2" 2>&1 && fail "-n took a password" || ok
grep -q "^$T/bad2.conf:3: journal: it holds a password" "$T/n2" && ok || fail "-n: $(cat "$T/n2")"
grep -q secret "$T/n2" && fail "the password was printed" || ok

before=$(snapshot)
# Well formed, but leading nowhere: the start fails, naming the database.
conf none.conf d0 "postgresql://itf@127.0.0.1:$NOPORT/postgres"
expect_eq "no server: exit code" "$(run none.out none.conf)" 1
grep -q "journal postgresql://itf@127.0.0.1:$NOPORT/postgres: cannot connect: .*refused" "$T/none.out" &&
    ok || fail "no server: $(tail -1 "$T/none.out")"
cp "$T/pgpass" "$T/pgpass.good"
echo "not-the-password" >"$T/pgpass"
conf pw.conf d0 "$PGURL"
expect_eq "a wrong password: exit code" "$(run pw.out pw.conf)" 1
grep -q 'password authentication failed for user "itf"' "$T/pw.out" && ok ||
    fail "a wrong password: $(tail -1 "$T/pw.out")"
grep -q not-the-password "$T/pw.out" && fail "the password was logged" || ok
cp "$T/pgpass.good" "$T/pgpass"
conf db.conf d0 "postgresql://itf@127.0.0.1:$PGPORT/nosuch"
expect_eq "no such database: exit code" "$(run db.out db.conf)" 1
grep -q 'database "nosuch" does not exist' "$T/db.out" && ok ||
    fail "no such database: $(tail -1 "$T/db.out")"
sed "s|$T/pgpass|$T/missing|" "$T/db.conf" >"$T/nofile.conf"
sed -i "s|/nosuch|/postgres|" "$T/nofile.conf"
expect_eq "no password file: exit code" "$(run nofile.out nofile.conf)" 1
grep -q "secret file $T/missing: No such file" "$T/nofile.out" && ok ||
    fail "no password file: $(tail -1 "$T/nofile.out")"
expect_eq "nothing stored by the failed starts" "$(snapshot)" "$before"

# A lease shorter than the heartbeat interval: -n and the start.
conf lease.conf d0 "$PGURL" "heartbeat = 5; lease = 2;"
"$BIN/itfollowd" -n -c "$T/lease.conf" >"$T/n3" 2>&1 && fail "-n took the lease" || ok
expect_eq "-n: the lease" "$(cat "$T/n3")" \
    "$T/lease.conf:2: lease (2 s) is shorter than the heartbeat interval (5 s): a member would be taken over between two of its heartbeats"
expect_eq "the lease: exit code" "$(run lease.out lease.conf)" 1

# A member runs; a daemon of another configuration may not join, nor one
# of the same name.
conf d0.conf d0 "$PGURL"
"$BIN/itfollowd" -f -c "$T/d0.conf" 2>"$T/d0.log" &
D0=$!
PIDS="$PIDS $D0"
wait_http "http://127.0.0.1:$STATUS/health"
sed "s/port = $NOPORT;/port = $NOPORT; timeout = 2;/" "$T/systems.conf" >"$T/other.conf"
free_port STATUS
conf d1.conf d1 "$PGURL" "" "$T/other.conf"
before=$(snapshot)
expect_eq "another configuration: exit code" "$(run d1.out d1.conf)" 1
grep -q "member d0 ($T/d0.conf on .*) runs another configuration ([0-9a-f]*) than this daemon d1 ($T/d1.conf, .*): refusing to join" "$T/d1.out" &&
    ok || fail "another configuration: $(tail -1 "$T/d1.out")"
conf twin.conf d0 "$PGURL"
expect_eq "the same name: exit code" "$(run twin.out twin.conf)" 1
grep -q "a member named d0 runs on .* (pid $D0, heartbeat" "$T/twin.out" && ok ||
    fail "the same name: $(tail -1 "$T/twin.out")"
after=$(snapshot)
# (d0's own heartbeat moves on: compare the rest.)
expect_eq "nothing stored by the refusals" "$(echo "$after" | sed 's/|[0-9.]*$//')" \
    "$(echo "$before" | sed 's/|[0-9.]*$//')"
kill -TERM "$D0"
wait "$D0" || fail "d0 exit code"

# A database of a newer schema: refused by the daemon and the tool.
pgq "UPDATE itfollow_schema SET version = 99"
before=$(snapshot)
expect_eq "a newer schema: exit code" "$(run new.out d0.conf)" 1
grep -q "schema version 99 is newer than this daemon's (3); nothing was changed" "$T/new.out" &&
    ok || fail "a newer schema: $(tail -1 "$T/new.out")"
"$BIN/itfollow" report availability -c "$T/d0.conf" --system portal --last 24h >"$T/tool.out" 2>&1 &&
    fail "the tool read a newer schema" || ok
grep -q "schema version 99, this program reads 3: it is newer" "$T/tool.out" && ok ||
    fail "the tool: $(cat "$T/tool.out")"
expect_eq "nothing stored: a newer schema" "$(snapshot)" "$before"
finish
