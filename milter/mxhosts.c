/*
 * mxhosts.c -- PURE: a domain's exchangers and their addresses.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "mxhosts.h"
#include "names.h"

static void add_host(struct mx_hosts *m, unsigned pref, const char *name)
{
	if (m->count == MX_HOSTS_MAX)
		return;
	m->hosts[m->count].pref = pref;
	snprintf(m->hosts[m->count].name, sizeof m->hosts[0].name, "%s", name);
	m->count++;
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
				if (m->naddrs < MX_ADDRS_MAX) {
					m->addr_host[m->naddrs] = i;
					m->addrs[m->naddrs++] = a->rr[k].addr;
				}
			m->addrs_temp |= a->status == DNS_TEMPFAIL;
			dns_answer_unref(a);
		}
}

void mx_hosts_gather(struct resolver *r, const char *domain, struct mx_hosts *out)
{
	struct dns_answer *mx;

	memset(out, 0, sizeof *out);
	mx = resolver_collect_chain(r, r->submit(r, domain, DNS_T_MX), DNS_T_MX);
	if (mx->status == DNS_TEMPFAIL) {
		out->status = TRI_TEMP;
	} else if (mx->status == DNS_ANSWER) {
		for (size_t i = 0; i < mx->count; i++) {
			if (mx->rr[i].name[0] == '\0')
				out->null_mx = true;
			else
				add_host(out, mx->rr[i].pref, mx->rr[i].name);
		}
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

bool mx_hosts_has_name(const struct mx_hosts *m, const char *name)
{
	for (size_t i = 0; i < m->count; i++)
		if (name_equal(m->hosts[i].name, name))
			return true;
	return false;
}

bool mx_hosts_has_addr(const struct mx_hosts *m, const struct netaddr *a)
{
	for (size_t i = 0; i < m->naddrs; i++)
		if (netaddr_equal(&m->addrs[i], a))
			return true;
	return false;
}
