/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auditzone.h -- what DNS says about a domain's mail exchangers, as
 * mxpolicy-audit lints it: the MX RRset as published (duplicates, the null
 * MX and TTLs kept), and for every exchanger whether its name is an alias
 * and its A and AAAA answers.  Gathered over the resolver interface, so the
 * unit tests drive it through a table.
 */
#ifndef MXP_AUDITZONE_H
#define MXP_AUDITZONE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/resolver.h"

#define AUDIT_MX_MAX 32             /* MX records examined; the rest are counted */
#define AUDIT_ADDRS_MAX 16          /* addresses kept per exchanger and family */

struct audit_addrs {
	enum dns_status status;
	const char *why;                /* for DNS_TEMPFAIL */
	unsigned ttl;
	size_t count;
	struct netaddr addr[AUDIT_ADDRS_MAX];
};

struct audit_exchanger {
	unsigned pref;
	char name[DNS_NAME_MAX + 1];    /* lower case, no trailing dot; "" for "." */
	bool null_mx;                   /* "MX 0 ." (RFC 7505) */
	bool alias;                     /* the name owns a CNAME */
	char alias_of[DNS_NAME_MAX + 1];
	bool alias_temp;                /* the CNAME question failed temporarily */
	struct audit_addrs a, aaaa;
};

struct audit_zone {
	char domain[DNS_NAME_MAX + 1];
	enum dns_status mx_status;      /* of the MX question itself */
	const char *mx_why;
	unsigned mx_ttl;
	bool implicit;                  /* no MX RRset: the domain is its own exchanger */
	size_t dropped;                 /* MX records beyond AUDIT_MX_MAX */
	size_t count;
	struct audit_exchanger mx[AUDIT_MX_MAX];
};

/* domain: lower case, without the trailing dot. */
void audit_zone_gather(struct resolver *r, const char *domain, struct audit_zone *out);

/* Exchangers that can be probed: addresses known, not the null MX. */
size_t audit_exchanger_addr_count(const struct audit_exchanger *x);

#endif
