/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mxhosts.c -- a domain's exchangers and their addresses.
 */
#include "autoconfig.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/mxhosts.h"
#include "core/names.h"

static void add_host(struct mx_hosts *m, unsigned pref, const char *name)
{
	if (m->count == MX_HOSTS_MAX) {
		m->truncated = true;
		return;
	}
	m->hosts[m->count].pref = pref;
	snprintf(m->hosts[m->count].name, sizeof m->hosts[0].name, "%s", name);
	m->count++;
}

/* The records' indexes by preference, answer order kept among equals. */
static void sort_by_preference(const struct dns_answer *mx, size_t order[])
{
	for (size_t i = 0; i < mx->count; i++) {
		size_t k = i;

		for (; k > 0 && mx->rr[order[k - 1]].pref > mx->rr[i].pref; k--)
			order[k] = order[k - 1];
		order[k] = i;
	}
}

/* The exchangers of an MX answer, most preferred first, the null MX noted. */
static void add_hosts(struct mx_hosts *m, const struct dns_answer *mx)
{
	size_t order[DNS_MAX_RR];

	sort_by_preference(mx, order);
	for (size_t i = 0; i < mx->count; i++) {
		const struct dns_rr *rr = &mx->rr[order[i]];

		if (rr->name[0] == '\0')
			m->null_mx = true;
		else
			add_host(m, rr->pref, rr->name);
	}
	/* records beyond what one answer keeps were never seen: any may be us */
	if (mx->dropped > 0)
		m->truncated = m->unseen = true;
}

static void add_addr(struct mx_hosts *m, size_t host, const struct netaddr *a)
{
	if (m->naddrs == MX_ADDRS_MAX) {
		m->truncated = true;
		return;
	}
	m->addr_host[m->naddrs] = host;
	m->addrs[m->naddrs++] = *a;
}

/* A and AAAA of every exchanger, all asked before any is read. */
static void gather_addrs(struct resolver *r, struct mx_hosts *m)
{
	static const enum dns_type types[2] = {DNS_T_A, DNS_T_AAAA};
	void *handles[MX_HOSTS_MAX][2];

	for (size_t i = 0; i < m->count; i++)
		for (int t = 0; t < 2; t++)
			handles[i][t] = r->submit(r, m->hosts[i].name, types[t]);
	for (size_t i = 0; i < m->count; i++)
		for (int t = 0; t < 2; t++) {
			struct dns_answer *a = resolver_collect_chain(r, handles[i][t], types[t]);

			for (size_t k = 0; a->status == DNS_ANSWER && k < a->count; k++)
				add_addr(m, i, &a->rr[k].addr);
			if (a->status == DNS_ANSWER && a->dropped > 0)
				m->truncated = true;
			if (a->status == DNS_TEMPFAIL) {
				*(types[t] == DNS_T_A ? &m->hosts[i].a_temp : &m->hosts[i].aaaa_temp) = true;
				m->addrs_temp = true;
			}
			dns_answer_unref(a);
		}
}

void mxhosts_gather(struct resolver *r, const char *domain, struct mx_hosts *out)
{
	struct dns_answer *mx;

	memset(out, 0, sizeof *out);
	mx = resolver_collect_chain(r, r->submit(r, domain, DNS_T_MX), DNS_T_MX);
	if (mx->status == DNS_TEMPFAIL) {
		out->status = TRI_TEMP;
	} else if (mx->status == DNS_ANSWER) {
		add_hosts(out, mx);
		out->status = out->count ? TRI_YES : TRI_NO;
	} else if (mx->status == DNS_NODATA) {
		out->implicit = true;
		add_host(out, 0, domain);
		out->status = TRI_YES;
	} else {
		out->status = TRI_NO;
	}
	dns_answer_unref(mx);
	gather_addrs(r, out);
}

bool mxhosts_has_name(const struct mx_hosts *m, const char *name)
{
	for (size_t i = 0; i < m->count; i++)
		if (name_equal(m->hosts[i].name, name))
			return true;
	return false;
}

bool mxhosts_has_addr(const struct mx_hosts *m, const struct netaddr *a)
{
	for (size_t i = 0; i < m->naddrs; i++)
		if (netaddr_equal(&m->addrs[i], a))
			return true;
	return false;
}

bool mxhosts_may_have(const struct mx_hosts *m, int family, unsigned pref)
{
	if (m->status == TRI_TEMP)
		return true;
	for (size_t i = 0; i < m->count; i++)
		if (m->hosts[i].pref < pref &&
		    (family == AF_INET6 ? m->hosts[i].aaaa_temp : m->hosts[i].a_temp))
			return true;
	return false;
}
