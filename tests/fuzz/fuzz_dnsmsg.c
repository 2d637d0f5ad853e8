/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_dnsmsg.c -- the reader of raw DNS responses (the record walker that
 * keeps TTLs, follows CNAMEs and reads RFC 2308 negative TTLs) on any bytes.
 * The first input byte picks the question type, the bytes up to the first
 * newline are the question name, the rest is the response.  Properties:
 * three outcomes kept apart, records within the bound and well-formed, a
 * temporary failure always says why.
 */
#include "autoconfig.h"

#include <string.h>

#include "core/dnsmsg.h"
#include "fuzz.h"

static const enum dns_type types[] = {DNS_T_A, DNS_T_AAAA, DNS_T_PTR, DNS_T_MX, DNS_T_CNAME};

static void check_answer(const struct dns_answer *a, enum dns_type qtype)
{
	FUZZ_CHECK(dns_status_name(a->status) != NULL);
	FUZZ_CHECK(a->count <= DNS_MAX_RR);
	if (a->status == DNS_TEMPFAIL)
		FUZZ_CHECK(a->why != NULL && a->count == 0);
	if (a->status != DNS_ANSWER) {
		FUZZ_CHECK(a->count == 0);
		return;
	}
	for (size_t i = 0; i < a->count; i++) {
		const struct dns_rr *rr = &a->rr[i];

		if (qtype == DNS_T_A)
			FUZZ_CHECK(rr->addr.family == AF_INET);
		else if (qtype == DNS_T_AAAA)
			FUZZ_CHECK(rr->addr.family == AF_INET6);
		else if (qtype == DNS_T_PTR || qtype == DNS_T_MX)
			FUZZ_CHECK(rr->name != NULL && strlen(rr->name) <= DNS_NAME_MAX);
		if (qtype == DNS_T_MX)
			FUZZ_CHECK(rr->pref <= 65535);
	}
	if (a->cname != NULL)
		FUZZ_CHECK(strlen(a->cname) <= DNS_NAME_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl;
	char qname[DNS_NAME_MAX + 1];
	size_t qlen;
	enum dns_type qtype;
	struct dns_answer *a;

	if (size < 2)
		return 0;
	qtype = types[data[0] % (sizeof types / sizeof types[0])];
	nl = memchr(data + 1, '\n', size - 1);
	if (nl == NULL)
		return 0;
	qlen = (size_t)(nl - (data + 1));
	if (qlen > DNS_NAME_MAX || memchr(data + 1, '\0', qlen) != NULL)
		return 0;
	memcpy(qname, data + 1, qlen);
	qname[qlen] = '\0';
	a = dns_parse(nl + 1, size - (size_t)(nl + 1 - data), qname, qtype);
	FUZZ_CHECK(a != NULL);
	check_answer(a, qtype);
	dns_answer_unref(a);
	return 0;
}
