/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_mxroute.c -- route classification over MX sets: primary, backup,
 * equal preferences, implicit MX, null MX, not listed, exchangers without
 * addresses, IPv6-only exchangers, NAT mapping, temporary failures; the
 * text of a route, a probed backup's among them.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "fake_resolver.h"
#include "core/mxroute.h"
#include "unit.h"

static const struct fake_row zone[] = {
	{"example.net", DNS_T_MX, DNS_ANSWER, {"10 mx1.example.net", "20 mx2.example.net"}, NULL},
	{"mx1.example.net", DNS_T_A, DNS_ANSWER, {"198.51.100.1"}, NULL},
	{"mx2.example.net", DNS_T_A, DNS_ANSWER, {"198.51.100.2"}, NULL},
	{"equal.example", DNS_T_MX, DNS_ANSWER, {"10 mx1.example.net", "10 mx2.example.net"}, NULL},
	{"implicit.example", DNS_T_MX, DNS_NODATA, {NULL}, NULL},
	{"implicit.example", DNS_T_A, DNS_ANSWER, {"198.51.100.1"}, NULL},
	{"nomail.example", DNS_T_MX, DNS_ANSWER, {"0 "}, NULL},
	{"mixed.example", DNS_T_MX, DNS_ANSWER, {"0 ", "20 mx2.example.net"}, NULL},
	{"v6.example", DNS_T_MX, DNS_ANSWER, {"10 v6mx1.example", "20 v6mx2.example"}, NULL},
	{"v6mx1.example", DNS_T_AAAA, DNS_ANSWER, {"2001:db8::1"}, NULL},
	{"v6mx2.example", DNS_T_AAAA, DNS_ANSWER, {"2001:db8::2"}, NULL},
	{"ghost.example", DNS_T_MX, DNS_ANSWER, {"5 noaddr.example", "20 mx2.example.net"}, NULL},
	{"cname.example", DNS_T_MX, DNS_ANSWER, {"10 alias.example", "20 mx1.example.net"}, NULL},
	{"alias.example", DNS_T_A, DNS_NODATA, {NULL}, "mx2.example.net"},
	{"flaky.example", DNS_T_MX, DNS_ANSWER, {"10 broken.example", "20 mx2.example.net"}, NULL},
	{"flaky2.example", DNS_T_MX, DNS_ANSWER, {"10 broken.example"}, NULL},
	{"broken.example", DNS_T_A, DNS_TEMPFAIL, {NULL}, NULL},
	{"down.example", DNS_T_MX, DNS_TEMPFAIL, {NULL}, NULL},
	{NULL, 0, 0, {NULL}, NULL},
};

static char text[300];

static const char *route_of(const char *domain, const char *local, const char *nat)
{
	struct fake_resolver r = fake_resolver(zone);
	struct mx_hosts mx;
	struct netaddr l;
	struct local_address pair;
	struct local_addresses map = {&pair, 0};
	struct route route;

	if (nat != NULL) {
		netaddr_parse(local, &pair.local);
		netaddr_parse(nat, &pair.public);
		map.count = 1;
	}
	mxhosts_gather(&r.base, domain, &mx);
	if (local)
		netaddr_parse(local, &l);
	mxroute_classify(&mx, local ? &l : NULL, &map, &route);
	mxroute_format(&route, text, sizeof text);
	return text;
}

#define ROUTE(domain, local, nat, want) CU_ASSERT_STRING_EQUAL(route_of(domain, local, nat), want)

static void test_routes(void)
{
	ROUTE("example.net", "198.51.100.1", NULL, "primary(pref=10)");
	ROUTE("example.net", "198.51.100.2", NULL, "backup(pref=20,primary=mx1.example.net)");
	ROUTE("example.net", "198.51.100.3", NULL, "none");
	ROUTE("equal.example", "198.51.100.2", NULL, "primary(pref=10)");
	ROUTE("implicit.example", "198.51.100.1", NULL, "primary(pref=0)");
	ROUTE("implicit.example", "198.51.100.2", NULL, "none");
	ROUTE("nomail.example", "198.51.100.1", NULL, "nullmx");
	ROUTE("mixed.example", "198.51.100.2", NULL, "primary(pref=20)");
	ROUTE("v6.example", "2001:db8::2", NULL, "backup(pref=20,primary=v6mx1.example)");
	ROUTE("v6.example", "198.51.100.1", NULL, "none");
	/* an exchanger without addresses still outranks us */
	ROUTE("ghost.example", "198.51.100.2", NULL, "backup(pref=20,primary=noaddr.example)");
	/* an exchanger that is a CNAME: its target's addresses count */
	ROUTE("cname.example", "198.51.100.2", NULL, "primary(pref=10)");
	ROUTE("nonexistent.example", "198.51.100.1", NULL, "none");
}

static void test_unknown(void)
{
	ROUTE("down.example", "198.51.100.1", NULL, "unknown(dns)");
	ROUTE("example.net", NULL, NULL, "unknown(no-local-address)");
	/* we are listed at 20, an exchanger at 10 failed: still backup */
	ROUTE("flaky.example", "198.51.100.2", NULL, "backup(pref=20,primary=broken.example)");
	/* not found among the addresses we have, and some failed: unknown */
	ROUTE("flaky2.example", "198.51.100.2", NULL, "unknown(dns)");
}

/*
 * A large RRset, generated: "big.example" lists 38 exchangers at 30 before
 * us at 20 and the primary at 10; "crowded.example" lists 20 at 10 before
 * us at 30, more than are kept.
 */
static void *big_submit(struct resolver *self, const char *name, enum dns_type type)
{
	struct fake_resolver *f = (struct fake_resolver *)self;
	bool crowded = strcmp(name, "crowded.example") == 0;
	unsigned n;

	if (type == DNS_T_MX && strcmp(name, "huge.example") == 0) {
		/* 64 records kept at 20, us among them, and 6 more never seen */
		struct dns_answer *a = dns_answer_new(DNS_ANSWER, DNS_MAX_RR);
		char host[64];

		for (size_t i = 0; i < DNS_MAX_RR; i++) {
			snprintf(host, sizeof host, "mx%zu.esp.example", i);
			a->rr[i].pref = 20;
			a->rr[i].name = strdup(i == 0 ? "mx2.example.net" : host);
		}
		a->dropped = 6;
		return a;
	}
	if (type == DNS_T_MX && (crowded || strcmp(name, "big.example") == 0)) {
		size_t count = crowded ? 21 : 40, others = count - (crowded ? 1 : 2);
		struct dns_answer *a = dns_answer_new(DNS_ANSWER, count);
		char host[64];

		for (size_t i = 0; i < count; i++) {
			if (i < others)
				snprintf(host, sizeof host, "mx%zu.esp.example", i);
			else
				snprintf(host, sizeof host, "%s", i == others ? "mx2.example.net"
									  : "mx1.example.net");
			a->rr[i].pref = i < others ? (crowded ? 10 : 30) : i == others ? (crowded ? 30 : 20)
										       : 10;
			a->rr[i].name = strdup(host);
		}
		return a;
	}
	if (type == DNS_T_A && strstr(name, ".esp.example") && sscanf(name, "mx%u.", &n) == 1) {
		struct dns_answer *a = dns_answer_new(DNS_ANSWER, 1);
		char addr[32];

		snprintf(addr, sizeof addr, "203.0.113.%u", n + 1);
		netaddr_parse(addr, &a->rr[0].addr);
		return a;
	}
	return fake_submit(&f->base, name, type);
}

static const char *big_route_of(const char *domain, const char *local, struct route *route)
{
	struct fake_resolver r = fake_resolver(zone);
	struct mx_hosts mx;
	struct netaddr l;

	r.base.submit = big_submit;
	mxhosts_gather(&r.base, domain, &mx);
	netaddr_parse(local, &l);
	mxroute_classify(&mx, &l, NULL, route);
	mxroute_format(route, text, sizeof text);
	return text;
}

static void test_large_rrset(void)
{
	struct route route;

	/* sorted by preference before the cap: we are still seen at 20 */
	CU_ASSERT_STRING_EQUAL(big_route_of("big.example", "198.51.100.2", &route),
			       "backup(pref=20,primary=mx1.example.net)");
	CU_ASSERT_STRING_EQUAL(big_route_of("big.example", "198.51.100.1", &route),
			       "primary(pref=10)");
	/* not among the exchangers kept, but a dropped one may be us: unknown, never none */
	CU_ASSERT_STRING_EQUAL(big_route_of("crowded.example", "198.51.100.2", &route),
			       "unknown(mx-truncated)");
	CU_ASSERT_TRUE(mxroute_uncertain(&route));
	/* records beyond what one answer keeps: a better one may be unseen */
	CU_ASSERT_STRING_EQUAL(big_route_of("huge.example", "198.51.100.2", &route),
			       "primary(pref=20)");
	CU_ASSERT_TRUE(mxroute_uncertain(&route));
	CU_ASSERT_STRING_EQUAL(big_route_of("big.example", "198.51.100.2", &route),
			       "backup(pref=20,primary=mx1.example.net)");
	CU_ASSERT_FALSE(mxroute_uncertain(&route));
}

static void test_uncertain(void)
{
	struct fake_resolver r = fake_resolver(zone);
	struct mx_hosts mx;
	struct netaddr l;
	struct route route;

	netaddr_parse("198.51.100.2", &l);
	/* backup at 20, but the exchanger at 10 failed: it may be us */
	mxhosts_gather(&r.base, "flaky.example", &mx);
	mxroute_classify(&mx, &l, NULL, &route);
	CU_ASSERT_EQUAL(route.kind, ROUTE_BACKUP);
	CU_ASSERT_TRUE(mxroute_uncertain(&route));
	mxhosts_gather(&r.base, "down.example", &mx);
	mxroute_classify(&mx, &l, NULL, &route);
	CU_ASSERT_TRUE(mxroute_uncertain(&route));
	mxhosts_gather(&r.base, "example.net", &mx);
	mxroute_classify(&mx, &l, NULL, &route);
	CU_ASSERT_FALSE(mxroute_uncertain(&route));
}

static void test_nat(void)
{
	/* behind NAT: 10.0.0.5 is published as 198.51.100.2 */
	ROUTE("example.net", "10.0.0.5", NULL, "none");
	ROUTE("example.net", "10.0.0.5", "198.51.100.2", "backup(pref=20,primary=mx1.example.net)");
	ROUTE("example.net", "10.0.0.5", "198.51.100.1", "primary(pref=10)");
}

/* A backup route at 20 under primary, formatted into len bytes. */
static const char *backup_text(const char *primary, enum route_probe probe, size_t len)
{
	struct route route = {.kind = ROUTE_BACKUP, .our_pref = 20, .primary_pref = 10,
			      .primary = primary, .primary_probe = probe};

	CU_ASSERT_FATAL(len <= sizeof text);
	memset(text, '#', sizeof text);
	mxroute_format(&route, text, len);
	return text;
}

static void test_format(void)
{
	char name[DNS_NAME_MAX + 1], want[sizeof text];
	struct route primary = {.kind = ROUTE_PRIMARY, .our_pref = 10,
				.primary_probe = ROUTE_PROBE_UP};
	size_t plain;

	CU_ASSERT_STRING_EQUAL(backup_text("mx1.example.net", ROUTE_PROBE_UP, sizeof text),
			       "backup(pref=20,primary=mx1.example.net:up)");
	CU_ASSERT_STRING_EQUAL(backup_text("mx1.example.net", ROUTE_PROBE_DOWN, sizeof text),
			       "backup(pref=20,primary=mx1.example.net:down)");
	CU_ASSERT_STRING_EQUAL(backup_text("mx1.example.net", ROUTE_PROBE_NONE, sizeof text),
			       "backup(pref=20,primary=mx1.example.net)");
	/* only a backup route carries a probe */
	mxroute_format(&primary, text, sizeof text);
	CU_ASSERT_STRING_EQUAL(text, "primary(pref=10)");

	/* a name of 255: the probe still fits */
	memset(name, 'a', DNS_NAME_MAX);
	name[DNS_NAME_MAX] = '\0';
	snprintf(want, sizeof want, "backup(pref=20,primary=%s:down)", name);
	CU_ASSERT_STRING_EQUAL(backup_text(name, ROUTE_PROBE_DOWN, sizeof text), want);
	snprintf(want, sizeof want, "backup(pref=20,primary=%s:up)", name);
	CU_ASSERT_STRING_EQUAL(backup_text(name, ROUTE_PROBE_UP, sizeof text), want);

	/* the probe only with room for ":down", up or down; never cut short by it */
	plain = strlen("backup(pref=20,primary=)") + DNS_NAME_MAX;
	snprintf(want, sizeof want, "backup(pref=20,primary=%s:up)", name);
	CU_ASSERT_STRING_EQUAL(backup_text(name, ROUTE_PROBE_UP, plain + 7), want);
	snprintf(want, sizeof want, "backup(pref=20,primary=%s)", name);
	CU_ASSERT_STRING_EQUAL(backup_text(name, ROUTE_PROBE_UP, plain + 6), want);
	CU_ASSERT_STRING_EQUAL(backup_text(name, ROUTE_PROBE_DOWN, plain + 6), want);
	CU_ASSERT_STRING_EQUAL(backup_text(name, ROUTE_PROBE_UP, plain + 1), want);
	/* too long for the buffer: cut, and no probe */
	want[plain - 1] = '\0';
	CU_ASSERT_STRING_EQUAL(backup_text(name, ROUTE_PROBE_UP, plain), want);
	CU_ASSERT_STRING_EQUAL(backup_text(name, ROUTE_PROBE_DOWN, plain), want);
	want[20] = '\0';
	CU_ASSERT_STRING_EQUAL(backup_text(name, ROUTE_PROBE_DOWN, 21), want);
}

int main(void)
{
	CU_TestInfo tests[] = {
		UNIT_TEST(test_routes), UNIT_TEST(test_unknown), UNIT_TEST(test_nat),
		UNIT_TEST(test_large_rrset), UNIT_TEST(test_uncertain), UNIT_TEST(test_format),
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {{"mxroute", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};

	return unit_run(suites);
}
