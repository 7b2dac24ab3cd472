# The Debian package, installed the way operations staff install it.
# scripts/package builds it and two newer revisions; its control data,
# dependencies (against the libraries the binaries need, found here with
# readelf and dpkg -S), conffiles, hardening and lintian's verdict are
# checked. Then a fresh Debian 12 (debootstrap --variant=minbase, cached as
# a tarball under the build directory) gets it with `apt install
# ./itfollow_*.deb`: the user, the files with their owners and modes,
# `itfollowd -n` on the installed configuration, the service enabled and
# started, an edited configuration kept over an upgrade, an upgrade over a
# configuration that no longer passes -n (the running daemon stays and the
# reason is printed), a state directory of another user (reported, not
# taken over), remove, and a purge that leaves nothing behind.
#
# systemd cannot run in a chroot, so the service steps are stubbed: the
# maintainer scripts see a systemd host (/run/systemd/system exists) and
# call the real deb-systemd-helper and deb-systemd-invoke, but the
# systemctl these reach is a stub that logs every call and, for
# itfollowd.service, does by hand what the unit says (StateDirectory=,
# User=, Group=, ExecStart=); /usr/sbin/policy-rc.d lets only itfollowd
# start. The test runs in its own mount and PID namespaces and the daemon
# in its own network namespace, so mounts, processes and its port 8470
# vanish with the test, even when it is killed.
if [ -z "${ITF_PACKAGE_NS:-}" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "package.sh debootstraps and chroots: run it as root"
		exit 1
	fi
	ITF_PACKAGE_NS=1 exec unshare --mount --pid --fork --kill-child \
	    --mount-proc --propagation private bash "$0" "$@"
fi
# The chroot needs room and device nodes: it lives under the build
# directory, not in /tmp (a small tmpfs, or nodev, on some hosts).
BUILD=${ITF_BUILD_DIR:-$(cd "$(dirname "$0")/../.." && pwd)/build}
mkdir -p "$BUILD/package-tmp"
export TMPDIR=$BUILD/package-tmp
. "$(dirname "$0")/lib.bash"

CACHE=$BUILD/package-cache
ARCH=$(dpkg --print-architecture)
VERSION=$("$BIN/itfollowd" -V | cut -d' ' -f2)
CODENAME=$(sed -n "s/^VERSION_CODENAME=//p" /etc/os-release)
R=$T/root
CONF=/etc/itfollow/itfollowd.conf
HOLDER=""

package_cleanup() {
	local pid i
	pid=$(cat "$R/run/itf-stub/pid" 2>/dev/null || true)
	if [ -n "$pid" ] && kill "$pid" 2>/dev/null; then
		for i in $(seq 1 100); do
			grep -q '^State:[[:space:]]*[^Z]' "/proc/$pid/status" \
			    2>/dev/null || break
			sleep 0.1
		done
	fi
	if [ -n "$HOLDER" ]; then
		kill "$HOLDER" 2>/dev/null || true
	fi
	if mountpoint -q "$R/proc" 2>/dev/null; then
		umount -l "$R/proc"
	fi
	cleanup
}
trap package_cleanup EXIT

# --- the packages -----------------------------------------------------
for rev in 1 2 3; do
	"$SRC/scripts/package" -B "$BUILD/package" -o "$T/deb$rev" \
	    -DITF_DEB_RELEASE=$rev >"$T/package$rev.log" 2>&1 && rc=0 || rc=$?
	expect_eq "scripts/package -DITF_DEB_RELEASE=$rev" "$rc" 0
	expect_eq "the path it printed" "$(tail -n 1 "$T/package$rev.log")" \
	    "$T/deb$rev/itfollow_$VERSION-${rev}_$ARCH.deb"
done
DEB1=$T/deb1/itfollow_$VERSION-1_$ARCH.deb
DEB2=$T/deb2/itfollow_$VERSION-2_$ARCH.deb
DEB3=$T/deb3/itfollow_$VERSION-3_$ARCH.deb
[ -f "$DEB1" ] && [ -f "$DEB2" ] && [ -f "$DEB3" ] || {
	cat "$T"/package*.log
	fail "no packages"
	exit 1
}

control() { dpkg-deb -f "$DEB1" "$1"; }
expect_eq "Package" "$(control Package)" itfollow
expect_eq "Version" "$(control Version)" "$VERSION-1"
expect_eq "Architecture" "$(control Architecture)" "$ARCH"
expect_eq "conffiles" "$(dpkg-deb --ctrl-tarfile "$DEB1" |
    tar -xOf - ./conffiles)" "$CONF"
DEPENDS=$(control Depends)
case ", $DEPENDS," in
*", systemd | systemd-standalone-sysusers | systemd-sysusers,"*) ok ;;
*) fail "Depends lacks systemd-sysusers: $DEPENDS" ;;
esac
expect_eq "Recommends" "$(control Recommends)" "rrdcached, fonts-dejavu-core"
expect_eq "Suggests" "$(control Suggests)" \
    "monitoring-plugins, munin-plugins-core"

# Every library the binaries load is in Depends: readelf names them, the
# dynamic linker finds them, dpkg says whose they are.
X=$T/x
dpkg-deb -x "$DEB1" "$X"
for bin in usr/sbin/itfollowd usr/bin/itfollow \
    usr/lib/itfollow/itfollow-render; do
	for lib in $(readelf -d "$X/$bin" |
	    sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
		path=$(ldconfig -p | awk -v l="$lib" '$1 == l { print $NF; exit }')
		# The file in its multiarch directory: another architecture's
		# package may have a file of the same name (lib32gcc-s1).
		real=$(readlink -f "$path")
		pkg=$(dpkg -S "*/$(basename "$(dirname "$real")")/$(basename "$real")" 2>/dev/null |
		    cut -d: -f1 | sort -u | head -n 1)
		case ", $DEPENDS" in
		*", $pkg "* | *", $pkg,"* | *", $pkg") ok ;;
		*) fail "$bin needs $lib ($pkg), not in Depends: $DEPENDS" ;;
		esac
	done
	# Debian's hardening (dpkg-buildflags), stripped as dh_strip does.
	readelf -d "$X/$bin" | grep -q 'FLAGS_1.*NOW.*PIE' && ok ||
	    fail "$bin: not PIE with BIND_NOW"
	readelf -lW "$X/$bin" | grep -q GNU_RELRO && ok || fail "$bin: no RELRO"
	readelf -SW "$X/$bin" | grep -q -e '\.symtab' -e '\.comment' &&
	    fail "$bin: not stripped" || ok
	nm -D "$X/$bin" | grep -q '__[a-z]*_chk' && ok ||
	    fail "$bin: not built with _FORTIFY_SOURCE"
done
zcat "$X/usr/share/man/man8/itfollowd.8.gz" | grep -q '^\.Nm itfollowd' &&
    ok || fail "itfollowd.8.gz"

# lintian: no error, and each warning is one the README gives a reason for.
TMPDIR=$T lintian -EvIL +pedantic --tag-display-limit 0 "$DEB1" \
    >"$T/lintian.out" 2>&1 ||
    true
expect_eq "lintian errors" "$(grep '^E:' "$T/lintian.out" || true)" ""
for tag in $(sed -n 's/^W: itfollow: \([^ ]*\).*/\1/p' "$T/lintian.out" |
    sort -u); do
	sed -n '/^### lintian/,/^#/p' "$SRC/README.md" |
	    grep -q "^- \`$tag\`" && ok ||
	    fail "lintian warning $tag is not listed in the README"
done
# ... and lintian does find errors: the same package without its
# copyright file.
dpkg-deb -R "$DEB1" "$T/broken"
rm "$T/broken/usr/share/doc/itfollow/copyright"
sed -i '/\/copyright$/d' "$T/broken/DEBIAN/md5sums"
dpkg-deb -b "$T/broken" "$T/broken.deb" >/dev/null
TMPDIR=$T lintian "$T/broken.deb" 2>&1 | grep -q '^E: itfollow: no-copyright-file' &&
    ok || fail "lintian missed a missing copyright file"

# --- a fresh Debian 12 ------------------------------------------------
expect_eq "the build host's release" "$CODENAME" bookworm
# The mirror the host's apt uses: its sources, whatever their format.
SOURCES=$(apt-get indextargets --format '$(REPO_URI) $(RELEASE)' \
    'Identifier: Packages' | awk -v c="$CODENAME" \
    '$2 == c || index($2, c "-") == 1' | sort -u)
MIRROR=$(awk -v c="$CODENAME" '$2 == c { print $1; exit }' <<<"$SOURCES")
[ -n "$MIRROR" ] && ok || fail "no $CODENAME mirror in the host's apt sources"
# ... and the proxy it goes through, if any.
PROXY=$(apt-config dump | sed -n 's/^Acquire::http::Proxy "\(.*\)";$/\1/p')

mkdir -p "$CACHE/archives"
TARBALL=$CACHE/$CODENAME-minbase-$ARCH.tar
if [ ! -f "$TARBALL" ]; then
	if [ -n "$PROXY" ]; then
		export http_proxy=$PROXY
	fi
	debootstrap --variant=minbase "$CODENAME" "$T/bootstrap" "$MIRROR" \
	    >"$T/debootstrap.log" 2>&1 || {
		tail -n 20 "$T/debootstrap.log"
		fail "debootstrap $CODENAME $MIRROR"
		exit 1
	}
	rm -f "$T/bootstrap"/var/cache/apt/archives/*.deb
	tar -C "$T/bootstrap" -cf "$TARBALL.tmp" .
	mv "$TARBALL.tmp" "$TARBALL"
	rm -rf "$T/bootstrap"
fi
mkdir "$R"
tar -C "$R" -xf "$TARBALL"
mount -t proc proc "$R/proc"
while read -r uri suite; do
	echo "deb $uri $suite main"
done <<<"$SOURCES" >"$R/etc/apt/sources.list"
if [ -n "$PROXY" ]; then
	echo "Acquire::http::Proxy \"$PROXY\";" >"$R/etc/apt/apt.conf.d/00proxy"
fi
cp "$CACHE"/archives/*.deb "$R/var/cache/apt/archives/" 2>/dev/null || true

in_root() {
	chroot "$R" env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	    HOME=/root LC_ALL=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
}
APT="apt-get -y -q -o Dpkg::Use-Pty=0 -o Acquire::Retries=3"

# The daemon's own network: loopback only, nobody else's port 8470.
unshare --net sleep infinity &
HOLDER=$!
for i in $(seq 1 50); do
	[ "$(readlink "/proc/$HOLDER/ns/net")" != "$(readlink /proc/self/ns/net)" ] &&
	    break
	sleep 0.1
done
[ "$(readlink "/proc/$HOLDER/ns/net")" != "$(readlink /proc/self/ns/net)" ] || {
	fail "no network namespace for the daemon"
	exit 1
}
nsenter --net="/proc/$HOLDER/ns/net" ip link set lo up
in_netns() { nsenter --net="/proc/$HOLDER/ns/net" "$@"; }

# The stubs (see the top of this file). systemctl is diverted first, so
# that the systemd package installs its own beside the stub.
in_root dpkg-divert --local --rename --add /bin/systemctl >/dev/null
mkdir -p "$R/run/systemd/system" "$R/run/itf-stub"
echo "$HOLDER" >"$R/run/itf-stub/netns.pid"
cat >"$R/usr/sbin/policy-rc.d" <<'EOF'
#!/bin/sh
# Only itfollowd starts in this chroot.
case "$1" in itfollowd | itfollowd.service) exit 0 ;; esac
exit 101
EOF
cat >"$R/usr/bin/systemctl" <<'EOF'
#!/bin/sh
# systemctl for a chroot without systemd: logs each call; starts, stops and
# tells the state of itfollowd.service by what its unit file says; leaves
# everything else (enabling, masking, other units) to the real systemctl,
# which works on unit files in a chroot and ignores what needs systemd.
S=/run/itf-stub
echo "$*" >>$S/systemctl.log
action= unit=
for a; do
	case "$a" in
	-*) ;;
	*) if [ -z "$action" ]; then action=$a; elif [ -z "$unit" ]; then unit=$a; fi ;;
	esac
done
case "$unit:$action" in
itfollowd.service:start | itfollowd.service:stop | itfollowd.service:restart | \
    itfollowd.service:is-active) ;;
*) exec /bin/systemctl.distrib "$@" ;;
esac
for u in /lib/systemd/system/$unit /usr/lib/systemd/system/$unit; do
	[ -f "$u" ] && U=$u
done
key() { sed -n "s/^$1=//p" "$U" | head -n 1; }
running() {
	[ -f $S/pid ] && grep -q '^State:[[:space:]]*[^Z]' "/proc/$(cat $S/pid)/status" 2>/dev/null
}
start() {
	running && return 0
	user=$(key User) group=$(key Group)
	# StateDirectory= as systemd does it: made, or taken over.
	dir=/var/lib/$(key StateDirectory)
	mkdir -p "$dir"
	chown "$user:$group" "$dir"
	chmod "$(key StateDirectoryMode)" "$dir"
	# shellcheck disable=SC2046
	nsenter --net="/proc/$(cat $S/netns.pid)/ns/net" setpriv --reuid="$user" \
	    --regid="$group" --init-groups $(key ExecStart) </dev/null >>$S/itfollowd.log 2>&1 &
	echo $! >$S/pid
}
stop() {
	running || return 0
	kill "$(cat $S/pid)"
	i=0
	while running && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	! running
}
case "$action" in
is-active) running ;;
start) start ;;
stop) stop ;;
restart) stop && start ;;
esac
EOF
chmod 755 "$R/usr/sbin/policy-rc.d" "$R/usr/bin/systemctl"

in_root $APT update >"$T/update.log" 2>&1 && rc=0 || rc=$?
expect_eq "apt-get update in the chroot" "$rc" 0
mkdir "$R/tmp/debs"
cp "$DEB1" "$DEB2" "$DEB3" "$R/tmp/debs/"
D1=/tmp/debs/${DEB1##*/}
D2=/tmp/debs/${DEB2##*/}
D3=/tmp/debs/${DEB3##*/}
# apt resolves the package in the fresh system; then what it would pull
# in goes in first, so that what itfollow itself leaves is what is seen.
in_root $APT install --simulate "$D1" >"$T/simulate.log" 2>&1 && rc=0 ||
    rc=$?
expect_eq "apt-get install --simulate ./itfollow.deb" "$rc" 0
grep -q '^Inst itfollow ' "$T/simulate.log" && ok ||
    fail "apt would not install itfollow: $(tail -n 5 "$T/simulate.log")"
in_root $APT satisfy "$DEPENDS, $(control Recommends)" >"$T/satisfy.log" 2>&1 &&
    rc=0 || rc=$?
expect_eq "apt-get satisfy the dependencies" "$rc" 0
cp -n "$R"/var/cache/apt/archives/*.deb "$CACHE/archives/" 2>/dev/null || true

# What is in the chroot: every path with type, mode and owner, and the
# contents of /etc. Left out: apt's and dpkg's own records, logs, caches,
# /tmp and /run.
snapshot() {
	(
		cd "$R" || exit 1
		find . -xdev \( -path ./proc -o -path ./tmp -o -path ./run \
		    -o -path ./var/lib/dpkg -o -path ./var/lib/apt \
		    -o -path ./var/cache -o -path ./var/log \) -prune \
		    -o -printf '%y %m %U:%G %p\n' | sort
		find ./etc -xdev -type f -exec md5sum {} + | sort -k2
	)
}
# Nothing left but the itfollow user (and its group), kept on purge: files
# it owned elsewhere would pass to the next user given its uid.
purged() {
	snapshot >"$T/after"
	diff "$T/before" "$T/after" | grep '^[<>]' |
	    grep -v -e ' \./etc/\(passwd\|group\|shadow\|gshadow\)-\?$'
	for f in passwd group shadow gshadow; do
		diff <(grep -v '^itfollow:' "$R/etc/$f") "$T/$f.before"
	done
	in_root dpkg-statoverride --list "$CONF" || true
	in_root find / -xdev \( -user itfollow -o -group itfollow \) -print
	return 0
}
snapshot >"$T/before"
for f in passwd group shadow gshadow; do
	cp "$R/etc/$f" "$T/$f.before"
done

# --- install ----------------------------------------------------------
stublog() { cat "$R/run/itf-stub/systemctl.log" 2>/dev/null; }
daemon_pid() { cat "$R/run/itf-stub/pid" 2>/dev/null || true; }
alive() { [ -n "$1" ] && grep -q '^State:[[:space:]]*[^Z]' "/proc/$1/status" 2>/dev/null; }
health() {
	in_netns curl -s -o /dev/null -w '%{http_code}' --max-time 5 \
	    http://127.0.0.1:8470/health || true
}
wait_health() {
	local i
	for i in $(seq 1 100); do
		[ "$(health)" = 200 ] && return 0
		sleep 0.1
	done
	return 1
}

in_root $APT install "$D1" >"$T/install1.log" 2>&1 && rc=0 || rc=$?
expect_eq "apt install ./${DEB1##*/}" "$rc" 0
expect_eq "dpkg status" "$(in_root dpkg-query -W -f='${Status} ${Version}' \
    itfollow)" "install ok installed $VERSION-1"
in_root dpkg-query -W -f='${Conffiles}' itfollow | grep -q "^ $CONF [0-9a-f]\{32\}$" &&
    ok || fail "dpkg does not hold $CONF as a conffile"

# The user: a system user and group, at home in the state directory.
IFS=: read -r name _ uid gid _ home shell <<<"$(in_root getent passwd itfollow)"
expect_eq "user itfollow" "$name" itfollow
[ -n "$uid" ] && [ "$uid" -gt 0 ] && [ "$uid" -lt 1000 ] && ok ||
    fail "itfollow is not a system user: uid $uid"
expect_eq "its group" "$(in_root getent group itfollow | cut -d: -f3)" "$gid"
expect_eq "its home" "$home" /var/lib/itfollow
expect_eq "its shell" "$shell" /usr/sbin/nologin

# The files, their owners and modes.
UNIT=$(in_root dpkg -L itfollow | grep '/systemd/system/itfollowd.service$')
STATEMODE=$(sed -n 's/^StateDirectoryMode=0*//p' "$R$UNIT")
while read -r path want; do
	got=$(in_root stat -c '%U:%G %a' "$path" 2>&1)
	expect_eq "$path" "$got" "$want"
done <<EOF
/usr/sbin/itfollowd root:root 755
/usr/bin/itfollow root:root 755
/etc/itfollow root:root 755
$CONF root:itfollow 640
$UNIT root:root 644
/usr/lib/sysusers.d/itfollow.conf root:root 644
/usr/share/itfollow/rrd-templates/http.tmpl root:root 644
/usr/share/man/man8/itfollowd.8.gz root:root 644
/usr/share/man/man1/itfollow.1.gz root:root 644
/usr/share/man/man5/itfollowd.conf.5.gz root:root 644
/usr/include/itfollow/collector.h root:root 644
/usr/share/pkgconfig/itfollow-collector.pc root:root 644
/usr/share/doc/itfollow/copyright root:root 644
/usr/share/doc/itfollow/changelog.Debian.gz root:root 644
/usr/share/doc/itfollow/examples/itfollowd.conf root:root 644
/usr/lib/itfollow/plugins root:root 755
/var/lib/itfollow itfollow:itfollow $STATEMODE
EOF
out=$(in_root dpkg -L itfollow | in_root xargs stat -c '%U:%G %n' |
    grep -v -e '^root:root ' -e "^root:itfollow $CONF\$" || true)
expect_eq "files of the package not root's" "$out" ""
out=$(in_root dpkg -L itfollow | in_root xargs stat -c '%A %n' |
    grep '^........w' || true)
expect_eq "files of the package writable by all" "$out" ""

# The installed configuration passes the installed daemon's -n.
out=$(in_root itfollowd -n 2>&1) && rc=0 || rc=$?
expect_eq "itfollowd -n on the installed $CONF" "$rc:$out" "0:"
out=$(in_root itfollow check -c "$CONF" 2>&1) && rc=0 || rc=$?
expect_eq "itfollow check -c $CONF" "$rc:$out" "0:"
expect_eq "itfollowd -V" "$(in_root itfollowd -V)" "itfollowd $VERSION"
expect_eq "statoverride of $CONF" "$(in_root dpkg-statoverride --list "$CONF")" \
    "root itfollow 640 $CONF"

# Enabled and started, as the itfollow user, with the unit's command.
WANTS=/etc/systemd/system/multi-user.target.wants/itfollowd.service
expect_eq "enabled" "$(in_root readlink -f "$WANTS")" "$UNIT"
grep -qx -- '--quiet --system start itfollowd.service' \
    <<<"$(stublog)" && ok || fail "not started: $(stublog)"
P1=$(daemon_pid)
alive "$P1" || {
	fail "itfollowd is not running: $(cat "$R/run/itf-stub/itfollowd.log")"
	exit 1
}
expect_eq "itfollowd's uid" "$(awk '/^Uid:/ { print $2 }' "/proc/$P1/status")" "$uid"
expect_eq "itfollowd's command" "$(tr '\0' ' ' <"/proc/$P1/cmdline")" \
    "/usr/sbin/itfollowd -f -c $CONF "
wait_health && ok || fail "/health of the installed daemon: $(health)"
expect_eq "warnings of the installed daemon" \
    "$(grep -v '\[\(info\|notice\)\]: ' "$R/run/itf-stub/itfollowd.log")" ""
# The daemon works as installed: it probes itself and writes its RRD file
# as the itfollow user (the first run falls within one interval, 60 s;
# its value is held, store.write_delay, until a reader such as the
# installed "itfollow last", in the daemon's network namespace, asks the
# daemon to write it).
RRD=/var/lib/itfollow/rrd/quality/itfollowd/health.rrd
for i in $(seq 1 750); do
	[ -f "$R$RRD" ] && break
	[ $((i % 10)) -eq 0 ] &&
	    { in_netns chroot "$R" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	        itfollow last -c "$CONF" itfollowd health >/dev/null 2>&1 ||
	        true; }
	sleep 0.1
done
expect_eq "$RRD" "$(in_root stat -c %U:%G "$RRD" 2>&1)" itfollow:itfollow
expect_eq "up in $RRD" "$(rrdtool lastupdate "$R$RRD" 2>&1 |
    awk 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "up") c = i }
    NR == 3 { print $(c + 1) }')" 1
out=$(in_root find /var/lib/itfollow ! -user itfollow)
expect_eq "files under /var/lib/itfollow not itfollow's" "$out" ""

# The maintainer scripts may run again: a second configure changes
# nothing but the daemon's pid (a restart).
snapshot >"$T/configured"
for i in 1 2; do
	in_root env DPKG_MAINTSCRIPT_PACKAGE=itfollow DPKG_MAINTSCRIPT_NAME=postinst \
	    /var/lib/dpkg/info/itfollow.postinst configure "$VERSION-1" \
	    >"$T/postinst$i.log" 2>&1 && rc=0 || rc=$?
	expect_eq "postinst configure, run $i more" "$rc" 0
done
# (The daemon's own files come and go as it restarts.)
diff "$T/configured" <(snapshot) | grep '^[<>]' |
    grep -v ' \./var/lib/itfollow/' >"$T/configured.diff" &&
    fail "postinst run again changed: $(cat "$T/configured.diff")" || ok
expect_eq "users called itfollow" "$(grep -c '^itfollow:' "$R/etc/passwd")" 1
P1=$(daemon_pid)
alive "$P1" && ok || fail "itfollowd not running after postinst ran again"
wait_health && ok || fail "/health after postinst ran again: $(health)"

# --- an upgrade keeps an edited configuration --------------------------
sed -i 's/^  log_level = "info";/  log_level = "debug";/' "$R$CONF"
echo "# edited by the administrator" >>"$R$CONF"
cp "$R$CONF" "$T/edited.conf"
: >"$R/run/itf-stub/systemctl.log"
in_root $APT install "$D2" >"$T/install2.log" 2>&1 && rc=0 || rc=$?
expect_eq "apt install ./${DEB2##*/} (upgrade)" "$rc" 0
expect_eq "dpkg status" "$(in_root dpkg-query -W -f='${Status} ${Version}' \
    itfollow)" "install ok installed $VERSION-2"
cmp -s "$T/edited.conf" "$R$CONF" && ok ||
    fail "the upgrade changed the edited $CONF: $(diff "$T/edited.conf" "$R$CONF")"
expect_eq "conffile copies left" "$(ls "$R/etc/itfollow")" itfollowd.conf
grep -qx -- '--quiet --system restart itfollowd.service' <<<"$(stublog)" &&
    ok || fail "not restarted by the upgrade: $(stublog)"
P2=$(daemon_pid)
alive "$P1" && fail "the daemon before the upgrade still runs" || ok
alive "$P2" && [ "$P2" != "$P1" ] && ok || fail "no daemon after the upgrade"
wait_health && ok || fail "/health after the upgrade: $(health)"

# --- an upgrade over a configuration the new daemon refuses -------------
# The running daemon keeps running with the configuration it read; the
# package is installed; apt's output says which line is wrong and why
# nothing was restarted.
sed -i 's/^  log_level = "debug";/&\n  retention = 30;/' "$R$CONF"
line=$(grep -n '^  retention = 30;' "$R$CONF" | cut -d: -f1)
cp "$R$CONF" "$T/bad.conf"
: >"$R/run/itf-stub/systemctl.log"
in_root $APT install "$D3" >"$T/install3.log" 2>&1 && rc=0 || rc=$?
expect_eq "apt install ./${DEB3##*/} over a bad configuration" "$rc" 0
expect_eq "dpkg status" "$(in_root dpkg-query -W -f='${Status} ${Version}' \
    itfollow)" "install ok installed $VERSION-3"
grep -q "^$CONF:$line: unknown key \"retention\"" "$T/install3.log" && ok ||
    fail "apt's output lacks the error of $CONF:$line: $(cat "$T/install3.log")"
grep -q "^itfollow: $CONF does not pass itfollowd -n (above): itfollowd was not (re)started and a running one keeps its configuration" \
    "$T/install3.log" && ok || fail "apt's output does not say why"
expect_eq "systemctl calls on itfollowd" "$(grep itfollowd <<<"$(stublog)")" ""
grep -qx -- '--system daemon-reload' <<<"$(stublog)" && ok ||
    fail "the changed unit file was not reloaded: $(stublog)"
expect_eq "the daemon" "$(daemon_pid)" "$P2"
alive "$P2" && ok || fail "the running daemon was stopped"
wait_health && ok || fail "/health with the old configuration: $(health)"
cmp -s "$T/bad.conf" "$R$CONF" && ok || fail "$CONF was changed"
# Once the file is right again, a restart takes the new daemon.
cp "$T/edited.conf" "$R$CONF"
in_root systemctl restart itfollowd.service
P3=$(daemon_pid)
alive "$P3" && [ "$P3" != "$P2" ] && ok || fail "no restart after the fix"
wait_health && ok || fail "/health after the fix: $(health)"

# --- remove, then purge -------------------------------------------------
: >"$R/run/itf-stub/systemctl.log"
in_root $APT remove itfollow >"$T/remove.log" 2>&1 && rc=0 || rc=$?
expect_eq "apt remove itfollow" "$rc" 0
grep -qx 'stop itfollowd.service' <<<"$(stublog)" && ok ||
    fail "not stopped on remove: $(stublog)"
alive "$P3" && fail "itfollowd runs after apt remove" || ok
expect_eq "dpkg status after remove" "$(in_root dpkg-query -W \
    -f='${Status}' itfollow)" "deinstall ok config-files"
[ ! -e "$R/usr/sbin/itfollowd" ] && ok || fail "itfollowd left after remove"
cmp -s "$T/edited.conf" "$R$CONF" && ok || fail "remove lost $CONF"
[ -d "$R/var/lib/itfollow/rrd" ] && ok || fail "remove lost the RRD files"
# (What is left after a remove, as the check below would see it.)
out=$(purged)
for p in "./etc/itfollow/itfollowd.conf" "./var/lib/itfollow/journal.sqlite" \
    "root itfollow 640 $CONF"; do
	grep -q " $p\$\|^$p\$" <<<"$out" && ok || fail "after remove, no $p in: $out"
done

in_root $APT purge itfollow >"$T/purge.log" 2>&1 && rc=0 || rc=$?
expect_eq "apt purge itfollow" "$rc" 0
expect_eq "dpkg status after purge" "$(in_root dpkg-query -W \
    -f='${Status}' itfollow 2>&1)" \
    "dpkg-query: no packages found matching itfollow"
expect_eq "left after apt purge" "$(purged)" ""

# --- a state directory of another user is not taken over ---------------
in_root install -d -o www-data -g www-data -m 700 /var/lib/itfollow
echo "www-data's" >"$R/var/lib/itfollow/data"
in_root chown www-data:www-data /var/lib/itfollow/data
: >"$R/run/itf-stub/systemctl.log"
in_root $APT install "$D1" >"$T/install4.log" 2>&1 && rc=0 || rc=$?
[ "$rc" != 0 ] && ok || fail "apt install over www-data's /var/lib/itfollow succeeded"
grep -q "^itfollow: /var/lib/itfollow belongs to www-data (uid 33), not to itfollow: itfollowd is not started, as it would take /var/lib/itfollow over." \
    "$T/install4.log" && ok ||
    fail "apt's output does not say whose /var/lib/itfollow is: $(cat "$T/install4.log")"
expect_eq "/var/lib/itfollow" "$(in_root stat -c '%U:%G %a' /var/lib/itfollow)" \
    "www-data:www-data 700"
expect_eq "what it holds" "$(in_root stat -c %U "/var/lib/itfollow/data"):$(cat "$R/var/lib/itfollow/data")" \
    "www-data:www-data's"
expect_eq "systemctl calls" "$(stublog)" ""
[ ! -e "$R$WANTS" ] && ok || fail "enabled over www-data's /var/lib/itfollow"
expect_eq "dpkg status" "$(in_root dpkg-query -W -f='${Status}' itfollow)" \
    "install ok half-configured"
# The administrator decides it is itfollow's after all; configuring again
# finishes the installation.
in_root chown -R itfollow:itfollow /var/lib/itfollow
in_root dpkg --configure -a >"$T/configure.log" 2>&1 && rc=0 || rc=$?
expect_eq "dpkg --configure -a" "$rc" 0
alive "$(daemon_pid)" && ok || fail "not started after dpkg --configure -a"
wait_health && ok || fail "/health after dpkg --configure -a: $(health)"
expect_eq "what it holds, kept" "$(cat "$R/var/lib/itfollow/data")" "www-data's"
in_root $APT purge itfollow >"$T/purge2.log" 2>&1 && rc=0 || rc=$?
expect_eq "apt purge itfollow, again" "$rc" 0
expect_eq "left after the second purge" "$(purged)" ""
# A purge again, by the script itself, changes nothing.
dpkg-deb -e "$DEB1" "$R/tmp/control"
in_root env DPKG_MAINTSCRIPT_PACKAGE=itfollow DPKG_MAINTSCRIPT_NAME=postrm \
    /tmp/control/postrm purge && rc=0 || rc=$?
expect_eq "postrm purge, run again" "$rc" 0
expect_eq "left after postrm purge again" "$(purged)" ""

finish
