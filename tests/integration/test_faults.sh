#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test_faults.sh -- faults of the process under load, and privileges.
# Load comes from tests/bench/smtpload (SMTP sessions with a message each,
# counted by outcome) through the private Postfix, whose accepted mail goes
# to smtp-sink: every message is either accepted and reaches the sink, or
# gets a 4xx; none gets a 5xx, none is accepted and lost.
. "$(dirname "$0")/lib.sh"

SMTPLOAD=$top_builddir/tests/bench/smtpload
BASE_CONF="# integration suite: faults and privileges
dns_timeout_ms = 500
decision_timeout_ms = 3000
$DNS_CHECKS_OFF"

it_setup
[ -x "$SMTPLOAD" ] || { fail setup "not built: $SMTPLOAD"; summary; exit 1; }
start_milter "$BASE_CONF"
printf '127.0.1.10 mail.sender.example\n' >"$T/clients"

sink_count() { find "$T/sink" -type f | wc -l; }

# Waits (bounded) until Postfix's queue is empty: everything accepted has
# been handed to the sink, or bounced back as undeliverable.
queue_drained() {
	local i
	for ((i = 0; i < 120; i++)); do
		nsexec postqueue -c "$T/postfix/etc" -p 2>/dev/null | grep -q 'Mail queue is empty' && return 0
		nsexec postqueue -c "$T/postfix/etc" -f 2>/dev/null
		sleep 0.5
	done
	return 1
}

# load_start N CONC: smtpload in the background; load_wait prints its line.
load_start() {
	LOAD_OUT=$T/out/load.$RANDOM
	ip netns exec "$NS" "$SMTPLOAD" -S "$MX1:25" -c "$2" -n "$1" -C "$T/clients" \
		-f load@sender.example -r user@example.net >"$LOAD_OUT" 2>&1 &
	LOAD_PID=$!
}
load_wait() {
	local i
	for ((i = 0; i < 1200; i++)); do
		kill -0 "$LOAD_PID" 2>/dev/null || break
		sleep 0.1
	done
	stop_pid "$LOAD_PID"
	cat "$LOAD_OUT"
}
field() { sed -n "s/.*\\b$1=\\([^ ]*\\).*/\\1/p" <<<"$2"; }
# shows the load's outcome next to the scenario
show_load() { printf '     load: %s\n' "$1"; }

# accounted NAME LINE SINK_BEFORE N: no 5xx, every session counted, every
# accepted message at the sink.  Prints why not, returns 1.
accounted() {
	local name=$1 line=$2 before=$3 n=$4 acc rej tmp err got
	acc=$(field accepted "$line"); rej=$(field rejected "$line")
	tmp=$(field tempfailed "$line"); err=$(field errors "$line")
	if [ -z "$acc" ]; then
		fail "$name" "no result from smtpload: $line"; return 1
	fi
	if ! queue_drained; then
		fail "$name" "Postfix's queue did not drain"; return 1
	fi
	got=$(($(sink_count) - before))
	if [ "$rej" -ne 0 ]; then
		fail "$name" "$rej sessions got a 5xx ($line)"; return 1
	fi
	if [ $((acc + tmp + err)) -ne "$n" ]; then
		fail "$name" "sessions do not add up: $line"; return 1
	fi
	if [ "$got" -ne "$acc" ]; then
		fail "$name" "$acc accepted, $got at the sink ($line)"; return 1
	fi
	return 0
}

# ---- kill -9 under load, then a restart -------------------------------------------
before=$(sink_count)
load_start 400 5
sleep 1
kill -9 "$MILTER_PID"
wait "$MILTER_PID" 2>/dev/null
sleep 1
start_milter "$BASE_CONF"
line=$(load_wait)
show_load "$line"
if accounted kill9_under_load "$line" "$before" 400; then
	if [ "$(field tempfailed "$line")" -gt 0 ] && [ "$(field accepted "$line")" -gt 0 ]; then
		pass kill9_under_load
	else
		fail kill9_under_load "the kill fell outside the load: $line"
	fi
fi

# ---- SIGUSR1 every second under load; a broken config pushed in the middle -----------
before=$(sink_count)
reloads_before=$(grep -c 'configuration reloaded' "$T/milter.log")
load_start 400 5
for ((i = 0; i < 60; i++)); do
	kill -0 "$LOAD_PID" 2>/dev/null || break
	if [ "$i" -eq 2 ]; then
		printf 'helo_not_fqdn = perhaps\n' >"$T/milter.conf"
		kill -USR1 "$MILTER_PID"
		sleep 0.5
		write_milter_conf "$BASE_CONF"
	fi
	kill -USR1 "$MILTER_PID"
	sleep 0.5
done
line=$(load_wait)
show_load "$line"
reloads=$(($(grep -c 'configuration reloaded' "$T/milter.log") - reloads_before))
if accounted reload_under_load "$line" "$before" 400; then
	if [ "$(field accepted "$line")" -ne 400 ]; then
		fail reload_under_load "sessions failed during reloads: $line"
	elif [ "$reloads" -lt 2 ]; then
		fail reload_under_load "only $reloads reloads happened during the load"
	else
		pass reload_under_load
	fi
fi
if grep -q 'reload failed: keeping the current configuration' "$T/milter.log" &&
	grep -q "milter.conf:1: helo_not_fqdn" "$T/milter.log"; then
	pass broken_config_under_load
else
	fail broken_config_under_load "the broken config was not refused with file:line"
fi

# ---- descriptor exhaustion ---------------------------------------------------------------
stop_milter
: >"$T/milter.log"
(ulimit -n 24 && exec ip netns exec "$NS" "$MILTER_BIN" -f -c "$T/milter.conf" \
	-p "inet:$MILTER_PORT@127.0.0.1" -u nobody 2>>"$T/milter.log") &
MILTER_PID=$!
wait_for "$T/milter.log" "listening on" 10 || fail low_ulimit "the milter did not start"
before=$(sink_count)
load_start 200 20
line=$(load_wait)
show_load "$line"
if accounted low_ulimit "$line" "$before" 200; then
	pass low_ulimit
fi
smtp after_low_ulimit 127.0.1.10 mail.sender.example after@sender.example user@example.net
if ! kill -0 "$MILTER_PID" 2>/dev/null; then
	fail after_low_ulimit "the milter is gone (libmilter gives up; systemd's Restart= brings it back)"
elif expect_reply after_low_ulimit accepted; then
	pass after_low_ulimit
fi

# ---- privileges ------------------------------------------------------------------------------
stop_milter
start_milter "$BASE_CONF"
smtp privileges_session 127.0.1.10 mail.sender.example priv@sender.example user@example.net
nobody_uid=$(id -u nobody)
uids=$(awk '/^Uid:/ { print $2, $3, $4, $5 }' /proc/"$MILTER_PID"/task/*/status | tr ' ' '\n' | sort -u)
tasks=$(ls /proc/"$MILTER_PID"/task | wc -l)
if [ "$uids" = "$nobody_uid" ] && [ "$tasks" -ge 3 ]; then
	pass threads_run_as_user
else
	fail threads_run_as_user "task uids: $(echo $uids), $tasks tasks"
fi

# start_other NAME SOCKET [ARGS...]: another instance, on a unix socket; OTHER_PID
start_other() {
	local name=$1 sock=$2
	shift 2
	: >"$T/$name.log"
	ip netns exec "$NS" "$MILTER_BIN" -f -c "$T/$name.conf" -p "$sock" "$@" 2>>"$T/$name.log" &
	OTHER_PID=$!
	PIDS+=("$OTHER_PID")
	wait_for "$T/$name.log" "listening on" 10
}
printf '%s\nsocket_mode = 0640\nsocket_group = nogroup\n' "$BASE_CONF" >"$T/sockperm.conf"
chmod 644 "$T/sockperm.conf"
if start_other sockperm "unix:$T/sockperm.sock" -u nobody; then
	got=$(stat -c '%a %U %G' "$T/sockperm.sock")
	if [ "$got" = "640 nobody nogroup" ]; then pass socket_mode_group; else
		fail socket_mode_group "socket is '$got', expected '640 nobody nogroup'"
	fi
else
	fail socket_mode_group "did not start"; sed 's/^/    | /' "$T/sockperm.log"
fi
stop_pid "$OTHER_PID"

printf '%s\n' "$BASE_CONF" >"$T/writable.conf"
chmod 666 "$T/writable.conf"
start_other writable "unix:$T/writable.sock" -u nobody
if grep -q "writable.conf is writable by everyone" "$T/writable.log"; then pass warn_world_writable; else
	fail warn_world_writable "no warning"; sed 's/^/    | /' "$T/writable.log"
fi
stop_pid "$OTHER_PID"

printf '%s\n' "$BASE_CONF" >"$T/root.conf"
chmod 644 "$T/root.conf"
start_other root "unix:$T/root.sock"
if grep -q "running as root: give -u USER" "$T/root.log"; then pass warn_running_as_root; else
	fail warn_running_as_root "no warning"; sed 's/^/    | /' "$T/root.log"
fi
stop_pid "$OTHER_PID"

summary
