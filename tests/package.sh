#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# package.sh -- the Debian package from build to purge: dpkg-buildpackage
# -b builds it from a copy of the tree, lintian finds no error, apt-get
# installs it (the user, the conffile, the unit, the man pages, the state
# directory), the installed mxpolicy-milter -t accepts the installed
# config, one accepted and one refused session pass through a private
# Postfix against the installed binary, and a purge leaves nothing but
# what Debian keeps (the system user).  Needs root; changes the system's
# packages, so it runs from contrib/quickstart test, not from make check.
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
top_srcdir=$(cd "$top_srcdir" && pwd)
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

if [ "$(id -u)" -ne 0 ]; then
	[ "${CI:-}" = true ] && { fail "package.sh needs root under CI=true"; finish; }
	echo "SKIP: package.sh needs root"
	exit 77
fi
if [ ! -d "$top_srcdir/debian" ]; then
	echo "SKIP: no debian/ directory (a release tarball)"
	exit 77
fi
# It installs and purges the package: never over an administrator's own.
if dpkg-query -W -f='${Status}' mxpolicy-milter 2>/dev/null | grep -q 'installed'; then
	[ "${CI:-}" = true ] && { fail "mxpolicy-milter is installed here already: package.sh would purge it"; finish; }
	echo "SKIP: mxpolicy-milter is installed on this host; package.sh would purge it"
	exit 77
fi
W=$(mktemp -d /tmp/mxpolicy-package.XXXXXX)
POLICY=/usr/sbin/policy-rc.d
made_policy=
cleanup() {
	[ -n "$made_policy" ] && rm -f "$POLICY"
	rm -rf "$W"
}
trap cleanup EXIT

# The files of the tree as git sees them, new ones included, but none of
# the build's (a checkout without git: all but _build).
tree_files() {
	if git -C "$top_srcdir" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$top_srcdir" ls-files --cached --others --exclude-standard |
			while IFS= read -r f; do [ -e "$top_srcdir/$f" ] && printf '%s\n' "$f"; done
	else
		(cd "$top_srcdir" && find . -path ./_build -prune -o -type f -print)
	fi
}

# 1. Build from a copy: the caller's tree stays as it was.
tree_files | (cd "$top_srcdir" && tar cf - -T -) | (mkdir -p "$W/src" && tar xf - -C "$W/src")
if (cd "$W/src" && timeout 1200 dpkg-buildpackage -b -us -uc) >"$W/build.log" 2>&1; then
	pass "dpkg-buildpackage -b -us -uc"
else
	fail "dpkg-buildpackage:"; tail -30 "$W/build.log" | sed 's/^/    | /'; finish
fi
deb=$(ls "$W"/mxpolicy-milter_*_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] && pass "built $(basename "$deb")" || { fail "no .deb built"; finish; }

# 2. lintian: no error.
timeout 600 lintian "$W"/mxpolicy-milter_*.changes >"$W/lintian.log" 2>&1
if grep -q '^E: ' "$W/lintian.log"; then
	fail "lintian errors:"; grep '^E: ' "$W/lintian.log" | sed 's/^/    | /'
else
	pass "lintian: no error ($(grep -c '^W: ' "$W/lintian.log") warnings)"
fi

# The service's life across package operations, as the maintainer
# scripts hold it (no systemd runs here to watch it): an upgrade restarts
# an enabled filter rather than stopping it for good (which would hold
# the MTA's mail, default_action=tempfail), a removal stops it.  Not
# started at install because not enabled ("nothing enabled" below):
# deb-systemd-invoke starts enabled units only.
dpkg-deb -e "$deb" "$W/control"
if grep -q '_dh_action=restart' "$W/control/postinst" &&
	! grep -qs 'deb-systemd-invoke stop' "$W/control/preinst"; then
	pass "maintainer scripts: an upgrade restarts the filter"
else
	fail "maintainer scripts: an upgrade stops the filter and starts it no more"
fi
grep -q "deb-systemd-invoke stop 'mxpolicy-milter.service'" "$W/control/prerm" 2>/dev/null &&
	pass "prerm stops the filter on removal" || fail "prerm leaves the filter running on removal"

# 3. Install, with no service started (a container has no systemd).
if [ ! -e "$POLICY" ]; then
	printf '#!/bin/sh\nexit 101\n' >"$POLICY" && chmod 755 "$POLICY" && made_policy=yes
fi
user_before=$(getent passwd mxpolicy)
if DEBIAN_FRONTEND=noninteractive timeout 900 apt-get -o DPkg::Lock::Timeout=300 install -y -q "$deb" \
	</dev/null >"$W/install.log" 2>&1; then
	pass "apt-get install ./$(basename "$deb")"
else
	fail "apt-get install:"; tail -20 "$W/install.log" | sed 's/^/    | /'; finish
fi
files=$(dpkg -L mxpolicy-milter)

getent passwd mxpolicy >/dev/null && getent group mxpolicy >/dev/null &&
	pass "user and group mxpolicy" || fail "no user or group mxpolicy"
[ -n "$user_before" ] && echo "note: the user mxpolicy was there before (kept from an earlier install)"
dpkg-query -W -f='${Conffiles}\n' mxpolicy-milter | grep -q '^ /etc/mxpolicy-milter.conf ' &&
	[ -f /etc/mxpolicy-milter.conf ] && pass "/etc/mxpolicy-milter.conf, a conffile" ||
	fail "/etc/mxpolicy-milter.conf missing or no conffile"
[ -f /lib/systemd/system/mxpolicy-milter.service ] && pass "unit in /lib/systemd/system" ||
	fail "no unit in /lib/systemd/system"
[ -L /etc/systemd/system/multi-user.target.wants/mxpolicy-milter.service ] &&
	fail "the unit was enabled at install" || pass "nothing enabled at install"
for m in man8/mxpolicy-milter.8.gz man5/mxpolicy-milter.conf.5.gz man1/mxpolicy-audit.1.gz; do
	[ -f "/usr/share/man/$m" ] && pass "man page $m" || fail "no man page $m"
done
[ "$(stat -c '%U %a' /var/lib/mxpolicy-milter 2>/dev/null)" = "mxpolicy 750" ] &&
	pass "/var/lib/mxpolicy-milter, mxpolicy's, 750" ||
	fail "/var/lib/mxpolicy-milter: $(stat -c '%U %a' /var/lib/mxpolicy-milter 2>&1)"
if getent group postfix >/dev/null; then
	[ "$(stat -c '%U %G %a' /var/spool/postfix/mxpolicy-milter 2>/dev/null)" = "mxpolicy postfix 750" ] &&
		pass "Postfix socket directory, mxpolicy:postfix 750" ||
		fail "Postfix socket directory: $(stat -c '%U %G %a' /var/spool/postfix/mxpolicy-milter 2>&1)"
	# Postfix installed after the package: its files under
	# /var/spool/postfix fire the package's trigger, which makes it.
	rmdir /var/spool/postfix/mxpolicy-milter 2>/dev/null
	dpkg-trigger --no-await /var/spool/postfix && timeout 120 dpkg --triggers-only mxpolicy-milter >/dev/null 2>&1
	[ "$(stat -c '%U %G %a' /var/spool/postfix/mxpolicy-milter 2>/dev/null)" = "mxpolicy postfix 750" ] &&
		pass "Postfix's files trigger the socket directory" ||
		fail "the trigger on /var/spool/postfix made no socket directory"
fi
out=$(/usr/sbin/mxpolicy-milter -t -c /etc/mxpolicy-milter.conf 2>&1); rc=$?
[ "$rc" -eq 0 ] && [ -z "$out" ] && pass "installed -t accepts the installed config" ||
	fail "installed -t: exit $rc: $out"
{ cat /etc/mxpolicy-milter.conf; echo 'dry_run = perhaps'; } >"$W/broken.conf"
/usr/sbin/mxpolicy-milter -t -c "$W/broken.conf" >/dev/null 2>&1
[ $? -eq 78 ] && pass "installed -t refuses a broken copy with 78" || fail "installed -t took a broken file"

# An upgrade (the same version again) keeps the administrator's edits.
echo '# edited by the administrator' >>/etc/mxpolicy-milter.conf
if DEBIAN_FRONTEND=noninteractive timeout 900 apt-get -o DPkg::Lock::Timeout=300 install -y -q --reinstall "$deb" \
	</dev/null >"$W/reinstall.log" 2>&1 &&
	tail -1 /etc/mxpolicy-milter.conf | grep -q '^# edited by the administrator$'; then
	pass "an upgrade keeps the edited /etc/mxpolicy-milter.conf"
else
	fail "upgrade:"; tail -10 "$W/reinstall.log" | sed 's/^/    | /'
fi

# 4. One accepted, one refused session through a private Postfix, against
# the installed binary (the integration harness, in a namespace of its own).
cat >"$W/sessions.sh" <<'SESSIONS'
. "$top_srcdir/tests/integration/lib.sh"
it_setup
start_milter "# package test
$DNS_CHECKS_OFF"
accepted pkg_accepted 127.0.1.10 mail.sender.example user@example.net "checks=-" "verdict=accept"
smtp pkg_delivered 127.0.1.10 mail.sender.example pkg_delivered@sender.example user@example.net --data
headers=$(delivered_headers pkg_delivered)
if grep -q '^Authentication-Results: mx1\.example\.net;' <<<"$headers"; then
	pass pkg_delivered
else
	fail pkg_delivered "not delivered with our Authentication-Results: $headers"
fi
refused pkg_refused 127.0.1.13 WIN-8DKQ3J2 user@example.net "504 5.5.2 RCPT" helo_not_fqdn
summary
SESSIONS
if MILTER_BIN=/usr/sbin/mxpolicy-milter top_srcdir=$top_srcdir top_builddir=$top_srcdir \
	timeout 600 bash "$W/sessions.sh" >"$W/sessions.log" 2>&1; then
	pass "sessions through Postfix with the installed filter: $(tail -1 "$W/sessions.log")"
else
	fail "sessions through Postfix:"; sed 's/^/    | /' "$W/sessions.log" | tail -20
fi

# 5. Purge: the package's files, its config and its state go.
if DEBIAN_FRONTEND=noninteractive timeout 900 apt-get -o DPkg::Lock::Timeout=300 purge -y -q mxpolicy-milter \
	</dev/null >"$W/purge.log" 2>&1; then
	pass "apt-get purge"
else
	fail "apt-get purge:"; tail -20 "$W/purge.log" | sed 's/^/    | /'
fi
left=
while read -r f; do
	[ -d "$f" ] && continue
	if [ -f "$f" ] || [ -L "$f" ]; then left="$left $f"; fi
done <<<"$files"
[ -z "$left" ] && pass "no file of the package left" || fail "left after purge:$left"
for p in /etc/mxpolicy-milter.conf /var/lib/mxpolicy-milter /var/spool/postfix/mxpolicy-milter \
	/run/mxpolicy-milter; do
	[ -e "$p" ] && fail "$p left after purge" || pass "$p gone"
done
getent passwd mxpolicy >/dev/null && echo "note: the system user mxpolicy is kept, as Debian keeps system users"
finish
