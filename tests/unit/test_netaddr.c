/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_netaddr.c -- address parsing, normalisation and CIDR matching.
 */
#include "autoconfig.h"

#include <netinet/in.h>
#include <string.h>

#include "core/netaddr.h"
#include "unit.h"

static struct netaddr A(const char *s)
{
	struct netaddr a;

	CU_ASSERT_TRUE_FATAL(netaddr_parse(s, &a));
	return a;
}

static void test_parse(void)
{
	struct netaddr a;
	char buf[NETADDR_STRLEN];

	CU_ASSERT_TRUE(netaddr_parse("192.0.2.1", &a));
	CU_ASSERT_EQUAL(a.family, AF_INET);
	CU_ASSERT_TRUE(netaddr_parse("2001:db8::1", &a));
	CU_ASSERT_EQUAL(a.family, AF_INET6);
	/* Postfix's {client_addr} for IPv6 clients carries the tag */
	CU_ASSERT_TRUE(netaddr_parse("IPv6:2001:db8:1::10", &a));
	netaddr_format(&a, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "2001:db8:1::10");
	CU_ASSERT_TRUE(netaddr_parse("[192.0.2.1]", &a));
	CU_ASSERT_TRUE(netaddr_parse("[IPv6:::1]", &a));
	CU_ASSERT_FALSE(netaddr_parse("", &a));
	CU_ASSERT_FALSE(netaddr_parse("example.com", &a));
	CU_ASSERT_FALSE(netaddr_parse("192.0.2", &a));
	CU_ASSERT_FALSE(netaddr_parse("192.0.2.256", &a));
	CU_ASSERT_FALSE(netaddr_parse("[]", &a));
	CU_ASSERT_FALSE(netaddr_parse("2001:db8::1/64", &a));
}

static void test_v4mapped_is_v4(void)
{
	struct netaddr m = A("::ffff:192.0.2.1"), v = A("192.0.2.1");
	char buf[NETADDR_STRLEN];

	CU_ASSERT_EQUAL(m.family, AF_INET);
	CU_ASSERT_TRUE(netaddr_equal(&m, &v));
	netaddr_format(&m, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "192.0.2.1");
}

static void test_equal(void)
{
	struct netaddr a = A("2001:db8::1"), b = A("2001:0db8:0:0::0001"), c = A("2001:db8::2");

	CU_ASSERT_TRUE(netaddr_equal(&a, &b));
	CU_ASSERT_FALSE(netaddr_equal(&a, &c));
	a = A("0.0.0.1");
	b = A("::1");
	CU_ASSERT_FALSE(netaddr_equal(&a, &b));
}

static void test_snum(void)
{
	struct netaddr a;
	char buf[NETADDR_STRLEN];

	CU_ASSERT_TRUE(netaddr_parse_ipv4_snum("010.001.000.099", 15, &a));
	netaddr_format(&a, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "10.1.0.99");
	CU_ASSERT_FALSE(netaddr_parse_ipv4_snum("1.2.3.4x", 8, &a));
	CU_ASSERT_FALSE(netaddr_parse_ipv4_snum("1.2.3.", 6, &a));
	CU_ASSERT_FALSE(netaddr_parse_ipv4_snum("1..3.4", 6, &a));
	CU_ASSERT_FALSE(netaddr_parse_ipv4_snum("1.2.3.0256", 10, &a));
	/* only len bytes are read */
	CU_ASSERT_TRUE(netaddr_parse_ipv4_snum("1.2.3.4]", 7, &a));
}

static void test_special(void)
{
	struct netaddr a = A("0.0.0.0"), b = A("::"), c = A("10.1.2.3"),
		      d = A("172.31.0.1"), e = A("172.32.0.1"), f = A("fd00::1"),
		      g = A("100.64.0.1"), h = A("192.168.1.1"), i = A("8.8.8.8");

	CU_ASSERT_TRUE(netaddr_is_unspecified(&a));
	CU_ASSERT_TRUE(netaddr_is_unspecified(&b));
	CU_ASSERT_FALSE(netaddr_is_unspecified(&c));
	CU_ASSERT_TRUE(netaddr_is_private(&c));
	CU_ASSERT_TRUE(netaddr_is_private(&d));
	CU_ASSERT_FALSE(netaddr_is_private(&e));
	CU_ASSERT_TRUE(netaddr_is_private(&f));
	CU_ASSERT_TRUE(netaddr_is_private(&g));
	CU_ASSERT_TRUE(netaddr_is_private(&h));
	CU_ASSERT_FALSE(netaddr_is_private(&i));
}

static void test_cidr(void)
{
	struct cidr c;
	const char *why;
	struct netaddr in = A("192.0.2.200"), out = A("192.0.3.1"), v6 = A("2001:db8:ff::1");

	CU_ASSERT_TRUE(cidr_parse("192.0.2.0/24", &c, &why));
	CU_ASSERT_TRUE(cidr_contains(&c, &in));
	CU_ASSERT_FALSE(cidr_contains(&c, &out));
	CU_ASSERT_FALSE(cidr_contains(&c, &v6));
	CU_ASSERT_TRUE(cidr_parse("192.0.2.128/25", &c, &why));
	CU_ASSERT_TRUE(cidr_contains(&c, &in));
	CU_ASSERT_TRUE(cidr_parse("192.0.2.0/25", &c, &why));
	CU_ASSERT_FALSE(cidr_contains(&c, &in));
	CU_ASSERT_TRUE(cidr_parse("2001:db8::/32", &c, &why));
	CU_ASSERT_TRUE(cidr_contains(&c, &v6));
	CU_ASSERT_TRUE(cidr_parse("[2001:db8::]/32", &c, &why));
	CU_ASSERT_TRUE(cidr_contains(&c, &v6));
	CU_ASSERT_TRUE(cidr_parse("2001:db8:fe::/48", &c, &why));
	CU_ASSERT_FALSE(cidr_contains(&c, &v6));
	CU_ASSERT_TRUE(cidr_parse("0.0.0.0/0", &c, &why));
	CU_ASSERT_TRUE(cidr_contains(&c, &out));
	CU_ASSERT_TRUE(cidr_parse("192.0.2.200", &c, &why));
	CU_ASSERT_EQUAL(c.prefix, 32);
	CU_ASSERT_TRUE(cidr_contains(&c, &in));
	/* an IPv4-mapped network is an IPv4 network */
	CU_ASSERT_TRUE(cidr_parse("::ffff:192.0.2.0/120", &c, &why));
	CU_ASSERT_EQUAL(c.addr.family, AF_INET);
	CU_ASSERT_EQUAL(c.prefix, 24);
	CU_ASSERT_TRUE(cidr_contains(&c, &in));
}

static void test_cidr_errors(void)
{
	struct cidr c;
	const char *why = NULL;

	CU_ASSERT_FALSE(cidr_parse("192.0.2.0/33", &c, &why));
	CU_ASSERT_STRING_EQUAL(why, "prefix length out of range");
	CU_ASSERT_FALSE(cidr_parse("2001:db8::/129", &c, &why));
	CU_ASSERT_FALSE(cidr_parse("192.0.2.0/", &c, &why));
	CU_ASSERT_STRING_EQUAL(why, "prefix length is not a number");
	CU_ASSERT_FALSE(cidr_parse("192.0.2.0/-1", &c, &why));
	CU_ASSERT_FALSE(cidr_parse("192.0.2.0/24x", &c, &why));
	CU_ASSERT_FALSE(cidr_parse("mail.example.com", &c, &why));
	CU_ASSERT_STRING_EQUAL(why, "not an IP address");
	CU_ASSERT_FALSE(cidr_parse("/24", &c, &why));
	CU_ASSERT_FALSE(cidr_parse("192.0.2.0/24/8", &c, &why));
}

static void test_cidrset(void)
{
	struct cidrset set = {0};
	struct cidr c;
	const char *why;
	struct netaddr a = A("127.0.0.1"), b = A("::1"), x = A("127.0.1.10");

	CU_ASSERT_TRUE(cidr_parse("127.0.0.1/32", &c, &why));
	CU_ASSERT_TRUE(cidrset_add(&set, &c));
	CU_ASSERT_TRUE(cidr_parse("::1/128", &c, &why));
	CU_ASSERT_TRUE(cidrset_add(&set, &c));
	CU_ASSERT_TRUE(cidrset_contains(&set, &a));
	CU_ASSERT_TRUE(cidrset_contains(&set, &b));
	CU_ASSERT_FALSE(cidrset_contains(&set, &x));
	cidrset_free(&set);
	CU_ASSERT_FALSE(cidrset_contains(&set, &a));
}

/* netaddr_to_sockaddr and netaddr_from_sockaddr undo each other, port kept. */
static void test_sockaddr_round_trip(void)
{
	static const char *const texts[] = {"192.0.2.25", "2001:db8::25", "::1", "127.0.0.1"};

	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		struct sockaddr_storage ss;
		struct netaddr a, b;
		socklen_t len;

		CU_ASSERT_TRUE_FATAL(netaddr_parse(texts[i], &a));
		len = netaddr_to_sockaddr(&a, 2525, &ss);
		CU_ASSERT_EQUAL(ss.ss_family, a.family);
		CU_ASSERT_EQUAL(len, a.family == AF_INET6 ? sizeof(struct sockaddr_in6)
						       : sizeof(struct sockaddr_in));
		CU_ASSERT_EQUAL(ntohs(a.family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
						  : ((struct sockaddr_in *)&ss)->sin_port), 2525);
		CU_ASSERT_TRUE(netaddr_from_sockaddr((struct sockaddr *)&ss, &b));
		CU_ASSERT_TRUE(netaddr_equal(&a, &b));
	}
}

int main(void)
{
	CU_TestInfo tests[] = {
		UNIT_TEST(test_parse), UNIT_TEST(test_v4mapped_is_v4), UNIT_TEST(test_equal),
		UNIT_TEST(test_snum), UNIT_TEST(test_special), UNIT_TEST(test_cidr),
		UNIT_TEST(test_cidr_errors), UNIT_TEST(test_cidrset),
		UNIT_TEST(test_sockaddr_round_trip), CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {{"netaddr", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};

	return unit_run(suites);
}
