#!/bin/sh
# SPDX-License-Identifier: BSD-2-Clause
# add-mxpolicy-milter.sh -- adds mxpolicy-milter to Postfix's smtpd_milters,
# after the filters listed there already (OpenDKIM, OpenDMARC, rspamd, ...),
# with settings of its own, and changes nothing else.  Run it as root on
# every MX host, primary and backups alike (the policy must be the same on
# every route), then `postfix reload`.  Running it again changes nothing.
#
#   add-mxpolicy-milter.sh [-c CONFIG_DIR] [-b MILTER] [-n] [SOCKET]
#
#   -c DIR   the Postfix configuration directory (default: Postfix's own,
#            /etc/postfix on Debian; give -c for a second instance)
#   -b MILTER  put it just before this entry of smtpd_milters instead of at
#            the end: before a filter that reads Authentication-Results
#            (a SpamAssassin milter with authres_trusted_authserv), so that
#            a forged iprev claim is gone before it reads them
#   -n       print the postconf commands, change nothing
#   SOCKET   where the filter listens, as Postfix names it (default
#            inet:127.0.0.1:8895, the filter's default inet:8895@127.0.0.1).
#            Debian runs smtpd chrooted in /var/spool/postfix: use TCP on
#            loopback, or a unix socket under the spool, e.g.
#            unix:mxpolicy-milter/mxpolicy-milter.sock for the filter's
#            socket = unix:/var/spool/postfix/mxpolicy-milter/mxpolicy-milter.sock
#
# What it writes (Postfix 3.0 or later: per-milter settings in braces):
#
#   smtpd_milters = <what was there>, { inet:127.0.0.1:8895,
#       default_action=tempfail, connect_timeout=10s, command_timeout=30s,
#       content_timeout=60s }
#
# * default_action=tempfail: while the filter is down or restarting, mail
#   waits (4xx) and the client retries; never accepted unchecked, never
#   bounced.  It applies to this filter only: the global
#   milter_default_action, which the other filters follow, is left as it is.
# * the timeouts: the filter answers each command within decision_timeout_ms
#   (default 10 s) plus at most mx_probe_timeout_ms (1 s); 30 s leaves room,
#   so that every verdict is the filter's own, never Postfix's timeout.
# * at the end of the list (or before -b MILTER): the filter gives its
#   verdicts at HELO, MAIL and RCPT, before any filter has the message, so
#   its place does not change them, only where its header lands: each filter
#   inserts its Authentication-Results on top, the last one listed uppermost.
#   It removes only those that claim iprev under its authserv-id, never
#   OpenDKIM's dkim or OpenDMARC's dmarc results, in any order.  A filter
#   that trusts Authentication-Results under this id for iprev (SpamAssassin
#   with authres_trusted_authserv) belongs after it: use -b.
# * non_smtpd_milters is left alone: locally submitted mail (sendmail(1),
#   pickup) has no SMTP client, HELO or MX route to judge.  Where it reads
#   "$smtpd_milters", it is set to what it means today, without this
#   filter, so that local mail keeps the filters it had.
# * The filter asks Postfix for the macros it needs (smfi_setsymlist); if
#   main.cf sets milter_connect_macros, keep {daemon_addr} in it (how the
#   filter tells which MX route a message came by), and {client_resolve}
#   {client_name} {client_addr} (without them the filter looks the client's
#   name up again, though Postfix already did).
set -eu

usage() {
	echo "usage: $0 [-c CONFIG_DIR] [-b MILTER] [-n] [SOCKET]" >&2
	exit 64
}

conf=
dry=
before=
while getopts b:c:nh opt; do
	case $opt in
	b) before=$OPTARG ;;
	c) conf=$OPTARG ;;
	n) dry=1 ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -le 1 ] || usage
socket=${1:-inet:127.0.0.1:8895}
case $socket in
inet:* | unix:*) ;;
*) echo "$0: $socket: expected inet:HOST:PORT (inet:[::1]:PORT) or unix:PATH" >&2; exit 64 ;;
esac

pc() {
	if [ -n "$conf" ]; then postconf -c "$conf" "$@"; else postconf "$@"; fi
}

# show, then run, one postconf -e
set_param() {
	if [ -n "$conf" ]; then
		printf "postconf -c '%s' -e '%s'\n" "$conf" "$1"
	else
		printf "postconf -e '%s'\n" "$1"
	fi
	[ -n "$dry" ] || pc -e "$1"
}

version=$(pc -h mail_version)
case $version in
[0-2].*)
	echo "$0: Postfix $version: per-milter settings need Postfix 3.0 or later" >&2
	exit 69
	;;
esac

# entries: smtpd_milters one entry a line, a "{ name, settings }" group as
# one; then a tab and the entry's milter name.
entries() {
	printf '%s\n' "$1" | awk '
	{
		for (i = 1; i <= length($0); i++) {
			c = substr($0, i, 1)
			if (c == "{") depth++
			if (c == "}") depth--
			if (depth == 0 && (c == "," || c == " " || c == "\t")) { flush(); continue }
			cur = cur c
		}
		flush()
	}
	function flush(  name) {
		if (cur == "") return
		name = cur
		sub(/^\{[ \t]*/, "", name)
		sub(/[ \t,}].*/, "", name)
		print cur "\t" name
		cur = ""
	}'
}

current=$(pc -h smtpd_milters)
# Already there, alone or with settings of its own: nothing to do.
if entries "$current" | cut -f2 | grep -qxF -- "$socket"; then
	echo "smtpd_milters already lists $socket; nothing changed"
	exit 0
fi

entry="{ $socket, default_action=tempfail, connect_timeout=10s, command_timeout=30s, content_timeout=60s }"
if [ -n "$before" ]; then
	if ! entries "$current" | cut -f2 | grep -qxF -- "$before"; then
		echo "$0: smtpd_milters does not list $before; nothing changed" >&2
		exit 65
	fi
	new=$(entries "$current" | awk -F '\t' -v before="$before" -v entry="$entry" '
		$2 == before && !done { out = out sep entry; sep = ", "; done = 1 }
		{ out = out sep $1; sep = ", " }
		END { print out }')
else
	new=${current:+$current, }$entry
fi

# non_smtpd_milters keeps what it means now, without this filter.
local_milters=$(pc -h non_smtpd_milters)
pin=
# shellcheck disable=SC2016 # the text "$smtpd_milters", not its value
case $local_milters in
*'$smtpd_milters'* | *'${smtpd_milters}'* | *'$(smtpd_milters)'*)
	pin=yes
	local_milters=$(pc -x -h non_smtpd_milters)
	;;
esac

set_param "smtpd_milters = $new"
if [ -n "$pin" ]; then
	set_param "non_smtpd_milters = $local_milters"
fi
if [ -z "$dry" ]; then
	echo "now run: postfix${conf:+ -c $conf} reload"
fi
