# SPDX-License-Identifier: BSD-2-Clause
# verify_lib.sh -- what the recipient verification suites share, sourced
# after lib.sh: the lib's Postfix as the backup mx2 (with the filter), a
# second private Postfix as the primary mx1 that knows its recipients
# (relay_recipient_maps; unknown users get 550 5.1.1), fake primaries on
# mx1:25, and the scenario shapes.  verify_setup starts it all but the
# filter.

MILTERLOAD=$top_builddir/tests/bench/milterload
PRIMARY=                  # $T/primary, once verify_setup made $T

# The lib's instance is the backup here: one listener, mx2, with the filter.
postfix_master() {
	cat <<-CONF
	$MX2:25 inet n - n - - smtpd -o myhostname=mx2.example.net -o syslog_name=postfix-mx2
	CONF
	postfix_services
}

# The recipients the primary has; a suite may add its own and restart it.
KNOWN="alice@example.net bob@example.net staff@inner.example.net"
KNOWN+=$(for i in $(seq -w 1 10); do printf ' user%s@load.example.net' "$i"; done)
EXTRA_PRIMARY=""          # more main.cf lines for the primary

# The primary: its own instance on mx1, no filter, the recipients it has.
primary_conf() {
	local maps="" r
	for r in $KNOWN; do maps+="$r=ok, "; done
	cat <<-CONF
	compatibility_level = 3.6
	queue_directory = $PRIMARY/queue
	data_directory = $PRIMARY/data
	mail_owner = postfix
	setgid_group = postdrop
	myhostname = mx1.example.net
	mydomain = example.net
	mydestination =
	relay_domains = example.net catchall.example.net grey.example.net load.example.net
	    inner.example.net
	relay_recipient_maps = inline:{ ${maps}@catchall.example.net=ok, @grey.example.net=ok }
	mynetworks = 127.0.0.1/32
	smtpd_relay_restrictions = reject_unauth_destination
	smtpd_recipient_restrictions = check_recipient_access
	    inline:{ { grey.example.net = 450 4.7.1 Greylisted; please try again later } }
	inet_interfaces = all
	inet_protocols = ipv4
	relay_transport = discard:
	default_transport = discard:
	maillog_file = $PRIMARY/maillog
	maillog_file_prefixes = $T
	smtpd_error_sleep_time = 0
	smtpd_soft_error_limit = 10000
	smtpd_hard_error_limit = 10000
	smtpd_client_connection_rate_limit = 0
	smtpd_peername_lookup = yes
	biff = no
	$EXTRA_PRIMARY
	CONF
}

start_primary() {
	mkdir -p "$PRIMARY/etc" "$PRIMARY/queue" "$PRIMARY/data"
	chown postfix "$PRIMARY/data"
	primary_conf >"$PRIMARY/etc/main.cf"
	{ printf '%s:25 inet n - n - - smtpd\n' "$MX1"; postfix_services; } >"$PRIMARY/etc/master.cf"
	touch "$PRIMARY/maillog"
	local before
	before=$(grep -c "daemon started" "$PRIMARY/maillog")
	nsexec script -qec "postfix -c $PRIMARY/etc start" /dev/null >"$PRIMARY/start.out" 2>&1
	local i
	for ((i = 0; i < 200; i++)); do
		[ "$(grep -c "daemon started" "$PRIMARY/maillog")" -gt "$before" ] &&
			nsexec ss -Hltn "src $MX1 and sport = :25" | grep -q . && return 0
		sleep 0.1
	done
	log "the primary did not start:"; cat "$PRIMARY/start.out" "$PRIMARY/maillog" >&2
	exit 1
}

stop_primary() {
	local pid
	nsexec postfix -c "$PRIMARY/etc" stop >/dev/null 2>&1
	pid=$(tr -d ' ' <"$PRIMARY/queue/pid/master.pid" 2>/dev/null)
	[ -n "$pid" ] && stop_pid "$pid"
	local i
	for ((i = 0; i < 100; i++)); do
		nsexec ss -Hltn "src $MX1 and sport = :25" | grep -q . || return 0
		sleep 0.1
	done
}

# A fake primary on mx1:25 (bad_smtp.py MODE), by PID.
FAKE_PID=
start_fake_primary() {
	# not through nsexec: a function in the background is a subshell, and
	# its PID would not be python's
	ip netns exec "$NS" "$PY" "$HERE/bad_smtp.py" "$1" "$MX1" 25 >"$T/fake.out" 2>&1 &
	FAKE_PID=$!
	local i
	for ((i = 0; i < 100; i++)); do
		nsexec ss -Hltn "src $MX1 and sport = :25" | grep -q . && return 0
		sleep 0.1
	done
	log "the fake primary did not start"; exit 1
}
stop_fake_primary() { [ -n "$FAKE_PID" ] && stop_pid "$FAKE_PID"; FAKE_PID=; }

verify_teardown() {
	set +e
	stop_fake_primary
	[ -f "$PRIMARY/etc/main.cf" ] && stop_primary
	it_teardown
}

# verify_setup: namespace, DNS, the backup, the primary, the cache directory.
verify_setup() {
	it_setup
	trap verify_teardown EXIT
	PRIMARY=$T/primary
	start_primary
	mkdir -p "$T/vcache"
	chown nobody "$T/vcache"
	SERVER=$MX2
	# the suites' settings: short budgets, no DNS checks, verification on
	VERIFY_CONF="dns_timeout_ms = 300
decision_timeout_ms = 3000
$DNS_CHECKS_OFF
rcpt_unverified = reject
verify_timeout_ms = 3000
verify_cache_dir = $T/vcache
mx_probe_timeout_ms = 500
mx_probe_ttl = 0"
	[ -x "$MILTERLOAD" ] || { log "no $MILTERLOAD: make check builds it"; exit 1; }
}

SRC=127.0.1.60
HELO=good.sender.example

# accepted_verify NAME RCPT VERIFY: through the backup, with verify=VERIFY.
accepted_verify() {
	local name=$1 rcpt=$2 want=$3 from="$1@sender.example"
	smtp "$name" "$SRC" "$HELO" "$from" "$rcpt"
	expect_reply "$name" accepted &&
		expect_milter_log "$name" "$from" "stage=RCPT" "verify=$want" "verdict=accept" &&
		pass "$name"
}

# refused_verify NAME RCPT VERIFY: 550 5.1.1 at RCPT, in both logs.
refused_verify() {
	local name=$1 rcpt=$2 want=$3 from="$1@sender.example"
	smtp "$name" "$SRC" "$HELO" "$from" "$rcpt"
	expect_reply "$name" "550 5.1.1 RCPT" &&
		expect_postfix_log "$name" "$from" "milter-reject: RCPT from [^ ]*\[$SRC\]: 550 5.1.1" &&
		expect_milter_log "$name" "$from" "stage=RCPT" "verify=$want" \
			"checks=rcpt_unverified" "verdict=reject" "reply=\"550 5.1.1" &&
		pass "$name"
}
