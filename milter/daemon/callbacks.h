/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * callbacks.h -- the libmilter registration of mxpolicy-milter.
 */
#ifndef MXP_CALLBACKS_H
#define MXP_CALLBACKS_H

#include <time.h>

#include <libmilter/mfapi.h>

#include "core/resolver.h"
#include "dns/dns.h"

/*
 * Protocol steps the filter negotiates away, and steps it answers without a
 * reply: every milter round trip costs the MTA a wait.  MAIL is no-reply too
 * unless refusals are given there (enforce_at = mail).
 *
 * DATA is kept, with a reply, although the policy has nothing to say there:
 * Postfix sends the DATA macros even for a skipped DATA, flushes them when
 * it hands the milter over to its cleanup server, and cleanup's headers then
 * wait (Nagle) for our delayed ACK of those few bytes: 40 ms a message.  A
 * reply to DATA carries that ACK at once (BENCHMARKS.md has the figures).
 */
#define MXP_PROTO_SKIP (SMFIP_NOBODY | SMFIP_NOUNKNOWN | SMFIP_NOEOH)
#define MXP_PROTO_NOREPLY (SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_HDR)

extern struct smfiDesc mxp_filter;

/*
 * Where the callbacks get their DNS: in the filter, always the c-ares
 * engine (dns.h).  The seam exists for the unit tests of the callbacks
 * (tests/unit/test_callbacks.c), which put a table resolver here so that
 * whole sessions can be driven without a resolver thread or a network;
 * nothing else writes it.
 */
struct callbacks_dns {
	/*
	 * The resolver of one decision, every wait ending by *deadline,
	 * timeout_ms from now; *engine is storage the caller gives it.
	 */
	struct resolver *(*decision)(struct dns_resolver *engine, struct timespec *deadline,
				     long timeout_ms);
	/* Starts a lookup whose answer will only be cached (dns_prefetch). */
	void (*prefetch)(const char *name, enum dns_type type);
};

extern struct callbacks_dns callbacks_dns;

#endif
