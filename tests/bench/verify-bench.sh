#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# verify-bench.sh -- part 5 of `make bench`, sourced by run-bench.sh:
# recipient verification (rcpt_unverified) on the backup route.  The bench
# Postfix gets two more listeners on mx2 (the backup, MX 20 of
# example.net), one with a filter that verifies (rcpt_unverified =
# reject), one with the same filter configured with verification off.
# The primary mx1 (MX 10) is a second private Postfix that knows its
# recipients; the filter reaches it at mx1:25 through delayproxy.py, which
# makes it 20 ms away (this machine has no netem).
#
#   throughput: sessions/s through mx2, warm cache (every recipient kept),
#     as a ratio of verification off;
#   latency: sequential sessions, each for a recipient never seen (cold
#     cache: a probe each), against verification off: the first session of
#     a fresh filter (a new probe connection) and the following ones (the
#     idle connection reused).
#
# Sessions are smtpload's: EHLO, MAIL, RCPT, DATA of 1 KB, QUIT.
# Environment: VERIFY_SESSIONS (MSGS), VERIFY_FOLLOWING (20), VERIFY_RTT_MS (20).

VERIFY_SESSIONS=${VERIFY_SESSIONS:-$MSGS}
VERIFY_FOLLOWING=${VERIFY_FOLLOWING:-20}
VERIFY_RTT_MS=${VERIFY_RTT_MS:-20}
VERIFY_ON_PORT=9900       # the filters (run-bench.sh's own are 9891-9898)
VERIFY_OFF_PORT=9901
P_VERIFY_ON=2611          # their Postfix listeners on mx2
P_VERIFY_OFF=2612
PRIMARY_PORT=2500         # the primary's real port; the delay proxy has mx1:25
VERIFY_KNOWN=100          # recipients of the warm cache
VERIFY_NEXT=1             # the next never-seen recipient, vc<N>@example.net
VERIFY_ON_PID= VERIFY_OFF_PID= VPRIMARY=

# At exit, whatever this part started, then the rest as lib.sh does.
eval "$(declare -f it_teardown | sed '1s/^it_teardown/verify_it_teardown_base/')"
it_teardown() {
	[ -n "$VERIFY_ON_PID" ] && kill_instance "$VERIFY_ON_PID"
	[ -n "$VERIFY_OFF_PID" ] && kill_instance "$VERIFY_OFF_PID"
	[ -n "$VPRIMARY" ] && [ -f "$VPRIMARY/etc/main.cf" ] && verify_stop_primary
	verify_it_teardown_base
}

# main.cf with each parameter once, its last value (the one Postfix takes):
# every Postfix process warns of an overridden entry at start, through
# postlogd, and postlogd, writing its own warnings to its own socket, hung
# once its queue was full of the others' (seen after a reload under load).
eval "$(declare -f postfix_conf | sed '1s/^postfix_conf/verify_postfix_conf_base/')"
postfix_conf() {
	verify_postfix_conf_base | awk '
		/^[ \t]/ { if (last) line[last] = line[last] "\n" $0; next }
		{ if (!($1 in at)) at[$1] = ++n; last = at[$1]; line[last] = $0 }
		END { for (i = 1; i <= n; i++) print line[i] }'
}

eval "$(declare -f postfix_master | sed '1s/^postfix_master/verify_postfix_master_base/')"
postfix_master() {
	verify_postfix_master_base
	local mx2opts="-o myhostname=mx2.example.net"
	cat <<-CONF
	$MX2:$P_VERIFY_ON inet n - n - - smtpd $mx2opts -o syslog_name=bench-verify-on -o smtpd_milters=inet:127.0.0.1:$VERIFY_ON_PORT
	$MX2:$P_VERIFY_OFF inet n - n - - smtpd $mx2opts -o syslog_name=bench-verify-off -o smtpd_milters=inet:127.0.0.1:$VERIFY_OFF_PORT
	CONF
}

# The primary: vw<N>@ and vc<N>@example.net exist, nothing else does (the
# catch-all test's random local part is refused: the domain verifies).  No
# DNS of its own, so that only the network delay is measured.
verify_primary_conf() {
	cat <<-CONF
	compatibility_level = 3.6
	queue_directory = $VPRIMARY/queue
	data_directory = $VPRIMARY/data
	mail_owner = postfix
	setgid_group = postdrop
	myhostname = mx1.example.net
	mydomain = example.net
	mydestination =
	relay_domains = example.net
	relay_recipient_maps = regexp:$VPRIMARY/etc/recipients
	mynetworks = 127.0.0.1/32
	smtpd_relay_restrictions = reject_unauth_destination
	smtpd_peername_lookup = no
	inet_interfaces = all
	inet_protocols = ipv4
	relay_transport = discard:
	default_transport = discard:
	maillog_file = $VPRIMARY/maillog
	maillog_file_prefixes = $T
	smtpd_error_sleep_time = 0
	smtpd_soft_error_limit = 10000
	smtpd_hard_error_limit = 10000
	smtpd_client_connection_rate_limit = 0
	smtpd_client_connection_count_limit = 0
	biff = no
	CONF
}

verify_start_primary() {
	local i
	VPRIMARY=$T/primary
	mkdir -p "$VPRIMARY/etc" "$VPRIMARY/queue" "$VPRIMARY/data"
	chown postfix "$VPRIMARY/data"
	verify_primary_conf >"$VPRIMARY/etc/main.cf"
	printf '/^v[wc][0-9]+@example\\.net$/ OK\n' >"$VPRIMARY/etc/recipients"
	{ printf '%s:%s inet n - n - - smtpd\n' "$MX1" "$PRIMARY_PORT"; postfix_services; } \
		>"$VPRIMARY/etc/master.cf"
	: >"$VPRIMARY/maillog"
	nsexec script -qec "postfix -c $VPRIMARY/etc start" /dev/null >"$VPRIMARY/start.out" 2>&1
	for ((i = 0; i < 200; i++)); do
		nsexec ss -Hltn "src $MX1 and sport = :$PRIMARY_PORT" | grep -q . && return 0
		sleep 0.1
	done
	log "bench: the primary did not start:"; cat "$VPRIMARY/start.out" "$VPRIMARY/maillog" >&2
	exit 1
}

verify_stop_primary() {
	local pid
	nsexec postfix -c "$VPRIMARY/etc" stop >/dev/null 2>&1
	pid=$(tr -d ' ' <"$VPRIMARY/queue/pid/master.pid" 2>/dev/null)
	[ -n "$pid" ] && stop_pid "$pid"
}

# The delay proxy on mx1:25, where the filter probes (mx_probe_port 25).
verify_start_proxy() {
	local i
	ip netns exec "$NS" "$PY" "$top_srcdir/tests/bench/delayproxy.py" "$MX1" 25 \
		"$MX1" "$PRIMARY_PORT" "$((VERIFY_RTT_MS / 2))" >"$T/delayproxy.out" 2>&1 &
	PIDS+=($!)
	for ((i = 0; i < 100; i++)); do
		nsexec ss -Hltn "src $MX1 and sport = :25" | grep -q . && return 0
		sleep 0.1
	done
	log "bench: the delay proxy did not start:"; cat "$T/delayproxy.out" >&2
	exit 1
}

# verify_conf on|off: the shipped defaults (as milter_conf), verification
# on or off, the stats file written every second (probe counts).
verify_conf() {
	local mode=$1 setting=reject
	[ "$mode" = off ] && setting=off
	mkdir -p "$T/verify-$mode/cache"
	chown -R nobody "$T/verify-$mode"
	milter_conf "$NSD_DIRECT:53"
	cat <<-CONF
	rcpt_unverified = $setting
	verify_cache_dir = $T/verify-$mode/cache
	stats_file = $T/verify-$mode/stats
	stats_interval = 1
	CONF
}

# verify_start_filters: both filters, fresh (cold caches, no probe connection).
verify_start_filters() {
	local mode
	[ -n "$VERIFY_ON_PID" ] && kill_instance "$VERIFY_ON_PID"
	[ -n "$VERIFY_OFF_PID" ] && kill_instance "$VERIFY_OFF_PID"
	for mode in on off; do
		rm -rf "$T/verify-$mode"
		verify_conf "$mode" >"$T/verify-$mode.conf"
	done
	VERIFY_ON_PID=$(start_instance "$VERIFY_ON_PORT" "$T/verify-on.conf" "$T/verify-on.log") || exit 1
	VERIFY_OFF_PID=$(start_instance "$VERIFY_OFF_PORT" "$T/verify-off.conf" "$T/verify-off.log") || exit 1
}

# verify_probes: RCPT probes the verifying filter has made, from its stats
# file (rewritten every second: read after the next write).
verify_probes() {
	sleep 1.2
	sed -n 's/^mxpolicy_verify_probe_rcpts_total //p' "$T/verify-on/stats" 2>/dev/null | grep . || echo 0
}

proc_cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; }

# verify_load PORT SESSIONS CONC RCPT [smtpload options]: smtpload's line.
verify_load() {
	local port=$1 n=$2 c=$3 rcpt=$4 line
	shift 4
	line=$(nsexec "$BENCH/smtpload" -S "$MX2:$port" -c "$c" -n "$n" -C "$T/smtp-clients" \
		-r "$rcpt" "$@")
	require_clean "smtpload to mx2:$port ($rcpt)" "$line"
	echo "$line"
}

# verify_rate PORT PID: "sessions/s filter-cpu-ms/session", warm cache.
verify_rate() {
	local c0 c1 line
	c0=$(proc_cpu_ticks "$2")
	line=$(verify_load "$1" "$VERIFY_SESSIONS" 10 "vw{n}@example.net" -K "$VERIFY_KNOWN") || exit 1
	c1=$(proc_cpu_ticks "$2")
	awk -v r="$(field rate "$line")" -v c="$((c1 - c0))" -v hz="$(getconf CLK_TCK)" \
		-v n="$VERIFY_SESSIONS" 'BEGIN { printf "%s %.3f", r, 1000 * c / hz / n }'
}

bench_verify_throughput() {
	local run on=() off=() con=() coff=() res p0 p1 o f
	echo "   throughput: smtpload -c 10 -n $VERIFY_SESSIONS, 250 clients, $VERIFY_KNOWN recipients, all kept"
	# warm: every recipient probed once, every client's DNS cached, in both
	verify_load "$P_VERIFY_ON" 1000 10 "vw{n}@example.net" -K "$VERIFY_KNOWN" >/dev/null || exit 1
	verify_load "$P_VERIFY_OFF" 1000 10 "vw{n}@example.net" -K "$VERIFY_KNOWN" >/dev/null || exit 1
	p0=$(verify_probes)
	for ((run = 1; run <= RUNS; run++)); do
		res=$(verify_rate "$P_VERIFY_OFF" "$VERIFY_OFF_PID") || exit 1
		off+=("${res% *}"); coff+=("${res#* }")
		res=$(verify_rate "$P_VERIFY_ON" "$VERIFY_ON_PID") || exit 1
		on+=("${res% *}"); con+=("${res#* }")
		printf '   run %d: off %s, on %s sessions/s\n' "$run" "${off[-1]}" "${on[-1]}"
	done
	p1=$(verify_probes)
	o=$(stats "${on[@]}"); f=$(stats "${off[@]}")
	printf '   %-44s %10s  %-17s %s\n' configuration "sessions/s" "(min-max)" "filter CPU ms/session"
	printf '   %-44s %10s  %-17s %s\n' "mx2, rcpt_unverified = off" "${f%% *}" "(${f#* })" "$(stats3 "${coff[@]}")"
	printf '   %-44s %10s  %-17s %s\n' "mx2, rcpt_unverified = reject, warm cache" "${o%% *}" "(${o#* })" "$(stats3 "${con[@]}")"
	printf '   probes during the measured runs: %d (recipients probed while warming: %d)\n' \
		"$((p1 - p0))" "$p0"
	target "verification on, warm cache >= 0.95 x verification off (sessions/s)" \
		"$([ "$((p1 - p0))" = 0 ] && at_least "$(ratio "${o%% *}" "${f%% *}")" 0.95 || echo 0)" \
		"ratio $(ratio "${o%% *}" "${f%% *}"), $((p1 - p0)) probes"
}

# verify_latency PORT N: LATENCY_MS, the mean of N sequential sessions,
# each for a recipient never seen.
verify_latency() {
	local line
	line=$(verify_load "$1" "$2" 1 "vc{n}@example.net" -N "$VERIFY_NEXT") || exit 1
	VERIFY_NEXT=$((VERIFY_NEXT + $2))
	LATENCY_MS=$(field mean_ms "$line")
}

minus() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a - b }'; }
in_rtt() { awk -v a="$1" -v r="$VERIFY_RTT_MS" 'BEGIN { printf "%.2f", a / r }'; }

# verify_proxy_check ADDR PORT: "connect+banner-ms noop-ms" of the primary
# through the delay proxy (or direct): medians of 5 connections, 10 NOOPs each.
verify_proxy_check() {
	nsexec "$PY" - "$1" "$2" <<-'PYEOF'
	import socket, statistics, sys, time
	def reply(f):
	    while f.readline()[3:4] != b" ":
	        pass
	greet, noop = [], []
	for _ in range(5):
	    t = time.monotonic()
	    s = socket.create_connection((sys.argv[1], int(sys.argv[2])), timeout=10)
	    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
	    f = s.makefile("rb")
	    reply(f)
	    greet.append(time.monotonic() - t)
	    for _ in range(10):
	        t = time.monotonic()
	        s.sendall(b"NOOP\r\n")
	        reply(f)
	        noop.append(time.monotonic() - t)
	    s.sendall(b"QUIT\r\n")
	    reply(f)
	    s.close()
	print("%.1f %.1f" % (1000 * statistics.median(greet), 1000 * statistics.median(noop)))
	PYEOF
}

# whole_rtts MS: MS in round trips of VERIFY_RTT_MS, to the nearest whole one.
whole_rtts() { awk -v a="$1" -v r="$VERIFY_RTT_MS" 'BEGIN { printf "%d", a / r + 0.5 }'; }

bench_verify_latency() {
	local run a b son soff fon foff first=() following=() direct proxied p
	echo "   latency: sequential sessions, each for a recipient never seen; fresh filters each run"
	direct=$(verify_proxy_check "$MX1" "$PRIMARY_PORT")
	proxied=$(verify_proxy_check "$MX1" 25)
	printf '   the primary direct: connect+banner %s ms, NOOP %s ms; through the delay proxy: %s ms, %s ms\n' \
		"${direct% *}" "${direct#* }" "${proxied% *}" "${proxied#* }"
	for ((run = 1; run <= RUNS; run++)); do
		# A fresh primary too: after about 90 accepted probe transactions,
		# its cleanup paced the next ones to one a second (Postfix's own
		# pacing, not the network: BENCHMARKS.md)
		verify_stop_primary
		verify_start_primary
		# as on a live primary, its processes ready: smtpd, and the cleanup and
		# trivial-rewrite that an accepted RCPT needs (spawning them cost
		# the first probe 12 ms)
		nsexec "$BENCH/smtpload" -S "$MX1:$PRIMARY_PORT" -c 1 -n 2 -C "$T/smtp-clients" \
			-r "vw1@example.net" >/dev/null
		verify_start_filters
		p=$(verify_probes)
		verify_latency "$P_VERIFY_ON" 1; son=$LATENCY_MS
		verify_latency "$P_VERIFY_OFF" 1; soff=$LATENCY_MS
		verify_latency "$P_VERIFY_ON" "$VERIFY_FOLLOWING"; fon=$LATENCY_MS
		verify_latency "$P_VERIFY_OFF" "$VERIFY_FOLLOWING"; foff=$LATENCY_MS
		p=$(($(verify_probes) - p))
		[ "$p" = $((VERIFY_FOLLOWING + 2)) ] || {
			log "bench: $p RCPT probes for $((VERIFY_FOLLOWING + 1)) new recipients, want $((VERIFY_FOLLOWING + 2))"
			exit 1
		}
		first+=("$(minus "$son" "$soff")"); following+=("$(minus "$fon" "$foff")")
		printf '   run %d: first session on %s, off %s; following on %s, off %s ms/session\n' \
			"$run" "$son" "$soff" "$fon" "$foff"
	done
	a=$(stats "${first[@]}"); b=$(stats "${following[@]}")
	printf '   %-50s %8s  %-15s %s\n' "added by verification (cold cache)" "ms" "(min-max)" "round trips of $VERIFY_RTT_MS ms"
	printf '   %-50s %8s  %-15s %s\n' "first session (connect, banner, EHLO, MAIL+RCPTs)" "${a%% *}" "(${a#* })" "$(in_rtt "${a%% *}")"
	printf '   %-50s %8s  %-15s %s\n' "following sessions (idle connection: RSET+MAIL+RCPT)" "${b%% *}" "(${b#* })" "$(in_rtt "${b%% *}")"
	# round trips are counted whole: the rest of a millisecond figure is
	# the primary's and the filter's processing, not the network
	target "cold cache, first session adds <= 4 round trips (to the nearest whole one)" \
		"$(at_least 4 "$(whole_rtts "${a%% *}")")" "$(whole_rtts "${a%% *}"): $(in_rtt "${a%% *}") x $VERIFY_RTT_MS ms"
	target "cold cache, following sessions add one probe round (1 round trip)" \
		"$(at_least 1 "$(whole_rtts "${b%% *}")")" "$(whole_rtts "${b%% *}"): $(in_rtt "${b%% *}") x $VERIFY_RTT_MS ms"
}

bench_verify() {
	echo
	echo "== 5. recipient verification on the backup (mx2), the primary (mx1) ${VERIFY_RTT_MS} ms away (delay proxy); DNS: NSD direct"
	use_resolver "$NSD_DIRECT"
	verify_start_primary
	verify_start_proxy
	verify_start_filters
	bench_verify_throughput
	bench_verify_latency
	kill_instance "$VERIFY_ON_PID"; kill_instance "$VERIFY_OFF_PID"
	VERIFY_ON_PID= VERIFY_OFF_PID=
	verify_stop_primary
	VPRIMARY=
	use_resolver 127.0.0.1
}
