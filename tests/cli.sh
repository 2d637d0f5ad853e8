#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# cli.sh -- the command line: -n validates and reports file:line errors,
# -t does so quietly,
# -V, -h, bad usage, -p checked like the socket option, and where -f logs;
# mxpolicy-audit's usage errors.
: "${top_builddir:=.}" "${top_srcdir:=.}"
bin=$top_builddir/milter/daemon/mxpolicy-milter
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
passed=0
failed=0

# check NAME WANT_RC WANT_OUTPUT_REGEX COMMAND...
check() {
	local name=$1 want_rc=$2 re=$3 out rc
	shift 3
	out=$("$@" 2>&1)
	rc=$?
	if [ "$rc" -eq "$want_rc" ] && grep -Eq -- "$re" <<<"$out"; then
		echo "PASS $name"
		passed=$((passed + 1))
	else
		echo "FAIL $name: exit $rc, output:"
		sed 's/^/    | /' <<<"$out" | head -10
		failed=$((failed + 1))
	fi
}

printf 'dry_run = yes\nhelo_not_fqdn = tag\n' >"$dir/good.conf"
printf '# comment\ndry_run = perhaps\n\nunknown_thing = 1\nhelo_syntax_reply = 451 4.7.1 x\n' >"$dir/bad.conf"

check n_good 0 '^dry_run = yes$' "$bin" -n -c "$dir/good.conf"
check n_good_effective 0 '^helo_not_fqdn = tag$' "$bin" -n -c "$dir/good.conf"
check nn_help 0 '^# takes effect at restart, not at reload$' "$bin" -nn -c "$dir/good.conf"
"$bin" -nn -c "$dir/good.conf" >"$dir/annotated.conf" 2>&1
check nn_reads_back 0 '^helo_not_fqdn = tag$' "$bin" -n -c "$dir/annotated.conf"
check n_bad_line2 78 "^$dir/bad.conf:2: dry_run: expected yes or no$" "$bin" -n -c "$dir/bad.conf"
check n_bad_line4 78 "^$dir/bad.conf:4: unknown option 'unknown_thing'$" "$bin" -n -c "$dir/bad.conf"
check n_bad_line5 78 "^$dir/bad.conf:5: helo_syntax_reply: a 4xx reply does not fit action 'reject'" \
	"$bin" -n -c "$dir/bad.conf"
printf 'decision_timeout_ms = 25000\nmx_probe_timeout_ms = 5000\n' >"$dir/slow.conf"
check n_time_budget 78 "^$dir/slow.conf:2: decision_timeout_ms \\(25000\\) plus mx_probe_timeout_ms \\(5000\\) is 30000 ms, which reaches Postfix's default milter_command_timeout of 30 s" \
	"$bin" -n -c "$dir/slow.conf"
check n_missing 78 "^$dir/none.conf: cannot open: No such file or directory$" \
	"$bin" -n -c "$dir/none.conf"
printf 'socket_group = no-such-group-here\n' >"$dir/group.conf"
check n_no_such_group 78 "^$dir/group.conf:1: socket_group: 'no-such-group-here': no such group$" \
	"$bin" -n -c "$dir/group.conf"
check n_directory 78 "^$dir: cannot read: Is a directory$" "$bin" -n -c "$dir"
# -t: the exit status alone on success; errors on stderr, nothing on stdout.
# quiet NAME WANT_RC WANT_STDERR_REGEX FILE: -t's stdout must be empty, and
# stderr too when WANT_STDERR_REGEX is empty.
quiet() {
	local name=$1 want_rc=$2 re=$3 file=$4 rc
	"$bin" -t -c "$file" >"$dir/t.out" 2>"$dir/t.err"
	rc=$?
	if [ "$rc" -eq "$want_rc" ] && [ ! -s "$dir/t.out" ] &&
		{ if [ -z "$re" ]; then [ ! -s "$dir/t.err" ]; else grep -Eq -- "$re" "$dir/t.err"; fi; }; then
		echo "PASS $name"
		passed=$((passed + 1))
	else
		echo "FAIL $name: exit $rc, stdout:"
		sed 's/^/    | /' "$dir/t.out" | head -5
		echo "    stderr:"
		sed 's/^/    | /' "$dir/t.err" | head -5
		failed=$((failed + 1))
	fi
}
quiet t_good 0 '' "$dir/good.conf"
quiet t_shipped 0 '' "${top_srcdir:-.}/conf/mxpolicy-milter.conf"
quiet t_bad 78 "^$dir/bad.conf:2: dry_run: expected yes or no$" "$dir/bad.conf"
quiet t_bad_every_line 78 "^$dir/bad.conf:5: helo_syntax_reply:" "$dir/bad.conf"
quiet t_time_budget 78 "^$dir/slow.conf:2: decision_timeout_ms" "$dir/slow.conf"
quiet t_missing 78 "^$dir/none.conf: cannot open" "$dir/none.conf"
# -t -u: the file read as the user the filter drops to (as root only).
if [ "$(id -u)" -eq 0 ]; then
	cp "$dir/good.conf" "$dir/rootonly.conf"
	chmod 600 "$dir/rootonly.conf"
	chmod 755 "$dir"
	check t_as_user_unreadable 78 "rootonly.conf: cannot open: Permission denied" \
		"$bin" -t -u nobody -c "$dir/rootonly.conf"
	chmod 644 "$dir/rootonly.conf"
	check t_as_user_readable 0 '^$' "$bin" -t -u nobody -c "$dir/rootonly.conf"
fi
check t_no_such_user 64 "no such user 'no-such-user-here'" "$bin" -t -u no-such-user-here -c "$dir/good.conf"
check t_with_n 64 '^mxpolicy-milter: -t goes alone, not with -n$' "$bin" -t -n -c "$dir/good.conf"
check help_t 0 '^  -t         check the configuration quietly' "$bin" -h
check version 0 '^mxpolicy-milter [0-9]+\.[0-9]+\.[0-9]+' "$bin" -V
check help 0 '^usage: mxpolicy-milter' "$bin" -h
check bad_flag 64 'usage: mxpolicy-milter' "$bin" -Z
check stray_argument 64 "unexpected argument 'extra'" "$bin" -n -c "$dir/good.conf" extra
check bad_socket 64 "^-p:1: socket: expected unix:/path" "$bin" -n -c "$dir/good.conf" -p 8891
check bad_user 64 "no such user 'no-such-user-here'" \
	"$bin" -f -c "$dir/good.conf" -p "unix:$dir/s.sock" -u no-such-user-here
# The query mode's -j and -m: usage, and what they change.  127.0.0.1 is
# exempt (allow_clients), so the query asks no DNS: nothing leaves the host.
check help_query_j 0 '^  -j NAME    with -q: the MTA.s own host name, macro j' "$bin" -h
check help_query_m 0 '^  -m SENDER  with -q: the MAIL FROM address' "$bin" -h
check j_without_q 64 '^mxpolicy-milter: -j goes with -q$' "$bin" -n -c "$dir/good.conf" -j mx.example.net
check m_without_q 64 '^mxpolicy-milter: -m goes with -q$' "$bin" -n -c "$dir/good.conf" -m a@example.org
check query_empty_j 3 "^mxpolicy-milter: -j needs the MTA's host name$" \
	"$bin" -c "$dir/good.conf" -j '' -q 127.0.0.1 mail.example.org
check query_j_is_mta 0 '^mta       mx\.example\.net \(-j\)$' \
	"$bin" -c "$dir/good.conf" -j mx.example.net -q 127.0.0.1 mx.example.net
check query_j_impersonated 0 "^why       helo_impersonation     HELO mx\.example\.net is this MTA's name, not the client 127\.0\.0\.1; " \
	"$bin" -c "$dir/good.conf" -j mx.example.net -q 127.0.0.1 mx.example.net
check query_j_authserv 0 "^authserv  mx\.example\.net \(the MTA's name\)$" \
	"$bin" -c "$dir/good.conf" -j mx.example.net -q 127.0.0.1 mail.example.org
check query_m_from 0 '^log       NOQUEUE: session=query stage=MAIL .* from=<a@example\.org> rcpt=- ' \
	"$bin" -c "$dir/good.conf" -m a@example.org -q 127.0.0.1 mail.example.org
check query_m_brackets 0 '^from      <a@example\.org>$' \
	"$bin" -c "$dir/good.conf" -m '<a@example.org>' -q 127.0.0.1 mail.example.org
check query_m_default 0 '^from      <> \(the null sender; give -m ADDRESS\)$' \
	"$bin" -c "$dir/good.conf" -q 127.0.0.1 mail.example.org
# run_foreground NAME JOURNAL(yes|no): -f with stderr to a file, as under
# systemd when JOURNAL is yes (JOURNAL_STREAM names that file); prints
# whether the start line reached stderr.  Stopped by PID.
run_foreground() {
	local err=$dir/$1.err sock=$dir/$1.sock pid i js=
	: >"$err"
	[ "$2" = yes ] && js=$(stat -c '%d:%i' "$err")
	JOURNAL_STREAM=$js "$bin" -f -c "$dir/good.conf" -p "unix:$sock" 2>>"$err" &
	pid=$!
	for ((i = 0; i < 50; i++)); do
		[ -S "$sock" ] && { [ "$2" = yes ] || grep -q 'listening on' "$err"; } && break
		sleep 0.1
	done
	sleep 0.3
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if grep -q 'listening on' "$err"; then echo "on stderr"; else echo "not on stderr"; fi
}
check foreground_logs_to_stderr 0 '^on stderr$' run_foreground plain no
check journal_stream_no_duplicate 0 '^not on stderr$' run_foreground journal yes

# mxpolicy-audit: usage is exit 3 (UNKNOWN) with the reason; nothing touches the network
# A taken port: the filter names the process that holds it (the old
# default, 8891, is OpenDKIM's).  The holder is a listener of this test's
# own, on a port the kernel picks, stopped by its PID.
python3 -c 'import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen()
print(s.getsockname()[1], flush=True); time.sleep(30)' >"$dir/port" &
holder=$!
for _ in $(seq 50); do [ -s "$dir/port" ] && break; sleep 0.1; done
port=$(cat "$dir/port")
check port_taken_names_holder 70 \
	"cannot listen on inet:$port@127.0.0.1: port $port is taken by python3 \\(pid $holder\\)" \
	"$bin" -f -c "$dir/good.conf" -p "inet:$port@127.0.0.1"
kill "$holder"
wait "$holder" 2>/dev/null

audit=$top_builddir/milter/audit/mxpolicy-audit
check audit_version 0 '^mxpolicy-audit [0-9]+\.[0-9]+\.[0-9]+' "$audit" --version
check audit_help 0 '^exit \(as a monitoring plugin\): 0 OK, 1 WARNING: DNS findings, 2 CRITICAL:$' \
	"$audit" --help
check audit_help_unknown 0 '^  a bypass, 3 UNKNOWN: a probe could not run, or a usage error$' \
	"$audit" --help
check audit_no_args 3 '^usage: mxpolicy-audit --rcpt ADDRESS' "$audit"
check audit_no_rcpt 3 '^mxpolicy-audit: --rcpt ADDRESS is required$' "$audit" example.net
check audit_bad_rcpt 3 "^mxpolicy-audit: --rcpt: 'a b@example.net' is not a mail address$" \
	"$audit" --rcpt 'a b@example.net' example.net
check audit_bad_domain 3 "^mxpolicy-audit: 'example' is not a domain name$" \
	"$audit" --rcpt a@example.net example
check audit_bad_port 3 "^mxpolicy-audit: --port: '0' is not a port" \
	"$audit" --rcpt a@example.net --port 0 example.net
check audit_bad_timeout 3 "^mxpolicy-audit: --timeout: 'soon' is not a number of seconds" \
	"$audit" --rcpt a@example.net --timeout soon example.net
check audit_bad_servers 3 "^mxpolicy-audit: --dns-servers: 'ns1.example.net': not an IP address" \
	"$audit" --rcpt a@example.net --dns-servers ns1.example.net example.net
check audit_two_sources 3 "^mxpolicy-audit: --source: one address per family" \
	"$audit" --rcpt a@example.net --source 192.0.2.1 --source 192.0.2.2 example.net
check audit_bad_helo 3 "^mxpolicy-audit: --helo: 'localhost' is neither" \
	"$audit" --rcpt a@example.net --helo localhost example.net
check audit_both_families 3 '^mxpolicy-audit: -4 and -6 exclude each other$' \
	"$audit" --rcpt a@example.net -4 -6 example.net
check audit_null_from_spelt 3 '^mxpolicy-audit: --rcpt ADDRESS is required$' \
	"$audit" --from '<>' example.net
check audit_bad_from 3 "^mxpolicy-audit: --from: '<a@b>' is not a mail address$" \
	"$audit" --rcpt a@example.net --from '<a@b>' example.net
check audit_unknown_option 3 'mxpolicy-audit --help lists the options' \
	"$audit" --rcpt a@example.net --frobnicate example.net

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
