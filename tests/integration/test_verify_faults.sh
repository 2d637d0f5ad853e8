#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test_verify_faults.sh -- rcpt_unverified against primaries whose refusals
# are not about the recipient: each case must never end in a 5xx at the
# backup.  A primary that refuses the probe's configured sender at RCPT
# (Postfix's smtpd_reject_unlisted_sender with smtpd_delay_reject, 5.1.0),
# a primary whose policy refusal has no enhanced code (Exim's "550 relay
# not permitted"), and an answer kept past verify_negative_ttl that still
# refuses once the primary is gone.
. "$(dirname "$0")/lib.sh"

PRIMARY=$T/primary

postfix_master() {
	cat <<-CONF
	$MX2:25 inet n - n - - smtpd -o myhostname=mx2.example.net -o syslog_name=postfix-mx2
	CONF
	postfix_services
}

KNOWN="alice@example.net bob@example.net"
EXTRA_PRIMARY=""

primary_conf() {
	local maps="" r
	for r in $KNOWN; do maps+="$r=ok, "; done
	cat <<-CONF
	compatibility_level = 3.6
	queue_directory = $PRIMARY/queue
	data_directory = $PRIMARY/data
	mail_owner = postfix
	setgid_group = postdrop
	myhostname = mx1.example.net
	mydomain = example.net
	mydestination =
	relay_domains = example.net fault.example.net
	relay_recipient_maps = inline:{ ${maps} }
	mynetworks = 127.0.0.1/32
	smtpd_relay_restrictions = reject_unauth_destination
	inet_interfaces = all
	inet_protocols = ipv4
	relay_transport = discard:
	default_transport = discard:
	maillog_file = $PRIMARY/maillog
	maillog_file_prefixes = $T
	smtpd_error_sleep_time = 0
	smtpd_soft_error_limit = 10000
	smtpd_hard_error_limit = 10000
	biff = no
	$EXTRA_PRIMARY
	CONF
}

start_primary() {
	mkdir -p "$PRIMARY/etc" "$PRIMARY/queue" "$PRIMARY/data"
	chown postfix "$PRIMARY/data"
	primary_conf >"$PRIMARY/etc/main.cf"
	{ printf '%s:25 inet n - n - - smtpd\n' "$MX1"; postfix_services; } >"$PRIMARY/etc/master.cf"
	touch "$PRIMARY/maillog"
	local before i
	before=$(grep -c "daemon started" "$PRIMARY/maillog")
	nsexec script -qec "postfix -c $PRIMARY/etc start" /dev/null >"$PRIMARY/start.out" 2>&1
	for ((i = 0; i < 200; i++)); do
		[ "$(grep -c "daemon started" "$PRIMARY/maillog")" -gt "$before" ] &&
			nsexec ss -Hltn "src $MX1 and sport = :25" | grep -q . && return 0
		sleep 0.1
	done
	log "the primary did not start"; cat "$PRIMARY/start.out" "$PRIMARY/maillog" >&2
	exit 1
}

stop_primary() {
	local pid i
	nsexec postfix -c "$PRIMARY/etc" stop >/dev/null 2>&1
	pid=$(tr -d ' ' <"$PRIMARY/queue/pid/master.pid" 2>/dev/null)
	[ -n "$pid" ] && stop_pid "$pid"
	for ((i = 0; i < 100; i++)); do
		nsexec ss -Hltn "src $MX1 and sport = :25" | grep -q . || return 0
		sleep 0.1
	done
}

# An Exim-like primary: every RCPT refused by policy, with no enhanced code.
FAKE_PID=
start_policy_primary() {
	cat >"$T/policy_smtp.py" <<-'PY'
	import socket, sys
	s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
	s.bind((sys.argv[1], 25)); s.listen(16)
	while True:
	    c, _ = s.accept(); f = c.makefile("rb")
	    c.sendall(b"220 mx1.example.net ESMTP Exim 4.96\r\n")
	    for raw in f:
	        v = raw[:4].upper()
	        if v == b"EHLO": c.sendall(b"250-mx1.example.net Hello\r\n250 PIPELINING\r\n")
	        elif v == b"RCPT": c.sendall(b"550 relay not permitted\r\n")
	        elif v == b"QUIT": c.sendall(b"221 bye\r\n"); break
	        else: c.sendall(b"250 OK\r\n")
	    c.close()
	PY
	ip netns exec "$NS" "$PY" "$T/policy_smtp.py" "$MX1" >"$T/fake.out" 2>&1 &
	FAKE_PID=$!
	local i
	for ((i = 0; i < 100; i++)); do
		nsexec ss -Hltn "src $MX1 and sport = :25" | grep -q . && return 0
		sleep 0.1
	done
	log "the fake primary did not start"; exit 1
}
stop_fake_primary() { [ -n "$FAKE_PID" ] && stop_pid "$FAKE_PID"; FAKE_PID=; }

faults_teardown() {
	set +e
	stop_fake_primary
	[ -f "$PRIMARY/etc/main.cf" ] && stop_primary
	it_teardown
}

it_setup
trap faults_teardown EXIT
PRIMARY=$T/primary
mkdir -p "$T/vcache"
chown nobody "$T/vcache"
SERVER=$MX2
SRC=127.0.1.60
HELO=good.sender.example

BASE="dns_timeout_ms = 300
decision_timeout_ms = 3000
$DNS_CHECKS_OFF
rcpt_unverified = reject
verify_timeout_ms = 3000
verify_cache_dir = $T/vcache
mx_probe_timeout_ms = 500
mx_probe_ttl = 0"

accepted_verify() {
	local name=$1 rcpt=$2 from="$1@sender.example"
	smtp "$name" "$SRC" "$HELO" "$from" "$rcpt"
	if expect_reply "$name" accepted; then
		pass "$name"
	else
		grep -F "from=<$from>" "$T/milter.log" | sed 's/^/    | /'
	fi
}

# 1. verify_sender in a domain of the primary, which refuses unlisted senders
EXTRA_PRIMARY="smtpd_reject_unlisted_sender = yes"
start_primary
start_milter "$BASE
verify_sender = probe@example.net"
accepted_verify sender_refused_known_user alice@example.net
grep "probe@example.net" "$PRIMARY/maillog" | grep reject | head -2 | sed 's/^/    primary | /'
stop_milter
stop_primary
rm -f "$T/vcache"/*.mdb

# 2. a policy refusal without an enhanced code
start_policy_primary
start_milter "$BASE"
accepted_verify policy_550_known_user bob@fault.example.net
stop_milter
stop_fake_primary
rm -f "$T/vcache"/*.mdb

# 3. a refusal kept past verify_negative_ttl still refuses in an outage
EXTRA_PRIMARY=""
start_primary
start_milter "$BASE
verify_negative_ttl = 2"
smtp first_refusal_newbox "$SRC" "$HELO" first@sender.example newbox@example.net
expect_reply first_refusal_newbox "550 5.1.1 RCPT" && pass first_refusal_newbox
# the mailbox is created at the primary, the negative answer expires
KNOWN="$KNOWN newbox@example.net"
primary_conf >"$PRIMARY/etc/main.cf"
nsexec postfix -c "$PRIMARY/etc" reload >/dev/null 2>&1
sleep 3
stop_primary
accepted_verify expired_negative_in_outage newbox@example.net

summary
