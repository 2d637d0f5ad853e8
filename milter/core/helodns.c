/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * helodns.c -- HELO name existence and address match.
 */
#include "autoconfig.h"

#include <strings.h>

#include "core/helodns.h"

static const enum dns_type types[3] = {DNS_T_A, DNS_T_AAAA, DNS_T_MX};

bool helodns_is_mta_name(const char *helo, const char *confirmed)
{
	return helo != NULL && confirmed != NULL && confirmed[0] != '\0' &&
	       strcasecmp(helo, confirmed) == 0;
}

bool helodns_from_mta(const char *helo, const char *confirmed, struct helo_dns_facts *out)
{
	if (!helodns_is_mta_name(helo, confirmed))
		return false;
	out->exists = TRI_YES;
	out->matches_client = TRI_YES;
	return true;
}

void helodns_prefetch(struct resolver *r, const char *name, void *handles[3])
{
	for (int i = 0; i < 3; i++)
		handles[i] = r->submit(r, name, types[i]);
}

void helodns_gather(struct resolver *r, const char *name, const struct netaddr *client,
		     struct helo_dns_facts *out)
{
	void *handles[3];
	bool any_answer = false, any_temp = false;
	enum dns_type own = client && client->family == AF_INET6 ? DNS_T_AAAA : DNS_T_A;

	out->matches_client = TRI_NO;
	helodns_prefetch(r, name, handles);
	for (int i = 0; i < 3; i++) {
		struct dns_answer *a = types[i] == DNS_T_MX ? r->collect(r, handles[i])
			: resolver_collect_chain(r, handles[i], types[i]);

		any_answer |= a->status == DNS_ANSWER;
		any_temp |= a->status == DNS_TEMPFAIL;
		if (client && types[i] == own) {
			for (size_t k = 0; a->status == DNS_ANSWER && k < a->count; k++)
				if (netaddr_equal(&a->rr[k].addr, client))
					out->matches_client = TRI_YES;
			if (out->matches_client != TRI_YES && a->status == DNS_TEMPFAIL)
				out->matches_client = TRI_TEMP;
		}
		dns_answer_unref(a);
	}
	out->exists = any_answer ? TRI_YES : any_temp ? TRI_TEMP : TRI_NO;
}
