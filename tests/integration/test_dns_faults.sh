#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test_dns_faults.sh -- DNS faults for each lookup the checks read (the
# client's PTR, its forward confirmation, the HELO name, the recipient
# domain's MX) with every check set to reject: SERVFAIL, REFUSED, no answer,
# FORMERR, truncation whose TCP retry fails.  A temporary failure must give
# a 4xx (or, for the MX, no refusal at all), never a 5xx, and always the
# milter's own decision, within decision_timeout_ms, not Postfix's
# milter_default_action.  Then definite answers that are hard to read:
# truncation retried over TCP, dozens of records, PTR with many names, CNAME
# chains and loops, and a first server in dns_servers that never answers.
. "$(dirname "$0")/lib.sh"

ALL_REJECT='# integration suite: DNS faults, every check set to reject
dns_timeout_ms = 300
dns_tries = 1
decision_timeout_ms = 4000
authserv_id = mx1.test
helo_unknown = reject
helo_mismatch = reject
ptr_missing = reject
ptr_unconfirmed = reject
ptr_generic = reject
backup_primary_up = reject'

# Zone faults.example: client k (127.0.4.k, 1..60) is hk.faults.example both
# ways, says HELO helo-k.faults.example (A 127.0.4.k), and writes to
# user@dk.faults.example (MX 10 mx1.example.net).  Some names are special.
make_zones() {
	local dir=$1 k
	mkdir -p "$dir"
	{
		printf '$ORIGIN faults.example.\n$TTL 300\n'
		printf '@ IN SOA ns.example.net. hostmaster.example.net. 1 3600 600 86400 60\n'
		printf '@ IN NS ns.example.net.\n'
		for k in $(seq 1 60); do
			printf 'h%d IN A 127.0.4.%d\nhelo-%d IN A 127.0.4.%d\nd%d IN MX 10 mx1.example.net.\n' \
				"$k" "$k" "$k" "$k" "$k"
		done
		# 50: dozens of A records for the forward name, the client's among them
		for k in $(seq 1 40); do printf 'h50 IN A 10.50.0.%d\n' "$k"; done
		# 51: twenty PTR names (below), each confirming
		for k in $(seq 1 20); do printf 'p%d-51 IN A 127.0.4.51\n' "$k"; done
		# 52: the HELO name reaches its address through a CNAME chain
		printf 'helo-52c IN CNAME c1-52\nc1-52 IN CNAME c2-52\nc2-52 IN CNAME helo-52\n'
		# 53: a CNAME loop
		printf 'helo-53loop IN CNAME l2-53\nl2-53 IN CNAME helo-53loop\n'
	} >"$dir/faults.example.zone"
	{
		printf '$ORIGIN 4.0.127.in-addr.arpa.\n$TTL 300\n'
		printf '@ IN SOA ns.example.net. hostmaster.example.net. 1 3600 600 86400 60\n'
		printf '@ IN NS ns.example.net.\n'
		for k in $(seq 1 60); do
			[ "$k" -eq 51 ] && continue
			printf '%d IN PTR h%d.faults.example.\n' "$k" "$k"
		done
		for k in $(seq 1 20); do printf '51 IN PTR p%d-51.faults.example.\n' "$k"; done
	} >"$dir/4.0.127.in-addr.arpa.zone"
}

# The integration Postfix, relaying for the test domains too.
eval "$(declare -f postfix_conf | sed '1s/^postfix_conf/faults_postfix_conf_base/')"
postfix_conf() {
	faults_postfix_conf_base
	echo 'relay_domains = example.net example.com example.org sender.example faults.example'
}

ZONES=$(mktemp -d /tmp/mxpolicy-zones.XXXXXX)
make_zones "$ZONES"
EXTRA_ZONES=$ZONES
it_setup
rm -rf "$ZONES"
start_milter "$ALL_REJECT"

# scenario NAME K WANT FAULTS_JSON [HELO]: client k, with the faults given.
# WANT: "tempfail" (a 4xx at RCPT), "accept", or "no-5xx" (accept or 4xx).
scenario() {
	local name=$1 k=$2 want=$3 faults=$4 helo=${5:-helo-$2.faults.example}
	local from="$name@sender.example" got line warnings
	warnings=$(grep -c 'warning: milter' "$T/postfix/maillog")
	set_dns_faults "$faults"
	smtp "$name" "127.0.4.$k" "$helo" "$from" "user@d$k.faults.example"
	set_dns_faults '{}'
	got=$(first_refusal "$name")
	line=$(milter_lines "$from" | tail -1)
	if [ -z "$line" ]; then
		fail "$name" "no decision line from the milter (client saw '$got')"
		grep -F "$from" "$T/postfix/maillog" | sed 's/^/    | /' | tail -5
		return
	fi
	# Postfix's milter_default_action: a warning about the milter, and its
	# "451 4.7.1 Service unavailable" instead of the milter's reply
	if [ "$(grep -c 'warning: milter' "$T/postfix/maillog")" -ne "$warnings" ] ||
		grep -q '451 4.7.1 Service unavailable' "$T/out/$name.txt"; then
		fail "$name" "Postfix applied milter_default_action"
		return
	fi
	case $want:$got in
	tempfail:4??\ *RCPT | accept:accepted | no-5xx:accepted | no-5xx:4??\ *) pass "$name" ;;
	*)
		fail "$name" "client saw '$got', expected $want"
		printf '    | %s\n' "$line"
		;;
	esac
}

# ---- temporary failures, lookup by lookup ---------------------------------------------
k=0
for fault in servfail refused timeout formerr tc-tcpfail; do
	k=$((k + 1))
	scenario "ptr_$fault" "$k" tempfail "{\"$k.4.0.127.in-addr.arpa ptr\": \"$fault\"}"
	k=$((k + 1))
	scenario "forward_$fault" "$k" tempfail \
		"{\"h$k.faults.example a\": \"$fault\", \"h$k.faults.example aaaa\": \"$fault\"}"
	k=$((k + 1))
	scenario "helo_$fault" "$k" tempfail "{\"helo-$k.faults.example a\": \"$fault\",
		\"helo-$k.faults.example aaaa\": \"$fault\", \"helo-$k.faults.example mx\": \"$fault\"}"
	k=$((k + 1))
	scenario "mx_$fault" "$k" no-5xx "{\"d$k.faults.example mx\": \"$fault\"}"
done

# ---- definite answers that are hard to read ------------------------------------------------
scenario clean_baseline 40 accept '{}'
scenario truncated_then_tcp 41 accept "{\"41.4.0.127.in-addr.arpa ptr\": \"tc\",
	\"h41.faults.example a\": \"tc\", \"helo-41.faults.example a\": \"tc\", \"d41.faults.example mx\": \"tc\"}"
scenario forty_a_records 50 accept '{}'
expect_milter_log forty_a_records forty_a_records@sender.example "iprev=pass" &&
	pass forty_a_records_confirmed
scenario twenty_ptr_names 51 accept '{}'
expect_milter_log twenty_ptr_names twenty_ptr_names@sender.example "iprev=pass" &&
	pass twenty_ptr_names_confirmed
scenario helo_cname_chain 52 accept '{}' helo-52c.faults.example
scenario helo_cname_loop 53 tempfail '{}' helo-53loop.faults.example
expect_milter_log helo_cname_loop helo_cname_loop@sender.example "temperror=helo_unknown" &&
	pass helo_cname_loop_is_temporary

# ---- a first server that never answers ------------------------------------------------------
ip netns exec "$NS" "$PY" -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.77", 53))
while True:
    s.recv(4096)' >/dev/null 2>&1 &
PIDS+=($!)
reload_milter "$ALL_REJECT
dns_servers = 127.0.0.77, 127.0.0.1
dns_timeout_ms = 300
dns_tries = 2"
scenario first_server_silent 45 accept '{}'

summary
