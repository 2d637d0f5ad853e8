#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# source-shape.sh -- the size of the sources under milter/: no function
# over 60 lines, no file over 800.  Each one over is printed as
# file:line with its length, and fails the suite.
#
# A function is counted as the tree writes it: from the first line of
# its signature (which may run over several lines, the return type on a
# line of its own included) to its closing "}" at column 0, both
# included; its body opens with "{" alone at column 0.
: "${top_srcdir:=.}"
src=$top_srcdir/milter
FUNCTION_MAX=60
FILE_MAX=800
passed=0 failed=0 files=0 functions=0

breach() {
	echo "FAIL: $1: $2"
	failed=$((failed + 1))
}

# One line per function of file $1: "LINE<tab>LENGTH<tab>NAME", or
# "LINE<tab>-1<tab>NAME" for a body never closed at column 0.
functions_of() {
	awk '
	function signature_start(open,    i, prev, above) {
		i = open - 1
		# old-style parameter declarations, indented, between ")" and "{"
		while (i > 1 && line[i] ~ /^[[:space:]]+[^[:space:]].*;[[:space:]]*$/)
			i--
		# the signature: the lines above back to a blank line, a comment,
		# a preprocessor line or the end of a declaration; the line next
		# to the "{" may end in a comment of its own
		for (; i >= 1; i--) {
			prev = line[i]
			if (prev ~ /^[[:space:]]*$/ || prev ~ /^[[:space:]]*#/ ||
			    prev ~ /^[[:space:]]*(\/\*|\*|\/\/)/)
				break
			if (i < open - 1 && prev ~ /(;|\{|\}|\*\/)[[:space:]]*$/)
				break
			above = i > 1 ? line[i - 1] : ""
			if (above ~ /\\$/)      # the tail of a multi-line #define
				break
		}
		return i + 1
	}
	function name_of(from, to,    i, text) {
		text = ""
		for (i = from; i <= to; i++)
			text = text " " line[i]
		if (match(text, /[A-Za-z_][A-Za-z0-9_]*\(/))
			return substr(text, RSTART, RLENGTH - 1)
		return "?"
	}
	{ line[NR] = $0 }
	/^\{[[:space:]]*$/ && start == 0 {
		if (NR > 1 && line[NR - 1] ~ /[=,][[:space:]]*$/)
			next            # an initializer, not a body
		start = signature_start(NR)
		name = start < NR ? name_of(start, NR - 1) : "?"
		next
	}
	# K&R style, the "{" closing the signature line: "int f(void) {"
	/^[A-Za-z_].*\)[[:space:]]*\{[[:space:]]*(\/\*.*)?$/ && start == 0 {
		start = signature_start(NR + 1)
		name = name_of(start, NR)
		next
	}
	/^\}[[:space:]]*(\/\*.*)?$/ && start > 0 {
		printf "%d\t%d\t%s\n", start, NR - start + 1, name
		start = 0
	}
	END {
		if (start > 0)
			printf "%d\t-1\t%s\n", start, name
	}' "$1"
}

while IFS= read -r f; do
	files=$((files + 1))
	rel=${f#"$top_srcdir"/}
	n=$(wc -l <"$f")
	if [ "$n" -gt "$FILE_MAX" ]; then
		breach "$rel" "$n lines, over $FILE_MAX"
	else
		passed=$((passed + 1))
	fi
	while IFS=$'\t' read -r start len name; do
		functions=$((functions + 1))
		if [ "$len" -lt 0 ]; then
			breach "$rel:$start" "$name: no closing \"}\" at column 0"
		elif [ "$len" -gt "$FUNCTION_MAX" ]; then
			breach "$rel:$start" "$name is $len lines, over $FUNCTION_MAX"
		else
			passed=$((passed + 1))
		fi
	done < <(functions_of "$f")
done < <(find "$src" -name '*.[ch]' -type f | LC_ALL=C sort)

if [ "$files" -eq 0 ]; then
	echo "FAIL: no sources under $src"
	exit 1
fi
echo "source-shape: $files files and $functions functions checked, $failed over the limits"
[ "$failed" -eq 0 ] && echo "PASS: every function within $FUNCTION_MAX lines, every file within $FILE_MAX"
echo "$passed passed, $failed failed"
exit $((failed == 0 ? 0 : 1))
