#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test_long_session.sh -- sessions that last: a client that keeps its
# connection open past the TTLs of the recipient domain's MX and A records
# gets the same route and verdict on every transaction (one deadline per
# decision, expired answers asked again); and a client that sends 1,000
# EHLOs with new names neither pushes other sessions' answers out of the
# DNS cache nor grows the milter without bound.
. "$(dirname "$0")/lib.sh"

# short.example.org's records live 3 s; decisions get 2 s each.
BASE_CONF='# integration suite: long sessions
dns_timeout_ms = 300
dns_min_ttl = 1
decision_timeout_ms = 2000
mx_probe_port = 25
mx_probe_timeout_ms = 500
mx_probe_ttl = 0
backup_primary_up = tempfail'
ROUTE='route=backup(pref=20,primary=mx1.short.example.org:up)'

it_setup
start_milter "$BASE_CONF"

# decision_fields FROM: "route=... checks=... verdict=..." of each decision line.
decision_fields() {
	milter_lines "$1" | grep -oE ' (route|checks|verdict)=[^ ]*' | sed 's/^ //' | paste -d' ' - - -
}

# wait_decisions FROM N: bounded wait (2 s) until N decision lines of FROM are logged.
wait_decisions() {
	local i
	for ((i = 0; i < 20; i++)); do
		[ "$(milter_lines "$1" | wc -l)" -ge "$2" ] && return 0
		sleep 0.1
	done
	return 1
}

# replies NAME PATTERN: how many replies of the dialogue match.
replies() { grep -cE "^<\*\* $2" "$T/out/$1.txt"; }

# ---- a transaction, then another after the TTLs and the first deadline ----------
SERVER=$MX2
dialog long_rset 127.0.2.1 "EHLO good.sender.example" \
	"MAIL FROM:<long_rset@sender.example>" "RCPT TO:<user@short.example.org>" "RSET" \
	"@sleep 4.5" \
	"MAIL FROM:<long_rset@sender.example>" "RCPT TO:<user@short.example.org>" "QUIT"
wait_decisions long_rset@sender.example 2
routes=$(milter_lines long_rset@sender.example | grep -oE ' route=[^ ]*' | sort | uniq -c)
if [ "$(replies long_rset '451 4\.7\.1')" -eq 2 ] &&
	[ "$(milter_lines long_rset@sender.example | wc -l)" -eq 2 ] &&
	[ "$(printf '%s\n' "$routes" | wc -l)" -eq 1 ] &&
	printf '%s\n' "$routes" | grep -qF " $ROUTE"; then
	pass long_session_same_route_after_ttl
else
	fail long_session_same_route_after_ttl "the second transaction was not judged like the first"
	sed 's/^/    | /' "$T/out/long_rset.txt" | grep -vE '^    \| <-  250-'
	milter_lines long_rset@sender.example | sed 's/^/    | /'
fi

# ---- ten transactions in one connection, over more than a TTL -------------------------
cmds=("EHLO good.sender.example")
for i in 1 2 3 4 5 6 7 8 9 10; do
	cmds+=("MAIL FROM:<long_ten@sender.example>" "RCPT TO:<user@short.example.org>" "RSET" "@sleep 0.6")
done
dialog long_ten 127.0.2.1 "${cmds[@]}" QUIT
wait_decisions long_ten@sender.example 10
verdicts=$(decision_fields long_ten@sender.example | sort | uniq -c)
if [ "$(replies long_ten '451 4\.7\.1')" -eq 10 ] &&
	[ "$(milter_lines long_ten@sender.example | wc -l)" -eq 10 ] &&
	[ "$(printf '%s\n' "$verdicts" | wc -l)" -eq 1 ] &&
	printf '%s\n' "$verdicts" | grep -qF "$ROUTE checks=backup_primary_up verdict=tempfail"; then
	pass long_session_ten_transactions_one_verdict
else
	fail long_session_ten_transactions_one_verdict "the ten transactions were not judged alike"
	printf '%s\n' "$verdicts" | sed 's/^/    | /'
fi

# ---- 1,000 EHLOs in one connection ------------------------------------------------
# The milter asks a front end of its own, which logs every question, so that
# Postfix's own lookups are not counted.
QLOG=$T/dns/milter-queries.log
: >"$QLOG"
echo '{}' >"$T/dns/milter-faults.json"
ip netns exec "$NS" "$PY" "$HERE/dnsfront.py" 127.0.0.1 5354 "$NSD_PORT" \
	"$T/dns/milter-faults.json" "$QLOG" >"$T/dns/milter-front.out" 2>&1 &
PIDS+=($!)
for ((i = 0; i < 100; i++)); do
	nsexec dig +short +time=1 +tries=1 -p 5354 @127.0.0.1 mx1.example.net A 2>/dev/null |
		grep -q 127.0.0.25 && break
	sleep 0.1
done
reload_milter "$BASE_CONF
dns_servers = 127.0.0.1:5354
dns_cache_size = 300"

# quiet QLOG: waits (bounded) until no question has come for a second.
quiet() {
	local n m i
	n=$(wc -l <"$QLOG")
	for ((i = 0; i < 60; i++)); do
		sleep 1
		m=$(wc -l <"$QLOG")
		[ "$m" -eq "$n" ] && return 0
		n=$m
	done
	return 1
}

rss_kb() { awk '/^VmRSS:/ { print $2 }' "/proc/$MILTER_PID/status"; }

# another session's answers: the client's PTR, its forward A, the HELO name's, the MX
SERVER=$MX1
accepted flood_before 127.0.2.1 good.sender.example user@example.net \
	"iprev=pass" "route=primary(pref=10)" "verdict=accept"
quiet
primed=$(wc -l <"$QLOG")
rss_before=$(rss_kb)
cmds=()
for ((i = 0; i < 1000; i++)); do cmds+=("EHLO f$i.flood.sender.example"); done
dialog flood 127.0.1.60 "${cmds[@]}" QUIT
if [ "$(grep -c '^<-  250 ' "$T/out/flood.txt")" -ge 1000 ]; then
	pass flood_thousand_ehlos_answered
else
	fail flood_thousand_ehlos_answered "not every EHLO got its 250"
	tail -5 "$T/out/flood.txt" | sed 's/^/    | /'
fi
quiet
flooded=$(wc -l <"$QLOG")
rss_after=$(rss_kb)
mark=$flooded
accepted flood_after 127.0.2.1 good.sender.example user@example.net \
	"iprev=pass" "route=primary(pref=10)" "verdict=accept"
quiet
asked=$(tail -n +$((mark + 1)) "$QLOG")
if [ -z "$asked" ]; then
	pass flood_other_session_cache_hits
else
	fail flood_other_session_cache_hits "after the flood the next session asked again: $(printf '%s' "$asked" | tr '\n' ',')"
fi
if [ $((flooded - primed)) -le 16 ]; then
	pass flood_first_helo_prefetched_only
else
	fail flood_first_helo_prefetched_only "1,000 EHLOs made $((flooded - primed)) questions"
fi
# generous: the flood may cost some allocator slack, never megabytes per EHLO
if [ -n "$rss_before" ] && [ -n "$rss_after" ] && [ $((rss_after - rss_before)) -lt 32768 ]; then
	pass flood_rss_bounded
else
	fail flood_rss_bounded "VmRSS went from ${rss_before:-?} kB to ${rss_after:-?} kB"
fi
log "flood: $((flooded - primed)) questions for 1,000 EHLOs; VmRSS ${rss_before} -> ${rss_after} kB"

# ---- a DNS hiccup at the first decision is not kept for the session ---------------------
# The client's PTR SERVFAILs for the first transaction (451 4.4.3); once DNS
# has recovered, the next transaction of the same connection asks again
# (its PTR name, good.sender.example, is not its own: iprev=fail, tagged).
SERVER=$MX1
echo '{"5.2.0.127.in-addr.arpa PTR": "servfail"}' >"$T/dns/milter-faults.json"
(sleep 1.5; echo '{}' >"$T/dns/milter-faults.json") &
clear_pid=$!
dialog hiccup 127.0.2.5 "EHLO good.sender.example" \
	"MAIL FROM:<hiccup@sender.example>" "RCPT TO:<user@example.net>" "RSET" \
	"@sleep 4.5" \
	"MAIL FROM:<hiccup@sender.example>" "RCPT TO:<user@example.net>" "QUIT"
wait "$clear_pid"
wait_decisions hiccup@sender.example 2
first=$(milter_lines hiccup@sender.example | sed -n 1p)
second=$(milter_lines hiccup@sender.example | sed -n 2p)
if grep -q 'iprev=temperror' <<<"$first" && grep -q 'reply="451 4.4.3' <<<"$first" &&
	grep -q 'ptr=good.sender.example' <<<"$second" && ! grep -q 'iprev=temperror' <<<"$second" &&
	grep -q 'verdict=accept' <<<"$second"; then
	pass long_session_hiccup_asked_again
else
	fail long_session_hiccup_asked_again "the second transaction kept the first one's failure"
	milter_lines hiccup@sender.example | sed 's/^/    | /'
fi
SERVER=$MX2

summary
