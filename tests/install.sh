#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# install.sh -- `make install DESTDIR=D` gives systemd all it needs, without
# a running systemd: systemd-sysusers --root=D makes the user and group,
# systemd-tmpfiles --create --root=D the directories with their owners and
# modes (the Postfix socket directory when a postfix group is there), the
# unit lands where pkg-config systemd says and passes systemd-analyze
# verify, and its systemd-analyze security score is no worse than the
# unit's before this layout.  A second install keeps an edited config.
# Needs root (ownership); skipped (77) for others unless CI=true.
: "${top_builddir:=.}" "${top_srcdir:=.}"
# The score of the unit before readiness and the narrower
# write paths (3.5 on Debian 12's systemd 252); lower is better.
SECURITY_MAX=3.5
passed=0 failed=0

pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }
finish() { echo "$passed passed, $failed failed"; [ "$failed" -eq 0 ]; exit; }

if [ "$(id -u)" -ne 0 ]; then
	[ "${CI:-}" = true ] && { fail "install.sh needs root under CI=true"; finish; }
	echo "SKIP: install.sh needs root (file owners)"
	exit 77
fi
for tool in systemd-sysusers systemd-tmpfiles systemd-analyze; do
	command -v "$tool" >/dev/null || { fail "$tool is not installed"; finish; }
done
D=$(mktemp -d /tmp/mxpolicy-install.XXXXXX)
trap 'rm -rf "$D"' EXIT
# The build's own make, free of the make check that may have called us.
bmake() { env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL make -s --no-print-directory -C "$top_builddir" "$@"; }
mkvar() { bmake -f Makefile -f - print-var VAR="$1" <<<'print-var: ; @echo $($(VAR))'; }
unitdir=$(mkvar systemdsystemunitdir)
sysusersdir=$(mkvar sysusersdir)
tmpfilesdir=$(mkvar tmpfilesdir)
pkgdatadir=$(mkvar pkgdatadir)
sysconfdir=$(mkvar sysconfdir)
sbindir=$(mkvar sbindir)

if bmake install DESTDIR="$D" >"$D.log" 2>&1; then
	pass "make install DESTDIR"
else
	fail "make install DESTDIR:"; sed 's/^/    | /' "$D.log" | tail -20; rm -f "$D.log"; finish
fi
rm -f "$D.log"

# Where pkg-config systemd says, unless configure was told otherwise
# (make distcheck installs under its own prefix).
want=$(pkg-config --variable=systemdsystemunitdir systemd 2>/dev/null)
if "$top_builddir/config.status" --config | grep -q -- '--with-systemdsystemunitdir'; then
	want=$unitdir
fi
if [ -z "$want" ] || [ "$unitdir" = "$want" ]; then
	[ -f "$D$unitdir/mxpolicy-milter.service" ] && pass "unit in $unitdir" ||
		fail "no unit in $D$unitdir"
else
	fail "unit dir $unitdir, pkg-config systemd says $want"
fi

# owner_mode PATH USER GROUP MODE: as D's own passwd and group name them.
owner_mode() {
	local path=$1 user=$2 group=$3 mode=$4 uid gid got
	uid=$(awk -F: -v u="$user" '$1 == u { print $3 }' "$D/etc/passwd")
	gid=$(awk -F: -v g="$group" '$1 == g { print $3 }' "$D/etc/group")
	[ "$user" = root ] && uid=0
	[ "$group" = root ] && gid=0
	got=$(stat -c '%u %g %a' "$D$path" 2>/dev/null)
	if [ -n "$uid" ] && [ "$got" = "$uid $gid $mode" ]; then
		pass "$path is $user:$group $mode"
	else
		fail "$path: want $user:$group ($uid $gid) $mode, have '${got:-missing}'"
	fi
}

# D/etc holds the user database, whatever sysconfdir the build has.
mkdir -p "$D/etc"
# The files by their path in D: --root does not prefix the names given,
# and a prefix's directories (distcheck's) are not among those it reads.
systemd-sysusers --root="$D" "$D$sysusersdir/mxpolicy-milter.conf" >/dev/null 2>&1
if grep -q '^mxpolicy:x:[0-9]*:[0-9]*:.*:/nonexistent:/usr/sbin/nologin$' "$D/etc/passwd" &&
	grep -q '^mxpolicy:x:' "$D/etc/group"; then
	pass "systemd-sysusers: user and group mxpolicy, no home, no shell"
else
	fail "systemd-sysusers made no mxpolicy user and group"
fi
systemd-tmpfiles --create --root="$D" "$D$tmpfilesdir/mxpolicy-milter.conf" >/dev/null 2>&1
owner_mode /run/mxpolicy-milter root root 755
owner_mode /var/lib/mxpolicy-milter mxpolicy mxpolicy 750
[ -e "$D/var/spool/postfix/mxpolicy-milter" ] &&
	fail "the Postfix socket directory made without Postfix" ||
	pass "no Postfix socket directory where Postfix is not"
gid=$(( $(awk -F: '{ print $3 }' "$D/etc/group" | sort -n | tail -1) + 1 ))
echo "postfix:x:$gid:" >>"$D/etc/group"
systemd-tmpfiles --create --root="$D" "$D$pkgdatadir/tmpfiles-postfix.conf" >/dev/null 2>&1
owner_mode /var/spool/postfix/mxpolicy-milter mxpolicy postfix 750

# The installed unit, its programs in D: verify and the security score.
sed -e "s|$sbindir/mxpolicy-milter|$D$sbindir/mxpolicy-milter|g" \
	"$D$unitdir/mxpolicy-milter.service" >"$D/mxpolicy-milter.service"
out=$(cd "$D" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify ./mxpolicy-milter.service 2>&1 |
	grep -F mxpolicy-milter.service)
[ -z "$out" ] && pass "systemd-analyze verify: clean" || fail "systemd-analyze verify: $out"
score=$(cd "$D" && systemd-analyze security --offline=yes ./mxpolicy-milter.service 2>&1 |
	sed -nE 's/.*Overall exposure level for mxpolicy-milter\.service: ([0-9.]+).*/\1/p')
if [ -n "$score" ] && awk -v s="$score" -v m="$SECURITY_MAX" 'BEGIN { exit !(s <= m) }'; then
	pass "systemd-analyze security: $score (at most $SECURITY_MAX)"
else
	fail "systemd-analyze security: '${score:-no score}', more than $SECURITY_MAX"
fi
for key in 'RestartPreventExitStatus=64 78' \
	"ExecReload=$sbindir/mxpolicy-milter -t -u mxpolicy -c $sysconfdir/mxpolicy-milter.conf" \
	'ReadWritePaths=-/var/lib/mxpolicy-milter -/var/spool/postfix/mxpolicy-milter -/var/lib/prometheus/node-exporter'; do
	grep -qxF -- "$key" "$D$unitdir/mxpolicy-milter.service" && pass "unit: $key" ||
		fail "unit lacks $key"
done

# The shipped config is installed, passes -t, and survives a reinstall
# once edited.
conf=$D$sysconfdir/mxpolicy-milter.conf
if [ -f "$conf" ] && "$D$sbindir/mxpolicy-milter" -t -c "$conf"; then
	pass "config installed, -t accepts it"
else
	fail "config missing or refused by -t"
fi
echo 'dry_run = yes' >>"$conf"
bmake install DESTDIR="$D" >/dev/null 2>&1
tail -1 "$conf" | grep -qx 'dry_run = yes' && pass "reinstall keeps the edited config" ||
	fail "reinstall replaced the edited config"
finish
