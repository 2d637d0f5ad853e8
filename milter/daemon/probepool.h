/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probepool.h -- the call-ahead connections of each exchanger, shared by
 * every session: at most max probes at once on one exchanger (the others
 * wait their turn, within their deadline), and sessions left idle by a
 * probe kept IDLE_KEEP_MS for the next one, which then skips connect,
 * greeting and EHLO.
 */
#ifndef MXP_PROBEPOOL_H
#define MXP_PROBEPOOL_H

#include <stdbool.h>

#include "core/netaddr.h"
#include "daemon/callahead.h"

/*
 * Long enough for the recipients of one message and a burst of sessions,
 * far below any server's idle timeout (Postfix's smtpd_timeout is 300 s).
 */
#define IDLE_KEEP_MS 10000

struct probepool_slot;

/*
 * A turn on the exchanger: false when it stays busy (max probes on it,
 * or every slot taken) until deadline_ms.  *idle is a session to reuse,
 * or NULL.
 */
bool probepool_acquire(const struct netaddr *a, unsigned port, int max, long deadline_ms,
		       struct probepool_slot **slot, struct callahead **idle);
/* The turn ends: ca (NULL is fine), if it can go on, is kept for the next probe. */
void probepool_release(struct probepool_slot *slot, struct callahead *ca);
/* Closes the sessions idle past IDLE_KEEP_MS: for a timer. */
void probepool_reap(void);
/* At stop: every idle session closed, and those released later too. */
void probepool_close(void);

#endif
