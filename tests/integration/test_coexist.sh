#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test_coexist.sh -- beside Debian's OpenDKIM and OpenDMARC, as Postfix
# milters of one MX.  With mxpolicy-milter first, in the middle and last in
# smtpd_milters, a DKIM-signed message from a p=reject domain is delivered
# with all three filters' Authentication-Results; forged iprev and dkim
# claims are removed by the filter whose method they claim, a forged dmarc
# claim stays (OpenDMARC 1.4.2 removes none) unless OpenDKIM, listed first
# with RemoveARAll, clears them all; another host's are kept; a forged
# dkim=pass does not get an unsigned message past DMARC.  The EOM decision
# lines start with Postfix's queue id, one per recipient.  And
# contrib/postfix/add-mxpolicy-milter.sh, run on a main.cf that lists
# OpenDKIM and OpenDMARC, adds the filter and changes nothing else.
# OpenDKIM and OpenDMARC log nothing here (no syslog in the namespace): the
# evidence is the delivered headers and Postfix's maillog.
. "$(dirname "$0")/lib.sh"

MILTER_PORT=8895          # the filter's default, as contrib/postfix has it
DKIM_PORT=8891            # OpenDKIM's and OpenDMARC's usual TCP ports
DMARC_PORT=8893
DOMAIN=signed.test        # DKIM key and _dmarc p=reject, made at test time
SELECTOR=sel
ID=mx1.example.net        # every filter's authserv-id: the MTA's name ($j)
OURS="{ inet:127.0.0.1:$MILTER_PORT, default_action=tempfail, command_timeout=30s }"
DKIM="inet:127.0.0.1:$DKIM_PORT"
DMARC="inet:127.0.0.1:$DMARC_PORT"
DKIM_ALL_PORT=18891       # a second OpenDKIM, with RemoveARAll
DKIM_ALL="inet:127.0.0.1:$DKIM_ALL_PORT"
BASE_CONF='# integration suite: beside OpenDKIM and OpenDMARC
dns_timeout_ms = 500
decision_timeout_ms = 3000'
DKIM_PID=
DKIM_ALL_PID=
DMARC_PID=

coexist_require() {
	local tool missing=
	for tool in opendkim opendmarc opendkim-genkey opendkim-testkey dkimsign ss; do
		command -v "$tool" >/dev/null || missing="$missing $tool"
	done
	[ -z "$missing" ] && return 0
	if [ "${CI:-}" = true ]; then
		fail filters_installed "missing:$missing (contrib/quickstart test installs them)"
		summary
		exit 1
	fi
	log "SKIP: missing$missing (opendkim opendkim-tools opendmarc python3-dkim)"
	exit 0
}

# ---- DNS: the signed domain and the clients' reverse zone --------------------------
# Clients 127.0.3.N, each with its own name mtaN.signed.test, forward-confirmed.
write_zones() {
	local n
	mkdir -p "$T/dkim"
	opendkim-genkey -b 2048 -d "$DOMAIN" -s "$SELECTOR" -D "$T/dkim" || return 1
	{
		printf '$ORIGIN %s.\n$TTL 300\n' "$DOMAIN"
		printf '@ IN SOA ns.%s. hostmaster.%s. 1 3600 600 86400 60\n' "$DOMAIN" "$DOMAIN"
		printf '@ IN NS ns.%s.\nns IN A 127.0.0.1\n' "$DOMAIN"
		printf '_dmarc IN TXT "v=DMARC1; p=reject; adkim=r; aspf=r"\n'
		for ((n = 10; n < 40; n++)); do printf 'mta%d IN A 127.0.3.%d\n' "$n" "$n"; done
		cat "$T/dkim/$SELECTOR.txt"
	} >"$T/dns/$DOMAIN.zone"
	{
		printf '$ORIGIN 3.0.127.in-addr.arpa.\n$TTL 300\n'
		printf '@ IN SOA ns.%s. hostmaster.%s. 1 3600 600 86400 60\n' "$DOMAIN" "$DOMAIN"
		printf '@ IN NS ns.%s.\n' "$DOMAIN"
		for ((n = 10; n < 40; n++)); do printf '%d IN PTR mta%d.%s.\n' "$n" "$n" "$DOMAIN"; done
	} >"$T/dns/3.0.127.in-addr.arpa.zone"
}

# ---- the other filters, on their usual ports --------------------------------------
start_filters() {
	local d=$T/dkim
	# OpenDKIM resolves with libunbound: forward to the namespace's DNS, and
	# lift unbound's built-in local zone "test.", NXDOMAIN for every *.test.
	cat >"$d/unbound.conf" <<-CONF
	server:
	    local-zone: "test." nodefault
	forward-zone:
	    name: "."
	    forward-addr: 127.0.0.1@53
	CONF
	cat >"$d/opendkim.conf" <<-CONF
	Mode v
	Socket inet:$DKIM_PORT@127.0.0.1
	Syslog no
	ResolverConfiguration $d/unbound.conf
	CONF
	sed -e "s/^Socket .*/Socket inet:$DKIM_ALL_PORT@127.0.0.1/" "$d/opendkim.conf" >"$d/opendkim-all.conf"
	echo 'RemoveARAll yes' >>"$d/opendkim-all.conf"
	cat >"$d/opendmarc.conf" <<-CONF
	Socket inet:$DMARC_PORT@127.0.0.1
	RejectFailures true
	TrustedAuthservIDs $ID
	Syslog false
	CONF
	if ! nsexec opendkim-testkey -x "$d/opendkim.conf" -d "$DOMAIN" -s "$SELECTOR" \
		-k "$d/$SELECTOR.private" -vvv >"$d/testkey.out" 2>&1 ||
		! grep -q 'key OK' "$d/testkey.out"; then
		fail dkim_key_in_dns "opendkim-testkey does not find the test key"
		sed 's/^/    | /' "$d/testkey.out"
		return 1
	fi
	ip netns exec "$NS" opendkim -f -x "$d/opendkim.conf" >"$d/opendkim.out" 2>&1 &
	DKIM_PID=$!
	PIDS+=("$DKIM_PID")
	ip netns exec "$NS" opendkim -f -x "$d/opendkim-all.conf" >"$d/opendkim-all.out" 2>&1 &
	DKIM_ALL_PID=$!
	PIDS+=("$DKIM_ALL_PID")
	ip netns exec "$NS" opendmarc -f -c "$d/opendmarc.conf" >"$d/opendmarc.out" 2>&1 &
	DMARC_PID=$!
	PIDS+=("$DMARC_PID")
	wait_listening "$DKIM_PORT" && wait_listening "$DKIM_ALL_PORT" &&
		wait_listening "$DMARC_PORT" && return 0
	log "OpenDKIM or OpenDMARC did not start:"
	cat "$d/opendkim.out" "$d/opendkim-all.out" "$d/opendmarc.out" >&2
	return 1
}

# Each libmilter filter takes ~5 s to stop: signal all three, then the
# harness waits for each by its PID.
coexist_teardown() {
	[ -n "$DKIM_PID" ] && kill "$DKIM_PID" 2>/dev/null
	[ -n "$DKIM_ALL_PID" ] && kill "$DKIM_ALL_PID" 2>/dev/null
	[ -n "$DMARC_PID" ] && kill "$DMARC_PID" 2>/dev/null
	[ -n "$MILTER_PID" ] && kill "$MILTER_PID" 2>/dev/null
	it_teardown
}

# ---- messages -----------------------------------------------------------------------
# message NAME FROM RCPT [sign]: $T/msg/NAME.eml, DKIM-signed by $DOMAIN
# (rsa-sha256) when asked.  Headers to prepend after signing (forgeries
# added on the way) are read from stdin.
message() {
	local name=$1 from=$2 rcpt=$3 sign=${4:-} f=$T/msg/$1.eml
	mkdir -p "$T/msg"
	cat >"$f.extra"
	cat >"$f.plain" <<-MSG
	From: Sender <$from>
	To: <${rcpt%%,*}>
	Subject: coexistence $name
	Date: $(date -R)
	Message-ID: <$name.$$@$DOMAIN>
	X-Test: $name
	MIME-Version: 1.0
	Content-Type: text/plain; charset=us-ascii

	One message through OpenDKIM, OpenDMARC and mxpolicy-milter.
	MSG
	if [ -n "$sign" ]; then
		dkimsign "$SELECTOR" "$DOMAIN" "$T/dkim/$SELECTOR.private" <"$f.plain" >"$f.signed" ||
			return 1
	else
		cp "$f.plain" "$f.signed"
	fi
	cat "$f.extra" "$f.signed" >"$f"
}

# send NAME N FROM RCPTS: $T/msg/NAME.eml from client 127.0.3.N, HELO
# mtaN.signed.test (forward-confirmed), to the primary MX.
send() {
	local name=$1 n=$2 from=$3 rcpt=$4
	nsexec swaks --server "$MX1:25" --local-interface "127.0.3.$n" --helo "mta$n.$DOMAIN" \
		--from "$from" --to "$rcpt" --timeout 40 --data "@$T/msg/$name.eml" \
		--output-file "$T/out/$name.txt" >/dev/null 2>&1
	return 0
}

# ar_headers NAME: the delivered message's Authentication-Results values,
# top first, one a line, unfolded, runs of white space as one space.
ar_headers() {
	delivered_headers "$1" | tr -d '\r' | awk '
		/^[ \t]/ { sub(/^[ \t]+/, " "); cur = cur $0; next }
		{ if (cur != "") print cur; cur = $0 }
		END { if (cur != "") print cur }' |
		grep -i '^Authentication-Results:' | sed -e 's/^[^:]*:[ \t]*//' -e 's/[ \t][ \t]*/ /g'
}

# expect_ar NAME COUNT REGEX...: the delivered message has COUNT A-R
# headers, and each REGEX matches exactly one of them.
expect_ar() {
	local name=$1 count=$2 got n re
	shift 2
	got=$(ar_headers "$name")
	if [ -z "$got" ]; then
		fail "$name" "no delivered message, or one without Authentication-Results"
		sed 's/^/    | /' "$T/out/$name.txt" | tail -15
		return 1
	fi
	n=$(printf '%s\n' "$got" | grep -c .)
	if [ "$n" -ne "$count" ]; then
		fail "$name" "$n Authentication-Results headers, expected $count"
		printf '%s\n' "$got" | sed 's/^/    | /'
		return 1
	fi
	for re in "$@"; do
		n=$(printf '%s\n' "$got" | grep -cE -- "$re")
		[ "$n" -eq 1 ] && continue
		fail "$name" "$n Authentication-Results headers match '$re', expected 1"
		printf '%s\n' "$got" | sed 's/^/    | /'
		return 1
	done
	return 0
}

# The three filters' results for client 127.0.3.N.
ar_iprev() { printf '^%s; iprev=pass policy\\.iprev=127\\.0\\.3\\.%s \\(mta%s\\.%s\\)$' "${ID//./\\.}" "$1" "$1" "${DOMAIN//./\\.}"; }
AR_DKIM="^${ID//./\\.}; dkim=pass \\(2048-bit key[;)].* header\\.d=${DOMAIN//./\\.}( |$)"
AR_DMARC="^${ID//./\\.}; dmarc=pass \\(p=reject dis=none\\) header\\.from=${DOMAIN//./\\.}$"

# ---- one configuration of smtpd_milters -------------------------------------------
# order LABEL MILTERS...: smtpd_milters in that order, Postfix restarted.
order() {
	local label=$1 list='' m
	shift
	for m in "$@"; do list=${list:+$list, }$m; done
	nsexec postconf -c "$T/postfix/etc" -e "smtpd_milters = $list" &&
		postfix_restart && return 0
	fail "order_$label" "Postfix did not start with smtpd_milters = $list"
	return 1
}

# ar_methods NAME: the methods of the A-R headers under $ID, top first.
ar_methods() {
	ar_headers "$1" | sed -n "s/^${ID//./\\.}; \([a-z-]*\)=.*/\1/p" | tr '\n' ' ' | sed 's/ $//'
}

# scenarios LABEL N "METHODS" kept|removed: the scenarios of one order, from
# clients 127.0.3.N...; METHODS: the A-R methods top first, each filter
# inserting its header on top of those of the filters before it; whether a
# forged dmarc claim under our id is kept or removed.
scenarios() {
	local label=$1 n=$2 methods=$3 dmarc_forgery=$4 name got

	# A signed, aligned message from the p=reject domain: all three results.
	name=signed_$label
	message "$name" "$name@$DOMAIN" user@example.net sign </dev/null
	send "$name" "$n" "$name@$DOMAIN" user@example.net
	if expect_reply "$name" accepted &&
		expect_ar "$name" 3 "$(ar_iprev "$n")" "$AR_DKIM" "$AR_DMARC"; then
		pass "$name"
		got=$(ar_methods "$name")
		if [ "$got" = "$methods" ]; then
			pass "header_order_$label"
		else
			fail "header_order_$label" "Authentication-Results top first: '$got', expected '$methods'"
		fi
	fi

	# Forged results under our id: the iprev one is ours to remove, the dkim
	# one OpenDKIM's.  OpenDMARC 1.4.2 removes none, and a dmarc claim is not
	# ours to remove: the forged one stays (kept), unless OpenDKIM, first in
	# the list with RemoveARAll, clears every A-R under the id (removed).
	# Another host's header (its own id) stays.
	name=forged_$label
	n=$((n + 1))
	message "$name" "$name@$DOMAIN" user@example.net sign <<-HDR
	Authentication-Results: $ID; iprev=pass policy.iprev=192.0.2.66 (forged-iprev)
	Authentication-Results: $ID;
	    dkim=pass (forged-dkim) header.d=$DOMAIN header.s=forged
	Authentication-Results: $ID; dmarc=pass (forged-dmarc) header.from=$DOMAIN
	Authentication-Results: elsewhere.example; iprev=pass policy.iprev=192.0.2.77 (kept.example)
	HDR
	send "$name" "$n" "$name@$DOMAIN" user@example.net
	local count=4 extra=() gone='forged-(iprev|dkim)'
	if [ "$dmarc_forgery" = kept ]; then
		count=5
		extra=("^${ID//./\\.}; dmarc=pass \\(forged-dmarc\\) header\\.from=${DOMAIN//./\\.}\$")
	else
		gone='forged-(iprev|dkim|dmarc)'
	fi
	if expect_reply "$name" accepted &&
		expect_ar "$name" "$count" "$(ar_iprev "$n")" "$AR_DKIM" "$AR_DMARC" "${extra[@]}" \
			'^elsewhere\.example; iprev=pass policy\.iprev=192\.0\.2\.77 \(kept\.example\)$'; then
		if ar_headers "$name" | grep -qE "$gone"; then
			fail "$name" "a forged Authentication-Results header was delivered"
			ar_headers "$name" | sed 's/^/    | /'
		else
			pass "$name"
		fi
	fi

	# Unsigned, with a forged dkim=pass under our id: OpenDKIM removes it
	# before OpenDMARC reads it, so DMARC fails and p=reject refuses.
	name=unsigned_forged_dkim_$label
	n=$((n + 1))
	message "$name" "$name@$DOMAIN" user@example.net <<-HDR
	Authentication-Results: $ID; dkim=pass header.d=$DOMAIN header.s=$SELECTOR
	HDR
	send "$name" "$n" "$name@$DOMAIN" user@example.net
	expect_reply "$name" "550 5.7.1 END-OF-MESSAGE" &&
		expect_postfix_log "$name" "$name@$DOMAIN" \
			"milter-reject: END-OF-MESSAGE from mta$n\\.$DOMAIN\\[127\\.0\\.3\\.$n\\]: 5\\.7\\.1 rejected by DMARC policy for $DOMAIN;" &&
		pass "$name"
}

# ---- set-up ---------------------------------------------------------------------------
it_require_root
coexist_require
it_setup
trap coexist_teardown EXIT
write_zones || { fail dkim_key "opendkim-genkey failed"; summary; exit 1; }
restart_nsd
start_filters || { summary; exit 1; }
start_milter "$BASE_CONF"

# ---- mxpolicy-milter first, in the middle, last ------------------------------------------
order ours_first "$OURS" "$DKIM" "$DMARC" && scenarios ours_first 10 "dmarc dkim iprev" kept
order ours_middle "$DKIM" "$OURS" "$DMARC" && scenarios ours_middle 13 "dmarc iprev dkim" kept
order ours_last "$DKIM" "$DMARC" "$OURS" && scenarios ours_last 16 "iprev dmarc dkim" kept
# OpenDKIM first with RemoveARAll: no claim under the id survives, ours
# and OpenDMARC's results are added after it.
order removearall "$DKIM_ALL" "$DMARC" "$OURS" && scenarios removearall 22 "iprev dmarc dkim" removed

# ---- one queued message, two recipients: the queue id starts the EOM lines ---------------
name=queue_id
from=$name@$DOMAIN
message "$name" "$from" user@example.net,user@sender.example sign </dev/null
send "$name" 20 "$from" user@example.net,user@sender.example
if expect_reply "$name" accepted && wait_for "$T/postfix/maillog" "message-id=<$name\\.$$@" 10; then
	qid=$(grep -F "message-id=<$name.$$@" "$T/postfix/maillog" | sed -E 's/.*: ([0-9A-F]+): message-id=.*/\1/' | head -1)
	ok=yes
	for re in "$qid: from=<$from>" "$qid: to=<user@example\\.net>.* status=sent" \
		"$qid: to=<user@sender\\.example>.* status=sent"; do
		wait_for "$T/postfix/maillog" "$re" 10 && continue
		fail "$name" "no maillog line '$re'"
		grep -F "$qid" "$T/postfix/maillog" | sed 's/^/    | /'
		ok=
		break
	done
	if [ -n "$ok" ]; then
		wait_for "$T/milter.log" "mxpolicy-milter: $qid: .*stage=EOM" 5
		eom=$(grep -E "mxpolicy-milter: $qid: session=[^ ]+ stage=EOM " "$T/milter.log")
		rcpt_net=$(printf '%s\n' "$eom" | grep -F -- " from=<$from> " | grep -F -- " rcpt=<user@example.net> " |
			grep -F -- " rcpt_domain=example.net " | grep -F -- " route=primary(pref=10) " |
			grep -F -- " client=127.0.3.20 " | grep -F -- " helo=mta20.$DOMAIN " | grep -cE ' verdict=accept( |$)')
		rcpt_sender=$(printf '%s\n' "$eom" | grep -F -- " rcpt=<user@sender.example> " |
			grep -F -- " rcpt_domain=sender.example " | grep -F -- " route=none " |
			grep -cE ' verdict=accept( |$)')
		if [ -z "$qid" ]; then
			fail "$name" "no queue id in the maillog"
		elif [ "$(printf '%s\n' "$eom" | grep -c .)" -ne 2 ] || [ "$rcpt_net" -ne 1 ] ||
			[ "$rcpt_sender" -ne 1 ]; then
			fail "$name" "expected two EOM lines starting '$qid:', one per recipient with its route and verdict"
			grep -F -- "$from" "$T/milter.log" | sed 's/^/    | /'
		else
			pass "$name"
		fi
	fi
fi

# ---- contrib/postfix/add-mxpolicy-milter.sh on a main.cf with OpenDKIM and OpenDMARC ----
etc=$T/postfix/etc
pc() { nsexec postconf -c "$etc" "$@" 2>/dev/null; }
snippet="$top_srcdir/contrib/postfix/add-mxpolicy-milter.sh"
pc -e "smtpd_milters = $DKIM, $DMARC" "non_smtpd_milters = $DKIM" \
	"milter_default_action = accept" "milter_command_timeout = 45s" "milter_protocol = 6"
before=$(pc -h non_smtpd_milters milter_default_action milter_command_timeout \
	milter_connect_timeout milter_content_timeout milter_protocol)
nsexec sh "$snippet" -c "$etc" >"$T/out/snippet.txt" 2>&1
nsexec sh "$snippet" -c "$etc" >"$T/out/snippet_again.txt" 2>&1
want="$DKIM, $DMARC, { inet:127.0.0.1:8895, default_action=tempfail, connect_timeout=10s, command_timeout=30s, content_timeout=60s }"
got=$(pc -h smtpd_milters)
after=$(pc -h non_smtpd_milters milter_default_action milter_command_timeout \
	milter_connect_timeout milter_content_timeout milter_protocol)
if [ "$got" != "$want" ]; then
	fail snippet_adds "smtpd_milters = '$got', expected '$want'"
	sed 's/^/    | /' "$T/out/snippet.txt" "$T/out/snippet_again.txt"
elif [ "$before" != "$after" ]; then
	fail snippet_adds "non_smtpd_milters or the global milter settings changed"
	diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | sed 's/^/    | /'
else
	pass snippet_adds
fi
output_has snippet_again "already lists inet:127.0.0.1:8895" && pass snippet_idempotent

# Through a Postfix started on the result: all three filters.
name=snippet_delivers
if postfix_restart; then
	message "$name" "$name@$DOMAIN" user@example.net sign </dev/null
	send "$name" 21 "$name@$DOMAIN" user@example.net
	expect_reply "$name" accepted &&
		expect_ar "$name" 3 "$(ar_iprev 21)" "$AR_DKIM" "$AR_DMARC" &&
		pass "$name"
else
	fail "$name" "Postfix did not start on the main.cf the snippet wrote"
fi

# An empty smtpd_milters: no leading comma.  non_smtpd_milters = $smtpd_milters
# keeps meaning what it meant, without this filter.
mkdir -p "$T/pf2"
touch "$T/pf2/master.cf"
printf 'smtpd_milters =\n' >"$T/pf2/main.cf"
sh "$snippet" -c "$T/pf2" >"$T/out/snippet_empty.txt" 2>&1
got=$(postconf -c "$T/pf2" -h smtpd_milters 2>/dev/null)
want="{ inet:127.0.0.1:8895, default_action=tempfail, connect_timeout=10s, command_timeout=30s, content_timeout=60s }"
if [ "$got" = "$want" ]; then
	pass snippet_empty_list
else
	fail snippet_empty_list "smtpd_milters = '$got', expected '$want'"
fi
printf 'smtpd_milters = %s, %s\nnon_smtpd_milters = $smtpd_milters\n' "$DKIM" "$DMARC" >"$T/pf2/main.cf"
sh "$snippet" -c "$T/pf2" >"$T/out/snippet_pinned.txt" 2>&1
got=$(postconf -c "$T/pf2" -x -h non_smtpd_milters 2>/dev/null)
if [ "$got" = "$DKIM, $DMARC" ] && postconf -c "$T/pf2" -h smtpd_milters 2>/dev/null | grep -qF ":8895,"; then
	pass snippet_non_smtpd_kept
else
	fail snippet_non_smtpd_kept "non_smtpd_milters now means '$got', expected '$DKIM, $DMARC'"
	sed 's/^/    | /' "$T/out/snippet_pinned.txt"
fi

# ---- contrib/sendmail beside OpenDKIM's and OpenDMARC's INPUT_MAIL_FILTER lines ------
# Only m4 and Sendmail's cf files: the .cf lists all three filters in order,
# and every macro list keeps Sendmail's defaults with the filter's added.
if sendmail_available; then
	cf=$MXPT_SENDMAIL_ROOT/usr/share/sendmail/cf
	{
		printf 'divert(-1)\ndivert(0)dnl\nOSTYPE(`linux'"'"')dnl\n'
		printf 'INPUT_MAIL_FILTER(`opendkim'"'"', `S=inet:8891@localhost'"'"')dnl\n'
		printf 'INPUT_MAIL_FILTER(`opendmarc'"'"', `S=inet:8893@localhost'"'"')dnl\n'
		cat "$top_srcdir/contrib/sendmail/mxpolicy-milter.mc"
		printf 'MAILER(`local'"'"')dnl\nMAILER(`smtp'"'"')dnl\n'
	} >"$T/sendmail-coexist.mc"
	if ! m4 -D_CF_DIR_="$cf/" "$cf/m4/cf.m4" "$T/sendmail-coexist.mc" >"$T/sendmail-coexist.cf" 2>"$T/out/m4.txt"; then
		fail sendmail_appends "m4 could not build the .cf"
		sed 's/^/    | /' "$T/out/m4.txt"
	else
		ok=yes
		for line in 'O InputMailFilters=opendkim, opendmarc, mxpolicy' \
			'Xopendkim, S=inet:8891@localhost' 'Xopendmarc, S=inet:8893@localhost' \
			'Xmxpolicy, S=inet:8895@127.0.0.1, F=T, T=C:10s;S:10s;R:30s;E:60s' \
			'O Milter.macros.connect=j, _, {daemon_name}, {if_name}, {if_addr}, {daemon_addr}, {client_addr}, {client_resolve}, {client_name}' \
			'O Milter.macros.data=i' \
			'O Milter.macros.envfrom=i, {auth_type}, {auth_authen}, {auth_ssf}, {auth_author}, {mail_mailer}, {mail_host}, {mail_addr}' \
			'O Milter.macros.envrcpt={rcpt_mailer}, {rcpt_host}, {rcpt_addr}, i' \
			'O Milter.macros.eom={msg_id}, i'; do
			grep -qxF -- "$line" "$T/sendmail-coexist.cf" && continue
			fail sendmail_appends "no '$line' in the .cf"
			grep -E '^O (InputMailFilters|Milter)|^X' "$T/sendmail-coexist.cf" | sed 's/^/    | /'
			ok=
			break
		done
		[ -n "$ok" ] && pass sendmail_appends
	fi
elif [ "${MXPT_REQUIRE_SENDMAIL:-}" = 1 ]; then
	fail sendmail_appends "no Sendmail cf files in $MXPT_SENDMAIL_ROOT"
else
	log "SKIP sendmail_appends: no Sendmail cf files in $MXPT_SENDMAIL_ROOT"
fi

summary
