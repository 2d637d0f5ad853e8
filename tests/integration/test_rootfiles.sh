#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test_rootfiles.sh -- the files the milter writes as root before it drops
# privileges: the pidfile and the unix socket's mode and owner.  The
# unprivileged user (nobody) plants a symbolic link to a root-owned file
# where root will write; the file must be left untouched and the milter
# must refuse with a clear message.  No MTA and no DNS: nothing here
# opens a network connection.
. "$(dirname "$0")/lib.sh"

it_require_root
T=$(mktemp -d /tmp/mxpolicy-rootfiles.XXXXXX)
chmod 755 "$T"
trap 'for p in "${PIDS[@]}"; do stop_pid "$p"; done; [ "$FAILED" -eq 0 ] && rm -rf "$T"' EXIT
printf '# integration suite: root files\ndns_servers = 127.0.0.1\n%s\n' "$DNS_CHECKS_OFF" \
	>"$T/m.conf"
chmod 644 "$T/m.conf"

# A root-owned file that the milter has no business touching.
precious() {
	printf 'root:secret\n' >"$T/precious"
	chown root:root "$T/precious"
	chmod 600 "$T/precious"
}
precious_state() { printf '%s %s\n' "$(stat -c '%U:%G %a' "$T/precious")" "$(cat "$T/precious")"; }
PRECIOUS='root:root 600 root:secret'

# run_milter NAME ARGS...: the milter in the foreground as root, dropping
# to nobody.  Returns once it listens (status 0) or exits (status 1);
# a started one is left running with its PID in RUN_PID.
run_milter() {
	local name=$1 i
	shift
	: >"$T/$name.log"
	env "${RUN_ENV[@]}" "$MILTER_BIN" -f -c "$T/m.conf" -u nobody "$@" 2>>"$T/$name.log" &
	RUN_PID=$!
	PIDS+=("$RUN_PID")
	for ((i = 0; i < 100; i++)); do
		grep -q 'listening on' "$T/$name.log" && return 0
		kill -0 "$RUN_PID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}
RUN_ENV=(MXP_TEST=1)

# refuses NAME DIR_MODE DIR_OWNER: nobody plants DIR/pid -> precious in a
# directory of that mode and owner; -P DIR/pid must be refused.
refuses() {
	local name=$1 d=$T/$1 got started
	mkdir "$d"
	chown "$3" "$d"
	chmod "$2" "$d"
	precious
	runuser -u nobody -- ln -s "$T/precious" "$d/pid"
	started=no
	if run_milter "$name" -p "unix:$T/$name.sock" -P "$d/pid"; then
		started=yes
		stop_pid "$RUN_PID"
	fi
	got=$(precious_state)
	if [ "$got" != "$PRECIOUS" ]; then
		fail "$name" "the link's target is now '$got'"
	elif [ "$started" = yes ]; then
		fail "$name" "started with a planted pidfile link"
	elif ! grep -q "pidfile $d/pid: is a symbolic link; refusing to follow it" "$T/$name.log"; then
		fail "$name" "no clear refusal"; sed 's/^/    | /' "$T/$name.log" | head -5
	else
		pass "$name"
	fi
}

# the sticky, world-writable temp directory (fs.protected_symlinks may stop
# the link there already), and the milter's own runtime directory, owned
# by the user it runs as, where that protection does not apply
refuses pidfile_link_in_sticky_dir 1777 root
refuses pidfile_link_in_user_dir 755 nobody

# The ordinary case still works: a pidfile owned by the user, with the PID.
mkdir "$T/run" && chown nobody "$T/run"
if run_milter plain -p "unix:$T/plain.sock" -P "$T/run/pid"; then
	got="$(stat -c '%U %a' "$T/run/pid") $(cat "$T/run/pid")"
	if [ "$got" = "nobody 644 $RUN_PID" ]; then pass pidfile_written; else
		fail pidfile_written "pidfile is '$got', expected 'nobody 644 $RUN_PID'"
	fi
	stop_pid "$RUN_PID"
else
	fail pidfile_written "did not start"; sed 's/^/    | /' "$T/plain.log" | head -5
fi

# The socket: between bind() and the milter's chmod/chown, the user who
# owns the socket's directory swaps the socket for a link to precious (the
# shim makes that race certain).  The mode and owner must not reach it.
shim=$T/swap_socket.so
if ! cc -shared -fPIC -o "$shim" "$HERE/swap_socket.c" -ldl 2>"$T/cc.log"; then
	fail socket_swapped_for_link "cannot build the shim"; sed 's/^/    | /' "$T/cc.log"
else
	mkdir "$T/sockdir" && chown nobody "$T/sockdir"
	printf 'socket_mode = 0666\nsocket_group = nogroup\n' >>"$T/m.conf"
	precious
	# (an AddressSanitizer build wants its runtime first among the libraries)
	RUN_ENV=(LD_PRELOAD="$shim" SWAP_SOCKET_PATH="$T/sockdir/m.sock" SWAP_SOCKET_TARGET="$T/precious"
		ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0")
	started=no
	if run_milter swapped -p "unix:$T/sockdir/m.sock"; then
		started=yes
		stop_pid "$RUN_PID"
	fi
	RUN_ENV=(MXP_TEST=1)
	got=$(precious_state)
	if [ "$got" != "$PRECIOUS" ]; then
		fail socket_swapped_for_link "the link's target is now '$got'"
	elif [ "$started" = yes ]; then
		fail socket_swapped_for_link "started with its socket swapped for a link"
	elif ! grep -q "m.sock: is not the socket this process made (a symbolic link); refusing" \
		"$T/swapped.log"; then
		fail socket_swapped_for_link "no clear refusal"; sed 's/^/    | /' "$T/swapped.log" | head -5
	else
		pass socket_swapped_for_link
	fi
	# and without the swap, the socket gets its mode and group
	if run_milter sockok -p "unix:$T/sockdir/ok.sock"; then
		got=$(stat -c '%F %a %U %G' "$T/sockdir/ok.sock")
		if [ "$got" = "socket 666 nobody nogroup" ]; then pass socket_mode_owner; else
			fail socket_mode_owner "socket is '$got'"
		fi
		stop_pid "$RUN_PID"
	else
		fail socket_mode_owner "did not start"; sed 's/^/    | /' "$T/sockok.log" | head -5
	fi
fi

summary
