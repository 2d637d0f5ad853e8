#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# layering.sh -- the tree's rule, checked: a layer includes only the layers
# below it (core < dns < daemon; audit uses core and dns), and the core is
# pure: no libmilter, c-ares, syslog or thread headers, no clock, socket or
# file calls.  Each breach is printed as file:line and fails the suite.
: "${top_srcdir:=.}" "${top_builddir:=.}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
src=$top_srcdir/milter
fail=0 files=0

breach() {
	echo "FAIL: $1: $2"
	fail=$((fail + 1))
}

# The layers a file in layer $1 may include.
allowed() {
	case $1 in
	core) echo "core" ;;
	dns) echo "core dns" ;;
	audit) echo "core dns audit" ;;
	daemon) echo "core dns daemon" ;;
	esac
}

# An include of ours -- quoted, or <layer/x.h>, which -I milter also finds --
# must name a layer the including file may use, with no ".." in its path.
check_includes() {
	local f=$1 layer=$2 ok n line target
	ok=" $(allowed "$layer") "
	while IFS=: read -r n line; do
		target=${line#*include}
		target=${target#"${target%%[\"<]*}"}
		target=${target:1}
		target=${target%%[\">]*}
		case $line in
		*include*\"*) ;;
		*) case $target in core/* | dns/* | daemon/* | audit/*) ;; *) continue ;; esac ;;
		esac
		case $target in
		autoconfig.h) continue ;;
		*..*) breach "$f:$n" "#include of $target: a path with \"..\" hides its layer"
		      continue ;;
		*/*) ;;
		*) breach "$f:$n" "#include \"$target\" names no layer (write \"core/$target\" or the like)"
		   continue ;;
		esac
		case $ok in
		*" ${target%%/*} "*) ;;
		*) breach "$f:$n" "a $layer file includes $target, from the ${target%%/*} layer" ;;
		esac
	done < <(grep -nE '^[[:space:]]*#[[:space:]]*include[[:space:]]*["<]' "$f")
}

# System headers and calls the pure core must not use.
# (sys/socket.h gives the sockaddr types netaddr converts; calls are what count)
FORBIDDEN_HEADERS='libmilter/|ares\.h|ares_|syslog\.h|pthread\.h|threads\.h|semaphore\.h|sched\.h|signal\.h|netdb\.h|resolv\.h|arpa/nameser|poll\.h|unistd\.h|fcntl\.h|time\.h|sys/(time|stat|select|un|ioctl|mman|wait|epoll|eventfd)\.h|dirent\.h|spawn\.h'
FORBIDDEN_CALLS='\b(time|clock_gettime|gettimeofday|clock|timespec_get|localtime(_r)?|gmtime(_r)?|mktime|strftime|nanosleep|sleep|usleep|socket|connect|bind|listen|accept|send|recv|sendto|recvfrom|sendmsg|recvmsg|setsockopt|getsockopt|getaddrinfo|getnameinfo|gethostbyname|gethostbyaddr|res_[a-z]+|poll|select|syslog|vsyslog|openlog|fopen|fdopen|freopen|tmpfile|popen|system|open|openat|opendir|readdir|unlink|read|write|close|stat|printf|vprintf|fprintf|vfprintf|dprintf|puts|fputs|fputc|putc|putchar|fwrite|fread|fgets|fflush|perror|getenv|secure_getenv|exit|_exit|abort|rand|srand|random|fork|kill|signal|sigaction|ioctl|mmap|pthread_[a-z_]+|mtx_[a-z_]+|thrd_[a-z_]+|cnd_[a-z_]+|smfi_[a-z_]+|ares_[a-z_]+)[[:space:]]*\('

check_pure() {
	local f=$1 n line
	while IFS=: read -r n line; do
		breach "$f:$n" "the core includes ${line#*include}"
	done < <(grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*<($FORBIDDEN_HEADERS)" "$f")
	# comments and string literals are not calls
	while IFS=: read -r n line; do
		breach "$f:$n" "the core calls $(grep -oE "$FORBIDDEN_CALLS" <<<"$line" | head -1 | tr -d ' (')"
	done < <(without_comments "$f" | sed -e 's|"\([^"\\]\|\\.\)*"|""|g' | grep -nE "$FORBIDDEN_CALLS")
}

# The file with its comments blanked (lines kept, for the line numbers).
without_comments() {
	awk '{
		out = ""; s = $0
		while (s != "") {
			if (incomment) {
				i = index(s, "*/")
				if (i == 0) { s = ""; break }
				s = substr(s, i + 2); incomment = 0
			} else {
				i = index(s, "/*"); j = index(s, "//")
				if (j > 0 && (i == 0 || j < i)) { out = out substr(s, 1, j - 1); s = ""; break }
				if (i == 0) { out = out s; s = ""; break }
				out = out substr(s, 1, i - 1) " "; s = substr(s, i + 2); incomment = 1
			}
		}
		print out
	}' "$1"
}

# What the text cannot show (a macro, a call split across lines, a pointer
# to a function), the linker does: every symbol the core library needs from
# outside itself must be a pure one -- string, memory and character
# functions, snprintf, allocation, inet_pton/ntop, libpsl's built-in list --
# or instrumentation that a sanitizer or coverage build adds.
PURE_SYMBOLS='^(mem(chr|rchr|cmp|cpy|move|set)|bcmp|str(len|nlen|cmp|ncmp|casecmp|ncasecmp|chr|rchr|cspn|spn|str|casestr|pbrk|dup|ndup|tol|toul|toll|toull|tok_r)|__isoc(99|23)_(strto[a-z]+|sscanf)|sscanf|v?snprintf|__v?snprintf_chk|__(mem(cpy|move|set)|str(n?cpy|n?cat))_chk|__ctype_(b|tolower|toupper)_loc|to(lower|upper)|malloc|calloc|realloc|free|qsort|bsearch|inet_(pton|ntop)|psl_[a-z0-9_]+|__stack_chk_fail|__assert_fail|_GLOBAL_OFFSET_TABLE_|__gmon_start__|(__asan|__ubsan|__tsan|__msan|__gcov|__sanitizer|__sancov|__llvm)[a-zA-Z0-9_]*)$'

check_link() {
	local lib=$top_builddir/milter/core/libmxpolicy-core.a obj sym
	if [ ! -f "$lib" ]; then
		echo "note: $lib is not built: the link check is skipped"
		return
	fi
	nm --defined-only "$lib" | awk 'NF == 3 { print $3 }' | sort -u >"$tmp/defined"
	while read -r obj sym; do
		breach "milter/core/${obj%.o}.c" "the core links against $sym, which is not pure"
	done < <(nm -A -u "$lib" | awk '{ n = split($1, p, ":"); print p[n - 1], $NF }' |
		 sort -k2 -u | join -1 2 -2 1 -v 1 -o 1.1,1.2 - "$tmp/defined" 2>/dev/null |
		 grep -vE " $(sed 's/^\^//' <<<"$PURE_SYMBOLS")")
}

for layer in core dns daemon audit; do
	# every file but the build's own, in subdirectories too
	while IFS= read -r f; do
		files=$((files + 1))
		check_includes "$f" "$layer"
		[ "$layer" = core ] && check_pure "$f"
	done < <(find "$src/$layer" -type f ! -name 'Makefile*' ! -name '*.in' ! -name '*.o' ! -name '*.a' | sort)
done
check_link
# Nothing may live outside the four layers.
for f in "$src"/*.[ch]; do
	[ -f "$f" ] && breach "$f" "a source file outside milter/core, dns, daemon and audit"
done

if [ "$files" -eq 0 ]; then
	echo "FAIL: no sources under $src"
	exit 1
fi
echo "layering: $files files checked, $fail breaches"
[ "$fail" -eq 0 ] && echo "PASS: every file uses only the layers below its own"
echo "$((fail == 0 ? 1 : 0)) passed, $((fail == 0 ? 0 : 1)) failed"
exit $((fail == 0 ? 0 : 1))
