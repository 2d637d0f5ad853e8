#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# spdx.sh -- the licence is stated: LICENSE is there, and every source
# file (C, headers, scripts, makefiles, man pages, the unit) names it with
# an SPDX line in its first three lines, the one LICENSE holds.
: "${top_srcdir:=.}"
cd "$top_srcdir" || exit 1
passed=0 failed=0

check() {
	if "$@"; then
		passed=$((passed + 1))
	else
		failed=$((failed + 1))
	fi
}

licence_file() {
	grep -q '^BSD 2-Clause License$' LICENSE 2>/dev/null && return 0
	echo "FAIL: LICENSE is missing or is not the BSD 2-Clause text"
	return 1
}

# The sources as the tree (or the tarball) holds them: test corpora, the
# zones and the generated or third-party files are data, not sources.
sources() {
	find milter tests contrib conf .ci -type f \
		\( -name '*.c' -o -name '*.h' -o -name '*.sh' -o -name '*.py' -o \
		   -name '*.am' -o -name '*.in' -o -name '*.mc' -o -name run -o \
		   -name quickstart -o -name '*.conf' -o -name '*.sysusers' -o \
		   -name '*.tmpfiles' -o -name '*.supp' -o -name '*.backup' \) \
		-not -path '*/corpus/*' -not -name 'Makefile.in' -not -path '*/_build/*' 2>/dev/null
	for f in Makefile.am configure.ac debian/rules debian/*.postinst debian/*.postrm; do
		[ -f "$f" ] && echo "$f"
	done
}

stated() {
	local f=$1
	head -3 "$f" | grep -q 'SPDX-License-Identifier: BSD-2-Clause' && return 0
	echo "FAIL: $f has no SPDX-License-Identifier: BSD-2-Clause line at its top"
	return 1
}

check licence_file
n=0
while read -r f; do
	check stated "$f"
	n=$((n + 1))
done < <(sources | sort -u)
[ "$n" -gt 100 ] || { echo "FAIL: only $n source files found under $PWD"; failed=$((failed + 1)); }
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
