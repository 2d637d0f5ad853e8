#!/bin/bash
# conf-documented.sh -- conf/mxpolicy-milter.conf shows every option of the
# option table with its true default, and nothing that is not an option;
# the mxpolicy-milter.conf(5) page names every option and nothing else.
: "${top_builddir:=.}" "${top_srcdir:=.}"
bin=$top_builddir/milter/daemon/mxpolicy-milter
conf=$top_srcdir/conf/mxpolicy-milter.conf
page=$top_srcdir/milter/daemon/mxpolicy-milter.conf.5.in
empty=$(mktemp)
trap 'rm -f "$empty"' EXIT
passed=0
failed=0

defaults=$("$bin" -n -c "$empty") || { echo "FAIL: -n on an empty file"; exit 1; }

ok() { passed=$((passed + 1)); }
bad() { echo "FAIL: $*"; failed=$((failed + 1)); }

# documents FILE LINE_OF NAMES_IN: every option line of -n is in FILE as
# LINE_OF prints it, and every name NAMES_IN finds in FILE is an option.
documents() {
	local file=$1 line_of=$2 names_in=$3 line name
	while IFS= read -r line; do
		if grep -qxF -- "$($line_of "$line")" "$file"; then ok; else
			bad "$file lacks '$($line_of "$line")'"
		fi
	done <<<"$defaults"
	while IFS= read -r name; do
		if grep -q "^$name = " <<<"$defaults"; then ok; else
			bad "$file documents '$name', which is no option"
		fi
	done < <(sed -n "$names_in" "$file")
}

# the annotated config: "#name = default" (no trailing space when empty)
conf_line() { local l="#$1"; printf '%s\n' "${l% }"; }
# the man page: ".B name"
page_line() { printf '.B %s\n' "${1%% = *}"; }

documents "$conf" conf_line 's/^#\([a-z_0-9]*\) =.*/\1/p'
documents "$page" page_line 's/^\.B \([a-z_0-9]*\)$/\1/p'
# The shipped file must itself be valid.
if "$bin" -n -c "$conf" >/dev/null; then ok; else bad "$conf is not valid"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
