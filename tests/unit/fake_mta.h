/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fake_mta.h -- the MTA side of the milter protocol, for unit tests of the
 * callbacks: fake_mta.c defines every function of daemon/mta.h (so the
 * archive's mta.o, and libmilter with it, is never linked), serves macros
 * from a table and records what the filter asked of the MTA: the session
 * pointer, replies, headers inserted and removed, macro lists.
 *
 * A test gives the callbacks fake_mta_ctx(&mta) as their SMFICTX.
 */
#ifndef MXP_FAKE_MTA_H
#define MXP_FAKE_MTA_H

#include <stdbool.h>
#include <stddef.h>

#include <libmilter/mfapi.h>

#include "core/reply.h"

#define FAKE_MTA_HEADERS 80            /* more than AR_HEADERS_MAX (session.h) */
#define FAKE_MTA_STAGES 8               /* SMFIM_CONNECT ... SMFIM_EOH */

struct fake_macro {
	const char *name;               /* as the filter asks: "j", "{daemon_addr}" */
	const char *value;
};

struct fake_header {
	int index;                      /* insert: the position; delete: the 1-based index */
	char name[64];
	char value[1024];               /* "" for a deletion */
};

struct fake_mta {
	const struct fake_macro *macros;    /* ends with a NULL name; NULL for none */
	bool refuse_replies;                /* mta_setreply fails, as for a reply the MTA rejects */
	void *priv;                         /* mta_setpriv's */
	unsigned replies;                   /* mta_setreply calls */
	struct reply reply;                 /* the last one */
	size_t ninserted;
	struct fake_header inserted[FAKE_MTA_HEADERS];
	size_t ndeleted;
	struct fake_header deleted[FAKE_MTA_HEADERS];
	char symlist[FAKE_MTA_STAGES][128];  /* mta_setsymlist's, per stage; "" when unset */
};

void fake_mta_init(struct fake_mta *m, const struct fake_macro *macros);
SMFICTX *fake_mta_ctx(struct fake_mta *m);
/* Forgets the replies and headers recorded so far (a new message); keeps priv. */
void fake_mta_forget(struct fake_mta *m);
/* The first header inserted under name (case-insensitive), or NULL. */
const struct fake_header *fake_mta_inserted(const struct fake_mta *m, const char *name);

#endif
