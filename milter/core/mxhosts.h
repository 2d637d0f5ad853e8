/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mxhosts.h -- the mail exchangers of a domain and their addresses,
 * over resolver answers: the MX RRset, or the implicit MX (the domain
 * itself, preference 0, RFC 5321 section 5.1) when there is none.  A null
 * MX ("MX 0 .", RFC 7505) is noted and kept out of the list.
 *
 * The exchangers are kept most preferred first, so that the caps below drop
 * only the least preferred; whatever a cap drops is noted (truncated), since
 * a dropped exchanger may be this host.
 */
#ifndef MXP_MXHOSTS_H
#define MXP_MXHOSTS_H

#include <stdbool.h>

#include "core/netaddr.h"
#include "core/resolver.h"
#include "core/tristate.h"

#define MX_HOSTS_MAX 16
#define MX_ADDRS_MAX 64

struct mx_host {
	unsigned pref;
	char name[DNS_NAME_MAX + 1];
	bool a_temp, aaaa_temp;     /* its A / AAAA lookup failed temporarily */
};

struct mx_hosts {
	enum tristate status;       /* TRI_YES: known; TRI_NO: the domain has none; TRI_TEMP */
	bool implicit;              /* no MX: the domain's own addresses */
	bool null_mx;               /* a "." exchanger was listed */
	size_t count;
	struct mx_host hosts[MX_HOSTS_MAX];
	size_t naddrs;
	struct netaddr addrs[MX_ADDRS_MAX];
	size_t addr_host[MX_ADDRS_MAX];     /* the exchanger each address belongs to */
	bool addrs_temp;            /* some exchanger's addresses failed temporarily */
	bool truncated;             /* exchangers or addresses dropped by a cap */
	bool unseen;                /* records beyond what one answer keeps: prefs unknown */
};

void mxhosts_gather(struct resolver *r, const char *domain, struct mx_hosts *out);
bool mxhosts_has_name(const struct mx_hosts *m, const char *name);
bool mxhosts_has_addr(const struct mx_hosts *m, const struct netaddr *a);
/*
 * Could an exchanger preferred below pref (UINT_MAX: any) have an address of
 * this family that a failed lookup kept from us?  (What a cap dropped is
 * the route's concern: see truncated and unseen.)
 */
bool mxhosts_may_have(const struct mx_hosts *m, int family, unsigned pref);

#endif
