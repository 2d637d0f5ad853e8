/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mxroute.c -- primary or backup, from our address and the MX RRset.
 */
#include "autoconfig.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/mxroute.h"

/* Is a an address of ours: the local address, or its public NAT twin? */
static bool is_us(const struct netaddr *a, const struct netaddr *local,
		  const struct local_addresses *map)
{
	if (netaddr_equal(a, local))
		return true;
	for (size_t i = 0; map && i < map->count; i++)
		if (netaddr_equal(&map->items[i].local, local) &&
		    netaddr_equal(&map->items[i].public, a))
			return true;
	return false;
}

/* The lowest preference at which one of our addresses is listed; -1: none. */
static long our_preference(const struct mx_hosts *mx, const struct netaddr *local,
			   const struct local_addresses *map)
{
	long best = -1;

	for (size_t i = 0; i < mx->naddrs; i++) {
		unsigned pref = mx->hosts[mx->addr_host[i]].pref;

		if (is_us(&mx->addrs[i], local, map) && (best < 0 || pref < (unsigned long)best))
			best = pref;
	}
	return best;
}

void mxroute_classify(const struct mx_hosts *mx, const struct netaddr *local,
		      const struct local_addresses *map, struct route *out)
{
	long ours;

	memset(out, 0, sizeof *out);
	out->kind = ROUTE_UNKNOWN;
	if (mx->status == TRI_TEMP) {
		out->why = "dns";
		return;
	}
	if (mx->status == TRI_NO) {
		out->kind = mx->null_mx ? ROUTE_NULLMX : ROUTE_NONE;
		return;
	}
	if (local == NULL) {
		out->why = "no-local-address";
		return;
	}
	for (size_t i = 0; i < mx->count; i++)
		if (out->primary == NULL || mx->hosts[i].pref < out->primary_pref) {
			out->primary = mx->hosts[i].name;
			out->primary_pref = mx->hosts[i].pref;
		}
	ours = our_preference(mx, local, map);
	if (ours < 0) {
		/* an exchanger whose addresses failed, or a cap dropped, might have been us */
		if (mxhosts_may_have(mx, local->family, UINT_MAX))
			out->why = "dns";
		else if (mx->truncated)
			out->why = "mx-truncated";
		out->kind = out->why ? ROUTE_UNKNOWN : ROUTE_NONE;
		return;
	}
	out->our_pref = (unsigned)ours;
	out->kind = out->our_pref <= out->primary_pref ? ROUTE_PRIMARY : ROUTE_BACKUP;
	/* a better exchanger we could not resolve, or never saw, may be us as well */
	out->uncertain = mxhosts_may_have(mx, local->family, out->our_pref) || mx->unseen;
}

/*
 * The probe is shown only when the plain text fits with 6 bytes to spare
 * (":down" and one more), whichever of the two it is: a name too long for
 * that loses the probe, never its closing parenthesis to it.  The decision
 * line has always cut there; its readers rely on the text, so keep it.
 */
static void format_backup(const struct route *r, char *buf, size_t len)
{
	const char *probe = r->primary_probe == ROUTE_PROBE_UP ? ":up"
			  : r->primary_probe == ROUTE_PROBE_DOWN ? ":down" : "";
	int plain = snprintf(NULL, 0, "backup(pref=%u,primary=%s)", r->our_pref, r->primary);

	if (plain < 0 || (size_t)plain + 6 >= len)
		probe = "";
	snprintf(buf, len, "backup(pref=%u,primary=%s%s)", r->our_pref, r->primary, probe);
}

void mxroute_format(const struct route *r, char *buf, size_t len)
{
	switch (r->kind) {
	case ROUTE_PRIMARY:
		snprintf(buf, len, "primary(pref=%u)", r->our_pref);
		return;
	case ROUTE_BACKUP:
		format_backup(r, buf, len);
		return;
	case ROUTE_NONE:
		snprintf(buf, len, "none");
		return;
	case ROUTE_NULLMX:
		snprintf(buf, len, "nullmx");
		return;
	case ROUTE_UNKNOWN:
		break;
	}
	snprintf(buf, len, "unknown(%s)", r->why ? r->why : "-");
}

bool mxroute_uncertain(const struct route *r)
{
	return r->uncertain || (r->kind == ROUTE_UNKNOWN && r->why &&
				(strcmp(r->why, "dns") == 0 || strcmp(r->why, "mx-truncated") == 0));
}
