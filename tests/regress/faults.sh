# Faults a probe or feed meets on the way: a certificate that has expired
# (down, reason tls), a name that does not resolve and a resolver that
# does not answer (down, reason dns, within the timeout), and feed servers
# that die mid-transfer (nothing half-written: what was stored stays).
. "$(dirname "$0")/lib.bash"

start_targets
free_port STATUS
free_port EXPIRED
chmod 755 "$T"

# A CA valid now, and a server certificate it signed that expired in 2020.
mkdir "$T/ca"
cat >"$T/ca/ca.cnf" <<'CNF'
[ca]
default_ca = d
[d]
database = index.txt
new_certs_dir = .
serial = serial
default_md = sha256
policy = p
copy_extensions = copy
unique_subject = no
[p]
commonName = supplied
CNF
(
	cd "$T/ca"
	: >index.txt
	echo 01 >serial
	openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=itf-test-ca \
	    -keyout ca.key -out ca.pem
	openssl req -new -newkey rsa:2048 -nodes -subj /CN=127.0.0.1 \
	    -addext subjectAltName=IP:127.0.0.1 -keyout key.pem -out csr.pem
	openssl ca -batch -config ca.cnf -cert ca.pem -keyfile ca.key \
	    -in csr.pem -out cert.pem -startdate 20200101000000Z \
	    -enddate 20200201000000Z
) >"$T/ca/log" 2>&1 || fail "openssl: $(cat "$T/ca/log")"
"$BIN/itf-testsrv" --https "$EXPIRED" --cert "$T/ca/cert.pem" \
    --key "$T/ca/key.pem" --pidfile "$T/expired.pid" 2>"$T/expired.log" &
PIDS="$PIDS $!"
wait_file "$T/expired.pid"

# A FOCUS file of two systems over five days, and a corrected one.
focus() { # AMOUNT
	echo 'ChargePeriodStart,ChargePeriodEnd,EffectiveCost,Tags'
	for d in 01 02 03 04 05; do
		for s in portal desk; do
			printf '2026-01-%s,2026-01-%s,%s,"{""itfollow-system"": ""%s""}"\n' \
			    "$d" "$(printf '%02d' $((10#$d + 1)))" "$1" "$s"
		done
	done
}
focus 10.00 >"$T/focus-good.csv"
# Long enough that the half of it is sent in more than one piece.
for i in $(seq 1 200); do focus 99.00; done | awk 'NR == 1 || !/^Charge/' \
    >"$T/focus-new.csv"
printf '{"total": 42}\n' >"$T/feed.json"
printf '{"total": 77, "pad": "%s"}\n' "$(printf 'x%.0s' $(seq 1 20000))" \
    >"$T/feed-new.json"
chmod 644 "$T"/*.csv "$T"/*.json

H=http://127.0.0.1:$HTTP
conf() { # FOCUS-URL JSON-URL [PROBES]
	cat <<CONF
daemon = { data_dir = "$T/data"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
defaults = { interval = 60; timeout = 2; };
systems = (
  { id = "portal"; category = "differentiating"; portfolio = "service";
    collectors = ( ${3:-} ); },
  { id = "desk"; category = "basic"; portfolio = "cooperation"; }
);
feeds = (
  { id = "cloud"; type = "focus"; url = "$1"; },
  { id = "stats"; type = "json"; system = "desk"; perspective = "external-benefit";
    url = "$2"; values = { transactions = "/total"; }; }
);
CONF
}
PROBES='
      { type = "http"; series = "expired"; url = "https://127.0.0.1:'$EXPIRED'/ok";
        ca_file = "'$T'/ca/ca.pem"; },
      { type = "http"; series = "expired-noverify"; url = "https://127.0.0.1:'$EXPIRED'/ok";
        tls_verify = false; },
      { type = "http"; series = "nxdomain"; url = "http://nonexistent.invalid/"; },
      { type = "tcp"; series = "nxdomain-tcp"; host = "nonexistent.invalid"; port = 80; }'
conf "$H/file?path=$T/focus-good.csv" "$H/file?path=$T/feed.json" "$PROBES" \
    >"$T/f.conf"
rc=0
"$BIN/itfollowd" -T -c "$T/f.conf" >"$T/out" 2>"$T/err" || rc=$?
expect_eq "-T exit" "$rc" 0
line() { grep "^$1 " "$T/out" || echo "(none)"; }
R=$T/data/rrd/quality/portal

l=$(line "portal quality expired")
expect_eq "expired: status" "$(field "$l" status)" down
expect_eq "expired: reason" "$(field "$l" reason)" tls
expect_eq "expired: stored up" "$(last "$R/expired.rrd" up)" 0
expect_eq "expired: stored reason" "$(last "$R/expired.rrd" reason)" 4
# Not verifying, the same server is up, and its certificate's days are
# negative: the expiry is what failed.
l=$(line "portal quality expired-noverify")
expect_eq "expired, not verified: status" "$(field "$l" status)" up
expect_num "expired, not verified: cert_days" "$(field "$l" cert_days)" "<" 0

l=$(line "portal quality nxdomain")
expect_eq "nxdomain: status" "$(field "$l" status)" down
expect_eq "nxdomain: reason" "$(field "$l" reason)" dns
expect_eq "nxdomain: stored reason" "$(last "$R/nxdomain.rrd" reason)" 2
l=$(line "portal quality nxdomain-tcp")
expect_eq "nxdomain tcp: status" "$(field "$l" status)" down
expect_eq "nxdomain tcp: reason" "$(field "$l" reason)" dns

export_cost() { # SYSTEM
	"$BIN/itfollow" export -c "$T/f.conf" --system "$1" --perspective cost \
	    --from 2026-01-01 --to 2026-01-06 --step 1d --format csv
}
export_cost portal >"$T/portal.before"
export_cost desk >"$T/desk.before"
export_cost unallocated >"$T/unallocated.before"
grep -q ",10\(\.0*\)\?$" "$T/portal.before" && ok ||
    fail "the good FOCUS file is not stored: $(cat "$T/portal.before")"
expect_eq "json stored" \
    "$(last "$T/data/rrd/external-benefit/desk/transactions.rrd" value)" 42

# The servers die half-way through the new files: down, reason recv, and
# what was stored is what is there.
conf "$H/file?path=$T/focus-new.csv&die=1" "$H/file?path=$T/feed-new.json&die=1" \
    >"$T/f.conf"
rc=0
"$BIN/itfollowd" -T -c "$T/f.conf" >"$T/out" 2>"$T/err" || rc=$?
expect_eq "-T exit (dying feeds)" "$rc" 0
l=$(line "feed/cloud")
expect_eq "focus cut: status" "$(field "$l" status)" down
expect_eq "focus cut: reason" "$(field "$l" reason)" recv
l=$(line "feed/stats")
expect_eq "json cut: status" "$(field "$l" status)" down
expect_eq "json cut: reason" "$(field "$l" reason)" recv
export_cost portal >"$T/portal.after"
export_cost desk >"$T/desk.after"
cmp -s "$T/portal.before" "$T/portal.after" && ok ||
    fail "a cut FOCUS transfer changed portal: $(diff "$T/portal.before" "$T/portal.after")"
cmp -s "$T/desk.before" "$T/desk.after" && ok ||
    fail "a cut FOCUS transfer changed desk"
expect_eq "json after a cut" \
    "$(last "$T/data/rrd/external-benefit/desk/transactions.rrd" value)" 42
export_cost unallocated >"$T/unallocated.after"
cmp -s "$T/unallocated.before" "$T/unallocated.after" && ok ||
    fail "a cut FOCUS transfer changed unallocated"

# A resolver that never answers (a name server on 127.0.0.77:53 that
# reads every query and answers none); a private mount namespace gives
# the daemon a resolv.conf naming it. The run ends at its timeout, as
# dns, not timeout. Then no resolver at all (nothing listens on the
# address: as on a machine without network): dns at once.
if unshare -m true 2>/dev/null && [ -e /etc/resolv.conf ]; then
	"$BIN/itf-testsrv" --silent-dns 127.0.0.77 --pidfile "$T/dns.pid" \
	    2>"$T/dns-srv.log" &
	PIDS="$PIDS $!"
	wait_file "$T/dns.pid"
	printf 'nameserver 127.0.0.77\noptions timeout:5 attempts:2\n' \
	    >"$T/resolv.conf"
	cat >"$T/dns.conf" <<CONF
daemon = { data_dir = "$T/dns"; templates_dir = "$SRC/rrd-templates";
  status_listen = "127.0.0.1:$STATUS"; log_level = "info"; };
defaults = { interval = 2; };
systems = ( { id = "portal"; category = "basic"; portfolio = "service";
    collectors = (
      { type = "http"; series = "silent-resolver"; url = "http://nonexistent.invalid/"; timeout = 1.5; },
      { type = "http"; series = "literal"; url = "$H/ok"; timeout = 1.5; },
      { type = "tcp"; series = "silent-resolver-tcp"; host = "nonexistent.invalid"; port = 80; timeout = 1.5; }
    ); } );
CONF
	start=$(date +%s)
	unshare -m sh -c 'mount --bind "$1" /etc/resolv.conf && exec "$2" -T -c "$3"' \
	    sh "$T/resolv.conf" "$BIN/itfollowd" "$T/dns.conf" >"$T/dns.out" \
	    2>"$T/dns.err" || fail "unshare -T: $(cat "$T/dns.err")"
	end=$(date +%s)
	l=$(grep "^portal quality silent-resolver " "$T/dns.out" || true)
	expect_eq "silent resolver: status" "$(field "$l" status)" down
	expect_eq "silent resolver: reason" "$(field "$l" reason)" dns
	expect_num "silent resolver: wall time" "$((end - start))" "<=" 4
	l=$(grep "^portal quality silent-resolver-tcp " "$T/dns.out" || true)
	expect_eq "silent resolver, tcp: status" "$(field "$l" status)" down
	expect_eq "silent resolver, tcp: reason" "$(field "$l" reason)" dns
	l=$(grep "^portal quality literal " "$T/dns.out" || true)
	expect_eq "an IP literal needs no resolver" "$(field "$l" status)" up
	# The log names the cause, at info level.
	unshare -m sh -c 'mount --bind "$1" /etc/resolv.conf && exec "$2" -f -c "$3"' \
	    sh "$T/resolv.conf" "$BIN/itfollowd" "$T/dns.conf" 2>"$T/dns-f.err" &
	p=$!
	PIDS="$PIDS $p"
	for i in $(seq 1 60); do
		grep -q "silent-resolver: down" "$T/dns-f.err" && break
		sleep 0.1
	done
	kill "$p"
	grep -q "portal/silent-resolver: down (dns): Resolving timed out" \
	    "$T/dns-f.err" && ok ||
	    fail "silent resolver not logged as dns: $(cat "$T/dns-f.err")"
	printf 'nameserver 127.0.0.78\n' >"$T/resolv.conf"
	start=$(date +%s)
	unshare -m sh -c 'mount --bind "$1" /etc/resolv.conf && exec "$2" -T -c "$3"' \
	    sh "$T/resolv.conf" "$BIN/itfollowd" "$T/dns.conf" >"$T/dns.out" \
	    2>"$T/dns.err" || fail "unshare -T: $(cat "$T/dns.err")"
	end=$(date +%s)
	l=$(grep "^portal quality silent-resolver " "$T/dns.out" || true)
	expect_eq "no resolver: reason" "$(field "$l" reason)" dns
	expect_num "no resolver: wall time" "$((end - start))" "<=" 2
else
	echo "note: no mount namespace here (unshare -m failed) or no" \
	    "/etc/resolv.conf to stand in for: the silent resolver case was" \
	    "not run"
fi
finish
