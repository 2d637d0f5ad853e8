#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test_hostile.sh -- hostile input, through the milter protocol directly
# (hostile_milter.py: what no MTA would pass on, and malformed protocol)
# and through Postfix (smtp_dialog.py: what reaches the filter from an SMTP
# peer).  Expected: the specified verdict, no crash (a normal session is
# accepted after every case), decision lines escaped and bounded, replies
# never built from peer text.
. "$(dirname "$0")/lib.sh"

BASE_CONF="# integration suite: hostile input
dns_timeout_ms = 500
decision_timeout_ms = 3000
authserv_id = mx1.example.net
$DNS_CHECKS_OFF"

it_setup
start_milter "$BASE_CONF"

# ---- through the milter protocol --------------------------------------------------
nsexec "$PY" "$HERE/hostile_milter.py" --milter "127.0.0.1:$MILTER_PORT" --pid "$MILTER_PID" \
	--log "$T/milter.log" >"$T/out/hostile_milter.txt" 2>&1
grep -E '^(PASS|FAIL) ' "$T/out/hostile_milter.txt"
PASSED=$((PASSED + $(grep -c '^PASS ' "$T/out/hostile_milter.txt")))
FAILED=$((FAILED + $(grep -c '^FAIL ' "$T/out/hostile_milter.txt")))
if ! grep -qE '^[0-9]+ passed, [0-9]+ failed$' "$T/out/hostile_milter.txt"; then
	fail hostile_milter "the protocol client did not finish:"
	tail -20 "$T/out/hostile_milter.txt" | sed 's/^/    | /'
fi

# ---- through Postfix ----------------------------------------------------------------
# postfix_case NAME SRC WANT(code prefix or "accepted") HELO_COMMAND...
postfix_case() {
	local name=$1 src=$2 want=$3
	shift 3
	dialog "$name" "$src" "$@" "MAIL FROM:<$name@sender.example>" "RCPT TO:<user@example.net>" "QUIT"
	if ! kill -0 "$MILTER_PID" 2>/dev/null; then
		fail "$name" "the milter is gone"
	elif [ "$want" = accepted ]; then
		if grep -q '^<-  250 2.1.5' "$T/out/$name.txt"; then pass "$name"; else
			fail "$name" "RCPT not accepted"; sed 's/^/    | /' "$T/out/$name.txt" | tail -5
		fi
	elif grep -q "^<\*\* $want" "$T/out/$name.txt"; then
		pass "$name"
	else
		fail "$name" "no '$want' reply"; sed 's/^/    | /' "$T/out/$name.txt" | tail -5
	fi
}
# the longest HELO Postfix passes on (its line limit is 2048 with the command)
long=$(printf 'a%.0s' $(seq 1 2000))
postfix_case pf_helo_2000 127.0.1.50 "501 5.5.2" "EHLO $long"
postfix_case pf_helo_format 127.0.1.51 "501 5.5.2" 'EHLO %n%s%x.example'
postfix_case pf_helo_bad_utf8 127.0.1.52 "501 5.5.2" 'EHLO \xff\xfe.example'
postfix_case pf_helo_control 127.0.1.53 "501 5.5.2" 'EHLO a\x01\x02b.example'
# NUL and a bare CR inside the command: what Postfix passes on is judged
postfix_case pf_helo_nul 127.0.1.62 "504 5.5.2" 'EHLO mail\x00evil.example'
postfix_case pf_helo_bare_cr 127.0.1.63 "501 5.5.2" 'EHLO mail\x0dRCPT.example'
postfix_case pf_literal_malformed 127.0.1.54 "501 5.5.2" 'EHLO [IPv6:::1::2]'
postfix_case pf_helo_trailing_dots 127.0.1.55 "501 5.5.2" 'EHLO mail.sender.example..'
postfix_case pf_rset_re_ehlo 127.0.1.56 "504 5.5.2" "EHLO mail.sender.example" \
	"MAIL FROM:<x@sender.example>" "RSET" "EHLO WIN-8DKQ3J2"
postfix_case pf_ehlo_then_good 127.0.1.57 accepted "EHLO WIN-8DKQ3J2" "EHLO mail.sender.example"
# hundreds of recipients in one transaction, each decided
rcpts=()
for i in $(seq 1 200); do rcpts+=("RCPT TO:<user$i@example.net>"); done
dialog pf_rcpt_200 127.0.1.58 "EHLO mail.sender.example" "MAIL FROM:<pf_rcpt_200@sender.example>" \
	"${rcpts[@]}" "QUIT"
n=$(grep -c '^<-  250 2.1.5' "$T/out/pf_rcpt_200.txt")
lines=$(milter_lines pf_rcpt_200@sender.example | grep -c 'verdict=accept')
if [ "$n" -eq 200 ] && [ "$lines" -eq 200 ]; then pass pf_rcpt_200; else
	fail pf_rcpt_200 "$n recipients accepted, $lines decision lines"
fi
# a client that disconnects at once, and one that drops after RCPT
dialog pf_drop_after_noop 127.0.1.59 "NOOP"
dialog pf_drop_after_rcpt 127.0.1.59 "EHLO mail.sender.example" \
	"MAIL FROM:<pf_drop@sender.example>" "RCPT TO:<user@example.net>"
postfix_case pf_after_drops 127.0.1.59 accepted "EHLO mail.sender.example"

# STARTTLS, then a new EHLO: the filter judges by the name given last
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=mx1.example.net \
	-keyout "$T/tls.key" -out "$T/tls.crt" >/dev/null 2>&1
chmod 644 "$T/tls.key"
cat >>"$T/postfix/etc/main.cf" <<CONF
smtpd_tls_security_level = may
smtpd_tls_cert_file = $T/tls.crt
smtpd_tls_key_file = $T/tls.key
CONF
echo 'tlsmgr unix - - n 1000? 1 tlsmgr' >>"$T/postfix/etc/master.cf"
postfix_reload
# tls_case NAME SRC FIRST_HELO SECOND_HELO WANT_CODE
tls_case() {
	local name=$1
	nsexec "$PY" "$HERE/starttls_dialog.py" "$MX1:25" "$2" "$3" "$4" "$name@sender.example" \
		user@example.net >"$T/out/$name.txt" 2>&1
	if grep -q "^RCPT $5 " "$T/out/$name.txt" &&
		milter_lines "$name@sender.example" | grep -qF "helo=$4 "; then
		pass "$name"
	else
		fail "$name" "expected RCPT $5 judged on HELO $4"
		sed 's/^/    | /' "$T/out/$name.txt" | tail -5
		milter_lines "$name@sender.example" | sed 's/^/    | /'
	fi
}
tls_case starttls_good_after_bad 127.0.1.60 WIN-8DKQ3J2 mail.sender.example 250
tls_case starttls_bad_after_good 127.0.1.61 mail.sender.example WIN-8DKQ3J2 504

summary
