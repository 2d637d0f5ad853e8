#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test_operator.sh -- the operator's tools against the test DNS and a real
# Postfix: the query mode (-q) gives the filter's own verdict, reply and
# decision line (given -a, -j and -m as Postfix passes them, the very line,
# less the session id, on both routes), with its DNS evidence, each answer
# once, why each check fired, the authserv-id of the delivered header and
# its exit status; the counters reach stats_file (Prometheus text,
# rewritten atomically) and the SIGUSR2 line.
. "$(dirname "$0")/lib.sh"

BASE_CONF='# integration suite: query mode and counters
dns_servers = 127.0.0.1
dns_timeout_ms = 300
dns_tries = 2
decision_timeout_ms = 3000
mx_probe_timeout_ms = 500
mx_probe_ttl = 0'

it_setup

# query NAME EXPECTED_STATUS ARGS...: runs the query mode in the namespace.
query() {
	local name=$1 want=$2 rc
	shift 2
	nsexec "$MILTER_BIN" -c "$T/milter.conf" "$@" >"$T/out/$name.txt" 2>"$T/out/$name.err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then
		return 0
	fi
	fail "$name" "exit status $rc, expected $want"
	sed 's/^/    | /' "$T/out/$name.txt" "$T/out/$name.err" | head -40
	return 1
}

# has NAME TEXT...: the query output holds every text given.
has() { output_has "$@" && pass "$1"; }

write_milter_conf "$BASE_CONF"

# ---- query mode: verdicts, evidence, routes, exit statuses --------------------------
query q_accept 0 -a "$MX1" -q 127.0.2.1 good.sender.example user@example.net &&
	has q_accept "dns       PTR 1.2.0.127.in-addr.arpa: good.sender.example (ttl 300)" \
		"dns       A good.sender.example: 127.0.2.1 (ttl 300)" \
		"dns       MX example.net: " "10 mx1.example.net" "20 mx2.example.net" \
		"iprev     pass (good.sender.example)" "route     primary(pref=10)" \
		"verdict   accept" "route=primary(pref=10) checks=- action=none verdict=accept"
query q_not_fqdn 1 -a "$MX1" -q 127.0.1.13 WIN-8DKQ3J2 user@example.net &&
	has q_not_fqdn "check     helo_not_fqdn          FIRED     reject   HELO is single-label" \
		"verdict   reject" "reply     504 5.5.2 "
query q_ptr_missing 2 -a "$MX1" -q 127.0.2.2 '[127.0.2.2]' user@example.net &&
	has q_ptr_missing "dns       PTR 2.2.0.127.in-addr.arpa: no such name (NXDOMAIN)" \
		"check     ptr_missing            FIRED     tempfail iprev=permerror ptr=-" \
		"verdict   tempfail" "reply     450 4.7.25 "
set_dns_faults '{"5.2.0.127.in-addr.arpa ptr": "servfail"}'
query q_servfail 2 -a "$MX1" -q 127.0.2.5 '[127.0.2.5]' user@example.net &&
	has q_servfail "dns       PTR 5.2.0.127.in-addr.arpa: temporary failure" \
		"check     ptr_missing            temperror" "reply     451 4.4.3 " \
		"temperror=ptr_missing,ptr_unconfirmed,ptr_generic"
set_dns_faults '{}'
# mx1's Postfix answers on port 25: from the backup, the primary is up.
query q_backup 0 -a "$MX2" -q 127.0.2.1 good.sender.example user@example.net &&
	has q_backup "route     backup(pref=20,primary=mx1.example.net:up)" \
		"check     backup_primary_up      FIRED     log" "verdict   accept"
query q_no_local 0 -q 127.0.2.1 good.sender.example user@example.net &&
	has q_no_local "route     unknown(no-local-address)"
query q_at_mail 1 -q 127.0.1.12 127.0.1.12 &&
	has q_at_mail "rcpt      - (judged as at MAIL FROM)" "stage=MAIL" "checks=helo_bare_ip"
query q_no_helo 1 -q 127.0.1.18 "" user@example.net &&
	has q_no_helo "helo      - (none)" "checks=helo_missing" "reply     503 5.5.1 "
query q_exempt 0 -q 127.0.0.1 WIN-8DKQ3J2 user@example.net &&
	has q_exempt "verdict   exempt (allow_clients)"
query q_bad_client 3 -q not-an-address good.sender.example && pass q_bad_client
grep -qF "client 'not-an-address' is not an IP address" "$T/out/q_bad_client.err" &&
	pass q_bad_client_message || fail q_bad_client_message "no reason on stderr"
query q_usage 3 -q 127.0.2.1 && pass q_usage
printf 'dry_run = perhaps\n' >"$T/bad.conf"
nsexec "$MILTER_BIN" -c "$T/bad.conf" -q 127.0.2.1 good.sender.example >/dev/null 2>"$T/out/q_bad_conf.err"
rc=$?
if [ "$rc" -eq 3 ] && grep -qF "$T/bad.conf:1: dry_run" "$T/out/q_bad_conf.err"; then
	pass q_bad_conf
else
	fail q_bad_conf "exit $rc, expected 3 with file:line"
fi

# The query's decision line is the filter's: the same scenario through
# Postfix, the query given what Postfix passes (-a {daemon_addr}, -j the
# listener's myhostname, -m the sender).  The two lines are compared whole,
# less the session id and iprev_src: the query has no MTA and says dns, the
# filter mta where Postfix confirmed the client's name (the facts, ptr= and
# iprev= included, are the same).
mkdir -p "$T/stats"
chown nobody "$T/stats"
start_milter "$BASE_CONF
stats_file = $T/stats/mxpolicy.prom
stats_interval = 1"
# mta_name ADDRESS: the myhostname of the listener there
mta_name() { case $1 in "$MX2") echo mx2.example.net ;; *) echo mx1.example.net ;; esac; }
# same_as_filter NAME SRC HELO "CODE XCODE STAGE"|accepted STATUS [RCPT]: through $SERVER
same_as_filter() {
	local name=$1 src=$2 helo=$3 want=$4 status=$5 rcpt=${6:-user@example.net} a b
	query "q_$name" "$status" -a "$SERVER" -j "$(mta_name "$SERVER")" -m "$name@sender.example" \
		-q "$src" "$helo" "<$rcpt>" || return 1
	smtp "$name" "$src" "$helo" "$name@sender.example" "$rcpt"
	expect_reply "$name" "$want" || return 1
	wait_for "$T/milter.log" "from=<$name@sender.example>" 5
	a=$(sed -n 's/^log       //p' "$T/out/q_$name.txt")
	b=$(milter_lines "$name@sender.example" | sed -e 's/^.* mxpolicy-milter: //')
	if ! grep -q ' iprev_src=\(dns\|-\) ' <<<"$a"; then
		fail "query_iprev_src_$name" "the query's line does not say iprev_src=dns: $a"
	fi
	a=$(sed -e 's/ session=[^ ]*//' -e 's/ iprev_src=[^ ]*//' <<<"$a")
	b=$(sed -e 's/ session=[^ ]*//' -e 's/ iprev_src=[^ ]*//' <<<"$b")
	if [ -n "$a" ] && [ "$a" = "$b" ]; then
		pass "query_same_as_filter_$name"
	else
		fail "query_same_as_filter_$name" "the decision lines differ"
		printf '    | query:  %s\n    | filter: %s\n' "$a" "$b"
	fi
}
same_as_filter good 127.0.2.1 good.sender.example accepted 0
same_as_filter literal 127.0.1.14 '[192.0.2.1]' "550 5.7.1 RCPT" 1
same_as_filter generic 127.0.2.4 127-0-2-4.dsl.sender.example accepted 0

# ---- counters: stats_file and SIGUSR2 ------------------------------------------------
smtp s_not_fqdn 127.0.1.13 WIN-8DKQ3J2 s_not_fqdn@sender.example user@example.net
SERVER=$MX2 smtp s_backup 127.0.2.1 good.sender.example s_backup@sender.example user@example.net
wait_for "$T/milter.log" "from=<s_backup@sender.example>" 5
prom=$T/stats/mxpolicy.prom
# the counters are rewritten every second: wait for the last session
wait_for "$prom" '^mxpolicy_route_total\{route="backup"\} 1$' 5
metric() { awk -v k="$1" '$1 == k { print $2 }' "$prom"; }
expect_metric() {
	local got
	got=$(metric "$1")
	if [ "$got" = "$2" ]; then
		pass "stats $1"
	else
		fail "stats $1" "got '${got:-none}', expected $2"
	fi
}
# one per milter connection: at least one per SMTP session
sessions=$(metric mxpolicy_sessions_total)
if [ "${sessions:-0}" -ge 5 ]; then
	pass "stats mxpolicy_sessions_total"
else
	fail "stats mxpolicy_sessions_total" "got '${sessions:-none}', expected at least 5"
fi
expect_metric 'mxpolicy_decisions_total{verdict="accept"}' 3
expect_metric 'mxpolicy_decisions_total{verdict="reject"}' 2
expect_metric 'mxpolicy_check_fired_total{check="helo_literal_mismatch"}' 1
expect_metric 'mxpolicy_check_fired_total{check="helo_not_fqdn"}' 1
expect_metric 'mxpolicy_check_fired_total{check="ptr_generic"}' 1
expect_metric 'mxpolicy_check_fired_total{check="backup_primary_up"}' 1
expect_metric 'mxpolicy_action_total{action="reject"}' 2
expect_metric 'mxpolicy_action_total{action="tag"}' 1
expect_metric 'mxpolicy_route_total{route="primary"}' 4
expect_metric 'mxpolicy_route_total{route="backup"}' 1
expect_line stats_format "$prom" '# TYPE mxpolicy_check_fired_total counter' \
	"no TYPE line for mxpolicy_check_fired_total"
if ls "$T/stats" | grep -qv '^mxpolicy.prom$'; then
	fail stats_atomic "temporary files left next to stats_file: $(ls "$T/stats")"
else
	pass stats_atomic
fi
kill -USR2 "$MILTER_PID"
if wait_for "$T/milter.log" 'stats: sessions=[0-9]+ accept=3 reject=2 .* helo_not_fqdn=1 .* routes: primary=4 backup=1' 5; then
	pass stats_sigusr2
else
	fail stats_sigusr2 "no stats: line with the counters after SIGUSR2"
	grep 'stats:' "$T/milter.log" | sed 's/^/    | /'
fi
# an unwritable stats_file: one error in the log, the filter keeps serving
reload_milter "$BASE_CONF
stats_file = /nonexistent/dir/mxpolicy.prom
stats_interval = 1"
wait_for "$T/milter.log" 'cannot write stats_file: /nonexistent/dir/mxpolicy.prom' 5 &&
	pass stats_unwritable_logged || fail stats_unwritable_logged "no error for an unwritable stats_file"
accepted stats_unwritable_serves 127.0.2.1 good.sender.example user@example.net "verdict=accept"
sleep 2
if [ "$(grep -c 'cannot write stats_file' "$T/milter.log")" -eq 1 ]; then
	pass stats_unwritable_once
else
	fail stats_unwritable_once "the stats_file error is repeated at every interval"
fi

# ---- log_level ----------------------------------------------------------------------
# notice: refusals are still logged, accepted sessions are not.
reload_milter "$BASE_CONF
log_level = notice"
smtp lvl_accept 127.0.2.1 good.sender.example lvl_accept@sender.example user@example.net
expect_reply lvl_accept accepted
smtp lvl_reject 127.0.1.13 WIN-8DKQ3J2 lvl_reject@sender.example user@example.net
expect_reply lvl_reject "504 5.5.2 RCPT" &&
	expect_milter_log log_level_notice_refusal lvl_reject@sender.example "verdict=reject" &&
	pass log_level_notice_refusal
# the accepted session ended before the refused one began
if milter_lines lvl_accept@sender.example >/dev/null; then
	fail log_level_notice_accept "an accepted session was logged at log_level = notice"
else
	pass log_level_notice_accept
fi


# ---- options that need a restart --------------------------------------------------
# Each reload that asks for another socket says it waits for a restart,
# the second too: the filter still listens where it started.
reload_milter "$BASE_CONF
socket = inet:9899@127.0.0.1"
reload_milter "$BASE_CONF
socket = inet:9899@127.0.0.1"
if [ "$(grep -c 'reload: socket changed; it takes effect at restart' "$T/milter.log")" -eq 2 ]; then
	pass reload_socket_needs_restart
else
	fail reload_socket_needs_restart "not one restart warning per reload: $(grep -c 'reload: socket changed' "$T/milter.log")"
fi
accepted reload_socket_still_served 127.0.2.1 good.sender.example user@example.net "verdict=accept"

# ---- the query's line is the filter's, on both routes, for every kind of peer --------
reload_milter "$BASE_CONF"
SERVER=$MX1
same_as_filter ptr_missing 127.0.2.2 '[127.0.2.2]' "450 4.7.25 RCPT" 2
same_as_filter helo_unknown 127.0.1.10 nosuch.sender.example accepted 0
# HELO the MTA's own name, to a domain it is no MX of: only -j can tell
same_as_filter impersonate_j 127.0.1.17 mx1.example.net "550 5.7.1 RCPT" 1 user@sender.example
has q_impersonate_j "why       helo_impersonation     HELO mx1.example.net is this MTA's name, not the client 127.0.1.17"
query q_impersonate_no_j 2 -a "$MX1" -q 127.0.1.17 mx1.example.net user@sender.example &&
	if grep -q 'checks=.*helo_impersonation' "$T/out/q_impersonate_no_j.txt"; then
		fail query_without_j "without -j the host's own name stood for the MTA's, yet it matched"
	else
		pass query_without_j
	fi
SERVER=$MX2
same_as_filter backup_primary_up 127.0.2.1 good.sender.example accepted 0
has q_backup_primary_up "why       backup_primary_up      this is a backup route of example.net, and mx1.example.net (pref 10), a more preferred exchanger, accepts connections"
same_as_filter backup_impersonate_j 127.0.1.17 mx2.example.net "550 5.7.1 RCPT" 1 user@sender.example
same_as_filter backup_impersonate_mx 127.0.1.17 mx1.example.net "550 5.7.1 RCPT" 1
same_as_filter backup_not_fqdn 127.0.1.13 WIN-8DKQ3J2 "504 5.5.2 RCPT" 1
# each DNS answer once: the HELO name's A record is read by iprev and by the HELO checks
if [ "$(grep -c '^dns       A good.sender.example: ' "$T/out/q_backup_primary_up.txt")" = 1 ] &&
	! sort "$T/out/q_backup_primary_up.txt" | grep '^dns ' | uniq -d | grep -q .; then
	pass query_dns_answers_once
else
	fail query_dns_answers_once "a DNS answer printed twice"
	grep '^dns ' "$T/out/q_backup_primary_up.txt" | sed 's/^/    | /'
fi
# the authserv-id the query names is the one the delivered header carries
smtp authserv 127.0.2.1 good.sender.example authserv@sender.example user@example.net --data
id=$(delivered_headers authserv | sed -n 's/^Authentication-Results: \([^;]*\);.*/\1/p')
if [ "$id" = mx2.example.net ] && grep -q '^authserv  mx2.example.net ' "$T/out/q_backup_primary_up.txt"; then
	pass query_authserv_same_as_filter
else
	fail query_authserv_same_as_filter "delivered authserv-id '$id'; the query's: $(grep '^authserv' "$T/out/q_backup_primary_up.txt")"
fi
SERVER=$MX1

summary
