#!/bin/bash
# layering.sh -- the tree's rule, checked: a layer includes only the layers
# below it (core < dns < daemon; audit uses core and dns), and the core is
# pure: no libmilter, c-ares, syslog or thread headers, no clock, socket or
# file calls.  Each breach is printed as file:line and fails the suite.
: "${top_srcdir:=.}"
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

# Quoted includes must name a layer the including file may use.
check_includes() {
	local f=$1 layer=$2 ok n line target
	ok=" $(allowed "$layer") "
	while IFS=: read -r n line; do
		target=${line#*\"}
		target=${target%%\"*}
		case $target in
		autoconfig.h) continue ;;
		*/*) ;;
		*) breach "$f:$n" "#include \"$target\" names no layer (write \"core/$target\" or the like)"
		   continue ;;
		esac
		case $ok in
		*" ${target%%/*} "*) ;;
		*) breach "$f:$n" "a $layer file includes $target, from the ${target%%/*} layer" ;;
		esac
	done < <(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$f")
}

# System headers and calls the pure core must not use.
# (sys/socket.h gives the sockaddr types netaddr converts; calls are what count)
FORBIDDEN_HEADERS='libmilter/|ares\.h|ares_|syslog\.h|pthread\.h|netdb\.h|poll\.h|unistd\.h|fcntl\.h|time\.h|sys/time\.h|sys/stat\.h|dirent\.h'
FORBIDDEN_CALLS='\b(time|clock_gettime|gettimeofday|clock|nanosleep|sleep|usleep|socket|connect|bind|listen|accept|send|recv|sendto|recvfrom|getaddrinfo|gethostbyname|poll|select|syslog|openlog|fopen|fdopen|open|read|write|close|stat|printf|fprintf|puts|getenv|pthread_[a-z_]+|smfi_[a-z_]+|ares_[a-z_]+)[[:space:]]*\('

check_pure() {
	local f=$1 n line
	while IFS=: read -r n line; do
		breach "$f:$n" "the core includes ${line#*include}"
	done < <(grep -nE "^[[:space:]]*#[[:space:]]*include[[:space:]]*<($FORBIDDEN_HEADERS)" "$f")
	# comments and string literals are not calls
	while IFS=: read -r n line; do
		breach "$f:$n" "the core calls $(grep -oE "$FORBIDDEN_CALLS" <<<"$line" | head -1 | tr -d ' (')"
	done < <(sed -e 's|//.*||' -e 's|/\*.*\*/||g' -e 's|"[^"]*"|""|g' -e 's|^[[:space:]]*\*.*||' "$f" |
		 grep -nE "$FORBIDDEN_CALLS")
}

for layer in core dns daemon audit; do
	for f in "$src/$layer"/*.[ch]; do
		[ -f "$f" ] || continue
		files=$((files + 1))
		check_includes "$f" "$layer"
		[ "$layer" = core ] && check_pure "$f"
	done
done
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
