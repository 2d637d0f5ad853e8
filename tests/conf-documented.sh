#!/bin/bash
# conf-documented.sh -- conf/mxpolicy-milter.conf shows every option of the
# option table with its true default, and nothing that is not an option;
# the mxpolicy-milter.conf(5) page names every option and nothing else.
: "${top_builddir:=.}" "${top_srcdir:=.}"
bin=$top_builddir/milter/mxpolicy-milter
conf=$top_srcdir/conf/mxpolicy-milter.conf
empty=$(mktemp)
trap 'rm -f "$empty"' EXIT
passed=0
failed=0

defaults=$("$bin" -n -c "$empty") || { echo "FAIL: -n on an empty file"; exit 1; }
while IFS= read -r line; do
	name=${line%% = *}
	if grep -qxF "#$line" "$conf" || grep -qxF "#${line% }" "$conf"; then
		passed=$((passed + 1))
	else
		echo "FAIL: $conf lacks '#$line'"
		failed=$((failed + 1))
	fi
done <<<"$defaults"
while IFS= read -r name; do
	if grep -q "^$name = " <<<"$defaults"; then
		passed=$((passed + 1))
	else
		echo "FAIL: $conf documents '$name', which is no option"
		failed=$((failed + 1))
	fi
done < <(sed -n 's/^#\([a-z_0-9]*\) =.*/\1/p' "$conf")
# The conf(5) page names every option, and nothing else, as ".B name".
page=$top_srcdir/milter/mxpolicy-milter.conf.5.in
while IFS= read -r line; do
	name=${line%% = *}
	if grep -qxF ".B $name" "$page"; then
		passed=$((passed + 1))
	else
		echo "FAIL: $page lacks option '$name'"
		failed=$((failed + 1))
	fi
done <<<"$defaults"
while IFS= read -r name; do
	if grep -q "^$name = " <<<"$defaults"; then
		passed=$((passed + 1))
	else
		echo "FAIL: $page documents '$name', which is no option"
		failed=$((failed + 1))
	fi
done < <(sed -n 's/^\.B \([a-z_0-9]*\)$/\1/p' "$page")
# The shipped file must itself be valid.
if "$bin" -n -c "$conf" >/dev/null; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
