#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test_helo.sh -- the HELO policy through a real Postfix: every check with
# its default action, reply code, enhanced code, stage and decision line;
# actions, custom replies, exemptions, enforce_at, dry run and reloads.
. "$(dirname "$0")/lib.sh"

BASE_CONF="# integration suite: HELO policy
local_names = backup.example.org
dns_timeout_ms = 500
decision_timeout_ms = 3000
# this suite isolates the HELO syntax checks; test_dns.sh covers the DNS ones
$DNS_CHECKS_OFF"

# The suite runs through the primary listener, and again (test_helo_backup.sh)
# through the backup one: every verdict must be the same on both routes.
MAIN=${HELO_SUITE_SERVER:-$MX1}
if [ "$MAIN" = "$MX1" ]; then
	MAIN_ROUTE="route=primary(pref=10)"
	MAIN_NAME=mx1.example.net
else
	MAIN_ROUTE="route=backup(pref=20,primary=mx1.example.net)"
	MAIN_NAME=mx2.example.net
fi

it_setup
SERVER=$MAIN
start_milter "$BASE_CONF"

# ---- every HELO check, default action --------------------------------------
accepted good_fqdn 127.0.1.10 mail.sender.example user@example.net \
	"helo=mail.sender.example" "checks=-" "verdict=accept" "rcpt=<user@example.net>" \
	"rcpt_domain=example.net" "$MAIN_ROUTE"
# an underscore is no syntax error (Windows names; Postfix accepts it too)
accepted helo_underscore 127.0.1.10 mail_gw.sender.example user@example.net \
	"helo=mail_gw.sender.example" "checks=-" "verdict=accept"
refused helo_syntax 127.0.1.11 bad+name.sender.example user@example.net \
	"501 5.5.2 RCPT" helo_syntax
# RFC 5321 4.1.3: the IPv6 tag must be followed by an IPv6 address
refused helo_ipv6_tag_ipv4 127.0.1.11 '[IPv6:127.0.1.11]' user@example.net \
	"501 5.5.2 RCPT" helo_syntax
refused helo_syntax_dots 127.0.1.11 mail..sender.example user@example.net \
	"501 5.5.2 RCPT" helo_syntax
refused helo_bare_ip 127.0.1.12 127.0.1.12 user@example.net "501 5.5.2 RCPT" helo_bare_ip
refused helo_not_fqdn 127.0.1.13 WIN-8DKQ3J2 user@example.net "504 5.5.2 RCPT" helo_not_fqdn
refused helo_localhost 127.0.1.13 localhost user@example.net "504 5.5.2 RCPT" helo_not_fqdn
refused helo_literal_mismatch 127.0.1.14 '[192.0.2.1]' user@example.net \
	"550 5.7.1 RCPT" helo_literal_mismatch
refused helo_literal_v6_mismatch 127.0.1.14 '[IPv6:2001:db8::1]' user@example.net \
	"550 5.7.1 RCPT" helo_literal_mismatch
accepted helo_literal_own 127.0.1.15 '[127.0.1.15]' user@example.net "checks=-" "verdict=accept"
accepted helo_literal_zeros 127.0.1.16 '[127.000.001.016]' user@example.net \
	"checks=-" "verdict=accept"
accepted helo_trailing_dot 127.0.1.10 mail.sender.example. user@example.net \
	"checks=-" "verdict=accept"
refused impersonate_j 127.0.1.17 mx1.example.net user@example.net \
	"550 5.7.1 RCPT" helo_impersonation
refused impersonate_j_case 127.0.1.17 MX1.Example.NET user@example.net \
	"550 5.7.1 RCPT" helo_impersonation
refused impersonate_rcpt_domain 127.0.1.17 example.net user@example.net \
	"550 5.7.1 RCPT" helo_impersonation
refused impersonate_local_names 127.0.1.17 backup.example.org user@example.net \
	"550 5.7.1 RCPT" helo_impersonation
refused impersonate_rcpt_mx 127.0.1.17 mx2.example.net user@example.net \
	"550 5.7.1 RCPT" helo_impersonation
# the decision line says what was claimed, both addresses, and the way out
expect_milter_log impersonate_rcpt_mx impersonate_rcpt_mx@sender.example \
	'evidence="HELO mx2.example.net is an MX host of example.net, not the client 127.0.1.17; a relay of ours: list its address in allow_clients; its addresses: 127.0.0.26"' &&
	pass impersonate_rcpt_mx_evidence
refused impersonate_rcpt_mx_address 127.0.1.17 '[127.0.0.26]' user@example.net \
	"550 5.7.1 RCPT" helo_impersonation,helo_literal_mismatch
refused impersonate_our_address 127.0.1.17 '[127.0.0.25]' user@example.net \
	"550 5.7.1 RCPT" helo_impersonation,helo_literal_mismatch

# No HELO at all: Postfix lets MAIL through, the milter refuses at RCPT.
dialog helo_missing 127.0.1.18 "MAIL FROM:<helo_missing@sender.example>" \
	"RCPT TO:<user@example.net>" "QUIT"
expect_reply helo_missing "503 5.5.1 RCPT" &&
	expect_postfix_log helo_missing helo_missing@sender.example "milter-reject: RCPT from .*: 503 5.5.1" &&
	expect_milter_log helo_missing helo_missing@sender.example "helo=-" "checks=helo_missing" \
		"verdict=reject" && pass helo_missing

# ---- the backup listener: same verdicts, route=backup -----------------------------
SERVER=$MX2
accepted backup_good_fqdn 127.0.1.10 mail.sender.example user@example.net \
	"checks=-" "verdict=accept" "route=backup(pref=20,primary=mx1.example.net)"
refused backup_helo_not_fqdn 127.0.1.13 WIN-8DKQ3J2 user@example.net "504 5.5.2 RCPT" helo_not_fqdn
refused backup_helo_bare_ip 127.0.1.12 127.0.1.12 user@example.net "501 5.5.2 RCPT" helo_bare_ip
refused backup_impersonate_primary 127.0.1.17 mx1.example.net user@example.net \
	"550 5.7.1 RCPT" helo_impersonation
accepted backup_route_none 127.0.1.10 mail.sender.example user@sender.example \
	"rcpt_domain=sender.example" "route=none"
SERVER=$MAIN
# our own backup relaying to the primary: an MX host of the domain, exempt
accepted mx_peer 127.0.0.26 mx2.example.net user@example.net \
	"verdict=exempt" "exempt=allow_mx_peers" "$MAIN_ROUTE"

# ---- exemptions ----------------------------------------------------------------
accepted exempt_postmaster 127.0.1.19 WIN-8DKQ3J2 postmaster@example.net \
	"checks=helo_not_fqdn" "verdict=exempt" "exempt=allow_recipients"
accepted exempt_abuse 127.0.1.19 WIN-8DKQ3J2 Abuse@example.org \
	"verdict=exempt" "exempt=allow_recipients"

# One transaction, two recipients: each gets its own decision.
smtp per_rcpt 127.0.1.20 WIN-8DKQ3J2 per_rcpt@sender.example \
	postmaster@example.net,user@example.net
expect_reply per_rcpt "504 5.5.2 RCPT" &&
	expect_milter_log per_rcpt per_rcpt@sender.example "rcpt=<postmaster@example.net>" "verdict=exempt" &&
	expect_milter_log per_rcpt per_rcpt@sender.example "rcpt=<user@example.net>" "verdict=reject" &&
	pass per_rcpt

# our backup relaying from an egress address that is not in its A record
# (NAT, a second interface): refused until allow_clients lists it
refused mx_peer_egress 127.0.1.50 mx2.example.net user@example.net \
	"550 5.7.1 RCPT" helo_impersonation
reload_milter "$BASE_CONF
allow_clients = 127.0.0.1/32 ::1/128 127.0.1.32/30 127.0.1.50
allow_helo = 127.0.1.40 legacy.sender.example"
accepted exempt_allow_clients 127.0.1.33 WIN-8DKQ3J2 user@example.net \
	"checks=helo_not_fqdn" "verdict=exempt" "exempt=allow_clients"
accepted mx_peer_egress_allowed 127.0.1.50 mx2.example.net user@example.net \
	"verdict=exempt" "exempt=allow_clients"
refused not_exempt_next_net 127.0.1.36 WIN-8DKQ3J2 user@example.net "504 5.5.2 RCPT" helo_not_fqdn
accepted allow_helo_client 127.0.1.40 WIN-8DKQ3J2 user@example.net "checks=-" "verdict=accept"
accepted allow_helo_name 127.0.1.41 box.legacy.sender.example user@example.net \
	"checks=-" "verdict=accept"

# ---- actions and replies ---------------------------------------------------------
reload_milter "$BASE_CONF
helo_not_fqdn = tempfail
helo_bare_ip_reply = 554 5.7.1 Bracket your address literal, 100% of the time
helo_syntax = log"
refused action_tempfail 127.0.1.21 WIN-8DKQ3J2 user@example.net "450 4.5.2 RCPT" helo_not_fqdn
refused custom_reply 127.0.1.22 127.0.1.22 user@example.net "554 5.7.1 RCPT" helo_bare_ip
expect_line custom_reply_text "$T/out/custom_reply.txt" \
	'554 5.7.1 Bracket your address literal, 100% of the time' "reply text not as configured"
accepted action_log 127.0.1.23 bad+name.sender.example user@example.net \
	"checks=helo_syntax" "action=log" "verdict=accept"

reload_milter "$BASE_CONF
helo_not_fqdn = tag
authserv_id = mx1.test"
smtp action_tag 127.0.1.24 WIN-8DKQ3J2 action_tag@sender.example user@example.net --data \
	--add-header "X-MX-Policy: forged by the sender"
if expect_reply action_tag accepted &&
	expect_milter_log action_tag action_tag@sender.example "checks=helo_not_fqdn" "action=tag" "verdict=accept"; then
	headers=$(delivered_headers action_tag)
	if ! printf '%s\n' "$headers" | grep -q '^X-MX-Policy: mx1.test; checks=helo_not_fqdn$'; then
		fail action_tag "delivered message lacks our X-MX-Policy header"
		printf '%s\n' "$headers" | sed 's/^/    | /'
	elif printf '%s\n' "$headers" | grep -q 'forged by the sender'; then
		fail action_tag "the sender's forged X-MX-Policy header was delivered"
	else
		pass action_tag
	fi
fi

smtp forged_removed 127.0.1.10 mail.sender.example forged_removed@sender.example \
	user@example.net --data --add-header "X-MX-Policy: mx1.test; checks=-"
if expect_reply forged_removed accepted; then
	headers=$(delivered_headers forged_removed)
	if [ -z "$headers" ]; then
		fail forged_removed "message did not reach the sink"
	elif printf '%s\n' "$headers" | grep -qi '^X-MX-Policy'; then
		fail forged_removed "a forged X-MX-Policy header was delivered"
	else
		pass forged_removed
	fi
fi

# ---- enforce_at = mail ------------------------------------------------------------
reload_milter "$BASE_CONF
enforce_at = mail"
refused enforce_at_mail 127.0.1.25 WIN-8DKQ3J2 user@example.net "504 5.5.2 MAIL" helo_not_fqdn
accepted enforce_at_mail_good 127.0.1.10 mail.sender.example user@example.net \
	"stage=RCPT" "verdict=accept"

# ---- dry run ----------------------------------------------------------------------
reload_milter "$BASE_CONF
dry_run = yes"
smtp dry_run 127.0.1.26 WIN-8DKQ3J2 dry_run@sender.example user@example.net --data
if expect_reply dry_run accepted &&
	expect_milter_log dry_run dry_run@sender.example "checks=helo_not_fqdn" "action=reject" \
		"verdict=would-reject" "reply=\"504 5.5.2"; then
	if delivered_headers dry_run | grep -q "^X-MX-Policy: $MAIN_NAME; checks=helo_not_fqdn; dry-run\$"; then
		pass dry_run
	else
		fail dry_run "delivered message lacks the dry-run X-MX-Policy header"
	fi
fi

# ---- a broken config pushed by reload is refused; the old one keeps serving --------
printf 'helo_not_fqdn = maybe\nbogus_option = 1\n' >"$T/milter.conf"
RELOADS=$((RELOADS + 1))
kill -USR1 "$MILTER_PID"
if wait_for "$T/milter.log" "reload failed: keeping the current configuration" 10 &&
	grep -q "reload: $T/milter.conf:1: helo_not_fqdn: expected reject, tempfail, tag, log or off" "$T/milter.log" &&
	grep -q "reload: $T/milter.conf:2: unknown option 'bogus_option'" "$T/milter.log"; then
	accepted bad_reload_keeps_old 127.0.1.27 WIN-8DKQ3J2 user@example.net "verdict=would-reject"
else
	fail bad_reload_keeps_old "no file:line errors logged for the broken reload"
fi

# ---- a failed lookup never turns an exemption into a refusal ------------------------
# Our backup relays with HELO mx2.example.net and its A record SERVFAILs: the
# HELO cannot be shown honest nor the client an MX peer, so the answer is a
# deferral, never 550.  A fresh filter, so that no cached answer hides the fault.
stop_milter
set_dns_faults '{"mx2.example.net A": "servfail"}'
start_milter "$BASE_CONF"
refused mx_peer_servfail 127.0.0.26 mx2.example.net user@example.net \
	"451 4.4.3 RCPT" -
expect_milter_log mx_peer_servfail mx_peer_servfail@sender.example \
	"exempt_unknown=allow_mx_peers" "temperror=helo_impersonation" &&
	pass mx_peer_servfail_logged
set_dns_faults '{}'

# ---- privileges: the serving process runs as the -u user --------------------------
if [ "$(ps -o user= -p "$MILTER_PID" | tr -d ' ')" = nobody ] &&
	grep -q "running as user nobody" "$T/milter.log"; then
	pass runs_as_user
else
	fail runs_as_user "milter not running as nobody"
fi

summary
