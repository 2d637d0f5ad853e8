/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auditsmtp.h -- one probe session of mxpolicy-audit over a real socket:
 * connect (from a chosen local address), banner, EHLO (HELO when EHLO is
 * not understood), MAIL, RCPT, then RSET and QUIT.  Never DATA: a probe
 * sends no message.
 */
#ifndef MXP_AUDITSMTP_H
#define MXP_AUDITSMTP_H

#include "audit/auditprobe.h"

struct smtp_probe {
	const struct netaddr *addr;
	unsigned port;
	const struct netaddr *source;   /* NULL: the system chooses */
	const char *helo;
	const char *from;               /* "" for the null reverse path */
	const char *rcpt;
	int timeout_ms;                 /* for the connection and for each reply */
};

void smtp_probe_run(const struct smtp_probe *p, struct probe_result *out);

/*
 * The local address the system would use to reach addr (a UDP socket
 * connected, nothing sent), or source when that is given.
 */
bool smtp_local_address(const struct netaddr *addr, unsigned port,
			const struct netaddr *source, struct netaddr *out);

#endif
