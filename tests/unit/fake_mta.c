/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fake_mta.c -- daemon/mta.h over a struct fake_mta: see fake_mta.h.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "daemon/mta.h"
#include "fake_mta.h"

/* The context is the fake itself; the callbacks only pass it on. */
SMFICTX *fake_mta_ctx(struct fake_mta *m)
{
	return (SMFICTX *)(void *)m;
}

static struct fake_mta *mta_of(SMFICTX *ctx)
{
	return (struct fake_mta *)(void *)ctx;
}

void fake_mta_init(struct fake_mta *m, const struct fake_macro *macros)
{
	memset(m, 0, sizeof *m);
	m->macros = macros;
}

void fake_mta_forget(struct fake_mta *m)
{
	m->replies = 0;
	memset(&m->reply, 0, sizeof m->reply);
	m->ninserted = 0;
	m->ndeleted = 0;
}

const struct fake_header *fake_mta_inserted(const struct fake_mta *m, const char *name)
{
	for (size_t i = 0; i < m->ninserted; i++)
		if (strcasecmp(m->inserted[i].name, name) == 0)
			return &m->inserted[i];
	return NULL;
}

static bool record_header(struct fake_header *list, size_t *n, int index, const char *name,
			  const char *value)
{
	struct fake_header *h;

	if (*n >= FAKE_MTA_HEADERS)
		return false;
	h = &list[(*n)++];
	h->index = index;
	snprintf(h->name, sizeof h->name, "%s", name);
	snprintf(h->value, sizeof h->value, "%s", value ? value : "");
	return true;
}

/* ---- daemon/mta.h ---------------------------------------------------------- */

const char *mta_getsymval(SMFICTX *ctx, const char *name)
{
	const struct fake_mta *m = mta_of(ctx);

	for (const struct fake_macro *mac = m->macros; mac && mac->name; mac++)
		if (strcmp(mac->name, name) == 0)
			return mac->value;
	return NULL;
}

void *mta_getpriv(SMFICTX *ctx)
{
	return mta_of(ctx)->priv;
}

void mta_setpriv(SMFICTX *ctx, void *priv)
{
	mta_of(ctx)->priv = priv;
}

bool mta_setreply(SMFICTX *ctx, const struct reply *r)
{
	struct fake_mta *m = mta_of(ctx);

	m->replies++;
	m->reply = *r;
	return !m->refuse_replies;
}

bool mta_insheader(SMFICTX *ctx, int index, const char *name, const char *value)
{
	struct fake_mta *m = mta_of(ctx);

	return record_header(m->inserted, &m->ninserted, index, name, value);
}

bool mta_delheader(SMFICTX *ctx, const char *name, int index)
{
	struct fake_mta *m = mta_of(ctx);

	return record_header(m->deleted, &m->ndeleted, index, name, NULL);
}

bool mta_setsymlist(SMFICTX *ctx, int stage, const char *macros)
{
	struct fake_mta *m = mta_of(ctx);

	if (stage < 0 || stage >= FAKE_MTA_STAGES)
		return false;
	snprintf(m->symlist[stage], sizeof m->symlist[stage], "%s", macros);
	return true;
}
