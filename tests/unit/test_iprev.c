/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_iprev.c -- forward-confirmed reverse DNS, HELO DNS facts and the
 * generic-name heuristic, through a fake resolver.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "fake_resolver.h"
#include "core/helodns.h"
#include "core/iprev.h"
#include "core/mxhosts.h"
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
	/* 192.0.2.20: shared hosting, five names; the last two confirm */
	{"20.2.0.192.in-addr.arpa", DNS_T_PTR, DNS_ANSWER,
	 {"a.hosting.example", "b.hosting.example", "c.hosting.example", "web.shared.example",
	  "mx.shared.example"}, NULL},
	{"a.hosting.example", DNS_T_A, DNS_ANSWER, {"192.0.2.99"}, NULL},
	{"b.hosting.example", DNS_T_A, DNS_ANSWER, {"192.0.2.99"}, NULL},
	{"c.hosting.example", DNS_T_A, DNS_ANSWER, {"192.0.2.99"}, NULL},
	{"web.shared.example", DNS_T_A, DNS_ANSWER, {"192.0.2.20"}, NULL},
	{"mx.shared.example", DNS_T_A, DNS_ANSWER, {"192.0.2.20"}, NULL},
	/* 192.0.2.21: under co.uk only the registrable domain relates names */
	{"21.2.0.192.in-addr.arpa", DNS_T_PTR, DNS_ANSWER,
	 {"web.other.co.uk", "www.shared.co.uk"}, NULL},
	{"web.other.co.uk", DNS_T_A, DNS_ANSWER, {"192.0.2.99"}, NULL},
	{"www.shared.co.uk", DNS_T_A, DNS_ANSWER, {"192.0.2.21"}, NULL},
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

static enum iprev_result run_helo(const char *addr, const char *helo, size_t max)
{
	struct fake_resolver r = fake_resolver(zone);
	struct netaddr a;

	CU_ASSERT_TRUE_FATAL(netaddr_parse(addr, &a));
	iprev_gather_helo(&r.base, &a, helo, max, &facts);
	return facts.result;
}

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

/* Shared hosting over ptr_max_names: the HELO name, then its domain, then the rest. */
static void test_iprev_cap_helo_first(void)
{
	/* without a HELO name: answer order, and the cap hides both confirming names */
	CU_ASSERT_EQUAL(run_helo("192.0.2.20", NULL, 2), IPREV_FAIL);
	CU_ASSERT_STRING_EQUAL(facts.names[0], "a.hosting.example");
	CU_ASSERT_EQUAL(run_helo("192.0.2.20", "", 2), IPREV_FAIL);
	CU_ASSERT_EQUAL(facts.total, 5);
	/* the name equal to the HELO name comes first, in any case, with a trailing dot */
	CU_ASSERT_EQUAL(run_helo("192.0.2.20", "mx.shared.example", 1), IPREV_PASS);
	CU_ASSERT_EQUAL(facts.count, 1);
	CU_ASSERT_STRING_EQUAL(iprev_name(&facts), "mx.shared.example");
	CU_ASSERT_EQUAL(run_helo("192.0.2.20", "MX.Shared.Example.", 1), IPREV_PASS);
	CU_ASSERT_STRING_EQUAL(iprev_name(&facts), "mx.shared.example");
	/* then the HELO's registrable domain, before the names of other domains */
	CU_ASSERT_EQUAL(run_helo("192.0.2.20", "relay.shared.example", 1), IPREV_PASS);
	CU_ASSERT_STRING_EQUAL(iprev_name(&facts), "web.shared.example");
	CU_ASSERT_EQUAL(run_helo("192.0.2.20", "mx.shared.example", 3), IPREV_PASS);
	CU_ASSERT_STRING_EQUAL(facts.names[0], "mx.shared.example");
	CU_ASSERT_STRING_EQUAL(facts.names[1], "web.shared.example");
	CU_ASSERT_STRING_EQUAL(facts.names[2], "a.hosting.example");
	CU_ASSERT_EQUAL(facts.confirmed, 0);
	/* under no cap every name is checked, the HELO's first */
	CU_ASSERT_EQUAL(run_helo("192.0.2.20", "mx.shared.example", 10), IPREV_PASS);
	CU_ASSERT_EQUAL(facts.count, 5);
	CU_ASSERT_STRING_EQUAL(facts.names[4], "c.hosting.example");
	/* a HELO in an unrelated domain changes nothing */
	CU_ASSERT_EQUAL(run_helo("192.0.2.20", "mail.elsewhere.example", 2), IPREV_FAIL);
	CU_ASSERT_STRING_EQUAL(facts.names[0], "a.hosting.example");
}

/* "co.uk" is a public suffix: other.co.uk is not the HELO's domain. */
static void test_iprev_cap_public_suffix(void)
{
	CU_ASSERT_EQUAL(run_helo("192.0.2.21", "mx.shared.co.uk", 1), IPREV_PASS);
	CU_ASSERT_STRING_EQUAL(iprev_name(&facts), "www.shared.co.uk");
	CU_ASSERT_EQUAL(run_helo("192.0.2.21", "mx.other.co.uk", 1), IPREV_FAIL);
	CU_ASSERT_STRING_EQUAL(facts.names[0], "web.other.co.uk");
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
	helodns_gather(&r.base, "mail.sender.example", &c, &h);
	CU_ASSERT_EQUAL(h.exists, TRI_YES);
	CU_ASSERT_EQUAL(h.matches_client, TRI_YES);
	helodns_gather(&r.base, "liar.sender.example", &c, &h);
	CU_ASSERT_EQUAL(h.exists, TRI_YES);
	CU_ASSERT_EQUAL(h.matches_client, TRI_NO);
	helodns_gather(&r.base, "mxonly.sender.example", &c, &h);
	CU_ASSERT_EQUAL(h.exists, TRI_YES);
	CU_ASSERT_EQUAL(h.matches_client, TRI_NO);
	helodns_gather(&r.base, "nullmx.sender.example", &c, &h);
	CU_ASSERT_EQUAL(h.exists, TRI_YES);        /* a null MX is a record */
	helodns_gather(&r.base, "nowhere.sender.example", &c, &h);
	CU_ASSERT_EQUAL(h.exists, TRI_NO);
	helodns_gather(&r.base, "broken.sender.example", &c, &h);
	CU_ASSERT_EQUAL(h.exists, TRI_TEMP);
	CU_ASSERT_EQUAL(h.matches_client, TRI_TEMP);
	/* A, AAAA and MX are all asked before any is read: in parallel */
	r.submitted = 0;
	helodns_gather(&r.base, "alias.sender.example", &c, &h);
	CU_ASSERT_TRUE(r.submitted >= 3);
	CU_ASSERT_EQUAL(h.exists, TRI_YES);
}

/* The MTA's confirmed name as HELO: exists and matches, with no question. */
static void test_helo_dns_from_mta(void)
{
	struct helo_dns_facts h = {TRI_NO, TRI_NO};

	CU_ASSERT_TRUE(helodns_from_mta("mail.sender.example", "mail.sender.example", &h));
	CU_ASSERT_EQUAL(h.exists, TRI_YES);
	CU_ASSERT_EQUAL(h.matches_client, TRI_YES);
	CU_ASSERT_TRUE(helodns_is_mta_name("mail.sender.example", "MAIL.Sender.EXAMPLE"));
	h = (struct helo_dns_facts){TRI_NO, TRI_TEMP};
	CU_ASSERT_FALSE(helodns_from_mta("liar.sender.example", "mail.sender.example", &h));
	CU_ASSERT_FALSE(helodns_from_mta("mail.sender.example", NULL, &h));
	CU_ASSERT_FALSE(helodns_from_mta("mail.sender.example", "", &h));
	CU_ASSERT_FALSE(helodns_from_mta(NULL, "mail.sender.example", &h));
	CU_ASSERT_FALSE(helodns_is_mta_name("sender.example", "mail.sender.example"));
	CU_ASSERT_EQUAL(h.exists, TRI_NO);          /* untouched when it does not apply */
	CU_ASSERT_EQUAL(h.matches_client, TRI_TEMP);
}

static void test_mx_hosts(void)
{
	struct fake_resolver r = fake_resolver(zone);
	struct mx_hosts m;
	struct netaddr a;

	mxhosts_gather(&r.base, "example.net", &m);
	CU_ASSERT_EQUAL(m.status, TRI_YES);
	CU_ASSERT_EQUAL(m.count, 2);
	CU_ASSERT_EQUAL(m.hosts[1].pref, 20);
	CU_ASSERT_EQUAL(m.naddrs, 2);
	CU_ASSERT_TRUE(m.addrs_temp);
	CU_ASSERT_TRUE(mxhosts_has_name(&m, "MX2.example.net."));
	netaddr_parse("2001:db8::25", &a);
	CU_ASSERT_TRUE(mxhosts_has_addr(&m, &a));
	mxhosts_gather(&r.base, "implicit.example", &m);
	CU_ASSERT_TRUE(m.implicit);
	CU_ASSERT_EQUAL(m.count, 1);
	CU_ASSERT_EQUAL(m.hosts[0].pref, 0);
	CU_ASSERT_STRING_EQUAL(m.hosts[0].name, "implicit.example");
	CU_ASSERT_EQUAL(m.naddrs, 1);
	mxhosts_gather(&r.base, "nomail.example", &m);
	CU_ASSERT_TRUE(m.null_mx);
	CU_ASSERT_EQUAL(m.status, TRI_NO);
	mxhosts_gather(&r.base, "mixed.example", &m);
	CU_ASSERT_TRUE(m.null_mx);
	CU_ASSERT_EQUAL(m.count, 1);
	CU_ASSERT_EQUAL(m.status, TRI_YES);
	mxhosts_gather(&r.base, "broken.example", &m);
	CU_ASSERT_EQUAL(m.status, TRI_TEMP);
	mxhosts_gather(&r.base, "nonexistent.example", &m);
	CU_ASSERT_EQUAL(m.status, TRI_NO);
}

struct generic_row {
	const char *name;
	const char *client;
	bool generic;
};

static const struct generic_row names[] = {
	/* ---- generic: the address embedded, in the orders and forms ISPs use ---- */
	{"203-0-113-9.dsl.example.net", "203.0.113.9", true},
	{"9.113.0.203.dynamic.example.net", "203.0.113.9", true},
	{"host-203-000-113-009.example.net", "203.0.113.9", true},
	{"203000113009.example.net", "203.0.113.9", true},
	{"009113000203.example.net", "203.0.113.9", true},          /* zero-padded, reversed */
	{"cb007109.example.org", "203.0.113.9", true},              /* hex */
	{"097100cb.example.org", "203.0.113.9", true},              /* hex, reversed */
	{"h-cb007109.example.net", "203.0.113.9", true},
	{"c0007109.example.org", "192.0.113.9", true},
	{"cb-00-71-09.example.net", "203.0.113.9", true},           /* hex between separators */
	{"ip.c0.a8.0.1.example.net", "192.168.0.1", true},
	{"113-9-203-0.example.net", "203.0.113.9", true},           /* another order */
	{"ec2-54-240-8-54.compute-1.amazonaws.com", "54.240.8.54", true},
	{"78.56.34.12.bc.googleusercontent.com", "12.34.56.78", true},
	{"c-73-15-200-10.hsd1.ca.comcast.net", "73.15.200.10", true},
	{"pool-71-163-22-5.washdc.fios.verizon.net", "71.163.22.5", true},
	{"cpe-24-90-12-34.nyc.res.rr.com", "24.90.12.34", true},
	{"adsl-99-12-34-56.dsl.pltn13.sbcglobal.net", "99.12.34.56", true},
	{"108-70-12-34.lightspeed.sndgca.sbcglobal.net", "108.70.12.34", true},
	{"ip68-100-12-34.ph.ph.cox.net", "68.100.12.34", true},
	{"host86-123-45-67.range86-123.btcentralplus.com", "86.123.45.67", true},
	{"dslb-088-065-012-034.088.065.pools.vodafone-ip.de", "88.65.12.34", true},
	{"ip-088-152-012-034.um23.pools.vodafone-ip.de", "88.152.12.34", true},
	{"p5B0A1234.dip0.t-ipconnect.de", "91.10.18.52", true},
	{"i59F4A1B2.versanet.de", "89.244.161.178", true},
	{"x4d0a1234.dyn.telefonica.de", "77.10.18.52", true},
	{"ip5f5a1234.dynamic.kabel-deutschland.de", "95.90.18.52", true},
	{"HSI-KBW-046-223-012-034.hsi.kabel-badenwuerttemberg.de", "46.223.12.34", true},
	{"5ED1A2B3.cm-7-1c.dynamic.ziggo.nl", "94.209.162.179", true},
	{"dhcp-077-251-012-034.chello.nl", "77.251.12.34", true},
	{"static.78.56.34.12.clients.your-server.de", "12.34.56.78", true},
	{"78.56.34.12.rev.sfr.net", "12.34.56.78", true},
	{"88-120-12-34.subs.proxad.net", "88.120.12.34", true},
	{"dynamic-adsl-78-12-34-56.clienti.tiscali.it", "78.12.34.56", true},
	{"host81-12-34-56.retail.telecomitalia.it", "81.12.34.56", true},
	{"net-2-34-56-78.cust.vodafonedsl.it", "2.34.56.78", true},
	{"94.66.12.34.dsl.dyn.forthnet.gr", "94.66.12.34", true},
	{"ppp-94-66-12-34.home.otenet.gr", "94.66.12.34", true},
	{"host-95-12-34-56.dynamic.voo.be", "95.12.34.56", true},
	{"188-23-12-34.adsl.highway.telekom.at", "188.23.12.34", true},
	{"cable-188-2-12-34.dynamic.sbb.rs", "188.2.12.34", true},
	{"mm-12-34-56-78.mgts.dynamic.pppoe.byfly.by", "78.56.34.12", true},
	{"broadband-95-84-12-34.ip.moscow.rt.ru", "95.84.12.34", true},
	{"85-76-12-34-nat.elisa-mobile.fi", "85.76.12.34", true},
	{"37-48-12-34.nat.epc.tmcz.cz", "37.48.12.34", true},
	{"179-125-12-34.dynamic.desktop.com.br", "179.125.12.34", true},
	{"187-45-12-34.user.veloxzone.com.br", "187.45.12.34", true},
	{"201-1-23-45.dsl.telesp.net.br", "201.1.23.45", true},
	{"customer-187-141-12-34.uninet-ide.com.mx", "187.141.12.34", true},
	{"softbank126001002003.bbtec.net", "126.1.2.3", true},
	{"FL1-122-131-12-34.tky.mesh.ad.jp", "122.131.12.34", true},
	{"i121-115-12-34.s41.a013.ap.plala.or.jp", "121.115.12.34", true},
	{"ppp-110-168-12-34.revip5.asianet.co.th", "110.168.12.34", true},
	{"1-160-12-34.dynamic-ip.hinet.net", "1.160.12.34", true},
	{"114-136-12-34.emome-ip.hinet.net", "114.136.12.34", true},
	{"mobile-166-170-12-34.mycingular.net", "166.170.12.34", true},
	{"CPE-123-211-12-34.lnse4.cha.bigpond.net.au", "123.211.12.34", true},
	{"203-219-12-34.static.tpgi.com.au", "203.219.12.34", true},
	{"cpe-203-0-113-9.broadband.example.net", "203.0.113.9", true},
	/* a generic token outweighs a mail host's word */
	{"mail.203-0-113-9.dynamic.isp.example", "203.0.113.9", true},
	/* ---- generic: a token alone (plurals, access technologies) ---- */
	{"ppp-42.pool.example.net", "198.51.100.42", true},
	{"dhcp123.isp.example", "198.51.100.7", true},
	{"user-1a2b.cust.example.com", "198.51.100.7", true},
	{"dialup-7.example.net", "198.51.100.7", true},
	{"cpc123456-sgyl39-2-0-cust123.18-2.cable.virginm.net", "82.12.34.56", true},
	{"lfbn-lyo-1-1234-56.w86-200.abo.wanadoo.fr", "86.200.12.34", true},
	{"bl13-12-34.dsl.telepac.pt", "188.81.12.34", true},
	{"dsl-hkibng31-54fa12-34.dhcp.inet.fi", "84.250.12.34", true},
	{"a12-34.pools.isp.example", "198.51.100.7", true},
	{"node7.clients.isp.example", "198.51.100.7", true},
	{"x7.hosts.isp.example", "198.51.100.7", true},
	{"adsl2.isp.example", "198.51.100.7", true},
	{"vdsl2-12.bras1.isp.example", "198.51.100.7", true},
	{"pppoe-56.bras1.isp.example", "198.51.100.7", true},
	{"cablemodem-12.isp.example", "198.51.100.7", true},
	{"cust12.fttx.isp.example", "198.51.100.7", true},
	{"n12.ftth.isp.example", "198.51.100.7", true},
	{"wimax-123.isp.example", "198.51.100.7", true},
	{"rev12.lte.operator.example", "198.51.100.7", true},
	{"gw1.4g.operator.example", "198.51.100.7", true},
	{"a1.3g.operator.example", "198.51.100.7", true},
	{"2001-db8--25.dyn.example.net", "2001:db8::25", true},
	/* ---- not generic: the big senders' real shapes ---- */
	{"mail-wr1-f54.google.com", "209.85.221.54", false},
	{"mail-pl1-f177.google.com", "209.85.214.177", false},
	{"mail-qk1-f170.google.com", "209.85.222.170", false},
	/* two letters and a digit, as Gmail writes them: no token ("cm", "bb") */
	{"mail-cm1-f50.google.com", "209.85.219.50", false},
	{"mail-bb1-f50.google.com", "209.85.219.50", false},
	{"cm1.cable.isp.example", "203.0.113.9", true},
	{"host.cm.isp.example", "203.0.113.9", true},
	{"mail-pf1-f198.google.com", "209.85.210.198", false},
	{"mail-ej1-f43.google.com", "209.85.218.43", false},
	{"mail-am6eur05on2070.outbound.protection.outlook.com", "40.107.22.70", false},
	{"mail-db8eur05on2071.outbound.protection.outlook.com", "40.107.20.71", false},
	{"mail-dm6nam12on2093.outbound.protection.outlook.com", "40.107.243.93", false},
	/* Outlook.com embeds the address, zero-padded: "mail" outweighs it */
	{"mail-oln040092066037.outbound.protection.outlook.com", "40.92.66.37", false},
	{"a8-30.smtp-out.amazonses.com", "54.240.8.30", false},
	{"a8-54.smtp-out.amazonses.com", "54.240.8.54", false},
	{"a48-103.smtp-out.amazonses.com", "54.240.48.103", false},
	{"e226-9.smtp-out.us-west-2.amazonses.com", "54.240.27.9", false},
	{"sonic302-20.consmr.mail.ne1.yahoo.com", "66.163.186.147", false},
	{"sonic310-21.consmr.mail.gq1.yahoo.com", "98.137.69.147", false},
	{"m228-12.mailgun.net", "159.135.228.12", false},
	{"m42-8.mailgun.net", "69.72.42.8", false},
	{"o1.ptr1234.sendgrid.net", "167.89.1.12", false},
	{"o16.email.example.com", "149.72.1.16", false},
	{"o1.email.sendgrid.net", "167.89.0.1", false},
	{"mr85p00im-zteg06011501.me.com", "17.58.23.181", false},
	{"ms11p00im-qufo17281801.me.com", "17.58.38.42", false},
	{"st43p00im-zteg10063501.me.com", "17.58.63.172", false},
	/*
	 * Facebook names its outbound hosts by their address under
	 * mail-mail.facebook.com: the "mail" words say it is a mail host on
	 * purpose, so it is not judged generic (the choice documented in
	 * iprev.c's mail_tokens).
	 */
	{"66-220-155-178.mail-mail.facebook.com", "66.220.155.178", false},
	{"69-171-232-143.mail-mail.facebook.com", "69.171.232.143", false},
	{"mail180-12.suw21.mandrillapp.com", "198.2.180.12", false},
	{"mail131.atl121.mcdlv.net", "198.2.131.20", false},
	{"sender4-op-o12.zoho.com", "136.143.188.12", false},
	{"mout.gmx.net", "212.227.15.19", false},
	{"out-1.smtp.github.com", "192.30.252.1", false},
	/* a mail host's word outweighs an address its owner embedded */
	{"smtp-198-51-100-7.example.net", "198.51.100.7", false},
	/* ---- not generic: the registered domain's own labels are not read ---- */
	{"smtp.broadband.co.uk", "81.2.69.160", false},
	{"mx1.pool.com.au", "203.0.113.25", false},
	{"mail.cable.example", "192.0.2.1", false},
	{"smtp.dsl-provider.example", "192.0.2.1", false},
	{"mail.dynamic.co.jp", "192.0.2.1", false},
	{"dsl.co.uk", "192.0.2.1", false},
	{"mx.example.org", "192.0.2.1", false},
	{"mail.example.org", "2001:db8::25", false},
	/* another address, or only part of this one, is no evidence */
	{"203-0-113-10.example.net", "203.0.113.9", false},
	{"host-113-9.example.net", "203.0.113.9", false},
	{"cb00710a.example.org", "203.0.113.9", false},
	{"localhost", "127.0.0.1", false},
	{"example", "192.0.2.1", false},
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

/* ---- the MTA's answer ------------------------------------------------------ */

static const struct {
	const char *resolve, *name, *client;
	bool taken;
} mta_answers[] = {
	{"OK", "mail.sender.example", "192.0.2.10", true},
	{"OK", "Mail.Sender.Example.", "192.0.2.10", true},     /* as DNS writes it */
	{"OK", "mail.sender.example", "2001:db8::10", true},
	/* the MTA found no confirmed name: the filter looks up for itself */
	{"FAIL", "mail.sender.example", "192.0.2.10", false},
	{"FORGED", "mail.sender.example", "192.0.2.10", false},
	{"TEMP", "mail.sender.example", "192.0.2.10", false},
	{"ok", "mail.sender.example", "192.0.2.10", false},
	{"", "mail.sender.example", "192.0.2.10", false},
	{NULL, "mail.sender.example", "192.0.2.10", false},
	{"OK", NULL, "192.0.2.10", false},
	{"OK", "", "192.0.2.10", false},
	{"OK", "unknown", "192.0.2.10", false},
	{"OK", "UNKNOWN", "192.0.2.10", false},
	{"OK", "[192.0.2.10]", "192.0.2.10", false},  /* Sendmail's name for no name */
	{"OK", ".", "192.0.2.10", false},
	{"OK", "bad name.example", "192.0.2.10", false},
	{"OK", "bad\x01.example", "192.0.2.10", false},
	/* generic: another PTR name, not generic, might yet settle ptr_generic */
	{"OK", "192-0-2-10.dsl.sender.example", "192.0.2.10", false},
	{"OK", "pool-42.dyn.isp.example", "192.0.2.10", false},
};

/* Taken only when the MTA confirmed a plain host name that settles the checks alone. */
static void test_iprev_from_mta(void)
{
	for (size_t i = 0; i < sizeof mta_answers / sizeof mta_answers[0]; i++) {
		struct netaddr a;
		struct iprev_facts f;
		bool got;

		CU_ASSERT_TRUE_FATAL(netaddr_parse(mta_answers[i].client, &a));
		memset(&f, 0x5a, sizeof f);
		got = iprev_from_mta(mta_answers[i].resolve, mta_answers[i].name, &a, NULL, &f);
		if (got != mta_answers[i].taken)
			fprintf(stderr, "\n  %s %s: got %d\n", mta_answers[i].resolve ?
				mta_answers[i].resolve : "(null)", mta_answers[i].name ?
				mta_answers[i].name : "(null)", got);
		CU_ASSERT_EQUAL(got, mta_answers[i].taken);
		if (got) {
			CU_ASSERT_EQUAL(f.result, IPREV_PASS);
			CU_ASSERT_STRING_EQUAL(iprev_name(&f), "mail.sender.example");
		}
	}
}

/* The facts are those the filter's own lookups give for a client with one confirmed name. */
static void test_iprev_from_mta_as_dns(void)
{
	struct netaddr a;
	struct iprev_facts mta;

	CU_ASSERT_EQUAL(run("192.0.2.10", 10), IPREV_PASS);
	CU_ASSERT_TRUE_FATAL(netaddr_parse("192.0.2.10", &a));
	CU_ASSERT_TRUE_FATAL(iprev_from_mta("OK", "mail.sender.example", &a, NULL, &mta));
	CU_ASSERT_EQUAL(mta.result, facts.result);
	CU_ASSERT_EQUAL(mta.count, facts.count);
	CU_ASSERT_EQUAL(mta.total, facts.total);
	CU_ASSERT_EQUAL(mta.confirmed, facts.confirmed);
	CU_ASSERT_EQUAL(mta.forward[0], facts.forward[0]);
	CU_ASSERT_STRING_EQUAL(mta.names[0], facts.names[0]);
	CU_ASSERT_PTR_NULL(mta.why);
}

/* With allow_ptr set, a name outside it is looked up: another PTR name may be inside. */
static void test_iprev_from_mta_allow_ptr(void)
{
	struct namelist allow = {0};
	struct netaddr a;
	struct iprev_facts f;

	CU_ASSERT_TRUE_FATAL(netaddr_parse("192.0.2.10", &a));
	CU_ASSERT_TRUE_FATAL(namelist_add(&allow, "partner.example"));
	CU_ASSERT_FALSE(iprev_from_mta("OK", "mail.sender.example", &a, &allow, &f));
	CU_ASSERT_TRUE(iprev_from_mta("OK", "out.partner.example", &a, &allow, &f));
	CU_ASSERT_FALSE(iprev_from_mta("OK", "evilpartner.example", &a, &allow, &f));
	namelist_free(&allow);
	CU_ASSERT_TRUE(iprev_from_mta("OK", "mail.sender.example", &a, &allow, &f));
}

int main(void)
{
	CU_TestInfo tests[] = {
		UNIT_TEST(test_iprev_outcomes), UNIT_TEST(test_iprev_many_names),
		UNIT_TEST(test_iprev_cap_helo_first), UNIT_TEST(test_iprev_cap_public_suffix),
		UNIT_TEST(test_iprev_cnames), UNIT_TEST(test_iprev_ipv6),
		UNIT_TEST(test_helo_dns), UNIT_TEST(test_helo_dns_from_mta),
		UNIT_TEST(test_generic_names), UNIT_TEST(test_mx_hosts),
		UNIT_TEST(test_iprev_from_mta), UNIT_TEST(test_iprev_from_mta_as_dns),
		UNIT_TEST(test_iprev_from_mta_allow_ptr),
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {{"iprev", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};

	return unit_run(suites);
}
