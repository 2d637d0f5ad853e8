/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * iprev.h -- forward-confirmed reverse DNS (RFC 8601 section 3 "iprev")
 * over resolver answers, and the generic-name heuristic.
 */
#ifndef MXP_IPREV_H
#define MXP_IPREV_H

#include <stdbool.h>

#include "core/dnsmsg.h"
#include "core/names.h"
#include "core/netaddr.h"
#include "core/resolver.h"

#define PTR_NAMES_LIMIT 32

enum iprev_result {
	IPREV_NONE,         /* not looked up (no client address) */
	IPREV_PASS,         /* a PTR name resolves back to the client */
	IPREV_FAIL,         /* PTR names, none of which resolves back */
	IPREV_TEMPERROR,    /* a lookup failed temporarily */
	IPREV_PERMERROR     /* no PTR at all */
};

/* What the forward lookup of one PTR name said. */
enum iprev_forward {
	FORWARD_NO,         /* not the client's address */
	FORWARD_YES,        /* resolves back to the client */
	FORWARD_TEMP        /* the lookup failed temporarily */
};

struct iprev_facts {
	enum iprev_result result;
	size_t count;                       /* PTR names checked */
	size_t total;                       /* PTR names in the answer */
	char names[PTR_NAMES_LIMIT][DNS_NAME_MAX + 1];
	enum iprev_forward forward[PTR_NAMES_LIMIT];    /* per name */
	int confirmed;                      /* index of the confirmed name, or -1 */
	const char *why;                    /* for temperror */
};

/*
 * Asks the PTR of client and confirms up to max_names of its names: those
 * equal to the HELO name first, then those in the HELO name's registrable
 * domain, then the rest, each group in answer order (names[] keeps that
 * order).  helo may be NULL or "" (not known, or an address literal).
 */
void iprev_gather_helo(struct resolver *r, const struct netaddr *client, const char *helo,
		       size_t max_names, struct iprev_facts *out);
/* The same without a HELO name: answer order. */
void iprev_gather(struct resolver *r, const struct netaddr *client, size_t max_names,
		  struct iprev_facts *out);
/*
 * What the MTA found before the filter was called: Postfix and Sendmail
 * set {client_resolve} to OK when the client's first PTR name resolves
 * back to it, and {client_name} to that name.  Otherwise both say FORGED
 * (a PTR name that does not resolve back), TEMP (a lookup failed
 * temporarily) or FAIL (no PTR name); Postfix's {client_name} is then
 * "unknown", Sendmail's may still be the unconfirmed PTR name.
 *
 * Returns true, with *out the facts a DNS-confirmed pass with that one
 * name gives, when that settles every PTR-based check as the filter's own
 * lookups would; false when the filter must look up (iprev_gather_helo):
 * the MTA said anything but OK, the name is absent, "unknown" or no host
 * name, or the name looks generic or falls outside a non-empty allow_ptr,
 * since another PTR name that the MTA never checked could then change
 * ptr_generic or the allow_ptr exemption.
 */
bool iprev_from_mta(const char *resolve, const char *name, const struct netaddr *client,
		    const struct namelist *allow_ptr, struct iprev_facts *out);

/* The confirmed name, else the first PTR name, else NULL. */
const char *iprev_name(const struct iprev_facts *f);
const char *iprev_result_name(enum iprev_result r);

/*
 * A PTR name that looks dynamic or residential.  Only its host part is
 * read: the labels left of its registrable domain (Public Suffix List,
 * ICANN section), so neither "mail.cable.example" nor
 * "smtp.broadband.co.uk" is judged by the domain its owner registered.
 * Generic when the host part has a whole token naming dynamic or customer
 * addresses or an access technology (dsl, dyn, pool(s), dhcp, ppp, pppoe,
 * dialup, cable, cm, ftth, lte, 4g, mobile, client(s), customer(s), ...),
 * or when it embeds the client's IPv4 address, its four octets in any
 * order, as decimal between any separators, zero-padded decimal or hex
 * with no separator, or hex between separators, unless a mail host's
 * word (mail, smtp, mx, mta, relay, outbound) says it was named on purpose.
 */
bool ptr_name_looks_generic(const char *name, const struct netaddr *client);

#endif
