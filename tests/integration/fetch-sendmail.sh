#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# fetch-sendmail.sh [DIR] -- unpack Debian's Sendmail into DIR (default
# /var/cache/mxpolicy-milter-tests/sendmail) for the Sendmail integration
# suite.  sendmail-bin conflicts with postfix as an installed package, so
# the packages are only downloaded (apt-get download, as root) and unpacked.
set -euo pipefail

dir=${1:-/var/cache/mxpolicy-milter-tests/sendmail}
if [ -x "$dir/usr/libexec/sendmail/sendmail" ] && [ -f "$dir/usr/share/sendmail/cf/m4/cf.m4" ]; then
	exit 0
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# apt's sandbox user must be able to write the download directory.
chmod 755 "$work"
chown _apt "$work" 2>/dev/null || true
(cd "$work" && apt-get download -q sendmail-bin sendmail-base sendmail-cf)
rm -rf "$dir.new"
mkdir -p "$dir.new"
for deb in "$work"/*.deb; do
	dpkg -x "$deb" "$dir.new"
done
rm -rf "$dir"
mv "$dir.new" "$dir"
echo "Sendmail unpacked in $dir"
