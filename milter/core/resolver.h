/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * resolver.h -- how the pure fact gatherers ask DNS questions: submit
 * first (so that lookups run in parallel), collect later.  The daemon
 * plugs in the c-ares engine with the session's deadline; unit tests plug
 * in a table.
 */
#ifndef MXP_RESOLVER_H
#define MXP_RESOLVER_H

#include "core/dnsmsg.h"

struct resolver {
	void *(*submit)(struct resolver *self, const char *name, enum dns_type type);
	/* Returns a referenced answer and gives up the handle; never NULL. */
	struct dns_answer *(*collect)(struct resolver *self, void *handle);
};

#define CNAME_MAX_HOPS 8

/*
 * Collects handle (a lookup of name/type) and follows a dangling CNAME
 * chain with further lookups, at most CNAME_MAX_HOPS; a longer chain, or
 * a loop, is a temporary failure: never refuse on a zone caught mid-change.
 */
struct dns_answer *resolver_collect_chain(struct resolver *r, void *handle, enum dns_type type);

#endif
