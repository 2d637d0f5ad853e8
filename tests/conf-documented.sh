#!/bin/bash
# conf-documented.sh -- conf/mxpolicy-milter.conf shows every option of the
# option table with its true default, and nothing that is not an option;
# the mxpolicy-milter.conf(5) page names every option and nothing else;
# and each option's line of help in the table (-nn prints it) is in the
# running text of both, word for word.
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

# ---- the help lines -----------------------------------------------------
# A document's running text, one paragraph a line, white space squeezed,
# so that a help line is found however the document wraps it.

# The man page: comments dropped; .B and .I give their words, the
# alternating font macros (.BR ...) their words run together, any other
# request ends a paragraph; font changes go, and \- \(em \(en \(aq \(dq
# \e \& read as the characters they print.
page_prose() {
	sed -e '/^\.\\"/d' "$page" | awk '
		/^\.[BI] / { sub(/^\.[BI] +/, ""); gsub(/"/, ""); print; next }
		/^\.(BR|RB|IR|RI|BI|IB) / { sub(/^\.[A-Z]+ +/, ""); gsub(/[ "]/, ""); print; next }
		/^\./ { print ""; next }
		{ print }' |
	sed -e 's/\\f[BIRP]//g' -e 's/\\f([A-Z][A-Z]//g' -e 's/\\-/-/g' \
	    -e 's/\\(em/--/g' -e 's/\\(en/-/g' -e "s/\\\\(aq/'/g" -e 's/\\(dq/"/g' \
	    -e 's/\\&//g' -e 's/\\e/\\/g' | paragraphs
}

# The annotated config: its comments without the leading '# '; an option
# line, a "# ----" heading, a lone '#' or a line that is no comment ends a
# paragraph.
conf_prose() {
	sed -e '/^#[a-z_0-9]* =/s/.*//' -e '/^# ----/s/.*//' -e '/^#$/s/.*//' \
	    -e '/^#/!s/.*//' -e 's/^# \{0,1\}//' "$conf" | paragraphs
}

# Joins the lines of each paragraph (ended by an empty line) into one.
paragraphs() {
	awk 'NF { text = text " " $0; next }
	     { if (text != "") print text; text = "" }
	     END { if (text != "") print text }' | tr -s ' \t' '  ' | sed 's/^ //; s/ $//'
}

annotated=$("$bin" -nn -c "$empty") || { echo "FAIL: -nn on an empty file"; exit 1; }
page_text=$(page_prose)
conf_text=$(conf_prose)

# has_help TEXT FILE NAME HELP: HELP is in TEXT as written or with its
# first letter capitalised (it begins a sentence there).
has_help() {
	if grep -qF -e "$4" -e "${4^}" <<<"$1"; then ok; else
		bad "$2: the help of '$3' is not in its text: '$4'"
	fi
}

# -nn prints each option as "# help", perhaps "# takes effect at
# restart, not at reload", then "name = value".
help='' helps=0
while IFS= read -r line; do
	case $line in
	'# '*) [ -n "$help" ] || help=${line#'# '} ;;
	*' ='*)
		name=${line%% =*}
		if [ -z "$help" ]; then bad "-nn prints no help for '$name'"; continue; fi
		help=$(tr -s ' ' <<<"$help")
		has_help "$page_text" "$page" "$name" "$help"
		has_help "$conf_text" "$conf" "$name" "$help"
		helps=$((helps + 1)) help=''
		;;
	esac
done <<<"$annotated"
if [ "$helps" -eq "$(grep -c ' = ' <<<"$defaults")" ]; then ok; else
	bad "-nn shows $helps options with their help, -n $(grep -c ' = ' <<<"$defaults")"
fi

# The shipped file must itself be valid.
if "$bin" -n -c "$conf" >/dev/null; then ok; else bad "$conf is not valid"; fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
