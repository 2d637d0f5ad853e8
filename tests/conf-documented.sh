#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# conf-documented.sh -- conf/mxpolicy-milter.conf shows every option of the
# option table with its true default, and nothing that is not an option;
# the mxpolicy-milter.conf(5) page names every option and nothing else;
# and each option's line of help in the table (-nn prints it) is in that
# option's own entry in both, word for word.
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

# The man page's prose: comments dropped; .B and .I give their words,
# the alternating font macros (.BR ...) their words run together, any
# other request ends a paragraph; font changes go, and \- \(em \(en \(aq
# \(dq \e \& read as the characters they print.  Reads roff on stdin.
page_prose() {
	sed -e '/^\.\\"/d' | awk '
		/^\.[BI] / { sub(/^\.[BI] +/, ""); gsub(/"/, ""); print; next }
		/^\.(BR|RB|IR|RI|BI|IB) / { sub(/^\.[A-Z]+ +/, ""); gsub(/[ "]/, ""); print; next }
		/^\./ { print ""; next }
		{ print }' |
	sed -e 's/\\f[BIRP]//g' -e 's/\\f([A-Z][A-Z]//g' -e 's/\\-/-/g' \
	    -e 's/\\(em/--/g' -e 's/\\(en/-/g' -e "s/\\\\(aq/'/g" -e 's/\\(dq/"/g' \
	    -e 's/\\&//g' -e 's/\\e/\\/g' | paragraphs
}

# The man page entry of option $1: after ".B name" (and the other names
# of its group: .PD/.TP/.B lines before any text) up to the next .TP,
# .SH or .SS.
page_entry() {
	awk -v name="$1" '
		$0 == ".B " name && !on { on = 1; head = 1; next }
		on && head && /^\.(PD|TP|B [a-z_0-9]+$)/ { next }
		on && /^\.(TP|SH|SS)/ { exit }
		on { head = 0; print }' "$page" | page_prose
}

# The annotated config's comment above option $1: the comment lines just
# before the run of option lines that holds it, without their '# '.
conf_entry() {
	awk -v name="$1" '
		/^#[a-z_0-9]+ =/ {
			opt = $0; sub(/^#/, "", opt); sub(/ =.*/, "", opt)
			if (opt == name) { printf "%s", text; exit }
			after_option = 1; next
		}
		/^# ----/ || /^#$/ || !/^#/ { text = ""; after_option = 0; next }
		{ if (after_option) text = ""; after_option = 0
		  line = $0; sub(/^# ?/, "", line); text = text line "\n" }' "$conf" | paragraphs
}

# The annotated config's prose as a whole (the shared help of the
# *_reply options is in the introduction to the checks).
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
page_text=$(page_prose <"$page")
conf_text=$(conf_prose)

# has_help TEXT FILE NAME HELP: HELP is in TEXT as whole words, as
# written or with its first letter capitalised (it begins a sentence).
has_help() {
	if awk -v h="$4" -v H="${4^}" '
		function whole(t, w,    i, rest, off) {
			off = 0
			while ((i = index(substr(t, off + 1), w)) > 0) {
				i += off
				if ((i == 1 || substr(t, i - 1, 1) !~ /[[:alnum:]_]/) &&
				    substr(t, i + length(w), 1) !~ /[[:alnum:]_]/)
					return 1
				off = i
			}
			return 0
		}
		{ t = t " " $0 }
		END { exit !(whole(t, h) || whole(t, H)) }' <<<"$1"; then ok; else
		bad "$2: the help of '$3' is not in its entry: '$4'"
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
		case $name in
		*_reply)    # one help for them all, in the checks' introduction
			has_help "$page_text" "$page" "$name" "$help"
			has_help "$conf_text" "$conf" "$name" "$help" ;;
		*)
			has_help "$(page_entry "$name")" "$page" "$name" "$help"
			has_help "$(conf_entry "$name")" "$conf" "$name" "$help" ;;
		esac
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
