#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# notify.sh -- readiness as systemd's Type=notify reads it: the filter,
# given a NOTIFY_SOCKET, sends READY=1 once it listens, RELOADING=1 then
# READY=1 around a SIGUSR1 reload, and STOPPING=1 when stopped.  The
# socket is a datagram socket of this test's own; the filter listens on
# loopback only and is stopped by PID.
: "${top_builddir:=.}"
bin=$top_builddir/milter/daemon/mxpolicy-milter
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "PASS $1"; }
fail() { failed=$((failed + 1)); echo "FAIL $1"; }

if ! grep -q '^#define HAVE_LIBSYSTEMD 1' "$top_builddir/autoconfig.h" 2>/dev/null; then
	echo "SKIP: built --without-libsystemd"
	exit 77
fi
dir=$(mktemp -d)
pids=()
cleanup() {
	local p
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
	rm -rf "$dir"
}
trap cleanup EXIT

# A free loopback port: the first of a few that nothing listens on.
port=
for p in 18895 28895 38895 48895; do
	if ! ss -ltnH "sport = :$p" | grep -q .; then port=$p; break; fi
done
[ -n "$port" ] || { fail "no free port among 18895 28895 38895 48895"; echo "$passed passed, $failed failed"; exit 1; }

# The listener: every datagram, one line each (newlines as "|"); on each
# READY=1 it connects to the filter's port at once and records whether the
# filter was listening then, before the line itself.
python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
with open(sys.argv[2], "a", buffering=1) as out:
    while True:
        try:
            data = s.recv(4096).decode(errors="replace")
        except socket.timeout:
            break
        if data.startswith("READY=1"):
            try:
                socket.create_connection(("127.0.0.1", int(sys.argv[3])), 2).close()
                data += "|LISTENING=yes"
            except OSError:
                data += "|LISTENING=no"
        out.write(data.replace("\n", "|") + "\n")
' "$dir/notify" "$dir/got" "$port" &
pids+=($!)
for _ in $(seq 50); do [ -S "$dir/notify" ] && break; sleep 0.1; done

# As root, the filter drops to nobody, as the unit's does to mxpolicy: the
# notifications must still reach the service manager.
user=()
if [ "$(id -u)" -eq 0 ]; then
	user=(-u nobody)
	chmod 755 "$dir"
	chmod 777 "$dir/notify"
fi
printf 'dns_servers = 127.0.0.1:9\n' >"$dir/milter.conf"
chmod 644 "$dir/milter.conf"
NOTIFY_SOCKET=$dir/notify "$bin" -f -c "$dir/milter.conf" -p "inet:$port@127.0.0.1" "${user[@]}" \
	>"$dir/milter.log" 2>&1 &
milter=$!
pids=("$milter" "${pids[@]}")

# await N REGEX: line N of what arrived matches REGEX, within 10 s.
await() {
	local i
	for i in $(seq 100); do
		sed -n "$1p" "$dir/got" 2>/dev/null | grep -Eq -- "$2" && return 0
		sleep 0.1
	done
	return 1
}
await 1 "^READY=1\|STATUS=serving inet:$port@127\.0\.0\.1\|LISTENING=yes$" &&
	pass "READY=1 once listening (a connection at once succeeds), STATUS names the socket" ||
	fail "no READY=1 while listening: $(cat "$dir/got" 2>/dev/null)"
kill -USR1 "$milter"
await 2 '^RELOADING=1' && pass "RELOADING=1 on SIGUSR1" || fail "no RELOADING=1: $(cat "$dir/got")"
await 3 "^READY=1\|STATUS=serving inet:$port@127\.0\.0\.1\|" && pass "READY=1 after the reload" ||
	fail "no READY=1 after the reload: $(cat "$dir/got")"
# A refused file: ready again, at once, and the status says so.
echo 'dry_run = perhaps' >>"$dir/milter.conf"
kill -USR1 "$milter"
await 4 '^RELOADING=1' && pass "RELOADING=1 on a second SIGUSR1" || fail "no RELOADING=1: $(cat "$dir/got")"
await 5 '^READY=1\|STATUS=.*the reload was refused' && pass "READY=1 after a refused reload, its status says so" ||
	fail "no READY=1 naming the refused reload: $(cat "$dir/got")"
kill -TERM "$milter"
await 6 '^STOPPING=1' && pass "STOPPING=1 on SIGTERM" || fail "no STOPPING=1: $(cat "$dir/got")"
wait "$milter" 2>/dev/null
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
