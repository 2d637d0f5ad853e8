/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fake_resolver.h -- a resolver answering from a table, for the unit tests
 * of the fact gatherers: "name type -> status and records".
 */
#ifndef MXP_FAKE_RESOLVER_H
#define MXP_FAKE_RESOLVER_H

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/resolver.h"

struct fake_row {
	const char *name;
	enum dns_type type;
	enum dns_status status;
	const char *data[8];        /* addresses, names, or "PREF name" for MX */
	const char *cname;          /* a dangling CNAME to follow */
};

struct fake_resolver {
	struct resolver base;
	const struct fake_row *rows;
	int submitted;
	int ptr_submitted;          /* of which PTR questions */
};

static struct dns_answer *fake_answer(const struct fake_row *row, enum dns_type type)
{
	size_t n = 0;
	struct dns_answer *a;

	while (n < 8 && row->data[n])
		n++;
	a = dns_answer_new(row->status, row->status == DNS_ANSWER ? n : 0);
	if (row->status == DNS_TEMPFAIL)
		a->why = "SERVFAIL";
	if (row->cname)
		a->cname = strdup(row->cname);
	for (size_t i = 0; i < a->count; i++) {
		if (type == DNS_T_A || type == DNS_T_AAAA) {
			netaddr_parse(row->data[i], &a->rr[i].addr);
		} else if (type == DNS_T_MX) {
			char *end;

			a->rr[i].pref = (unsigned)strtoul(row->data[i], &end, 10);
			a->rr[i].name = strdup(end + 1);
		} else {
			a->rr[i].name = strdup(row->data[i]);
		}
	}
	return a;
}

static void *fake_submit(struct resolver *self, const char *name, enum dns_type type)
{
	struct fake_resolver *f = (struct fake_resolver *)self;

	f->submitted++;
	if (type == DNS_T_PTR)
		f->ptr_submitted++;
	for (const struct fake_row *row = f->rows; row->name; row++)
		if (row->type == type && strcasecmp(row->name, name) == 0)
			return fake_answer(row, type);
	return dns_answer_new(DNS_NXDOMAIN, 0);
}

static struct dns_answer *fake_collect(struct resolver *self, void *handle)
{
	(void)self;
	return handle;
}

static inline struct fake_resolver fake_resolver(const struct fake_row *rows)
{
	struct fake_resolver f = {{fake_submit, fake_collect}, rows, 0, 0};

	return f;
}

#endif
