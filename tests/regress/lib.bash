# Shared helpers of the regress tests: local targets, the real daemon on
# loopback, and reading RRD files back with rrdtool (librrd).
# Sourced by each test; the test stops everything it started on exit.

set -eu

SRC=${ITF_SOURCE_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}
BIN=${ITF_BIN_DIR:-$SRC/build/bin}
T=$(mktemp -d "${TMPDIR:-/tmp}/itf-regress.XXXXXX")
PIDS=""
FAILS=0
CHECKS=0

cleanup() {
	for p in $PIDS; do
		kill "$p" 2>/dev/null || true
	done
	for p in $PIDS; do
		wait "$p" 2>/dev/null || true
	done
	# PostgreSQL last, once its clients are gone; SIGINT is its fast
	# shutdown.
	for p in ${PG_PIDS:-}; do
		kill -INT "$p" 2>/dev/null || true
	done
	for p in ${PG_PIDS:-}; do
		wait "$p" 2>/dev/null || true
	done
	if [ "$FAILS" -eq 0 ] && [ -z "${KEEP:-}" ]; then
		rm -rf "$T"
	else
		echo "kept $T"
	fi
}
trap cleanup EXIT

fail() {
	echo "FAIL: $*"
	FAILS=$((FAILS + 1))
}

ok() {
	CHECKS=$((CHECKS + 1))
}

# A TCP port on 127.0.0.1 that nobody listens on now, below the ephemeral
# range (32768-) so no outgoing connection holds it, and not handed out
# before in this test. Call it in the shell itself, not in $(...), so it
# remembers: free_port VAR.
PICKED=" "
free_port() {
	local p
	while :; do
		p=$((20000 + RANDOM % 12000))
		case "$PICKED" in *" $p "*) continue ;; esac
		if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
			PICKED="$PICKED$p "
			printf -v "$1" '%s' "$p"
			return
		fi
	done
}

wait_file() {
	local i
	for i in $(seq 1 300); do
		[ -s "$1" ] && return 0
		sleep 0.1
	done
	echo "timed out waiting for $1" >&2
	return 1
}

# wait_http URL: until it answers at all (any status).
wait_http() {
	local i
	for i in $(seq 1 300); do
		curl -s -o /dev/null "$1" && return 0
		sleep 0.1
	done
	echo "timed out waiting for $1" >&2
	return 1
}

# Start itf-testsrv with HTTP, HTTPS (a certificate made now, valid 2
# days), and raw garbage/close/silent ports. Sets HTTP, HTTPS, GARBAGE,
# CLOSE, SILENT, REFUSED and CA.
start_targets() {
	free_port HTTP
	free_port HTTPS
	free_port GARBAGE
	free_port CLOSE
	free_port SILENT
	free_port REFUSED
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 \
	    -addext subjectAltName=IP:127.0.0.1 -keyout "$T/key.pem" \
	    -out "$T/cert.pem" 2>/dev/null
	CA=$T/cert.pem
	"$BIN/itf-testsrv" --http "$HTTP" --https "$HTTPS" \
	    --cert "$T/cert.pem" --key "$T/key.pem" --garbage "$GARBAGE" \
	    --close "$CLOSE" --silent "$SILENT" --pidfile "$T/testsrv.pid" \
	    2>"$T/testsrv.log" &
	PIDS="$PIDS $!"
	wait_file "$T/testsrv.pid"
}

# field LINE NAME: the value of NAME=... in a -T output line.
field() {
	echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p" | head -1
}

# last FILE DS: the last value of data source DS, read back with librrd.
last() {
	rrdtool lastupdate "$1" | awk -v ds="$2" '
	    NR == 1 { for (i = 1; i <= NF; i++) if ($i == ds) col = i }
	    NR == 3 { print (col ? $(col + 1) : "missing") }'
}

# A number comparison with awk: check "$a" "<" "$b".
num() {
	awk -v a="$1" -v b="$3" "BEGIN { exit !(a $2 b) }"
}

expect_eq() {
	if [ "$2" = "$3" ]; then ok; else fail "$1: got '$2', want '$3'"; fi
}

expect_num() {
	if num "$2" "$3" "$4" 2>/dev/null && [ "$2" != "U" ] &&
	    [ -n "$2" ]; then
		ok
	else
		fail "$1: got '$2', want $3 $4"
	fi
}

finish() {
	echo "$CHECKS checks, $FAILS failures"
	[ "$FAILS" -eq 0 ]
}

# start_rrdcached [ARG...]: rrdcached on unix:$SOCK over $D, with ARGs
# before that listener (a -P applies to it), its journal in $T/journal
# (what it acknowledged is replayed when it starts again); RC_PID is its
# pid. Waits for its socket (a stale one of a killed rrdcached removed).
start_rrdcached() {
	rm -f "$T/rrdcached.pid" "$SOCK"
	mkdir -p "$T/journal"
	rrdcached -g -F -w 3600 -f 7200 -j "$T/journal" -b "$D" -B \
	    -p "$T/rrdcached.pid" "$@" -l "unix:$SOCK" >>"$T/rrdcached.log" 2>&1 &
	RC_PID=$!
	PIDS="$PIDS $RC_PID"
	for _ in $(seq 1 100); do
		[ -S "$SOCK" ] && return 0
		sleep 0.1
	done
	fail "rrdcached did not start: $(cat "$T/rrdcached.log")"
}

# The rrdcached restart tests' ground: local targets, a status port S0,
# H the targets' HTTP base, D the data and SOCK rrdcached's socket, and
# in $T/tmpl the shipped templates with 2 s steps and a heartbeat that
# makes a missing value a gap. Ends the test when there is no rrdcached.
rrdcached_ground() {
	command -v rrdcached >/dev/null || {
		fail "no rrdcached (scripts/bootstrap)"
		finish
	}
	start_targets
	free_port S0
	H="http://127.0.0.1:$HTTP"
	D=$T/data
	SOCK=$T/rrdcached.sock
	mkdir -p "$D" "$T/tmpl"
	for f in "$SRC"/rrd-templates/*.tmpl; do
		sed -e 's/^step 60$/step 2/' -e 's/ 1m / 2 /' \
		    -e 's/^\(ds [a-z_]* *GAUGE\) 120 /\1 3 /' "$f" >"$T/tmpl/${f##*/}"
	done
}

# rrdcached_six_conf WRITE_DELAY: $T/d.conf, six series (sys0's a to f:
# four http, two tcp) every 2 s through rrdcached on SOCK.
rrdcached_six_conf() {
	cat >"$T/d.conf" <<CONF
daemon = { data_dir = "$D"; templates_dir = "$T/tmpl";
  status_listen = "127.0.0.1:$S0"; log_level = "info"; };
store = { write_delay = $1; rrdcached = "unix:$SOCK"; };
defaults = { interval = 2; timeout = 1; };
systems = (
  { id = "sys0"; category = "basic"; portfolio = "service";
    collectors = (
      { type = "http"; series = "a"; url = "$H/ok?k=a"; },
      { type = "http"; series = "b"; url = "$H/ok?k=b"; },
      { type = "http"; series = "c"; url = "$H/ok?k=c"; },
      { type = "http"; series = "d"; url = "$H/ok?k=d"; },
      { type = "tcp"; series = "e"; host = "127.0.0.1"; port = $CLOSE; },
      { type = "tcp"; series = "f"; host = "127.0.0.1"; port = $REFUSED; }
    ); }
);
CONF
}

# rrdcached_six_start: rrdcached, then the daemon on $T/d.conf (its log
# in $T/log, its pid P), up when its status answers; t_start is when.
rrdcached_six_start() {
	start_rrdcached
	t_start=$(date +%s)
	"$BIN/itfollowd" -f -c "$T/d.conf" 2>"$T/log" &
	P=$!
	PIDS="$PIDS $P"
	wait_http "http://127.0.0.1:$S0/health"
}

# rrdcached_six_stop: the daemon's metrics in $T/m (metric_of NAME),
# nothing dropped, refused or failed in them; then the daemon stopped (it
# writes what it holds), t_end, rrdcached stopped (-F: it writes every
# file).
metric_of() { awk -v k="$1" '$1 == k { print $2 }' "$T/m"; }
rrdcached_six_stop() {
	curl -s "http://127.0.0.1:$S0/metrics" >"$T/m"
	expect_eq "nothing dropped" "$(metric_of itfollow_rrdcached_dropped_total)" 0
	expect_eq "no write errors" "$(metric_of itfollow_store_errors_total)" 0
	expect_eq "nothing refused as old" \
	    "$(metric_of itfollow_store_rejected_total)" 0
	kill -TERM "$P"
	wait "$P" || fail "itfollowd exit code"
	t_end=$(date +%s)
	kill -TERM "$RC_PID"
	wait "$RC_PID" 2>/dev/null || true
}

# rrdcached_every_step FROM TO MIN: each of rrdcached_six_conf's series
# has a value at every step from its first to its last, and MIN steps
# or more.
rrdcached_every_step() {
	local series f run
	for series in a b c d e f; do
		f=$D/rrd/quality/sys0/$series.rrd
		[ -f "$f" ] || { fail "no $f"; continue; }
		rrdtool fetch "$f" AVERAGE -r 2 --start "$1" --end "$2" |
		    awk 'NR > 2 { print ($2 ~ /nan/) ? "-" : "v" }' |
		    tr -d '\n' >"$T/seq"
		run=$(sed -e 's/^-*//' -e 's/-*$//' "$T/seq")
		case $run in
		*-*) fail "$series: a gap: $(cat "$T/seq")" ;;
		*) expect_num "$series: steps stored" "${#run}" ">=" "$3" ;;
		esac
	done
}

# A throwaway PostgreSQL cluster (Debian's postgresql packages) in $T/pg:
# initdb'd and run as nobody when the tests run as root, listening on
# 127.0.0.1:$PGPORT only (and a socket in $T/pg/sock); its superuser itf
# logs in over TCP with the password in $T/pgpass (SCRAM). Sets PGBIN,
# PGPORT, PG_PID and PGURL (the connection string, without the password).
start_postgres() {
	PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
	if [ ! -x "$PGBIN/initdb" ]; then
		fail "no PostgreSQL server (scripts/bootstrap installs it)"
		return 1
	fi
	free_port PGPORT
	PGRUN=""
	mkdir -p "$T/pg/sock"
	printf 'pg-s3cret-%s\n' "$RANDOM$RANDOM" >"$T/pgpass"
	chmod 600 "$T/pgpass"
	cp "$T/pgpass" "$T/pg/pw"
	if [ "$(id -u)" = 0 ]; then
		chmod 711 "$T"
		chown -R nobody:nogroup "$T/pg"
		PGRUN="setpriv --reuid=nobody --regid=nogroup --clear-groups --"
	fi
	if ! $PGRUN "$PGBIN/initdb" -D "$T/pg/data" -U itf --pwfile="$T/pg/pw" \
	    --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C \
	    >"$T/pg/initdb.log" 2>&1; then
		fail "initdb: $(tail -3 "$T/pg/initdb.log")"
		return 1
	fi
	rm -f "$T/pg/pw"
	PGURL="postgresql://itf@127.0.0.1:$PGPORT/postgres"
	start_postgres_again
}

# Start the cluster start_postgres made (again, after stop_postgres).
start_postgres_again() {
	local i
	$PGRUN "$PGBIN/postgres" -D "$T/pg/data" -p "$PGPORT" \
	    -k "$T/pg/sock" -c listen_addresses=127.0.0.1 -c fsync=off \
	    -c full_page_writes=off -c max_connections=200 \
	    >>"$T/pg/server.log" 2>&1 &
	PG_PID=$!
	PG_PIDS="${PG_PIDS:-} $PG_PID"
	for i in $(seq 1 200); do
		"$PGBIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT" && return 0
		sleep 0.1
	done
	fail "PostgreSQL did not start: $(tail -3 "$T/pg/server.log")"
	return 1
}

# Stop it by its pid (fast shutdown: sessions are ended, work committed
# is kept) and wait until it is gone.
stop_postgres() {
	kill -INT "$PG_PID" 2>/dev/null || true
	wait "$PG_PID" 2>/dev/null || true
}

# psql against the cluster as its superuser: pgq SQL prints the rows
# unaligned, fields separated by |.
pgq() {
	PGPASSWORD=$(cat "$T/pgpass") "$PGBIN/psql" -X -q -At -h 127.0.0.1 \
	    -p "$PGPORT" -U itf -d postgres -v ON_ERROR_STOP=1 -c "$1"
}
