#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test_audit.sh -- mxpolicy-audit against the private Postfix: mx1
# (127.0.0.25, MX 10) with mxpolicy-milter and mx2 (127.0.0.26, MX 20)
# first without it, then with a weaker config, then with the same config.
# The audit must name the bypass each time there is one, report none when
# both routes enforce the same policy, send no message, and lint the MX
# RRsets of the audit.example zone.  Each exit status comes from a
# scenario: 0 OK (same_config), 1 WARNING (lint_warning: DNS findings, no
# bypass), 2 CRITICAL (no_milter_on_mx2: a bypass), 3 UNKNOWN (closed_port:
# unreachable, never a refusal; and every usage error).
. "$(dirname "$0")/lib.sh"

AUDIT_BIN=${AUDIT_BIN:-$top_builddir/milter/audit/mxpolicy-audit}
PROBER=127.0.1.10           # mail.sender.example, forward-confirmed
NOPTR=127.0.1.99            # a prober without reverse DNS: ptr_missing defers it
PROBER6=2001:db8:1::10      # the prober's IPv6 address (no reverse DNS)
MX6=2001:db8:1::26          # mx6.audit.example: an IPv6-only backup, unfiltered
WEAK_PORT=9892              # a second milter with a weaker config

BASE_CONF='# integration suite: the audit
dns_timeout_ms = 500
decision_timeout_ms = 3000
mx_probe_timeout_ms = 500'

# mx2's listener: no milter (MX2_MILTERS empty) or the one given
MX2_MILTERS=
postfix_master() {
	cat <<-CONF
	$MX1:25 inet n - n - - smtpd
	$MX2:25 inet n - n - - smtpd -o myhostname=mx2.example.net -o syslog_name=postfix-mx2 -o smtpd_milters=$MX2_MILTERS
	[$MX6]:25 inet n - n - - smtpd -o myhostname=mx6.audit.example -o syslog_name=postfix-mx6 -o smtpd_milters=
	CONF
	postfix_services
}
eval "$(declare -f postfix_conf | sed '1s/^postfix_conf/audit_postfix_conf_base/')"
postfix_conf() {
	audit_postfix_conf_base
	echo 'relay_domains = example.net example.com example.org sender.example audit.example v6.audit.example'
	echo 'inet_protocols = all'
}
# the IPv6 addresses exist before Postfix binds them
eval "$(declare -f start_postfix | sed '1s/^start_postfix/audit_start_postfix_base/')"
start_postfix() {
	ip -n "$NS" addr add "$PROBER6/128" dev lo nodad
	ip -n "$NS" addr add "$MX6/128" dev lo nodad
	audit_start_postfix_base
}

mx2_milters() {
	MX2_MILTERS=$1
	postfix_master >"$T/postfix/etc/master.cf"
	postfix_reload
}

[ -x "$AUDIT_BIN" ] || { log "not built: $AUDIT_BIN"; exit 1; }
it_setup
start_milter "$BASE_CONF"

# audit NAME ARGS...: runs the audit from the prober's address; the output
# in $T/out/NAME.txt, the exit status in $T/out/NAME.rc
audit() {
	local name=$1 rc
	shift
	nsexec "$AUDIT_BIN" --source "${SOURCE:-$PROBER}" --interval 0.05 --timeout 10 "$@" \
		>"$T/out/$name.txt" 2>"$T/out/$name.err"
	rc=$?
	echo "$rc" >"$T/out/$name.rc"
}

# expect_exit NAME STATUS
expect_exit() {
	local got
	got=$(cat "$T/out/$1.rc")
	[ "$got" = "$2" ] && return 0
	fail "$1" "exit status $got, expected $2"
	sed 's/^/    | /' "$T/out/$1.txt" "$T/out/$1.err" | head -60
	return 1
}

# json_check NAME PYTHON_EXPR: the expression over the parsed output (j) holds
json_check() {
	local name=$1 expr=$2
	if "$PY" -c "import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if ($expr) else 1)" \
		"$T/out/$name.txt" 2>"$T/out/$name.json-err"; then
		return 0
	fi
	fail "$name" "JSON check failed: $expr"
	sed 's/^/    | /' "$T/out/$name.txt" "$T/out/$name.json-err" | head -40
	return 1
}

sink_count() { find "$T/sink" -type f | wc -l; }

BYPASS_TAIL='refuses: backup route is a bypass'

# ---- mx2 without the milter: the backup route is a bypass -----------------------
sink_before=$(sink_count)
audit no_milter_on_mx2 --rcpt user@example.net example.net
expect_exit no_milter_on_mx2 2 &&
	output_has no_milter_on_mx2 \
		"BYPASS: mx2.example.net (pref 20) accepts a non-FQDN HELO that mx1.example.net (pref 10) $BYPASS_TAIL" \
		"BYPASS: mx2.example.net (pref 20) accepts a bare-IP HELO that mx1.example.net (pref 10) $BYPASS_TAIL" \
		"BYPASS: mx2.example.net (pref 20) accepts an address-literal HELO that is not the client's address that mx1.example.net (pref 10) $BYPASS_TAIL" \
		"BYPASS: mx2.example.net (pref 20) accepts a HELO impersonating example.net that mx1.example.net (pref 10) $BYPASS_TAIL" \
		"benign identity: HELO mail.sender.example (forward-confirmed reverse DNS of $PROBER)" \
		"result: bypass (CRITICAL)" &&
	pass no_milter_on_mx2
# the table: exchangers x probes, reply code and stage
row1=$(grep -E '^  mx1\.example\.net +10 127\.0\.0\.25 ' "$T/out/no_milter_on_mx2.txt")
row2=$(grep -E '^  mx2\.example\.net +20 127\.0\.0\.26 ' "$T/out/no_milter_on_mx2.txt")
if [ "$(echo "$row1" | awk '{print $4,$5,$6,$7,$8,$9,$10,$11,$12,$13}')" = \
	"250 RCPT 504 RCPT 501 RCPT 550 RCPT 550 RCPT" ] &&
	[ "$(echo "$row2" | awk '{print $4,$5,$6,$7,$8,$9,$10,$11,$12,$13}')" = \
	"250 RCPT 250 RCPT 250 RCPT 250 RCPT 250 RCPT" ]; then
	pass table_codes_and_stages
else
	fail table_codes_and_stages "rows: '$row1' / '$row2'"
fi
# what the primary's milter logged for the probes: the same checks as for anyone
expect_milter_log milter_saw_probes "" "client=$PROBER" "helo=mxpolicy-audit" \
	"checks=helo_not_fqdn" "route=primary(pref=10)" && pass milter_saw_probes
# probes stop before DATA: nothing queued, nothing delivered
sleep 1
if [ "$(sink_count)" = "$sink_before" ] && ! grep -q 'from=<>, size=' "$T/postfix/maillog"; then
	pass no_message_sent
else
	fail no_message_sent "a probe left a message"
fi
if grep -q "disconnect from mail.sender.example\[$PROBER\].* rset=1 quit=1" "$T/postfix/maillog"; then
	pass probes_end_with_rset_quit
else
	fail probes_end_with_rset_quit "no session ended with RSET and QUIT"
	grep "disconnect from" "$T/postfix/maillog" | tail -3 | sed 's/^/    | /'
fi

audit no_milter_json --rcpt user@example.net --json example.net
expect_exit no_milter_json 2 &&
	json_check no_milter_json 'j["result"] == "bypass" and j["status"] == "CRITICAL" and j["exit"] == 2 and len(j["bypasses"]) == 4' &&
	json_check no_milter_json '{b["probe"] for b in j["bypasses"]} == {"non-fqdn-helo", "bare-ip-helo", "foreign-literal-helo", "impersonation-helo"}' &&
	json_check no_milter_json 'all(b["exchanger"] == "mx2.example.net" and b["reference"] == "mx1.example.net" for b in j["bypasses"])' &&
	json_check no_milter_json '[(p["outcome"], p["code"], p["stage"]) for p in j["probes"] if p["address"] == "127.0.0.25"] == [("accepted", 250, "RCPT"), ("refused", 504, "RCPT"), ("refused", 501, "RCPT"), ("refused", 550, "RCPT"), ("refused", 550, "RCPT")]' &&
	json_check no_milter_json '[p["helo"] for p in j["probes"][:5]] == ["mail.sender.example", "mxpolicy-audit", "127.0.1.10", "[192.0.2.1]", "example.net"]' &&
	pass json_output

# a prober without reverse DNS: mx1 defers everything it sends (ptr_missing),
# mx2 takes it all, the benign identity included
SOURCE=$NOPTR audit no_ptr_bypass --rcpt user@example.net example.net
if expect_exit no_ptr_bypass 2 &&
	output_has no_ptr_bypass \
		"BYPASS: mx2.example.net (pref 20) accepts the benign identity that mx1.example.net (pref 10) $BYPASS_TAIL" \
		"BYPASS: mx2.example.net (pref 20) accepts a non-FQDN HELO that mx1.example.net (pref 10) $BYPASS_TAIL" \
		"NOTE: the most preferred exchanger refuses the benign identity too"; then
	if [ "$(grep -c '^  BYPASS: ' "$T/out/no_ptr_bypass.txt")" = 5 ] &&
		grep -qE '^  mx1\.example\.net +10 127\.0\.0\.25 +450 RCPT +504 RCPT' "$T/out/no_ptr_bypass.txt"; then
		pass no_ptr_prober_finds_bypass
	else
		fail no_ptr_prober_finds_bypass "expected five bypasses, and mx1 deferring the benign probe"
	fi
fi

# ---- mx2 with a weaker config: only what it lets through --------------------------
printf '%s\nhelo_not_fqdn = off\nhelo_bare_ip = off\n' "$BASE_CONF" >"$T/weak.conf"
chmod 644 "$T/weak.conf"
ip netns exec "$NS" "$MILTER_BIN" -f -c "$T/weak.conf" -p "inet:$WEAK_PORT@127.0.0.1" -u nobody \
	>/dev/null 2>"$T/weak.log" &
WEAK_PID=$!
PIDS+=("$WEAK_PID")
wait_for "$T/weak.log" "listening on" 10 || { log "the weak milter did not start:"; cat "$T/weak.log" >&2; exit 1; }
mx2_milters "inet:127.0.0.1:$WEAK_PORT"
audit weaker_config --rcpt user@example.net example.net
if expect_exit weaker_config 2 &&
	output_has weaker_config \
		"BYPASS: mx2.example.net (pref 20) accepts a non-FQDN HELO that mx1.example.net (pref 10) $BYPASS_TAIL" \
		"BYPASS: mx2.example.net (pref 20) accepts a bare-IP HELO that mx1.example.net (pref 10) $BYPASS_TAIL"; then
	n=$(grep -c '^  BYPASS: ' "$T/out/weaker_config.txt")
	if [ "$n" = 2 ]; then
		pass weaker_config_two_bypasses
	else
		fail weaker_config_two_bypasses "expected exactly two bypasses, found $n"
	fi
fi

# ---- the same config on both routes: no bypass -------------------------------------
mx2_milters "inet:127.0.0.1:$MILTER_PORT"
audit same_config --rcpt user@example.net example.net
expect_exit same_config 0 &&
	output_has same_config "every route refuses what the most preferred exchanger refuses" \
		"result: no-bypass (OK)" &&
	! grep -q 'BYPASS' "$T/out/same_config.txt" && pass same_config_no_bypass
expect_milter_log backup_route_probed "" "client=$PROBER" "helo=mxpolicy-audit" \
	"route=backup(pref=20,primary=mx1.example.net:up)" "checks=helo_not_fqdn" &&
	pass backup_route_probed
audit same_config_json --rcpt user@example.net --json example.net
expect_exit same_config_json 0 &&
	json_check same_config_json 'j["result"] == "no-bypass" and j["status"] == "OK" and j["bypasses"] == [] and len(j["probes"]) == 10' &&
	pass same_config_json
# the same two exchangers under short.example.org, whose records live 3 s:
# no bypass, every probe ran, and a DNS finding to act on (WARNING)
audit lint_warning --rcpt user@short.example.org short.example.org
expect_exit lint_warning 1 &&
	output_has lint_warning "ttl-short" "every route refuses what the most preferred exchanger refuses" \
		"result: no-bypass (WARNING: " &&
	! grep -q 'BYPASS\|INCOMPLETE' "$T/out/lint_warning.txt" && pass lint_findings_warning
audit lint_warning_json --rcpt user@short.example.org --json short.example.org
expect_exit lint_warning_json 1 &&
	json_check lint_warning_json 'j["result"] == "no-bypass" and j["status"] == "WARNING" and j["exit"] == 1 and any(f["code"] == "ttl-short" for f in j["dns_findings"])' &&
	pass lint_findings_warning_json

SOURCE=$NOPTR audit no_ptr_same --rcpt user@example.net example.net
expect_exit no_ptr_same 0 &&
	output_has no_ptr_same "NOTE: the most preferred exchanger refuses the benign identity too" \
		"result: no-bypass" && pass no_ptr_prober_same_config

# ---- probes that cannot run ----------------------------------------------------------
# a closed port: unreachable, which refuses nothing, the benign identity included
audit closed_port --rcpt user@example.net --port 2599 example.net
expect_exit closed_port 3 &&
	output_has closed_port "INCOMPLETE: mx1.example.net [127.0.0.25] is unreachable (connect: Connection refused): its probes could not run" \
		"benign (HELO mail.sender.example): unreachable at CONNECT: connect: Connection refused" \
		"result: incomplete (UNKNOWN)" &&
	if grep -q 'refuses the benign identity' "$T/out/closed_port.txt"; then
		fail closed_port_incomplete "a closed port reported as refusing the benign identity"
	elif ! grep -qE '^  mx1\.example\.net +10 127\.0\.0\.25 +unreachable +- ' "$T/out/closed_port.txt"; then
		fail closed_port_incomplete "the table does not say unreachable"
		sed 's/^/    | /' "$T/out/closed_port.txt" | head -40
	else
		pass closed_port_incomplete
	fi
audit closed_port_json --rcpt user@example.net --port 2599 --json example.net
json_check closed_port_json '[p["outcome"] for p in j["probes"]][:2] == ["unreachable", "not-run"] and j["note"] is None and j["status"] == "UNKNOWN" and j["exit"] == 3' &&
	pass closed_port_json_unreachable
set_dns_faults '{"example.net mx": "servfail"}'
audit mx_servfail --rcpt user@example.net example.net
set_dns_faults '{}'
expect_exit mx_servfail 3 &&
	output_has mx_servfail "mx-tempfail" "INCOMPLETE: the MX question failed temporarily" &&
	pass mx_servfail_incomplete
# a recipient both refuse to relay for: no bypass, and a note that says why it proves little
audit benign_refused --rcpt user@nowhere.invalid example.net
expect_exit benign_refused 0 &&
	output_has benign_refused "NOTE: the most preferred exchanger refuses the benign identity too" &&
	pass benign_refused_noted
expect_line rcpt_elsewhere_warned "$T/out/benign_refused.err" \
	"warning: user@nowhere.invalid is not at example.net" "no warning about a recipient at another domain"

# ---- IPv6: every address of every exchanger is probed ---------------------------------
audit ipv6_backup --rcpt user@v6.audit.example --source "$PROBER6" v6.audit.example
expect_exit ipv6_backup 2 &&
	output_has ipv6_backup \
		"BYPASS: mx6.audit.example (pref 20) accepts a non-FQDN HELO that mx1.example.net (pref 10) $BYPASS_TAIL ($MX6 vs 127.0.0.25)" \
		"BYPASS: mx6.audit.example (pref 20) accepts a HELO impersonating v6.audit.example that mx1.example.net (pref 10) $BYPASS_TAIL" &&
	pass ipv6_backup_bypass
audit ipv6_json --rcpt user@v6.audit.example --source "$PROBER6" --json v6.audit.example
json_check ipv6_json '[p["helo"] for p in j["probes"] if p["address"] == "2001:db8:1::26"][1:4] == ["mxpolicy-audit", "2001:db8:1::10", "[IPv6:2001:db8::1]"]' &&
	json_check ipv6_json 'j["mx"]["exchangers"][1]["aaaa"]["addresses"] == ["2001:db8:1::26"]' &&
	pass ipv6_probe_identities
# the IPv6 probes came from the IPv6 source
if grep -q "connect from unknown\[$PROBER6\]" "$T/postfix/maillog"; then
	pass ipv6_source_bound
else
	fail ipv6_source_bound "no connection from $PROBER6 in Postfix's log"
fi
audit ipv4_only --rcpt user@v6.audit.example --source "$PROBER6" -4 --json v6.audit.example
expect_exit ipv4_only 0 &&
	json_check ipv4_only '{p["address"] for p in j["probes"]} == {"127.0.0.25"}' &&
	pass ipv4_only_skips_ipv6

# ---- servers that misbehave: the audit says so, never hangs, never prints raw bytes ----
BAD_PORT=2600
bad_servers() {
	local mode=$1 addr
	BAD_PIDS=()
	for addr in "$MX1" "$MX2"; do
		ip netns exec "$NS" "$PY" "$HERE/bad_smtp.py" "$mode" "$addr" "$BAD_PORT" \
			>/dev/null 2>&1 &
		BAD_PIDS+=($!)
		PIDS+=($!)
	done
	local i
	for ((i = 0; i < 50; i++)); do
		nsexec ss -ltn | grep -q "$MX2:$BAD_PORT" && nsexec ss -ltn | grep -q "$MX1:$BAD_PORT" && return
		sleep 0.1
	done
}
stop_bad_servers() { local p; for p in "${BAD_PIDS[@]}"; do stop_pid "$p"; done; }

bad_servers garbage
audit garbage --rcpt user@example.net --port $BAD_PORT --timeout 2 example.net
stop_bad_servers
expect_exit garbage 3 &&
	output_has garbage "INCOMPLETE: the benign probe of mx1.example.net [127.0.0.25] could not run: malformed reply" &&
	pass garbage_banner
bad_servers silent
audit silent --rcpt user@example.net --port $BAD_PORT --timeout 1 --json example.net
stop_bad_servers
expect_exit silent 3 &&
	json_check silent '[p["outcome"] for p in j["probes"]].count("not-run") == 8' &&
	json_check silent 'j["probes"][0]["reply"] == "timed out waiting for the reply" and j["probes"][0]["stage"] == "CONNECT"' &&
	pass silent_server_times_out
bad_servers endless
audit endless --rcpt user@example.net --port $BAD_PORT --timeout 5 example.net
stop_bad_servers
expect_exit endless 3 && output_has endless "could not run: malformed reply" && pass endless_banner
bad_servers hostile
audit hostile --rcpt user@example.net --port $BAD_PORT example.net
audit hostile_json --rcpt user@example.net --port $BAD_PORT --json example.net
stop_bad_servers
if LC_ALL=C grep -qP '[\x00-\x08\x0b-\x1f\x7f-\xff]' "$T/out/hostile.txt" "$T/out/hostile_json.txt"; then
	fail hostile_replies_escaped "raw control or 8-bit bytes in the output"
else
	expect_exit hostile 0 &&
		output_has hostile 'benign (HELO mail.sender.example): accepted at RCPT: 250 2.0.0 \x1b[31mred' \
			"NOTE: the most preferred exchanger refuses none of the probes" &&
		json_check hostile_json 'j["probes"][0]["reply"] == "2.0.0 \x1b[31mred"' &&
		pass hostile_replies_escaped
fi

# ---- usage: UNKNOWN (3), as the monitoring-plugin guidelines have it ----------------------
usage_case() {
	local name=$1
	shift
	nsexec "$AUDIT_BIN" "$@" >"$T/out/$name.txt" 2>&1
	local rc=$?
	if [ "$rc" = 3 ]; then pass "$name"; else fail "$name" "exit $rc, expected 3"; fi
}
usage_case usage_no_rcpt example.net
usage_case usage_bad_rcpt --rcpt 'a@b>' example.net
usage_case usage_bad_domain --rcpt user@example.net 'exa mple.net'
usage_case usage_bad_servers --rcpt user@example.net --dns-servers 127.0.0.1:0 example.net
usage_case usage_bad_source --rcpt user@example.net --source mx1.example.net example.net
usage_case usage_two_domains --rcpt user@example.net example.net example.org

# ---- DNS lint -----------------------------------------------------------------------------
audit lint --rcpt user@audit.example --json audit.example
json_check lint '{(f["code"], f["subject"], f["ref"]) for f in j["dns_findings"]} >= {
	("ttl-short", "audit.example", "RFC 1912 2.2"),
	("mx-cname", "alias.audit.example", "RFC 2181 10.3"),
	("mx-third-party-backup", "backupmx.example.com", "RFC 5321 5.1"),
	("mx-no-address", "ghost.audit.example", "RFC 5321 5.1"),
	("mx-duplicate", "mx1.audit.example", "RFC 5321 5.1")}' &&
	json_check lint 'not any(f["subject"] in ("mx1.audit.example",) and f["code"] != "mx-duplicate" for f in j["dns_findings"])' &&
	json_check lint '{p["address"] for p in j["probes"]} == {"127.0.0.25", "127.0.0.26"}' &&
	pass lint_audit_example
audit lint_mixed --rcpt user@audit.example mixed.audit.example
output_has lint_mixed "mx-null-mixed" "[RFC 7505 3]" && pass lint_null_mx_mixed
audit lint_literal --rcpt user@audit.example literal.audit.example
output_has lint_literal "mx-ip-literal" "192.0.2.1: the exchanger is an IP address" &&
	pass lint_ip_literal
audit lint_implicit --rcpt user@example.org example.org
output_has lint_implicit "mx-implicit" "No MX RRset for example.org: implicit MX" &&
	pass lint_implicit_mx
audit lint_null --rcpt user@nomail.example.org nomail.example.org
expect_exit lint_null 0 && output_has lint_null "mx-null" "result: no-bypass" && pass lint_null_mx

# the audit under the sanitizers (the ASan and TSan builds) must say nothing
if grep -lE 'ERROR: (AddressSanitizer|LeakSanitizer)|(ERROR|WARNING): ThreadSanitizer|runtime error:' \
	"$T"/out/*.err >/dev/null 2>&1; then
	fail audit_sanitizers "the audit's sanitizers reported a problem"
	grep -hE -A20 'Sanitizer|runtime error:' "$T"/out/*.err | sed 's/^/    | /' | head -40
fi
stop_pid "$WEAK_PID"
summary
