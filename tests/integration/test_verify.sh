#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test_verify.sh -- rcpt_unverified with two real Postfix instances: the
# primary mx1 (MX 10) knows its recipients (relay_recipient_maps: unknown
# users get 550 5.1.1), takes anything at catchall.example.net and
# greylists grey.example.net; the backup mx2 (MX 20) runs the filter.
# Through the backup: known users accepted, unknown ones refused at RCPT
# with no bounce and an empty queue, catch-all and greylisting never
# refused; with the primary stopped, and again after a restart of the
# filter, the cached answers decide and new recipients are accepted as
# unavailable; 200 concurrent sessions for 20 recipients make at most
# 21 probes at the primary; a primary that is silent, talks garbage or
# hangs up refuses nothing, and 1,000 such probes leak no descriptor.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/verify_lib.sh"

verify_setup
CONF="# integration suite: recipient verification
$VERIFY_CONF
verify_relay_hosts = inner.example.net=$MX1:25"
start_milter "$CONF"

# ---- the primary up ------------------------------------------------------------
accepted_verify known_user alice@example.net "pass(mx1.example.net)"
refused_verify unknown_user nosuch@example.net "fail(mx1.example.net)"
expect_line unknown_user_quotes_primary "$T/out/unknown_user.txt" \
	'Recipient address rejected by the primary mail server: "550 5.1.1 <nosuch@example.net>: Recipient address rejected: User unknown in relay recipient table"' \
	"the refusal does not quote the primary"
# the probe, as the primary saw it: from the backup's own address, its
# name as HELO, the null sender; a random local part with the first one
if grep -q "reject: RCPT from mx2.example.net\[$MX2\]: 550 5.1.1 <nosuch@example.net>:.* from=<> to=<nosuch@example.net> proto=ESMTP helo=<mx2.example.net>" "$PRIMARY/maillog"; then
	pass probe_is_an_mx_peer
else
	fail probe_is_an_mx_peer "the primary logged no null-sender probe from mx2"
	grep "reject:" "$PRIMARY/maillog" | sed 's/^/    | /' | head -5
fi
expect_line catchall_test_sent "$PRIMARY/maillog" "to=<mxpv-" \
	"no random local part was probed"

# a whole message for an unknown user: refused at RCPT, nothing queued, no bounce
smtp bounce_free "$SRC" "$HELO" bounce_free@sender.example nosuch@example.net --data
expect_reply bounce_free "550 5.1.1 RCPT" && pass bounce_free
expect_milter_log bounce_free_cached bounce_free@sender.example "verify=cached(fail,mx1.example.net)" \
	&& pass bounce_free_cached
if nsexec postqueue -c "$T/postfix/etc" -p 2>&1 | grep -q "Mail queue is empty" &&
	! grep -q "sender non-delivery notification" "$T/postfix/maillog"; then
	pass backup_queue_empty
else
	fail backup_queue_empty "the backup queued or bounced something"
	nsexec postqueue -c "$T/postfix/etc" -p | sed 's/^/    | /' | head
fi

accepted_verify catchall_user anyone@catchall.example.net "catchall(mx1.example.net)"
accepted_verify catchall_again other@catchall.example.net "cached(catchall,mx1.example.net)"
accepted_verify greylisted someone@grey.example.net "unknown(mx1.example.net)"
accepted_verify known_cached alice@example.net "cached(pass,mx1.example.net)"
accepted_verify known_second bob@example.net "pass(mx1.example.net)"

# mx2 is the primary of inner.example.net, relayed on to an inner store
# (the same Postfix as mx1 here): verified there; other.example.net is not
accepted_verify relay_known staff@inner.example.net "pass($MX1)"
expect_milter_log relay_known_route relay_known@sender.example "route=primary(pref=10)" &&
	pass relay_known_route
refused_verify relay_unknown ghost@inner.example.net "fail($MX1)"
accepted_verify primary_not_verified anyone@other.example.net "-"

# ---- the primary down ----------------------------------------------------------
stop_primary
accepted_verify down_known alice@example.net "cached(pass,mx1.example.net)"
refused_verify down_unknown nosuch@example.net "cached(fail,mx1.example.net)"
accepted_verify down_new carol@example.net unavailable
# ... and after a restart of the filter: the cache persisted
stop_milter
start_milter "$CONF"
expect_line restart_cache_kept "$T/milter.log" "verification cache $T/vcache:" \
	"the restarted filter did not open its cache"
accepted_verify restart_known alice@example.net "cached(pass,mx1.example.net)"
refused_verify restart_unknown nosuch@example.net "cached(fail,mx1.example.net)"
accepted_verify restart_new dave@example.net unavailable

# the query mode shows what the cache says, and asks nothing
query() { # NAME RCPT [-l]: the query's output in out/NAME.txt, its status echoed
	local name=$1 rcpt=$2
	shift 2
	nsexec "$MILTER_BIN" -c "$T/milter.conf" -a "$MX2" -j mx2.example.net "$@" \
		-q "$SRC" "$HELO" "$rcpt" >"$T/out/$name.txt" 2>&1
	echo $?
}
rc=$(query query_cached_fail nosuch@example.net)
[ "$rc" = 1 ] && output_has query_cached_fail "verify    cached(fail,mx1.example.net)" \
	"check     rcpt_unverified        FIRED" "verify=cached(fail,mx1.example.net)" &&
	pass query_cached_fail
rc=$(query query_not_kept erin@example.net)
[ "$rc" = 0 ] && output_has query_not_kept "verify    unknown (from the cache alone" &&
	pass query_not_kept


start_primary
primary_rcpts_before=$(grep -c "disconnect from mx2.example.net" "$PRIMARY/maillog")
nsexec "$PY" - "$MX2" >"$T/out/concurrent.txt" 2>&1 <<'PYEOF'
import smtplib, sys, threading
server = sys.argv[1]
codes = {}
lock = threading.Lock()
def session(i):
    rcpt = "user%02d@load.example.net" % (i % 20 + 1)
    try:
        s = smtplib.SMTP(server, 25, local_hostname="good.sender.example",
                         source_address=("127.0.2.%d" % (i % 200 + 20), 0), timeout=60)
        s.ehlo()
        code, text = s.mail("load%d@sender.example" % i)
        if code == 250:
            code, text = s.rcpt(rcpt)
        if code not in (250, 550):
            code = "%d %s" % (code, text.decode(errors="replace"))
        s.quit()
    except Exception as e:
        code = "error %s" % e
    with lock:
        codes.setdefault(rcpt, set()).add(code)
threads = [threading.Thread(target=session, args=(i,)) for i in range(200)]
for t in threads: t.start()
for t in threads: t.join(120)
for r in sorted(codes):
    print(r, " ".join(str(c) for c in sorted(codes[r], key=str)))
PYEOF
if [ "$(grep -c ' 250$' "$T/out/concurrent.txt")" -eq 10 ] &&
	[ "$(grep -c ' 550$' "$T/out/concurrent.txt")" -eq 10 ]; then
	pass concurrent_verdicts
else
	fail concurrent_verdicts "each known recipient 250, each unknown 550, always"
	sed 's/^/    | /' "$T/out/concurrent.txt"
fi
# the idle probe connections close (QUIT) when the filter stops; "connect
# from" matches the disconnect lines too: all closed, it counts them twice
stop_milter
for ((i = 0; i < 100; i++)); do
	[ "$(grep -c "connect from mx2.example.net" "$PRIMARY/maillog")" -eq \
		"$(( $(grep -c "disconnect from mx2.example.net" "$PRIMARY/maillog") * 2 ))" ] && break
	sleep 0.1
done
probes=$(grep "disconnect from mx2.example.net" "$PRIMARY/maillog" | tail -n +$((primary_rcpts_before + 1)) |
	grep -o ' rcpt=[0-9/]*' | awk -F'[=/]' '{ n += ($3 != "" ? $3 : $2) } END { print n + 0 }')
if [ "$probes" -ge 1 ] && [ "$probes" -le 21 ]; then
	pass "concurrent_probes_shared ($probes RCPT probes)"
else
	fail concurrent_probes_shared "$probes RCPT probes at the primary for 20 recipients, want 1..21"
fi
# -l asks the primary live
rc=$(query query_live nobody-here@example.net -l)
[ "$rc" = 1 ] && output_has query_live "verify    fail(mx1.example.net) (asked live (-l))" &&
	pass query_live
start_milter "$CONF"

# ---- faults: a primary that is silent, talks garbage, hangs up ---------------------
stop_primary
for mode in silent garbage hangup rcptjunk; do
	start_fake_primary "$mode"
	accepted_verify "fault_$mode" "x-$mode@fault.example.net" "unknown(mx1.example.net)"
	stop_fake_primary
done
# 1,000 probes to a primary that hangs up or writes junk: no descriptor left behind
printf '127.0.1.61 good.sender.example\n' >"$T/clients"
start_fake_primary hangup
fds_before=$(ls "/proc/$MILTER_PID/fd" | wc -l)
nsexec "$MILTERLOAD" -s "inet:$MILTER_PORT@127.0.0.1" -c 1 -n 500 -C "$T/clients" \
	-r "<leak@fault.example.net>" -l "$MX2" >"$T/out/leak1.txt" 2>&1
stop_fake_primary
start_fake_primary rcptjunk
nsexec "$MILTERLOAD" -s "inet:$MILTER_PORT@127.0.0.1" -c 1 -n 500 -C "$T/clients" \
	-r "<leak@fault.example.net>" -l "$MX2" >"$T/out/leak2.txt" 2>&1
stop_fake_primary
for ((i = 0; i < 50; i++)); do       # the last session's close may still be on its way
	fds_after=$(ls "/proc/$MILTER_PID/fd" | wc -l)
	[ "$fds_after" -le "$fds_before" ] && break
	sleep 0.1
done
if grep -q "accepted=500 rejected=0 tempfailed=0 errors=0" "$T/out/leak1.txt" &&
	grep -q "accepted=500 rejected=0 tempfailed=0 errors=0" "$T/out/leak2.txt"; then
	pass fault_probes_refuse_nothing
else
	fail fault_probes_refuse_nothing "$(cat "$T/out/leak1.txt" "$T/out/leak2.txt")"
fi
probes=$(grep -c "verify=unknown(mx1.example.net)" "$T/milter.log")
if [ "$probes" -lt 1000 ]; then
	fail fault_probes_no_fd_leak "only $probes decisions said verify=unknown(mx1.example.net)"
elif [ "$fds_after" -le "$fds_before" ]; then
	pass "fault_probes_no_fd_leak ($probes probes; $fds_before descriptors before, $fds_after after)"
else
	fail fault_probes_no_fd_leak "$fds_before descriptors before $probes probes, $fds_after after"
	ls -l "/proc/$MILTER_PID/fd" | sed 's/^/    | /' | tail -20
fi

summary
