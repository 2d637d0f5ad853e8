#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# docs-agree.sh -- the README stays an administrator's first read (under
# 1,500 words before the reference), and its command line, the man page
# and `mxpolicy-milter -h` name the same options.
: "${top_builddir:=.}" "${top_srcdir:=.}"
readme=$top_srcdir/README
man=$top_srcdir/milter/daemon/mxpolicy-milter.8.in
bin=$top_builddir/milter/daemon/mxpolicy-milter
WORDS_MAX=1500
MARKER='The sections below are the reference.'
passed=0 failed=0

pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }

# Words before the reference sections.
if ! grep -qxF "$MARKER" "$readme"; then
	fail "README has no line \"$MARKER\" ending its first part"
else
	words=$(sed "/^$MARKER\$/q" "$readme" | wc -w)
	if [ "$words" -lt "$WORDS_MAX" ]; then
		pass "README's first part has $words words (under $WORDS_MAX)"
	else
		fail "README's first part has $words words, $WORDS_MAX at most"
	fi
fi

# The option letters each document lists, one per line, sorted.
help_options() { "$bin" -h 2>&1 | sed -nE 's/^  -([A-Za-z]) .*/\1/p' | sort -u; }
man_options() {
	sed -n '/^\.SH OPTIONS/,/^\.SH /p' "$man" |
		sed -nE 's/^\.BI? \\-([A-Za-z])( .*)?$/\1/p' | sort -u
}
readme_options() {
	sed -n '/^Command line$/,/^Query mode/p' "$readme" |
		sed -nE 's/^    -([A-Za-z]) .*/\1/p; s/^    -([A-Za-z]), -([A-Za-z]) .*/\1\n\2/p' | sort -u
}

agree() {
	local name=$1 got want
	want=$(help_options | tr '\n' ' ')
	got=$("$2" | tr '\n' ' ')
	if [ -z "$want" ]; then
		fail "mxpolicy-milter -h lists no option"
	elif [ "$got" = "$want" ]; then
		pass "$name lists the options -h lists: $want"
	else
		fail "$name lists: $got; mxpolicy-milter -h: $want"
	fi
}
agree "mxpolicy-milter(8)" man_options
agree "README's Command line" readme_options

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
