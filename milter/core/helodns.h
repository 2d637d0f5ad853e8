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
/*
 * The facts without a question, when the HELO name is the one the MTA
 * forward-confirmed for this client (iprev_from_mta): the MTA found the
 * client's address among that name's, so it exists and matches.  False,
 * and *out untouched, for any other name: then helodns_gather asks.
 */
bool helodns_from_mta(const char *helo, const char *confirmed, struct helo_dns_facts *out);
/* Is helo the MTA's confirmed name (confirmed NULL: there is none)? */
bool helodns_is_mta_name(const char *helo, const char *confirmed);
/* Starts the lookups early; gathering later finds them in flight or cached. */
void helodns_prefetch(struct resolver *r, const char *name, void *handles[3]);

#endif
