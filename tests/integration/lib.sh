# SPDX-License-Identifier: BSD-2-Clause
# lib.sh -- the integration harness: a network namespace of its own, NSD
# serving the test zones, a private Postfix whose mail goes to smtp-sink,
# mxpolicy-milter, and SMTP clients from distinct 127.0.1.x addresses.
# Sourced by the suites; every process it starts it stops by PID.

set -u

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_builddir:=$(cd "$HERE/../.." && pwd)}"
: "${top_srcdir:=$(cd "$HERE/../.." && pwd)}"
MILTER_BIN=${MILTER_BIN:-$top_builddir/milter/daemon/mxpolicy-milter}
PY=/usr/bin/python3

MX1=127.0.0.25            # the primary MX listener (example.net MX 10)
MX2=127.0.0.26            # the backup MX listener (example.net MX 20)
NATMX=10.0.0.5            # mx2 again, as seen behind NAT (exists only in the namespace)
SERVER=$MX1               # where smtp and dialog connect; a suite may switch
SMTP_PORT=25              # and on which port
NSD_PORT=5300             # NSD, behind the fault-injecting front end on :53
MILTER_PORT=9891
SINK_PORT=2526
PASSED=0
FAILED=0
# The checks that read DNS answers about the client and the route, off:
# for suites that test something else (test_dns*.sh cover these).
DNS_CHECKS_OFF='ptr_missing = off
ptr_unconfirmed = off
ptr_generic = off
helo_unknown = off
helo_mismatch = off
backup_primary_up = off'
PIDS=()                   # background processes, stopped at exit
NS=
T=

log() { printf '%s\n' "$*" >&2; }
# Foreground commands only: in the background, call ip netns exec directly
# so that $! is the process itself, not a subshell.
nsexec() { ip netns exec "$NS" "$@"; }

# ---- results ---------------------------------------------------------------

pass() { PASSED=$((PASSED + 1)); printf 'PASS %s\n' "$1"; }
fail() {
	FAILED=$((FAILED + 1))
	printf 'FAIL %s: %s\n' "$1" "$2"
}
# Built with --enable-sanitizers, a report from the milter (an error while
# serving, or leaks when it exits) fails the suite: stop it, then look.
check_sanitizer_reports() {
	local re='ERROR: (AddressSanitizer|LeakSanitizer)|(ERROR|WARNING): ThreadSanitizer|runtime error:'
	[ -n "$T" ] && [ -f "$T/milter.log" ] || return 0
	stop_milter
	if grep -qE "$re" "$T/milter.log"; then
		fail sanitizers "the milter's sanitizers reported a problem"
		grep -A25 -E "$re" "$T/milter.log" | sed 's/^/    | /' | head -60
	fi
}

summary() {
	check_sanitizer_reports
	printf '%d passed, %d failed\n' "$PASSED" "$FAILED"
	[ "$FAILED" -eq 0 ]
}

# wait_for FILE REGEX [SECONDS]: bounded poll for a line in a file.
wait_for() {
	local file=$1 re=$2 limit=${3:-10} i
	for ((i = 0; i < limit * 10; i++)); do
		grep -Eq -- "$re" "$file" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# ---- set-up and tear-down --------------------------------------------------

it_require_root() {
	if [ "$(id -u)" -ne 0 ]; then
		if [ "${CI:-}" = true ]; then
			log "integration tests need root (network namespaces, Postfix)"
			exit 1
		fi
		log "SKIP: integration tests need root"
		exit 77
	fi
	local tool
	for tool in ip nsd postfix smtp-sink swaks "$PY"; do
		command -v "$tool" >/dev/null || { log "missing tool: $tool"; exit 1; }
	done
	[ -x "$MILTER_BIN" ] || { log "not built: $MILTER_BIN"; exit 1; }
}

it_setup() {
	it_require_root
	T=$(mktemp -d /tmp/mxpolicy-it.XXXXXX)
	chmod 755 "$T"
	NS=mxpt$$
	trap it_teardown EXIT
	trap 'exit 130' INT TERM
	ip netns add "$NS"
	ip -n "$NS" link set lo up
	ip -n "$NS" addr add "$NATMX/32" dev lo
	mkdir -p "/etc/netns/$NS"
	printf 'nameserver 127.0.0.1\noptions timeout:2 attempts:1\n' >"/etc/netns/$NS/resolv.conf"
	printf '127.0.0.1 localhost\n' >"/etc/netns/$NS/hosts"
	mkdir -p "$T/out"
	start_nsd
	start_dnsfront
	start_sink
	start_postfix
}

stop_pid() {
	local pid=$1 i
	kill "$pid" 2>/dev/null || return 0
	for ((i = 0; i < 100; i++)); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
}

it_teardown() {
	local pid
	set +e
	[ -n "$MILTER_PID" ] && stop_pid "$MILTER_PID"
	[ -n "$SENDMAIL_PID" ] && stop_pid "$SENDMAIL_PID"
	if [ -n "$T" ] && [ -f "$T/postfix/etc/main.cf" ]; then
		nsexec postfix -c "$T/postfix/etc" stop >/dev/null 2>&1
		pid=$(cat "$T/postfix/queue/pid/master.pid" 2>/dev/null | tr -d ' ')
		[ -n "$pid" ] && stop_pid "$pid"
	fi
	for pid in "${PIDS[@]}"; do stop_pid "$pid"; done
	if [ -n "$NS" ]; then
		ip netns del "$NS" 2>/dev/null
		rm -rf "/etc/netns/$NS"
	fi
	if [ -n "$T" ]; then
		if [ "$FAILED" -ne 0 ] || [ -n "${KEEP:-}" ]; then
			log "kept for inspection: $T"
		else
			rm -rf "$T"
		fi
	fi
}

start_nsd() {
	local z conf=$T/dns/nsd.conf
	mkdir -p "$T/dns"
	cp "$HERE"/zones/*.zone "$T/dns/"
	# more zones from a caller (the benchmarks)
	[ -n "${EXTRA_ZONES:-}" ] && cp "$EXTRA_ZONES"/*.zone "$T/dns/"
	cat >"$conf" <<-CONF
	server:
	    ip-address: 127.0.0.1@$NSD_PORT
	    ${NSD_EXTRA_LISTEN:+ip-address: $NSD_EXTRA_LISTEN}
	    username: ""
	    chroot: ""
	    database: ""
	    zonesdir: "$T/dns"
	    zonelistfile: "$T/dns/zone.list"
	    xfrdfile: "$T/dns/xfrd.state"
	    xfrdir: "$T/dns"
	    pidfile: "$T/dns/nsd.pid"
	    logfile: "$T/dns/nsd.log"
	    verbosity: 1
	    # no response rate limiting: its default of 200 answers/s per
	    # source would drop answers under the benchmarks' load
	    rrl-ratelimit: 0
	    rrl-whitelist-ratelimit: 0
	remote-control:
	    control-enable: no
	CONF
	for z in "$T"/dns/*.zone; do
		z=$(basename "$z" .zone)
		printf 'zone:\n    name: "%s"\n    zonefile: "%s.zone"\n' "$z" "$z" >>"$conf"
	done
	ip netns exec "$NS" nsd -c "$conf" -d >"$T/dns/nsd.out" 2>&1 &
	PIDS+=($!)
	local i
	for ((i = 0; i < 100; i++)); do
		nsexec dig +short +time=1 +tries=1 -p "$NSD_PORT" @127.0.0.1 mx1.example.net A 2>/dev/null \
			| grep -q 127.0.0.25 && return 0
		sleep 0.1
	done
	log "NSD did not start:"; cat "$T/dns/nsd.out" "$T/dns/nsd.log" >&2 2>/dev/null
	exit 1
}

# The resolver every client in the namespace uses: forwards to NSD, and
# answers with the faults written by set_dns_faults.
start_dnsfront() {
	echo '{}' >"$T/dns/faults.json"
	ip netns exec "$NS" "$PY" "$HERE/dnsfront.py" 127.0.0.1 53 "$NSD_PORT" \
		"$T/dns/faults.json" >"$T/dns/front.out" 2>&1 &
	PIDS+=($!)
	local i
	for ((i = 0; i < 100; i++)); do
		nsexec dig +short +time=1 +tries=1 @127.0.0.1 mx1.example.net A 2>/dev/null \
			| grep -q 127.0.0.25 && return 0
		sleep 0.1
	done
	log "the DNS front end did not start:"; cat "$T/dns/front.out" >&2
	exit 1
}

# start_logged_dnsfront PORT QUERY_LOG: a second front end, on 127.0.0.1:PORT
# with no faults, that appends every question it gets to QUERY_LOG ("qname
# type" a line).  A milter given dns_servers = 127.0.0.1:PORT asks it,
# Postfix still asks the first: the log holds the milter's questions only.
start_logged_dnsfront() {
	local port=$1 qlog=$2 i
	: >"$qlog"
	echo '{}' >"$T/dns/faults-$port.json"
	ip netns exec "$NS" "$PY" "$HERE/dnsfront.py" 127.0.0.1 "$port" "$NSD_PORT" \
		"$T/dns/faults-$port.json" "$qlog" >"$T/dns/front-$port.out" 2>&1 &
	PIDS+=($!)
	for ((i = 0; i < 100; i++)); do
		nsexec dig +short +time=1 +tries=1 -p "$port" @127.0.0.1 mx1.example.net A 2>/dev/null |
			grep -q 127.0.0.25 && { : >"$qlog"; return 0; }
		sleep 0.1
	done
	log "the logged DNS front end did not start:"; cat "$T/dns/front-$port.out" >&2
	exit 1
}

# set_dns_faults JSON: {"qname type": "servfail|refused|formerr|timeout|tc|tc-tcpfail|delay:MS"}
set_dns_faults() {
	printf '%s\n' "$1" >"$T/dns/faults.json.new"
	mv "$T/dns/faults.json.new" "$T/dns/faults.json"
}

start_sink() {
	mkdir -p "$T/sink"
	chmod 1777 "$T/sink"
	ip netns exec "$NS" smtp-sink -h sink.test -u nobody -d "$T/sink/%H%M%S." 127.0.0.1:$SINK_PORT 100 \
		>"$T/sink.out" 2>&1 &
	PIDS+=($!)
}

# postfix_conf: main.cf for the private instance; extra lines may follow.
postfix_conf() {
	cat <<-CONF
	compatibility_level = 3.6
	queue_directory = $T/postfix/queue
	data_directory = $T/postfix/data
	mail_owner = postfix
	setgid_group = postdrop
	myhostname = mx1.example.net
	mydomain = example.net
	myorigin = \$myhostname
	mydestination =
	relay_domains = example.net example.com example.org nomail.example.org sender.example
	mynetworks = 127.0.0.0/24
	smtpd_relay_restrictions = permit_mynetworks, reject_unauth_destination
	inet_interfaces = all
	inet_protocols = ipv4
	default_transport = smtp:[127.0.0.1]:$SINK_PORT
	relay_transport = smtp:[127.0.0.1]:$SINK_PORT
	maillog_file = $T/postfix/maillog
	maillog_file_prefixes = $T
	smtpd_milters = inet:127.0.0.1:$MILTER_PORT
	milter_default_action = tempfail
	milter_command_timeout = 30s
	smtpd_helo_required = no
	biff = no
	append_dot_mydomain = no
	smtputf8_enable = no
	smtpd_error_sleep_time = 0
	smtpd_soft_error_limit = 1000
	smtpd_hard_error_limit = 1000
	smtpd_client_connection_rate_limit = 0
	smtpd_peername_lookup = yes
	CONF
}

postfix_master() {
	cat <<-CONF
	$MX1:25 inet n - n - - smtpd
	$MX2:25 inet n - n - - smtpd -o myhostname=mx2.example.net -o syslog_name=postfix-mx2
	$NATMX:25 inet n - n - - smtpd -o myhostname=mx2.example.net -o syslog_name=postfix-nat
	CONF
	postfix_services
}

# The services every instance needs besides its smtpd listeners.
postfix_services() {
	cat <<-CONF
	cleanup   unix n - n - 0 cleanup
	qmgr      unix n - n 300 1 qmgr
	rewrite   unix - - n - - trivial-rewrite
	bounce    unix - - n - 0 bounce
	defer     unix - - n - 0 bounce
	trace     unix - - n - 0 bounce
	verify    unix - - n - 1 verify
	flush     unix n - n 1000? 0 flush
	proxymap  unix - - n - - proxymap
	smtp      unix - - n - - smtp
	relay     unix - - n - - smtp
	showq     unix n - n - - showq
	error     unix - - n - - error
	retry     unix - - n - - error
	discard   unix - - n - - discard
	anvil     unix - - n - 1 anvil
	scache    unix - - n - 1 scache
	postlog   unix-dgram n - n - 1 postlogd
	CONF
}

start_postfix() {
	local etc=$T/postfix/etc
	mkdir -p "$etc" "$T/postfix/queue" "$T/postfix/data"
	chown postfix "$T/postfix/data"
	postfix_conf >"$etc/main.cf"
	postfix_master >"$etc/master.cf"
	: >"$T/postfix/maillog"
	if ! nsexec script -qec "postfix -c $etc start" /dev/null >"$T/postfix/start.out" 2>&1; then
		log "Postfix did not start:"; cat "$T/postfix/start.out" >&2
		exit 1
	fi
	wait_for "$T/postfix/maillog" "daemon started" 20 || {
		log "Postfix did not start:"; cat "$T/postfix/start.out" "$T/postfix/maillog" >&2
		exit 1
	}
}

# ---- Sendmail, next to Postfix --------------------------------------------------

SMX1=198.51.100.25        # smx1.example.com (MX 10) as Sendmail's clients reach it
SMX2=198.51.100.26        # smx2.example.com (MX 20)
SMLOOP=127.0.0.27         # a loopback address: Sendmail sends no {if_addr} there
SM_PORT=2525              # Sendmail listens on 0.0.0.0:$SM_PORT, {daemon_addr} 0.0.0.0
SENDMAIL_PID=
# Debian's sendmail-bin, -base and -cf unpacked (they conflict with postfix
# as installed packages); tests/integration/fetch-sendmail.sh makes it.
: "${MXPT_SENDMAIL_ROOT:=/var/cache/mxpolicy-milter-tests/sendmail}"

sendmail_available() {
	[ -x "$MXPT_SENDMAIL_ROOT/usr/libexec/sendmail/sendmail" ] &&
		[ -f "$MXPT_SENDMAIL_ROOT/usr/share/sendmail/cf/m4/cf.m4" ] && command -v m4 >/dev/null
}

# sendmail_mc: the test's sendmail.mc around contrib/sendmail/mxpolicy-milter.mc,
# pointed at the test milter's port; queue only, nothing is delivered.
sendmail_mc() {
	local d=$T/sendmail
	cat <<-MC
	divert(-1)
	divert(0)dnl
	VERSIONID(\`mxpolicy-milter integration test')dnl
	OSTYPE(\`linux')dnl
	define(\`confDOMAIN_NAME', \`smx1.example.com')dnl
	define(\`confDELIVERY_MODE', \`queue')dnl
	define(\`QUEUE_DIR', \`$d/queue')dnl
	define(\`STATUS_FILE', \`$d/statistics')dnl
	define(\`ALIAS_FILE', \`$d/aliases')dnl
	define(\`confPID_FILE', \`$d/sendmail.pid')dnl
	define(\`confHOST_STATUS_DIRECTORY', \`')dnl
	define(\`confDONT_PROBE_INTERFACES', \`True')dnl
	define(\`confTO_IDENT', \`0s')dnl
	define(\`confBAD_RCPT_THROTTLE', \`0')dnl
	define(\`confMAX_DAEMON_CHILDREN', \`0')dnl
	define(\`confCONNECTION_RATE_THROTTLE', \`0')dnl
	define(\`confREFUSE_LA', \`1000')dnl
	define(\`confQUEUE_LA', \`1000')dnl
	FEATURE(\`accept_unresolvable_domains')dnl
	FEATURE(\`accept_unqualified_senders')dnl
	RELAY_DOMAIN(\`example.com')dnl
	DAEMON_OPTIONS(\`Port=$SM_PORT, Addr=0.0.0.0, Name=MTA')dnl
	MC
	sed "s/inet:[0-9]*@127.0.0.1/inet:$MILTER_PORT@127.0.0.1/" "$top_srcdir/contrib/sendmail/mxpolicy-milter.mc"
	printf 'MAILER(%s)dnl\nMAILER(%s)dnl\n' "\`local'" "\`smtp'"
}

# start_sendmail: Sendmail 8.17 in the namespace, on 0.0.0.0:$SM_PORT, with
# the TEST-NET addresses of smx1/smx2 on lo.
start_sendmail() {
	local d=$T/sendmail cf=$MXPT_SENDMAIL_ROOT/usr/share/sendmail/cf
	mkdir -p "$d/queue"
	chmod 700 "$d/queue"
	: >"$d/aliases"
	ip -n "$NS" addr add "$SMX1/32" dev lo
	ip -n "$NS" addr add "$SMX2/32" dev lo
	# Sendmail looks its own name up at start; without this it waits 60 s.
	printf '%s %s %s\n' "$SMX1" "$(hostname)" smx1.example.com >>"/etc/netns/$NS/hosts"
	sendmail_mc >"$d/sendmail.mc"
	m4 -D_CF_DIR_="$cf/" "$cf/m4/cf.m4" "$d/sendmail.mc" >"$d/sendmail.cf" 2>"$d/m4.err" || {
		log "m4 could not build sendmail.cf:"; cat "$d/m4.err" >&2
		exit 1
	}
	: >"$d/sendmail.out"
	ip netns exec "$NS" "$MXPT_SENDMAIL_ROOT/usr/libexec/sendmail/sendmail" -C "$d/sendmail.cf" \
		-bD -X "$d/traffic" >"$d/sendmail.out" 2>&1 &
	SENDMAIL_PID=$!
	local i
	for ((i = 0; i < 100; i++)); do
		nsexec bash -c "exec 3<>/dev/tcp/$SMX1/$SM_PORT" 2>/dev/null && return 0
		kill -0 "$SENDMAIL_PID" 2>/dev/null || break
		sleep 0.2
	done
	log "Sendmail did not start:"; cat "$d/sendmail.out" >&2
	exit 1
}

postfix_reload() {
	nsexec script -qec "postfix -c $T/postfix/etc reload" /dev/null >/dev/null 2>&1
	sleep 0.5
}

# postfix_restart: stops Postfix and starts it again on main.cf and
# master.cf as they are now (after postconf -e), so that no smtpd process
# of the old configuration takes the next connection.
postfix_restart() {
	local etc=$T/postfix/etc pid started i
	pid=$(tr -d ' ' <"$T/postfix/queue/pid/master.pid" 2>/dev/null)
	nsexec script -qec "postfix -c $etc stop" /dev/null >/dev/null 2>&1
	[ -n "$pid" ] && stop_pid "$pid"
	started=$(grep -c 'daemon started' "$T/postfix/maillog")
	if ! nsexec script -qec "postfix -c $etc start" /dev/null >"$T/postfix/start.out" 2>&1; then
		log "Postfix did not start again:"; cat "$T/postfix/start.out" >&2
		return 1
	fi
	for ((i = 0; i < 200; i++)); do
		[ "$(grep -c 'daemon started' "$T/postfix/maillog")" -gt "$started" ] && return 0
		sleep 0.1
	done
	log "Postfix did not start again:"; cat "$T/postfix/start.out" >&2
	return 1
}

# restart_nsd: NSD reads its zones only at start; a suite that writes zone
# files of its own into $T/dns (keys made at test time) calls this.
restart_nsd() {
	local pid
	for pid in "${PIDS[@]}"; do
		tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF "nsd -c $T/dns/nsd.conf" &&
			stop_pid "$pid"
	done
	start_nsd
}

# wait_listening PORT [SECONDS]: bounded wait until something in the
# namespace listens on 127.0.0.1:PORT.
wait_listening() {
	local port=$1 limit=${2:-10} i
	for ((i = 0; i < limit * 10; i++)); do
		nsexec ss -Hltn "sport = :$port" 2>/dev/null | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

# ---- the milter --------------------------------------------------------------

MILTER_PID=
RELOADS=0

# write_milter_conf TEXT: the suite's config; allow_clients excludes the
# test clients, which come from 127.0.1.x.
write_milter_conf() {
	printf '%s\n' "$1" >"$T/milter.conf"
	chmod 644 "$T/milter.conf"
}

start_milter() {
	write_milter_conf "$1"
	: >"$T/milter.log"
	ip netns exec "$NS" "$MILTER_BIN" -f -c "$T/milter.conf" -p "inet:$MILTER_PORT@127.0.0.1" \
		-u nobody -P "$T/milter.pid" 2>>"$T/milter.log" &
	MILTER_PID=$!
	RELOADS=0
	wait_for "$T/milter.log" "listening on" 10 || {
		log "the milter did not start:"; cat "$T/milter.log" >&2
		exit 1
	}
}

stop_milter() {
	[ -n "$MILTER_PID" ] && stop_pid "$MILTER_PID"
	[ -n "$SENDMAIL_PID" ] && stop_pid "$SENDMAIL_PID"
	MILTER_PID=
}

# reload_milter TEXT: SIGUSR1 with a new config; waits until it is in force.
reload_milter() {
	write_milter_conf "$1"
	RELOADS=$((RELOADS + 1))
	kill -USR1 "$MILTER_PID"
	local i
	for ((i = 0; i < 100; i++)); do
		[ "$(grep -c 'configuration reloaded\|reload failed' "$T/milter.log")" -ge "$RELOADS" ] && return 0
		sleep 0.1
	done
	log "the milter did not reload"
	return 1
}

# ---- SMTP clients and what they saw -------------------------------------------

# smtp NAME SRC HELO FROM RCPT [swaks options...]: stops after RCPT unless
# --data is among the options (then the message is sent).
smtp() {
	local name=$1 src=$2 helo=$3 from=$4 rcpt=$5
	shift 5
	local quit=(--quit-after RCPT)
	local a
	for a in "$@"; do [ "$a" = --data ] && quit=(); done
	local extra=()
	for a in "$@"; do [ "$a" != --data ] && extra+=("$a"); done
	nsexec swaks --server "$SERVER:$SMTP_PORT" --local-interface "$src" --helo "$helo" \
		--from "$from" --to "$rcpt" --timeout 40 "${quit[@]}" "${extra[@]}" \
		--header "X-Test: $name" --output-file "$T/out/$name.txt" >/dev/null 2>&1
	return 0
}

# dialog NAME SRC CMD...: a raw dialogue through smtp_dialog.py.
dialog() {
	local name=$1 src=$2
	shift 2
	nsexec "$PY" "$HERE/smtp_dialog.py" --server "$SERVER:$SMTP_PORT" --source "$src" "$@" \
		>"$T/out/$name.txt" 2>&1
	return 0
}

# first_refusal NAME: "CODE XCODE STAGE" of the first 4xx/5xx reply, or
# "accepted" when the transaction got through.
first_refusal() {
	awk '
	/^ -> / {
		cmd = toupper(substr($0, 5))
		split(cmd, w, /[ :]/)
		if (w[1] == "EHLO" || w[1] == "HELO") stage = "HELO"
		else if (w[1] == "MAIL" || w[1] == "RCPT" || w[1] == "DATA") stage = w[1]
		else if (stage == "DATA") stage = "END-OF-MESSAGE"
		next
	}
	/^<\*\* [45][0-9][0-9]/ {
		split(substr($0, 5), r, / /)
		x = (r[2] ~ /^[245]\.[0-9]+\.[0-9]+$/) ? r[2] : "-"
		print substr(r[1], 1, 3), x, stage
		found = 1
		exit
	}
	END { if (!found) print "accepted" }' "$T/out/$1.txt"
}

# expect_reply NAME "CODE XCODE STAGE" (or "accepted")
expect_reply() {
	local got
	got=$(first_refusal "$1")
	if [ "$got" = "$2" ]; then
		return 0
	fi
	fail "$1" "client saw '$got', expected '$2'"
	sed 's/^/    | /' "$T/out/$1.txt" | head -40
	return 1
}

# milter_line FROM: the milter's decision lines for a sender.
milter_lines() { grep -F -- "from=<$1>" "$T/milter.log"; }

# expect_milter_log NAME FROM KEY=VALUE...: one decision line carries them all.
expect_milter_log() {
	local name=$1 from=$2
	shift 2
	local lines kv
	wait_for "$T/milter.log" "from=<$from>" 5
	lines=$(milter_lines "$from")
	for kv in "$@"; do
		lines=$(printf '%s\n' "$lines" | grep -F -- " $kv")
	done
	if [ -n "$lines" ]; then
		return 0
	fi
	fail "$name" "no milter decision line with: $*"
	milter_lines "$from" | sed 's/^/    | /'
	return 1
}

# expect_postfix_log NAME FROM REGEX: Postfix logged it for this sender.
expect_postfix_log() {
	local name=$1 from=$2 re=$3
	if wait_for "$T/postfix/maillog" "$re.*from=<$from>" 5; then
		return 0
	fi
	fail "$name" "no Postfix log line matching '$re' for from=<$from>"
	grep -F "<$from>" "$T/postfix/maillog" | sed 's/^/    | /' | head -5
	return 1
}

# delivered_header NAME HEADER: prints the header lines of the message that
# carried X-Test: NAME to the sink.
delivered_headers() {
	local name=$1 i f
	for ((i = 0; i < 100; i++)); do
		f=$(grep -l -- "X-Test: $name\$" "$T"/sink/* 2>/dev/null | head -1)
		if [ -n "$f" ]; then
			sed '/^$/q' "$f"
			return 0
		fi
		sleep 0.1
	done
	return 1
}

# output_has NAME TEXT...: $T/out/NAME.txt holds every text given; else
# fails NAME, showing the output.
output_has() {
	local name=$1 text
	shift
	for text in "$@"; do
		grep -qF -- "$text" "$T/out/$name.txt" && continue
		fail "$name" "no '$text' in the output"
		sed 's/^/    | /' "$T/out/$name.txt" | head -60
		return 1
	done
	return 0
}

# expect_line NAME FILE FIXED_STRING WHY: passes NAME when FILE holds the text.
expect_line() {
	if grep -qF -- "$3" "$2"; then
		pass "$1"
	else
		fail "$1" "$4"
	fi
}

# ---- scenario shapes shared by the suites --------------------------------------

# refused NAME SRC HELO RCPT "CODE XCODE STAGE" CHECKS: one refusal scenario.
refused() {
	local name=$1 src=$2 helo=$3 rcpt=$4 want=$5 checks=$6
	local from="$name@sender.example" code xcode stage
	read -r code xcode stage <<<"$want"
	smtp "$name" "$src" "$helo" "$from" "$rcpt"
	expect_reply "$name" "$want" &&
		expect_postfix_log "$name" "$from" "milter-reject: $stage from [^ ]*\[$src\]: $code $xcode" &&
		expect_milter_log "$name" "$from" "stage=$stage" "client=$src" "checks=$checks" \
			"verdict=$(verdict_of "$code")" "reply=\"$code $xcode" &&
		pass "$name"
}

verdict_of() { case $1 in 4*) echo tempfail ;; *) echo reject ;; esac; }

# accepted NAME SRC HELO RCPT KEY=VALUE...: gets through; the log says why.
accepted() {
	local name=$1 src=$2 helo=$3 rcpt=$4
	shift 4
	local from="$name@sender.example"
	smtp "$name" "$src" "$helo" "$from" "$rcpt"
	expect_reply "$name" accepted &&
		expect_milter_log "$name" "$from" "client=$src" "$@" &&
		pass "$name"
}
