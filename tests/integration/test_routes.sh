#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test_routes.sh -- MX routes through a Postfix listening as mx1 (primary,
# MX 10) and mx2 (backup, MX 20) of example.net: the same verdicts on both,
# route= in every decision line, backup_primary_up with the primary's probe
# port open and closed, implicit MX, null MX, two domains in one message.
. "$(dirname "$0")/lib.sh"

BASE_CONF='# integration suite: MX routes
dns_timeout_ms = 300
decision_timeout_ms = 3000
mx_probe_timeout_ms = 500
mx_probe_ttl = 0'

it_setup
start_milter "$BASE_CONF"

# ---- the same verdicts on every route -------------------------------------------
same_on_both() {
	local name=$1 src=$2 helo=$3 want=$4 checks=$5
	SERVER=$MX1
	refused "${name}_mx1" "$src" "$helo" user@example.net "$want" "$checks"
	SERVER=$MX2
	refused "${name}_mx2" "$src" "$helo" user@example.net "$want" "$checks"
	expect_milter_log "${name}_mx2" "${name}_mx2@sender.example" \
		"route=backup(pref=20,primary=mx1.example.net:down)" &&
		expect_milter_log "${name}_mx1" "${name}_mx1@sender.example" "route=primary(pref=10)" &&
		pass "${name}_routes"
	SERVER=$MX1
}
# probe a closed port: the primary counts as down
reload_milter "$BASE_CONF
mx_probe_port = 2599"
same_on_both not_fqdn 127.0.1.13 WIN-8DKQ3J2 "504 5.5.2 RCPT" helo_not_fqdn
same_on_both bare_ip 127.0.1.12 127.0.1.12 "501 5.5.2 RCPT" helo_bare_ip
same_on_both syntax 127.0.1.11 bad+name.sender.example "501 5.5.2 RCPT" helo_syntax
same_on_both literal 127.0.1.14 '[192.0.2.1]' "550 5.7.1 RCPT" helo_literal_mismatch
same_on_both impersonation 127.0.1.17 example.net "550 5.7.1 RCPT" helo_impersonation
same_on_both ptr_missing 127.0.2.2 '[127.0.2.2]' "450 4.7.25 RCPT" ptr_missing

# ---- backup_primary_up ------------------------------------------------------------------
SERVER=$MX2
accepted primary_down_log 127.0.2.1 good.sender.example user@example.net \
	"route=backup(pref=20,primary=mx1.example.net:down)" "checks=-" "verdict=accept"
reload_milter "$BASE_CONF
mx_probe_port = 25"
accepted primary_up_log 127.0.2.1 good.sender.example user@example.net \
	"route=backup(pref=20,primary=mx1.example.net:up)" "checks=backup_primary_up" \
	"action=log" "verdict=accept"
reload_milter "$BASE_CONF
mx_probe_port = 25
backup_primary_up = tempfail"
refused primary_up_tempfail 127.0.2.1 good.sender.example user@example.net \
	"451 4.7.1 RCPT" backup_primary_up
expect_line primary_up_reply_names_primary "$T/out/primary_up_tempfail.txt" \
	'451 4.7.1 Please deliver to the primary MX (mx1.example.net)' "reply does not name mx1.example.net"
SERVER=$MX1
accepted primary_not_probed 127.0.2.1 good.sender.example user@example.net \
	"route=primary(pref=10)" "verdict=accept"
reload_milter "$BASE_CONF
mx_probe_port = 2599
backup_primary_up = tempfail"
SERVER=$MX2
accepted primary_down_tempfail 127.0.2.1 good.sender.example user@example.net \
	"route=backup(pref=20,primary=mx1.example.net:down)" "verdict=accept"
reload_milter "$BASE_CONF
mx_probe_port = 25
backup_primary_up = tempfail
allow_backup_clients = 127.0.2.0/24"
accepted allow_backup_clients 127.0.2.1 good.sender.example user@example.net \
	"route=backup(pref=20,primary=mx1.example.net:up)" "checks=-" "verdict=accept"
SERVER=$MX1

# ---- NAT: mx2 reached on a private address, mapped by local_addresses ----------------
reload_milter "$BASE_CONF
backup_primary_up = off"
SERVER=$NATMX
accepted nat_unmapped 127.0.2.1 good.sender.example user@example.net "route=none"
expect_line nat_unmapped_warning "$T/milter.log" \
	"local address $NATMX is private and local_addresses maps it to no public address" \
	"no warning about the unmapped private local address"
reload_milter "$BASE_CONF
backup_primary_up = off
local_addresses = $NATMX=$MX2"
accepted nat_mapped 127.0.2.1 good.sender.example user@example.net \
	"route=backup(pref=20,primary=mx1.example.net)"
refused nat_same_verdict 127.0.1.13 WIN-8DKQ3J2 user@example.net "504 5.5.2 RCPT" helo_not_fqdn
if [ "$(grep -c 'is private and local_addresses maps it' "$T/milter.log")" -eq 1 ]; then
	pass nat_warning_once
else
	fail nat_warning_once "the NAT warning is not logged exactly once"
fi
SERVER=$MX1

# ---- a large MX RRset: most preferred first, whatever the answer order -----------------
# big.example.org lists 38 exchangers at 30 before us (20) and the primary (10),
# in an answer too large for UDP.
if nsexec dig +noedns +ignore +time=2 @127.0.0.1 big.example.org MX | grep -q 'flags:.* tc'; then
	pass big_rrset_needs_tcp
else
	fail big_rrset_needs_tcp "the 40-record answer fits UDP: the test does not reach TCP"
fi
SERVER=$MX2
accepted big_rrset_backup 127.0.2.1 good.sender.example user@big.example.org \
	"rcpt_domain=big.example.org" "route=backup(pref=20,primary=mx1.example.net)" "verdict=accept"
# 20 exchangers at 10 before us at 30: more than are kept, so unknown, never none
accepted crowded_rrset_unknown 127.0.2.1 good.sender.example user@crowded.example.org \
	"route=unknown(mx-truncated)"
reload_milter "$BASE_CONF
mx_probe_port = 25
backup_primary_up = tempfail"
refused big_rrset_primary_up 127.0.2.1 good.sender.example user@big.example.org \
	"451 4.7.1 RCPT" backup_primary_up
expect_milter_log big_rrset_primary_up big_rrset_primary_up@sender.example \
	"route=backup(pref=20,primary=mx1.example.net:up)" && pass big_rrset_primary_up_route
SERVER=$MX1
accepted big_rrset_primary 127.0.2.1 good.sender.example user@big.example.org \
	"route=primary(pref=10)" "verdict=accept"
reload_milter "$BASE_CONF"

# ---- other domains: implicit MX, null MX, not ours, two domains at once ------------------
accepted route_implicit 127.0.2.1 good.sender.example user@example.org \
	"route=primary(pref=0)" "verdict=accept"
accepted route_nullmx 127.0.2.1 good.sender.example user@nomail.example.org \
	"route=nullmx" "verdict=accept"
accepted route_none 127.0.2.1 good.sender.example user@sender.example "route=none"
smtp two_domains 127.0.2.1 good.sender.example two_domains@sender.example \
	user@example.net,user@sender.example
expect_reply two_domains accepted &&
	expect_milter_log two_domains two_domains@sender.example "rcpt_domain=example.net" \
		"route=primary(pref=10)" &&
	expect_milter_log two_domains two_domains@sender.example "rcpt_domain=sender.example" \
		"route=none" && pass two_domains

summary
