/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mxroute.h -- which MX route a message came by.  From the local
 * address the client reached (mapped to its public address behind NAT) and
 * the recipient domain's exchangers: primary (our preference is the lowest;
 * equal preferences count as primary), backup (we are listed at a higher
 * preference), none (we are not an MX of the domain), nullmx (RFC 7505),
 * or unknown (a temporary DNS failure, no local address known, or an RRset
 * larger than what is kept, whose dropped records could be us).
 */
#ifndef MXP_MXROUTE_H
#define MXP_MXROUTE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/mxhosts.h"
#include "core/netaddr.h"

enum route_kind {
	ROUTE_UNKNOWN,
	ROUTE_PRIMARY,
	ROUTE_BACKUP,
	ROUTE_NONE,
	ROUTE_NULLMX
};

/* On a backup route, what a probe found of the more-preferred exchangers. */
enum route_probe {
	ROUTE_PROBE_NONE,           /* not probed (backup_primary_up off, or no backup) */
	ROUTE_PROBE_UP,             /* one of them accepted a connection */
	ROUTE_PROBE_DOWN            /* none did */
};

struct route {
	enum route_kind kind;
	unsigned our_pref;
	unsigned primary_pref;
	const char *primary;        /* a most-preferred exchanger, in the mx_hosts */
	const char *why;            /* unknown: "dns", "no-local-address", "mx-truncated" */
	bool uncertain;             /* a better exchanger unresolved or unseen: may be us */
	enum route_probe primary_probe;     /* the caller's, after probing; NONE from classify */
};

void mxroute_classify(const struct mx_hosts *mx, const struct netaddr *local,
		      const struct local_addresses *map, struct route *out);
/*
 * "primary(pref=10)", "backup(pref=20,primary=mx1.example.net)", "none" ...
 * A backup route that was probed reads "backup(pref=20,primary=mx1.example.net:up)"
 * (or ":down"), when the whole text fits with room for ":down"; else without it.
 */
void mxroute_format(const struct route *r, char *buf, size_t len);
/* Would a successful lookup have given another route?  Then no check may fire on it. */
bool mxroute_uncertain(const struct route *r);

#endif
