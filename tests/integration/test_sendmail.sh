#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test_sendmail.sh -- Sendmail parity: the core HELO, reverse-DNS and route
# scenarios through a real Sendmail 8.17 and through Postfix, side by side.
# Both must give the same reply code, enhanced code and stage, and the milter
# the same decision line; Sendmail's route comes from {if_addr}, since it
# listens on 0.0.0.0 ({daemon_addr} 0.0.0.0).  Sendmail only queues.
. "$(dirname "$0")/lib.sh"

BASE_CONF='# integration suite: Sendmail parity
dns_timeout_ms = 300
dns_tries = 2
decision_timeout_ms = 3000
authserv_id = mx1.test
mx_probe_timeout_ms = 500
mx_probe_ttl = 0'

it_require_root
if ! sendmail_available; then
	if [ "${MXPT_REQUIRE_SENDMAIL:-}" = 1 ]; then
		fail sendmail_available "no Sendmail in $MXPT_SENDMAIL_ROOT (run tests/integration/fetch-sendmail.sh as root)"
		summary
		exit 1
	fi
	log "SKIP: no Sendmail in $MXPT_SENDMAIL_ROOT; tests/integration/fetch-sendmail.sh (root) unpacks it"
	exit 0
fi
it_setup
# Nothing listens on port 2599: the primary counts as down until a reload.
start_milter "$BASE_CONF
mx_probe_port = 2599"
start_sendmail

# decision NAME: the decision lines for NAME's sender, without what differs
# by MTA by design (queue id, session, sender address).
decision() {
	wait_for "$T/milter.log" "from=<$1@sender.example>" 5
	milter_lines "$1@sender.example" | sed -e 's/.* stage=/stage=/' -e 's/ from=<[^>]*>//'
}

# parity NAME SRC HELO "CODE XCODE STAGE"|accepted [KEY=VALUE...]: the scenario
# through Postfix ($PF_SERVER:25) and through Sendmail ($SM_SERVER:$SM_PORT);
# the Sendmail decision line must also carry every KEY=VALUE given.
PF_SERVER=$MX1
SM_SERVER=$SMX1
parity() {
	local name=$1 src=$2 helo=$3 want=$4 pf=${1}_postfix sm=${1}_sendmail a b
	shift 4
	SERVER=$PF_SERVER SMTP_PORT=25 smtp "$pf" "$src" "$helo" "$pf@sender.example" user@example.com
	SERVER=$SM_SERVER SMTP_PORT=$SM_PORT smtp "$sm" "$src" "$helo" "$sm@sender.example" user@example.com
	expect_reply "$pf" "$want" && expect_reply "$sm" "$want" || return 1
	expect_milter_log "$name" "$sm@sender.example" "client=$src" "$@" || return 1
	a=$(decision "$pf")
	b=$(decision "$sm")
	if [ -n "$a" ] && [ "$a" = "$b" ]; then
		pass "$name"
		return 0
	fi
	fail "$name" "the decision lines differ between Postfix and Sendmail"
	printf '    | postfix:  %s\n    | sendmail: %s\n' "$a" "$b"
	return 1
}

# ---- HELO checks ---------------------------------------------------------------------
parity good_fqdn 127.0.1.10 mail.sender.example accepted \
	"checks=-" "verdict=accept" "route=primary(pref=10)"
parity helo_syntax 127.0.1.11 mail-.sender.example "501 5.5.2 RCPT" \
	"checks=helo_syntax" "verdict=reject"
parity helo_bare_ip 127.0.1.12 127.0.1.12 "501 5.5.2 RCPT" "checks=helo_bare_ip"
parity helo_not_fqdn 127.0.1.13 WIN-8DKQ3J2 "504 5.5.2 RCPT" "checks=helo_not_fqdn"
parity helo_literal_mismatch 127.0.1.14 '[192.0.2.1]' "550 5.7.1 RCPT" \
	"checks=helo_literal_mismatch"
parity helo_literal_own 127.0.1.15 '[127.0.1.15]' "450 4.7.25 RCPT" "checks=ptr_missing"
parity impersonate_rcpt_domain 127.0.1.17 example.com "550 5.7.1 RCPT" \
	"checks=helo_impersonation"
parity impersonate_rcpt_mx 127.0.1.17 smx2.example.com "550 5.7.1 RCPT" \
	"checks=helo_impersonation"

# No HELO at all: both MTAs let MAIL through, the milter refuses at RCPT.
for mta in postfix sendmail; do
	if [ $mta = postfix ]; then server=$MX1 port=25; else server=$SMX1 port=$SM_PORT; fi
	SERVER=$server SMTP_PORT=$port dialog "helo_missing_$mta" 127.0.1.18 \
		"MAIL FROM:<helo_missing_$mta@sender.example>" "RCPT TO:<user@example.com>" QUIT
done
if expect_reply helo_missing_postfix "503 5.5.1 RCPT" &&
	expect_reply helo_missing_sendmail "503 5.5.1 RCPT" &&
	expect_milter_log helo_missing helo_missing_sendmail@sender.example "helo=-" \
		"checks=helo_missing" "route=primary(pref=10)"; then
	if [ "$(decision helo_missing_postfix)" = "$(decision helo_missing_sendmail)" ]; then
		pass helo_missing
	else
		fail helo_missing "the decision lines differ between Postfix and Sendmail"
	fi
fi

# ---- reverse DNS --------------------------------------------------------------------
parity iprev_pass 127.0.2.1 good.sender.example accepted \
	"ptr=good.sender.example" "iprev=pass" "checks=-"
parity ptr_missing 127.0.2.2 '[127.0.2.2]' "450 4.7.25 RCPT" \
	"ptr=-" "iprev=permerror" "checks=ptr_missing" "verdict=tempfail"
parity ptr_unconfirmed 127.0.2.3 '[127.0.2.3]' accepted \
	"iprev=fail" "checks=ptr_unconfirmed" "action=tag"
parity ptr_generic 127.0.2.4 127-0-2-4.dsl.sender.example accepted "checks=ptr_generic"
set_dns_faults '{"5.2.0.127.in-addr.arpa ptr": "servfail"}'
parity ptr_servfail 127.0.2.5 '[127.0.2.5]' "451 4.4.3 RCPT" \
	"iprev=temperror" "temperror=ptr_missing,ptr_unconfirmed,ptr_generic"
set_dns_faults '{}'

# ---- MX routes: {if_addr} on Sendmail, {daemon_addr} on Postfix -------------------------
PF_SERVER=$MX2
SM_SERVER=$SMX2
parity backup_good 127.0.2.1 good.sender.example accepted \
	"route=backup(pref=20,primary=smx1.example.com:down)" "checks=-"
parity backup_not_fqdn 127.0.1.13 WIN-8DKQ3J2 "504 5.5.2 RCPT" \
	"route=backup(pref=20,primary=smx1.example.com:down)" "checks=helo_not_fqdn"
# The primary's Postfix listener answers on 127.0.0.25:25.
reload_milter "$BASE_CONF
mx_probe_port = 25
backup_primary_up = tempfail"
parity backup_primary_up 127.0.2.1 good.sender.example "451 4.7.1 RCPT" \
	"route=backup(pref=20,primary=smx1.example.com:up)" "checks=backup_primary_up"
expect_line backup_primary_up_reply "$T/out/backup_primary_up_sendmail.txt" \
	'451 4.7.1 Please deliver to the primary MX (smx1.example.com)' \
	"Sendmail did not pass the milter's reply text on"
PF_SERVER=$MX1
SM_SERVER=$SMX1

# A loopback listener: Sendmail sends no {if_addr}, and {daemon_addr} is
# 0.0.0.0, so the route is unknown and the milter says what to change.
SERVER=$SMLOOP SMTP_PORT=$SM_PORT smtp loopback 127.0.2.1 good.sender.example \
	loopback@sender.example user@example.com
expect_reply loopback accepted &&
	expect_milter_log loopback loopback@sender.example "route=unknown(no-local-address)" \
		"verdict=accept" &&
	pass loopback
expect_line loopback_warning "$T/milter.log" \
	"the MTA sent neither {if_addr} nor a specific {daemon_addr}: MX routes are unknown" \
	"no warning about the missing local address"

# ---- end of message: headers added and forged ones removed, in Sendmail's queue ---------
SERVER=$SMX1 SMTP_PORT=$SM_PORT smtp queued 127.0.2.3 '[127.0.2.3]' queued@sender.example \
	user@example.com --data \
	--add-header "X-MX-Policy: mx1.test; checks=- (FORGED-BY-TEST)" \
	--add-header "Authentication-Results: mx1.test; iprev=pass policy.iprev=10.9.9.9 (FORGED-BY-TEST)" \
	--add-header "Authentication-Results: other.example; spf=pass smtp.mailfrom=sender.example"
qf=
if expect_reply queued accepted; then
	qf=$(grep -l 'X-Test: queued' "$T"/sendmail/queue/qf* 2>/dev/null | head -1)
	[ -n "$qf" ] || fail queued "no queued message (qf file) carries X-Test: queued"
fi
if [ -n "$qf" ]; then
	# the headers, folded lines joined
	sed -e ':a' -e 'N' -e '$!ba' -e 's/\n\t/ /g' "$qf" >"$T/out/queued.headers"
	qf=$T/out/queued.headers
	expect_line queued_iprev "$qf" \
		'Authentication-Results: mx1.test; iprev=fail policy.iprev=127.0.2.3 (liar.sender.example)' \
		"no iprev Authentication-Results in the queued message"
	expect_line queued_tag "$qf" 'X-MX-Policy: mx1.test; checks=ptr_unconfirmed' \
		"no X-MX-Policy tag in the queued message"
	expect_line queued_other_ar "$qf" 'Authentication-Results: other.example; spf=pass' \
		"another server's Authentication-Results was removed"
	if grep -q 'FORGED-BY-TEST' "$qf"; then
		fail queued_forged_removed "a forged header with our authserv-id was queued"
		grep 'FORGED-BY-TEST' "$qf" | sed 's/^/    | /'
	else
		pass queued_forged_removed
	fi
fi

summary
