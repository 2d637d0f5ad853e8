/*
 * callbacks.h -- the libmilter registration of mxpolicy-milter.
 */
#ifndef MXP_CALLBACKS_H
#define MXP_CALLBACKS_H

#include <libmilter/mfapi.h>

/*
 * Protocol steps the filter negotiates away, and steps it answers without a
 * reply: every milter round trip costs the MTA a wait (the benchmark's
 * trivial filter negotiates the same).  MAIL is no-reply too unless
 * refusals are given there (enforce_at = mail).
 */
#define MXP_PROTO_SKIP (SMFIP_NOBODY | SMFIP_NODATA | SMFIP_NOUNKNOWN | SMFIP_NOEOH)
#define MXP_PROTO_NOREPLY (SMFIP_NR_CONN | SMFIP_NR_HELO | SMFIP_NR_HDR)

extern struct smfiDesc mxp_filter;

#endif
