/*
 * iprev.h -- PURE: forward-confirmed reverse DNS (RFC 8601 section 3 "iprev")
 * over resolver answers, and the generic-name heuristic.
 */
#ifndef MXP_IPREV_H
#define MXP_IPREV_H

#include <stdbool.h>

#include "dnsmsg.h"
#include "netaddr.h"
#include "resolver.h"

#define PTR_NAMES_LIMIT 32

enum iprev_result {
	IPREV_NONE,         /* not looked up (no client address) */
	IPREV_PASS,         /* a PTR name resolves back to the client */
	IPREV_FAIL,         /* PTR names, none of which resolves back */
	IPREV_TEMPERROR,    /* a lookup failed temporarily */
	IPREV_PERMERROR     /* no PTR at all */
};

struct iprev_facts {
	enum iprev_result result;
	size_t count;                       /* PTR names checked */
	size_t total;                       /* PTR names in the answer */
	char names[PTR_NAMES_LIMIT][DNS_NAME_MAX + 1];
	int confirmed;                      /* index of the confirmed name, or -1 */
	const char *why;                    /* for temperror */
};

void iprev_gather(struct resolver *r, const struct netaddr *client, size_t max_names,
		  struct iprev_facts *out);
/* The confirmed name, else the first PTR name, else NULL. */
const char *iprev_name(const struct iprev_facts *f);
const char *iprev_result_name(enum iprev_result r);

/*
 * A PTR name that looks dynamic or residential: it embeds the client's
 * IPv4 address (decimal in either order, zero-padded or not, or as hex), or
 * a host label holds a token such as dsl, dyn, pool, dhcp, ppp, cable,
 * dialup, client, customer, broadband.  Only the labels left of the
 * registrable part (the last two) are read, so "cable.example" is fine.
 */
bool ptr_name_looks_generic(const char *name, const struct netaddr *client);

#endif
