/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * resolver.c -- following CNAME chains across lookups.
 */
#include "autoconfig.h"

#include "core/resolver.h"

struct dns_answer *resolver_collect_chain(struct resolver *r, void *handle, enum dns_type type)
{
	struct dns_answer *a = r->collect(r, handle);

	for (int hop = 0; a->status == DNS_NODATA && a->cname != NULL; hop++) {
		void *next;

		if (hop == CNAME_MAX_HOPS) {
			dns_answer_unref(a);
			return dns_answer_tempfail("CNAME chain too long", 0);
		}
		next = r->submit(r, a->cname, type);
		dns_answer_unref(a);
		a = r->collect(r, next);
	}
	return a;
}
