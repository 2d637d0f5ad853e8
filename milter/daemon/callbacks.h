/*
 * callbacks.h -- the libmilter registration of mxpolicy-milter.
 */
#ifndef MXP_CALLBACKS_H
#define MXP_CALLBACKS_H

#include <libmilter/mfapi.h>

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

#endif
