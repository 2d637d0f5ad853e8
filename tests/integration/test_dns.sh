#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test_dns.sh -- the DNS-based checks through a real Postfix and NSD, with
# faults injected by dnsfront.py: every check and default action, SERVFAIL,
# REFUSED, timeouts and truncation for the PTR, its forward confirmation and
# the HELO lookups (never a 5xx), and the Authentication-Results header.
. "$(dirname "$0")/lib.sh"

BASE_CONF='# integration suite: DNS checks
dns_timeout_ms = 300
dns_tries = 2
decision_timeout_ms = 3000
authserv_id = mx1.test'

# delivered NAME SRC HELO HEADER_REGEX...: accepted; the delivered message
# carries every header line given.
delivered() {
	local name=$1 src=$2 helo=$3 re headers
	shift 3
	smtp "$name" "$src" "$helo" "$name@sender.example" user@example.net --data \
		--add-header "Authentication-Results: mx1.test; iprev=pass policy.iprev=10.9.9.9 (forged)" \
		--add-header "Authentication-Results: other.example; spf=pass smtp.mailfrom=sender.example"
	expect_reply "$name" accepted || return 1
	headers=$(delivered_headers "$name" | tr -d '\r' | sed -e ':a' -e 'N' -e '$!ba' -e 's/\n\t/ /g')
	for re in "$@"; do
		if ! grep -Eq -- "$re" <<<"$headers"; then
			fail "$name" "delivered message lacks a header matching: $re"
			sed 's/^/    | /' <<<"$headers"
			return 1
		fi
	done
	return 0
}

it_setup
start_milter "$BASE_CONF"

# ---- FCrDNS and the Authentication-Results header ---------------------------
if delivered iprev_pass 127.0.2.1 good.sender.example \
	'^Authentication-Results: mx1.test; iprev=pass policy.iprev=127.0.2.1 \(good.sender.example\)$' \
	'^Authentication-Results: other.example; spf=pass'; then
	if delivered_headers iprev_pass | grep -q 'forged'; then
		fail iprev_pass "the forged Authentication-Results with our id was delivered"
	else
		expect_milter_log iprev_pass iprev_pass@sender.example "ptr=good.sender.example" \
			"iprev=pass" "checks=-" "verdict=accept" && pass iprev_pass
	fi
fi
refused ptr_missing 127.0.2.2 '[127.0.2.2]' user@example.net "450 4.7.25 RCPT" ptr_missing
expect_milter_log ptr_missing ptr_missing@sender.example "ptr=-" "iprev=permerror" &&
	pass ptr_missing_logged
delivered ptr_unconfirmed 127.0.2.3 '[127.0.2.3]' \
	'^Authentication-Results: mx1.test; iprev=fail policy.iprev=127.0.2.3 \(liar.sender.example\)$' \
	'^X-MX-Policy: mx1.test; checks=ptr_unconfirmed' &&
	expect_milter_log ptr_unconfirmed ptr_unconfirmed@sender.example "iprev=fail" \
		"checks=ptr_unconfirmed" "action=tag" "verdict=accept" &&
	pass ptr_unconfirmed
delivered ptr_generic 127.0.2.4 127-0-2-4.dsl.sender.example \
	'^X-MX-Policy: mx1.test; checks=ptr_generic$' &&
	expect_milter_log ptr_generic ptr_generic@sender.example "ptr=127-0-2-4.dsl.sender.example" \
		"iprev=pass" "checks=ptr_generic" "verdict=accept" && pass ptr_generic
delivered ptr_cname_chain 127.0.2.10 real.sender.example \
	'iprev=pass policy.iprev=127.0.2.10 \(alias.sender.example\)' && pass ptr_cname_chain

# ---- HELO names in DNS ------------------------------------------------------------
delivered helo_unknown 127.0.2.1 nowhere.sender.example \
	'^X-MX-Policy: mx1.test; checks=helo_unknown$' &&
	expect_milter_log helo_unknown helo_unknown@sender.example "checks=helo_unknown" &&
	pass helo_unknown
accepted helo_mismatch 127.0.2.1 mail.sender.example user@example.net \
	"checks=helo_mismatch" "action=log" "verdict=accept"
accepted helo_mx_only 127.0.2.1 mxonly.sender.example user@example.net \
	"checks=helo_mismatch" "verdict=accept"
accepted helo_null_mx 127.0.2.1 nullmx.sender.example user@example.net \
	"checks=helo_mismatch" "verdict=accept"

# ---- temporary failures: 451 4.4.3, never a 5xx -------------------------------------
set_dns_faults '{"5.2.0.127.in-addr.arpa ptr": "servfail",
 "6.2.0.127.in-addr.arpa ptr": "timeout",
 "9.2.0.127.in-addr.arpa ptr": "refused",
 "flaky.sender.example a": "servfail",
 "8.2.0.127.in-addr.arpa ptr": "tc",
 "tcp.sender.example a": "tc-tcpfail",
 "broken.sender.example a": "servfail",
 "broken.sender.example aaaa": "servfail",
 "broken.sender.example mx": "servfail"}'
refused ptr_servfail 127.0.2.5 '[127.0.2.5]' user@example.net "451 4.4.3 RCPT" -
expect_milter_log ptr_servfail ptr_servfail@sender.example "iprev=temperror" \
	"temperror=ptr_missing,ptr_unconfirmed,ptr_generic" && pass ptr_servfail_logged
refused ptr_timeout 127.0.2.6 '[127.0.2.6]' user@example.net "451 4.4.3 RCPT" -
refused ptr_refused 127.0.2.9 '[127.0.2.9]' user@example.net "451 4.4.3 RCPT" -
accepted forward_servfail 127.0.2.7 good.sender.example user@example.net \
	"iprev=temperror" "temperror=ptr_unconfirmed" "verdict=accept"
accepted ptr_truncated_then_tcp 127.0.2.8 good.sender.example user@example.net \
	"ptr=tcp.sender.example" "iprev=temperror" "verdict=accept"
accepted helo_servfail_tag 127.0.2.1 broken.sender.example user@example.net \
	"temperror=helo_unknown,helo_mismatch" "verdict=accept"

reload_milter "$BASE_CONF
ptr_missing = reject
ptr_unconfirmed = reject
ptr_generic = reject
helo_unknown = reject
helo_mismatch = reject"
refused strict_ptr_servfail 127.0.2.5 '[127.0.2.5]' user@example.net "451 4.4.3 RCPT" -
refused strict_ptr_timeout 127.0.2.6 '[127.0.2.6]' user@example.net "451 4.4.3 RCPT" -
refused strict_forward_servfail 127.0.2.7 '[127.0.2.7]' user@example.net "451 4.4.3 RCPT" -
refused strict_helo_servfail 127.0.2.1 broken.sender.example user@example.net "451 4.4.3 RCPT" -
refused strict_ptr_nxdomain 127.0.2.2 '[127.0.2.2]' user@example.net "550 5.7.25 RCPT" \
	ptr_missing
refused strict_unconfirmed 127.0.2.3 '[127.0.2.3]' user@example.net "550 5.7.25 RCPT" \
	ptr_unconfirmed

# ---- allow_ptr trusts only a confirmed name ------------------------------------------
reload_milter "$BASE_CONF
ptr_unconfirmed = reject
allow_ptr = partner.sender.example, liar.sender.example"
set_dns_faults '{}'
accepted allow_ptr_confirmed 127.0.2.11 WIN-8DKQ3J2 user@example.net \
	"ptr=out.partner.sender.example" "verdict=exempt" "exempt=allow_ptr"
refused allow_ptr_unconfirmed 127.0.2.3 '[127.0.2.3]' user@example.net \
	"550 5.7.25 RCPT" ptr_unconfirmed

summary
