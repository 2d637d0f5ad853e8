/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dnsmsg.c -- the reader of raw DNS responses: records, TTLs (RFC 2308
 * negative TTLs too), CNAME chains and loops, rcodes, truncation, and
 * hostile messages.
 */
#include "autoconfig.h"

#include <string.h>

#include "core/dnsmsg.h"
#include "unit.h"

struct msg {
	unsigned char b[4096];
	size_t n;
};

static void put8(struct msg *m, unsigned v) { m->b[m->n++] = (unsigned char)v; }
static void put16(struct msg *m, unsigned v) { put8(m, v >> 8); put8(m, v & 0xff); }
static void put32(struct msg *m, unsigned long v) { put16(m, (unsigned)(v >> 16)); put16(m, v & 0xffff); }

static void put_name(struct msg *m, const char *name)
{
	while (*name) {
		const char *dot = strchr(name, '.');
		size_t len = dot ? (size_t)(dot - name) : strlen(name);

		put8(m, (unsigned)len);
		memcpy(m->b + m->n, name, len);
		m->n += len;
		name += len + (dot ? 1 : 0);
	}
	put8(m, 0);
}

static void header(struct msg *m, unsigned flags, unsigned an, unsigned ns)
{
	m->n = 0;
	put16(m, 0x1234);
	put16(m, 0x8180 | flags);
	put16(m, 1);
	put16(m, an);
	put16(m, ns);
	put16(m, 0);
}

static void question(struct msg *m, const char *name, unsigned type)
{
	put_name(m, name);
	put16(m, type);
	put16(m, 1);
}

/* An RR with its data already encoded in data/len. */
static void rr(struct msg *m, const char *owner, unsigned type, unsigned long ttl,
	       const void *data, size_t len)
{
	put_name(m, owner);
	put16(m, type);
	put16(m, 1);
	put32(m, ttl);
	put16(m, (unsigned)len);
	memcpy(m->b + m->n, data, len);
	m->n += len;
}

static void rr_name(struct msg *m, const char *owner, unsigned type, unsigned long ttl,
		    int pref, const char *target)
{
	struct msg d = {.n = 0};

	if (pref >= 0)
		put16(&d, (unsigned)pref);
	put_name(&d, target);
	rr(m, owner, type, ttl, d.b, d.n);
}

static void soa(struct msg *m, const char *zone, unsigned long ttl, unsigned long minimum)
{
	struct msg d = {.n = 0};

	put_name(&d, "ns.example");
	put_name(&d, "hostmaster.example");
	put32(&d, 1);
	put32(&d, 3600);
	put32(&d, 600);
	put32(&d, 86400);
	put32(&d, minimum);
	rr(m, zone, DNS_T_SOA, ttl, d.b, d.n);
}

static void test_a_answer_min_ttl(void)
{
	struct msg m;
	unsigned char a1[4] = {192, 0, 2, 1}, a2[4] = {192, 0, 2, 2};
	struct dns_answer *a;
	char text[NETADDR_STRLEN];

	header(&m, 0, 2, 0);
	question(&m, "mail.example", DNS_T_A);
	rr(&m, "mail.example", DNS_T_A, 300, a1, 4);
	rr(&m, "MAIL.Example", DNS_T_A, 60, a2, 4);
	a = dns_parse(m.b, m.n, "mail.example", DNS_T_A);
	CU_ASSERT_EQUAL(a->status, DNS_ANSWER);
	CU_ASSERT_EQUAL(a->count, 2);
	CU_ASSERT_EQUAL(a->ttl, 60);
	netaddr_format(&a->rr[1].addr, text, sizeof text);
	CU_ASSERT_STRING_EQUAL(text, "192.0.2.2");
	dns_answer_unref(a);
}

static void test_cname_chain_in_answer(void)
{
	struct msg m;
	unsigned char addr[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	struct dns_answer *a;

	header(&m, 0, 3, 0);
	question(&m, "www.example", DNS_T_AAAA);
	rr_name(&m, "www.example", DNS_T_CNAME, 100, -1, "web.example");
	rr_name(&m, "web.example", DNS_T_CNAME, 50, -1, "host.example");
	rr(&m, "host.example", DNS_T_AAAA, 200, addr, 16);
	a = dns_parse(m.b, m.n, "www.example", DNS_T_AAAA);
	CU_ASSERT_EQUAL(a->status, DNS_ANSWER);
	CU_ASSERT_EQUAL(a->count, 1);
	CU_ASSERT_EQUAL(a->ttl, 50);
	dns_answer_unref(a);

	/* a chain that leaves the answer: NODATA with the target to follow */
	header(&m, 0, 1, 0);
	question(&m, "www.example", DNS_T_A);
	rr_name(&m, "www.example", DNS_T_CNAME, 100, -1, "elsewhere.example");
	a = dns_parse(m.b, m.n, "www.example", DNS_T_A);
	CU_ASSERT_EQUAL(a->status, DNS_NODATA);
	CU_ASSERT_STRING_EQUAL(a->cname, "elsewhere.example");
	dns_answer_unref(a);
}

static void test_cname_loop(void)
{
	struct msg m;
	struct dns_answer *a;

	header(&m, 0, 2, 0);
	question(&m, "a.example", DNS_T_A);
	rr_name(&m, "a.example", DNS_T_CNAME, 100, -1, "b.example");
	rr_name(&m, "b.example", DNS_T_CNAME, 100, -1, "a.example");
	a = dns_parse(m.b, m.n, "a.example", DNS_T_A);
	CU_ASSERT_EQUAL(a->status, DNS_TEMPFAIL);
	CU_ASSERT_STRING_EQUAL(a->why, "CNAME loop");
	dns_answer_unref(a);
}

static void test_negative_ttl(void)
{
	struct msg m;
	struct dns_answer *a;

	header(&m, 3, 0, 1);                      /* NXDOMAIN */
	question(&m, "none.example", DNS_T_A);
	soa(&m, "example", 3600, 120);
	a = dns_parse(m.b, m.n, "none.example", DNS_T_A);
	CU_ASSERT_EQUAL(a->status, DNS_NXDOMAIN);
	CU_ASSERT_EQUAL(a->ttl, 120);             /* min(SOA TTL, MINIMUM) */
	dns_answer_unref(a);

	header(&m, 0, 0, 1);                      /* NODATA */
	question(&m, "mail.example", DNS_T_AAAA);
	soa(&m, "example", 30, 600);
	a = dns_parse(m.b, m.n, "mail.example", DNS_T_AAAA);
	CU_ASSERT_EQUAL(a->status, DNS_NODATA);
	CU_ASSERT_EQUAL(a->ttl, 30);
	CU_ASSERT_PTR_NULL(a->cname);
	dns_answer_unref(a);
}

static void test_mx_ptr_and_null_mx(void)
{
	struct msg m;
	struct dns_answer *a;

	header(&m, 0, 2, 0);
	question(&m, "example.net", DNS_T_MX);
	rr_name(&m, "example.net", DNS_T_MX, 300, 10, "mx1.example.net");
	rr_name(&m, "example.net", DNS_T_MX, 300, 20, "");
	a = dns_parse(m.b, m.n, "example.net", DNS_T_MX);
	CU_ASSERT_EQUAL(a->count, 2);
	CU_ASSERT_EQUAL(a->rr[0].pref, 10);
	CU_ASSERT_STRING_EQUAL(a->rr[0].name, "mx1.example.net");
	CU_ASSERT_STRING_EQUAL(a->rr[1].name, "");
	dns_answer_unref(a);

	header(&m, 0, 1, 0);
	question(&m, "10.2.0.192.in-addr.arpa", DNS_T_PTR);
	rr_name(&m, "10.2.0.192.in-addr.arpa", DNS_T_PTR, 300, -1, "Mail.Example.ORG");
	a = dns_parse(m.b, m.n, "10.2.0.192.in-addr.arpa", DNS_T_PTR);
	CU_ASSERT_STRING_EQUAL(a->rr[0].name, "mail.example.org");
	dns_answer_unref(a);
}

static void test_hostile_names_are_defused(void)
{
	struct msg m, d = {.n = 0};
	struct dns_answer *a;
	const char evil[] = "evil\r\nX-Injected: yes";

	put8(&d, sizeof evil - 1);
	memcpy(d.b + d.n, evil, sizeof evil - 1);
	d.n += sizeof evil - 1;
	put_name(&d, "example");
	header(&m, 0, 1, 0);
	question(&m, "10.2.0.192.in-addr.arpa", DNS_T_PTR);
	rr(&m, "10.2.0.192.in-addr.arpa", DNS_T_PTR, 300, d.b, d.n);
	a = dns_parse(m.b, m.n, "10.2.0.192.in-addr.arpa", DNS_T_PTR);
	CU_ASSERT_EQUAL(a->status, DNS_ANSWER);
	CU_ASSERT_PTR_NULL(strpbrk(a->rr[0].name, "\r\n :"));
	CU_ASSERT_STRING_EQUAL(a->rr[0].name, "evil??x-injected??yes.example");
	dns_answer_unref(a);
}

static void test_failures(void)
{
	struct msg m;
	struct dns_answer *a;

	header(&m, 2, 0, 0);                      /* SERVFAIL */
	question(&m, "x.example", DNS_T_A);
	a = dns_parse(m.b, m.n, "x.example", DNS_T_A);
	CU_ASSERT_EQUAL(a->status, DNS_TEMPFAIL);
	CU_ASSERT_STRING_EQUAL(a->why, "SERVFAIL");
	dns_answer_unref(a);
	header(&m, 5, 0, 0);                      /* REFUSED */
	a = dns_parse(m.b, m.n, "x.example", DNS_T_A);
	CU_ASSERT_STRING_EQUAL(a->why, "REFUSED");
	dns_answer_unref(a);
	header(&m, 1, 0, 0);                      /* FORMERR */
	a = dns_parse(m.b, m.n, "x.example", DNS_T_A);
	CU_ASSERT_STRING_EQUAL(a->why, "FORMERR");
	dns_answer_unref(a);
	header(&m, 0x0200, 0, 0);                 /* TC=1 */
	a = dns_parse(m.b, m.n, "x.example", DNS_T_A);
	CU_ASSERT_STRING_EQUAL(a->why, "truncated");
	dns_answer_unref(a);
	a = dns_parse(m.b, 5, "x.example", DNS_T_A);
	CU_ASSERT_EQUAL(a->status, DNS_TEMPFAIL);
	dns_answer_unref(a);
}

static void test_malformed(void)
{
	struct msg m;
	struct dns_answer *a;
	unsigned char addr[4] = {192, 0, 2, 1};

	/* a compression pointer to itself */
	header(&m, 0, 1, 0);
	question(&m, "x.example", DNS_T_A);
	put8(&m, 0xc0);
	put8(&m, (unsigned)m.n - 1);
	a = dns_parse(m.b, m.n, "x.example", DNS_T_A);
	CU_ASSERT_EQUAL(a->status, DNS_TEMPFAIL);
	dns_answer_unref(a);
	/* an answer count larger than the message */
	header(&m, 0, 5, 0);
	question(&m, "x.example", DNS_T_A);
	rr(&m, "x.example", DNS_T_A, 300, addr, 4);
	a = dns_parse(m.b, m.n, "x.example", DNS_T_A);
	CU_ASSERT_EQUAL(a->status, DNS_TEMPFAIL);
	dns_answer_unref(a);
	/* a count no message of this size can hold: refused before any allocation */
	header(&m, 0, 65535, 0);
	question(&m, "x.example", DNS_T_A);
	rr(&m, "x.example", DNS_T_A, 300, addr, 4);
	a = dns_parse(m.b, m.n, "x.example", DNS_T_A);
	CU_ASSERT_EQUAL(a->status, DNS_TEMPFAIL);
	CU_ASSERT_STRING_EQUAL(a->why, "malformed answer");
	dns_answer_unref(a);
	/* an A record of the wrong size */
	header(&m, 0, 1, 0);
	question(&m, "x.example", DNS_T_A);
	rr(&m, "x.example", DNS_T_A, 300, addr, 3);
	a = dns_parse(m.b, m.n, "x.example", DNS_T_A);
	CU_ASSERT_EQUAL(a->status, DNS_TEMPFAIL);
	dns_answer_unref(a);
}

static void test_many_records(void)
{
	struct msg m;
	struct dns_answer *a;

	header(&m, 0, 80, 0);
	question(&m, "big.example", DNS_T_A);
	for (unsigned i = 0; i < 80; i++) {
		unsigned char addr[4] = {192, 0, 2, (unsigned char)i};

		rr(&m, "big.example", DNS_T_A, 300, addr, 4);
	}
	a = dns_parse(m.b, m.n, "big.example", DNS_T_A);
	CU_ASSERT_EQUAL(a->status, DNS_ANSWER);
	CU_ASSERT_EQUAL(a->count, DNS_MAX_RR);
	CU_ASSERT_EQUAL(a->dropped, 80 - DNS_MAX_RR);
	dns_answer_unref(a);
}

static void test_reverse_names(void)
{
	struct netaddr a;
	char buf[DNS_NAME_MAX + 1];

	netaddr_parse("192.0.2.10", &a);
	dns_reverse_name(&a, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "10.2.0.192.in-addr.arpa");
	netaddr_parse("2001:db8::25", &a);
	dns_reverse_name(&a, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf,
		"5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa");
}

int main(void)
{
	CU_TestInfo tests[] = {
		UNIT_TEST(test_a_answer_min_ttl), UNIT_TEST(test_cname_chain_in_answer),
		UNIT_TEST(test_cname_loop), UNIT_TEST(test_negative_ttl),
		UNIT_TEST(test_mx_ptr_and_null_mx), UNIT_TEST(test_hostile_names_are_defused),
		UNIT_TEST(test_failures), UNIT_TEST(test_malformed), UNIT_TEST(test_many_records),
		UNIT_TEST(test_reverse_names), CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {{"dnsmsg", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};

	return unit_run(suites);
}
