#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test_verify_faults.sh -- rcpt_unverified against primaries whose answers
# are not about the recipient, and against the timing of shared probes:
# none of these may end in a 5xx at the backup.  A primary that refuses
# the probe's sender at RCPT (Postfix's smtpd_reject_unlisted_sender with
# smtpd_delay_reject: 5.1.0), one whose policy refusal has no enhanced
# code ("550 relay not permitted"), a refusal kept past its TTL once the
# primary is gone (it defers), a primary slow to answer on a reused probe
# connection (unknown, never "down"), and 200 concurrent sessions for one
# recipient with a cold cache (one catch-all test and one probe).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/verify_lib.sh"

verify_setup
BASE="# integration suite: verification faults
$VERIFY_CONF"

# fresh_milter CONF: the filter with an empty cache
fresh_milter() {
	stop_milter
	rm -f "$T/vcache"/*.mdb
	start_milter "$1"
}

# ---- the probe's sender refused at RCPT: not the recipient's refusal -------------
stop_primary
EXTRA_PRIMARY="smtpd_reject_unlisted_sender = yes"
start_primary
fresh_milter "$BASE
verify_sender = probe@example.net"
accepted_verify sender_refused_known_user alice@example.net "unknown(mx1.example.net)"
expect_line sender_refused_at_primary "$PRIMARY/maillog" "<probe@example.net>: Sender address rejected" \
	"the primary did not refuse the probe's sender (the case is not made)"
accepted_verify sender_refused_unknown_user nosuch@example.net "unknown(mx1.example.net)"
stop_primary
EXTRA_PRIMARY=""
start_primary

# ---- a policy refusal without an enhanced code ----------------------------------------
stop_primary
start_fake_primary policy
fresh_milter "$BASE"
accepted_verify policy_550_known_user bob@fault.example.net "unknown(mx1.example.net)"
stop_fake_primary

# ---- a refusal past verify_negative_ttl, while the primary is down: it defers ---------
start_primary
fresh_milter "$BASE
verify_negative_ttl = 2"
refused_verify expired_first newbox@example.net "fail(mx1.example.net)"
sleep 3                 # the refusal expires
stop_primary
smtp expired_negative_in_outage "$SRC" "$HELO" expired_negative_in_outage@sender.example \
	newbox@example.net
expect_reply expired_negative_in_outage "450 4.1.1 RCPT" &&
	expect_milter_log expired_negative_in_outage expired_negative_in_outage@sender.example \
		"verify=cached(fail,mx1.example.net,stale)" "verdict=tempfail" &&
	pass expired_negative_in_outage

# ---- a primary slow on a reused probe connection is not down --------------------------
start_fake_primary slow
fresh_milter "$BASE
verify_negative_ttl = 2"
refused_verify slow_first bob@fault.example.net "fail(mx1.example.net)"
sleep 3                 # the refusal expires; the probe connection is still idle
accepted_verify slow_reused_not_down bob@fault.example.net "unknown(mx1.example.net)"
expect_milter_log slow_reused_route slow_reused_not_down@sender.example \
	"route=backup(pref=20,primary=mx1.example.net)" && pass slow_reused_route
stop_fake_primary

# ---- 200 concurrent sessions for one recipient: one test, one probe -----------------
start_primary
for i in $(seq 20 219); do printf '127.0.2.%d good.sender.example\n' "$i"; done >"$T/clients"
for round in 1 2 3; do
	fresh_milter "$BASE"
	before=$(grep -c "disconnect from mx2" "$PRIMARY/maillog")
	nsexec "$MILTERLOAD" -s "inet:$MILTER_PORT@127.0.0.1" -c 200 -n 200 -C "$T/clients" \
		-r "<nobody-$round@example.net>" -l "$MX2" >"$T/out/flight$round.txt" 2>&1
	stop_milter             # the idle probe connections quit
	for ((i = 0; i < 50; i++)); do
		[ "$(grep -c "connect from mx2" "$PRIMARY/maillog")" -eq \
			"$(( $(grep -c "disconnect from mx2" "$PRIMARY/maillog") * 2 ))" ] && break
		sleep 0.1
	done
	n=$(grep "disconnect from mx2" "$PRIMARY/maillog" | tail -n +$((before + 1)) |
		grep -o ' rcpt=[0-9/]*' | awk -F'[=/]' '{ n += ($3 != "" ? $3 : $2) } END { print n + 0 }')
	asked=$(grep -c "to=<nobody-$round@example.net>" "$PRIMARY/maillog")
	if grep -q "rejected=200 " "$T/out/flight$round.txt" && [ "$n" -eq 2 ] && [ "$asked" -eq 1 ]; then
		pass "one_probe_for_one_recipient_$round"
	else
		fail "one_probe_for_one_recipient_$round" "$n RCPT probes, the recipient asked $asked times (want 2 and 1): $(cat "$T/out/flight$round.txt")"
	fi
done
start_milter "$BASE"

summary
