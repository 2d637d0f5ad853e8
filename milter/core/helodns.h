/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * helodns.h -- what DNS says about a HELO name: does it exist (A,
 * AAAA or MX, a null MX included), and is the client one of its addresses.
 */
#ifndef MXP_HELODNS_H
#define MXP_HELODNS_H

#include "core/netaddr.h"
#include "core/resolver.h"
#include "core/tristate.h"

struct helo_dns_facts {
	enum tristate exists;
	enum tristate matches_client;
};

void helodns_gather(struct resolver *r, const char *name, const struct netaddr *client,
		     struct helo_dns_facts *out);
/* Starts the lookups early; gathering later finds them in flight or cached. */
void helodns_prefetch(struct resolver *r, const char *name, void *handles[3]);

#endif
