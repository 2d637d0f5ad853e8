/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auditzone.c -- gathering a domain's MX facts for the audit.
 * Every question about the exchangers is asked before any answer is read,
 * so a domain with many exchangers costs one round of DNS latency.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/auditzone.h"
#include "core/names.h"

static int by_pref(const void *a, const void *b)
{
	const struct audit_exchanger *p = a, *q = b;

	if (p->pref != q->pref)
		return p->pref < q->pref ? -1 : 1;
	return strcmp(p->name, q->name);
}

/* The RRset in preference order: answers come in any order. */
static void read_mx(struct dns_answer *mx, struct audit_zone *z)
{
	z->mx_ttl = mx->ttl;
	z->dropped = mx->dropped;
	for (size_t i = 0; i < mx->count; i++) {
		struct audit_exchanger *x;

		if (z->count == AUDIT_MX_MAX) {
			z->dropped += mx->count - i;
			break;
		}
		x = &z->mx[z->count++];
		x->pref = mx->rr[i].pref;
		name_normalise(mx->rr[i].name, x->name, sizeof x->name);
		x->null_mx = x->name[0] == '\0';
	}
	qsort(z->mx, z->count, sizeof z->mx[0], by_pref);
}

static void keep_addrs(struct dns_answer *a, struct audit_addrs *out)
{
	out->status = a->status;
	out->why = a->why;
	out->ttl = a->ttl;
	for (size_t i = 0; a->status == DNS_ANSWER && i < a->count && out->count < AUDIT_ADDRS_MAX; i++)
		out->addr[out->count++] = a->rr[i].addr;
}

/*
 * A CNAME question: a name that owns a CNAME comes back as "no CNAME data
 * at the target", with the target noted; a plain name as no data at all.
 */
static void keep_alias(struct dns_answer *a, struct audit_exchanger *x)
{
	if (a->status == DNS_TEMPFAIL) {
		x->alias_temp = true;
	} else if (a->cname != NULL) {
		x->alias = true;
		name_normalise(a->cname, x->alias_of, sizeof x->alias_of);
	} else if (a->status == DNS_ANSWER && a->count > 0) {
		x->alias = true;
		name_normalise(a->rr[0].name, x->alias_of, sizeof x->alias_of);
	}
}

static void gather_exchangers(struct resolver *r, struct audit_zone *z)
{
	static const enum dns_type types[3] = {DNS_T_CNAME, DNS_T_A, DNS_T_AAAA};
	void *handles[AUDIT_MX_MAX][3];

	for (size_t i = 0; i < z->count; i++)
		for (int t = 0; t < 3; t++)
			handles[i][t] = z->mx[i].null_mx ? NULL
				: r->submit(r, z->mx[i].name, types[t]);
	for (size_t i = 0; i < z->count; i++) {
		struct audit_exchanger *x = &z->mx[i];
		struct dns_answer *a;

		if (x->null_mx)
			continue;
		a = r->collect(r, handles[i][0]);
		keep_alias(a, x);
		dns_answer_unref(a);
		a = resolver_collect_chain(r, handles[i][1], DNS_T_A);
		keep_addrs(a, &x->a);
		dns_answer_unref(a);
		a = resolver_collect_chain(r, handles[i][2], DNS_T_AAAA);
		keep_addrs(a, &x->aaaa);
		dns_answer_unref(a);
	}
}

void audit_zone_gather(struct resolver *r, const char *domain, struct audit_zone *out)
{
	struct dns_answer *mx;

	memset(out, 0, sizeof *out);
	name_normalise(domain, out->domain, sizeof out->domain);
	mx = resolver_collect_chain(r, r->submit(r, out->domain, DNS_T_MX), DNS_T_MX);
	out->mx_status = mx->status;
	out->mx_why = mx->why;
	if (mx->status == DNS_ANSWER) {
		read_mx(mx, out);
	} else if (mx->status == DNS_NODATA) {
		/* RFC 5321 section 5.1: the domain itself, as if MX 0 */
		out->implicit = true;
		out->mx_ttl = mx->ttl;
		out->count = 1;
		snprintf(out->mx[0].name, sizeof out->mx[0].name, "%s", out->domain);
	}
	dns_answer_unref(mx);
	gather_exchangers(r, out);
}

size_t audit_exchanger_addr_count(const struct audit_exchanger *x)
{
	return x->null_mx ? 0 : x->a.count + x->aaaa.count;
}
