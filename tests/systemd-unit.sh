#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# systemd-unit.sh -- the unit file is valid for systemd (systemd-analyze
# verify), with the built binary standing in for the installed one.
: "${top_builddir:=.}" "${top_srcdir:=.}"
if ! command -v systemd-analyze >/dev/null; then
	echo "SKIP: systemd-analyze not installed"
	exit 77
fi
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
bin=$(cd "$top_builddir/milter/daemon" && pwd)/mxpolicy-milter
sed -e "s|@sbindir@/mxpolicy-milter|$bin|" -e "s|@sysconfdir@|/etc|" -e "s|@docdir@|/usr/share/doc|" -e "s|@SERVICE_TYPE@|notify|" \
	"$top_srcdir/contrib/systemd/mxpolicy-milter.service.in" >"$dir/mxpolicy-milter.service"
out=$(cd "$dir" && SYSTEMD_LOG_LEVEL=warning systemd-analyze verify ./mxpolicy-milter.service 2>&1)
# Only complaints about this unit count, not about the machine's other units.
bad=$(grep -F 'mxpolicy-milter.service' <<<"$out")
if [ -n "$bad" ]; then
	echo "FAIL systemd-analyze verify:"
	echo "$out"
	echo "0 passed, 1 failed"
	exit 1
fi
for key in 'ExecReload=/bin/kill -USR1 $MAINPID' 'Restart=on-failure' 'ProtectSystem=strict' \
	'RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6' 'SystemCallFilter=@system-service'; do
	grep -qxF "$key" "$dir/mxpolicy-milter.service" || { echo "FAIL: missing $key"; echo "0 passed, 1 failed"; exit 1; }
done
echo "PASS systemd-analyze verify"
echo "1 passed, 0 failed"
