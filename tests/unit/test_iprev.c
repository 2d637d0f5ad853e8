/*
 * test_iprev.c -- forward-confirmed reverse DNS, HELO DNS facts and the
 * generic-name heuristic, through a fake resolver.
 */
#include "autoconfig.h"

#include "fake_resolver.h"
#include "helodns.h"
#include "iprev.h"
#include "mxhosts.h"
#include "unit.h"

static const struct fake_row zone[] = {
	/* 192.0.2.10: one PTR, confirmed */
	{"10.2.0.192.in-addr.arpa", DNS_T_PTR, DNS_ANSWER, {"mail.sender.example"}, NULL},
	{"mail.sender.example", DNS_T_A, DNS_ANSWER, {"192.0.2.10"}, NULL},
	/* 192.0.2.11: PTR to a name that points elsewhere */
	{"11.2.0.192.in-addr.arpa", DNS_T_PTR, DNS_ANSWER, {"liar.sender.example"}, NULL},
	{"liar.sender.example", DNS_T_A, DNS_ANSWER, {"198.51.100.1"}, NULL},
	/* 192.0.2.12: no PTR (NXDOMAIN by default) */
	/* 192.0.2.13: PTR lookup fails */
	{"13.2.0.192.in-addr.arpa", DNS_T_PTR, DNS_TEMPFAIL, {NULL}, NULL},
	/* 192.0.2.14: three names, only the third confirms */
	{"14.2.0.192.in-addr.arpa", DNS_T_PTR, DNS_ANSWER,
	 {"a.sender.example", "b.sender.example", "c.sender.example"}, NULL},
	{"a.sender.example", DNS_T_A, DNS_ANSWER, {"192.0.2.99"}, NULL},
	{"b.sender.example", DNS_T_A, DNS_NODATA, {NULL}, NULL},
	{"c.sender.example", DNS_T_A, DNS_ANSWER, {"192.0.2.98", "192.0.2.14"}, NULL},
	/* 192.0.2.15: the forward lookup fails */
	{"15.2.0.192.in-addr.arpa", DNS_T_PTR, DNS_ANSWER, {"flaky.sender.example"}, NULL},
	{"flaky.sender.example", DNS_T_A, DNS_TEMPFAIL, {NULL}, NULL},
	/* 192.0.2.16: confirmed through a CNAME chain */
	{"16.2.0.192.in-addr.arpa", DNS_T_PTR, DNS_ANSWER, {"alias.sender.example"}, NULL},
	{"alias.sender.example", DNS_T_A, DNS_NODATA, {NULL}, "alias2.other.example"},
	{"alias2.other.example", DNS_T_A, DNS_NODATA, {NULL}, "real.other.example"},
	{"real.other.example", DNS_T_A, DNS_ANSWER, {"192.0.2.16"}, NULL},
	/* 192.0.2.17: a CNAME loop */
	{"17.2.0.192.in-addr.arpa", DNS_T_PTR, DNS_ANSWER, {"loop1.sender.example"}, NULL},
	{"loop1.sender.example", DNS_T_A, DNS_NODATA, {NULL}, "loop2.sender.example"},
	{"loop2.sender.example", DNS_T_A, DNS_NODATA, {NULL}, "loop1.sender.example"},
	/* 2001:db8::25, IPv6: nibble PTR, AAAA confirmation */
	{"5.2.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa", DNS_T_PTR,
	 DNS_ANSWER, {"v6.sender.example"}, NULL},
	{"v6.sender.example", DNS_T_AAAA, DNS_ANSWER, {"2001:db8::25"}, NULL},
	{"v6.sender.example", DNS_T_A, DNS_ANSWER, {"192.0.2.25"}, NULL},
	/* HELO names */
	{"mxonly.sender.example", DNS_T_MX, DNS_ANSWER, {"10 mail.sender.example"}, NULL},
	{"nullmx.sender.example", DNS_T_MX, DNS_ANSWER, {"0 "}, NULL},
	{"broken.sender.example", DNS_T_A, DNS_TEMPFAIL, {NULL}, NULL},
	/* recipient domains */
	{"example.net", DNS_T_MX, DNS_ANSWER, {"10 mx1.example.net", "20 mx2.example.net"}, NULL},
	{"mx1.example.net", DNS_T_A, DNS_ANSWER, {"198.51.100.25"}, NULL},
	{"mx1.example.net", DNS_T_AAAA, DNS_ANSWER, {"2001:db8::25"}, NULL},
	{"mx2.example.net", DNS_T_A, DNS_TEMPFAIL, {NULL}, NULL},
	{"implicit.example", DNS_T_MX, DNS_NODATA, {NULL}, NULL},
	{"implicit.example", DNS_T_A, DNS_ANSWER, {"198.51.100.30"}, NULL},
	{"nomail.example", DNS_T_MX, DNS_ANSWER, {"0 "}, NULL},
	{"mixed.example", DNS_T_MX, DNS_ANSWER, {"0 ", "10 mx1.example.net"}, NULL},
	{"broken.example", DNS_T_MX, DNS_TEMPFAIL, {NULL}, NULL},
	{NULL, 0, 0, {NULL}, NULL},
};

static struct iprev_facts facts;

static enum iprev_result run(const char *addr, size_t max)
{
	struct fake_resolver r = fake_resolver(zone);
	struct netaddr a;

	CU_ASSERT_TRUE_FATAL(netaddr_parse(addr, &a));
	iprev_gather(&r.base, &a, max, &facts);
	return facts.result;
}

static void test_iprev_outcomes(void)
{
	CU_ASSERT_EQUAL(run("192.0.2.10", 10), IPREV_PASS);
	CU_ASSERT_STRING_EQUAL(iprev_name(&facts), "mail.sender.example");
	CU_ASSERT_EQUAL(run("192.0.2.11", 10), IPREV_FAIL);
	CU_ASSERT_STRING_EQUAL(iprev_name(&facts), "liar.sender.example");
	CU_ASSERT_EQUAL(run("192.0.2.12", 10), IPREV_PERMERROR);
	CU_ASSERT_PTR_NULL(iprev_name(&facts));
	CU_ASSERT_EQUAL(run("192.0.2.13", 10), IPREV_TEMPERROR);
	CU_ASSERT_EQUAL(facts.count, 0);
	CU_ASSERT_EQUAL(run("192.0.2.15", 10), IPREV_TEMPERROR);
	CU_ASSERT_EQUAL(facts.count, 1);
}

static void test_iprev_many_names(void)
{
	CU_ASSERT_EQUAL(run("192.0.2.14", 10), IPREV_PASS);
	CU_ASSERT_EQUAL(facts.confirmed, 2);
	CU_ASSERT_STRING_EQUAL(iprev_name(&facts), "c.sender.example");
	/* ptr_max_names cuts the list: the confirming name is not reached */
	CU_ASSERT_EQUAL(run("192.0.2.14", 2), IPREV_FAIL);
	CU_ASSERT_EQUAL(facts.count, 2);
	CU_ASSERT_EQUAL(facts.total, 3);
}

static void test_iprev_cnames(void)
{
	CU_ASSERT_EQUAL(run("192.0.2.16", 10), IPREV_PASS);
	CU_ASSERT_EQUAL(run("192.0.2.17", 10), IPREV_TEMPERROR);
}

static void test_iprev_ipv6(void)
{
	CU_ASSERT_EQUAL(run("2001:db8::25", 10), IPREV_PASS);
	CU_ASSERT_EQUAL(run("192.0.2.25", 10), IPREV_PERMERROR);
}

static void test_helo_dns(void)
{
	struct fake_resolver r = fake_resolver(zone);
	struct helo_dns_facts h;
	struct netaddr c;

	netaddr_parse("192.0.2.10", &c);
	helo_dns_gather(&r.base, "mail.sender.example", &c, &h);
	CU_ASSERT_EQUAL(h.exists, TRI_YES);
	CU_ASSERT_EQUAL(h.matches_client, TRI_YES);
	helo_dns_gather(&r.base, "liar.sender.example", &c, &h);
	CU_ASSERT_EQUAL(h.exists, TRI_YES);
	CU_ASSERT_EQUAL(h.matches_client, TRI_NO);
	helo_dns_gather(&r.base, "mxonly.sender.example", &c, &h);
	CU_ASSERT_EQUAL(h.exists, TRI_YES);
	CU_ASSERT_EQUAL(h.matches_client, TRI_NO);
	helo_dns_gather(&r.base, "nullmx.sender.example", &c, &h);
	CU_ASSERT_EQUAL(h.exists, TRI_YES);        /* a null MX is a record */
	helo_dns_gather(&r.base, "nowhere.sender.example", &c, &h);
	CU_ASSERT_EQUAL(h.exists, TRI_NO);
	helo_dns_gather(&r.base, "broken.sender.example", &c, &h);
	CU_ASSERT_EQUAL(h.exists, TRI_TEMP);
	CU_ASSERT_EQUAL(h.matches_client, TRI_TEMP);
	/* A, AAAA and MX are all asked before any is read: in parallel */
	r.submitted = 0;
	helo_dns_gather(&r.base, "alias.sender.example", &c, &h);
	CU_ASSERT_TRUE(r.submitted >= 3);
	CU_ASSERT_EQUAL(h.exists, TRI_YES);
}

static void test_mx_hosts(void)
{
	struct fake_resolver r = fake_resolver(zone);
	struct mx_hosts m;
	struct netaddr a;

	mx_hosts_gather(&r.base, "example.net", &m);
	CU_ASSERT_EQUAL(m.status, TRI_YES);
	CU_ASSERT_EQUAL(m.count, 2);
	CU_ASSERT_EQUAL(m.hosts[1].pref, 20);
	CU_ASSERT_EQUAL(m.naddrs, 2);
	CU_ASSERT_TRUE(m.addrs_temp);
	CU_ASSERT_TRUE(mx_hosts_has_name(&m, "MX2.example.net."));
	netaddr_parse("2001:db8::25", &a);
	CU_ASSERT_TRUE(mx_hosts_has_addr(&m, &a));
	mx_hosts_gather(&r.base, "implicit.example", &m);
	CU_ASSERT_TRUE(m.implicit);
	CU_ASSERT_EQUAL(m.count, 1);
	CU_ASSERT_EQUAL(m.hosts[0].pref, 0);
	CU_ASSERT_STRING_EQUAL(m.hosts[0].name, "implicit.example");
	CU_ASSERT_EQUAL(m.naddrs, 1);
	mx_hosts_gather(&r.base, "nomail.example", &m);
	CU_ASSERT_TRUE(m.null_mx);
	CU_ASSERT_EQUAL(m.status, TRI_NO);
	mx_hosts_gather(&r.base, "mixed.example", &m);
	CU_ASSERT_TRUE(m.null_mx);
	CU_ASSERT_EQUAL(m.count, 1);
	CU_ASSERT_EQUAL(m.status, TRI_YES);
	mx_hosts_gather(&r.base, "broken.example", &m);
	CU_ASSERT_EQUAL(m.status, TRI_TEMP);
	mx_hosts_gather(&r.base, "nonexistent.example", &m);
	CU_ASSERT_EQUAL(m.status, TRI_NO);
}

struct generic_row {
	const char *name;
	const char *client;
	bool generic;
};

static const struct generic_row names[] = {
	/* residential and dynamic names: must match */
	{"203-0-113-9.dsl.example.net", "203.0.113.9", true},
	{"9.113.0.203.dynamic.example.net", "203.0.113.9", true},
	{"host-203-000-113-009.example.net", "203.0.113.9", true},
	{"cb007109.cable.example.com", "203.0.113.9", true},
	{"c0007109.example.org", "192.0.113.9", true},
	{"cb007109.example.org", "203.0.113.9", true},
	{"ppp-42.pool.example.net", "198.51.100.42", true},
	{"dhcp123.isp.example", "198.51.100.7", true},
	{"user-1a2b.cust.example.com", "198.51.100.7", true},
	{"ec2-54-240-8-54.compute-1.amazonaws.com", "54.240.8.54", true},
	{"cpe-203-0-113-9.broadband.example.net", "203.0.113.9", true},
	{"dialup-7.example.net", "198.51.100.7", true},
	{"203000113009.example.net", "203.0.113.9", true},
	{"h-cb007109.example.net", "203.0.113.9", true},
	/* big senders and ordinary mail hosts: must not match */
	{"mail-qk1-f170.google.com", "209.85.222.170", false},
	{"mail-pf1-f198.google.com", "209.85.210.198", false},
	{"a8-54.smtp-out.amazonses.com", "54.240.8.54", false},
	{"e226-9.smtp-out.us-west-2.amazonses.com", "54.240.27.9", false},
	{"mail-db8eur05on2071.outbound.protection.outlook.com", "40.107.20.71", false},
	{"o1.email.sendgrid.net", "167.89.0.1", false},
	{"mout.gmx.net", "212.227.15.19", false},
	{"mx.example.org", "192.0.2.1", false},
	{"mail.cable.example", "192.0.2.1", false},
	{"smtp.dsl-provider.example", "192.0.2.1", false},
	{"out-1.smtp.github.com", "192.30.252.1", false},
	{"localhost", "127.0.0.1", false},
};

static void test_generic_names(void)
{
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		struct netaddr a;
		bool got;

		netaddr_parse(names[i].client, &a);
		got = ptr_name_looks_generic(names[i].name, &a);
		if (got != names[i].generic)
			fprintf(stderr, "\n  %s (%s): got %d\n", names[i].name, names[i].client, got);
		CU_ASSERT_EQUAL(got, names[i].generic);
	}
}

int main(void)
{
	CU_TestInfo tests[] = {
		UNIT_TEST(test_iprev_outcomes), UNIT_TEST(test_iprev_many_names),
		UNIT_TEST(test_iprev_cnames), UNIT_TEST(test_iprev_ipv6),
		UNIT_TEST(test_helo_dns), UNIT_TEST(test_generic_names), UNIT_TEST(test_mx_hosts),
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {{"iprev", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};

	return unit_run(suites);
}
