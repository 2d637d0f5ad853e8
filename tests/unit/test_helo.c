/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_helo.c -- the HELO classification table.  Each row is a decision
 * documented in helo.h; a changed decision must change a row here.
 */
#include "autoconfig.h"

#include <string.h>

#include "core/helo.h"
#include "unit.h"

struct row {
	const char *helo;
	enum helo_class cls;
	const char *name_or_addr;   /* normalised name, or the address as text */
};

static const struct row rows[] = {
	/* valid FQDNs */
	{"mail.example.com", HELO_FQDN, "mail.example.com"},
	{"MAIL.Example.COM", HELO_FQDN, "mail.example.com"},
	{"mail.example.com.", HELO_FQDN, "mail.example.com"},
	{"a.b", HELO_FQDN, "a.b"},
	{"x1.y2.z3", HELO_FQDN, "x1.y2.z3"},
	{"mx-1.mail-relay.example.net", HELO_FQDN, "mx-1.mail-relay.example.net"},
	{"1mail.example.com", HELO_FQDN, "1mail.example.com"},
	{"123.example.com", HELO_FQDN, "123.example.com"},
	{"mail.123abc", HELO_FQDN, "mail.123abc"},
	{"xn--bcher-kva.example", HELO_FQDN, "xn--bcher-kva.example"},
	{"a-b-c.d-e-f.g", HELO_FQDN, "a-b-c.d-e-f.g"},
	{"host.example.museum", HELO_FQDN, "host.example.museum"},
	{"mail-out-3.smtp.github.com", HELO_FQDN, "mail-out-3.smtp.github.com"},
	{"mail-qk1-f170.google.com", HELO_FQDN, "mail-qk1-f170.google.com"},
	{"203-0-113-9.dsl.example.net", HELO_FQDN, "203-0-113-9.dsl.example.net"},
	/* an underscore is taken as a letter (helo.h): Windows names, as Postfix does */
	{"mail_gw.example.com", HELO_FQDN, "mail_gw.example.com"},
	{"MAIL_1.Example.com", HELO_FQDN, "mail_1.example.com"},
	{"_dmarc-gw.example.com", HELO_FQDN, "_dmarc-gw.example.com"},
	{"exch_01.corp_lan.example", HELO_FQDN, "exch_01.corp_lan.example"},
	{"WIN_SRV01", HELO_SINGLE_LABEL, "win_srv01"},
	/* single labels */
	{"localhost", HELO_SINGLE_LABEL, "localhost"},
	{"WIN-8DKQ3J2", HELO_SINGLE_LABEL, "win-8dkq3j2"},
	{"mail", HELO_SINGLE_LABEL, "mail"},
	{"localhost.", HELO_SINGLE_LABEL, "localhost"},
	{"x", HELO_SINGLE_LABEL, "x"},
	{"user-pc", HELO_SINGLE_LABEL, "user-pc"},
	/* bare addresses */
	{"192.0.2.1", HELO_BARE_IP, "192.0.2.1"},
	{"127.0.1.10", HELO_BARE_IP, "127.0.1.10"},
	{"010.000.000.001", HELO_BARE_IP, "10.0.0.1"},
	{"2001:db8::1", HELO_BARE_IP, "2001:db8::1"},
	{"::1", HELO_BARE_IP, "::1"},
	{"::ffff:192.0.2.7", HELO_BARE_IP, "192.0.2.7"},
	{"0.0.0.0", HELO_BARE_IP, "0.0.0.0"},
	/* IPv4 literals, leading zeros compared numerically */
	{"[192.0.2.1]", HELO_LITERAL, "192.0.2.1"},
	{"[127.000.001.010]", HELO_LITERAL, "127.0.1.10"},
	{"[0.0.0.0]", HELO_LITERAL, "0.0.0.0"},
	{"[255.255.255.255]", HELO_LITERAL, "255.255.255.255"},
	/* IPv6 literals: tag in any case, RFC 4291 text */
	{"[IPv6:2001:db8::1]", HELO_LITERAL, "2001:db8::1"},
	{"[ipv6:2001:DB8::1]", HELO_LITERAL, "2001:db8::1"},
	{"[IPV6:2001:db8:0:0:0:0:0:1]", HELO_LITERAL, "2001:db8::1"},
	{"[IPv6:::1]", HELO_LITERAL, "::1"},
	{"[IPv6:::ffff:192.0.2.7]", HELO_LITERAL, "192.0.2.7"},
	{"[IPv6:2001:db8::192.0.2.7]", HELO_LITERAL, "2001:db8::c000:207"},
	/* "::" for one group: outside RFC 5321's grammar, tolerated (helo.h) */
	{"[IPv6:1:2:3:4:5:6:7::]", HELO_LITERAL, "1:2:3:4:5:6:7:0"},
	{"[IPv6:1:2:3:4:5:6::8]", HELO_LITERAL, "1:2:3:4:5:6:0:8"},
	{"[IPv6:::192.0.2.7]", HELO_LITERAL, "::192.0.2.7"},
	/* syntax errors */
	{"", HELO_BAD_SYNTAX, NULL},
	{".", HELO_BAD_SYNTAX, NULL},
	{"..", HELO_BAD_SYNTAX, NULL},
	{"mail.example.com..", HELO_BAD_SYNTAX, NULL},
	{".example.com", HELO_BAD_SYNTAX, NULL},
	{"mail..example.com", HELO_BAD_SYNTAX, NULL},
	{"-mail.example.com", HELO_BAD_SYNTAX, NULL},
	{"mail-.example.com", HELO_BAD_SYNTAX, NULL},
	{"mail.example.com-", HELO_BAD_SYNTAX, NULL},
	{"mail_.example.com.", HELO_FQDN, "mail_.example.com"},
	{"mail_ gw.example.com", HELO_BAD_SYNTAX, NULL},
	{"mail_\x01.example.com", HELO_BAD_SYNTAX, NULL},
	{"mail example.com", HELO_BAD_SYNTAX, NULL},
	{"m\xc3\xa4il.example.com", HELO_BAD_SYNTAX, NULL},
	{"mail.example.com\r", HELO_BAD_SYNTAX, NULL},
	{"mail\x01.example.com", HELO_BAD_SYNTAX, NULL},
	{"%n%s%n.example.com", HELO_BAD_SYNTAX, NULL},
	{"1.2.3", HELO_BAD_SYNTAX, NULL},
	{"256.1.1.1", HELO_BAD_SYNTAX, NULL},
	{"1.2.3.4.5", HELO_BAD_SYNTAX, NULL},
	{"1.2.3.4.", HELO_BAD_SYNTAX, NULL},
	{"example.123", HELO_BAD_SYNTAX, NULL},
	{"[192.0.2.1", HELO_BAD_SYNTAX, NULL},
	{"192.0.2.1]", HELO_BAD_SYNTAX, NULL},
	{"[]", HELO_BAD_SYNTAX, NULL},
	{"[mail.example.com]", HELO_BAD_SYNTAX, NULL},
	{"[256.0.0.1]", HELO_BAD_SYNTAX, NULL},
	{"[1.2.3]", HELO_BAD_SYNTAX, NULL},
	{"[0001.2.3.4]", HELO_BAD_SYNTAX, NULL},
	{"[2001:db8::1]", HELO_BAD_SYNTAX, NULL},
	{"[IPv6:]", HELO_BAD_SYNTAX, NULL},
	{"[IPv6:2001:db8:::1]", HELO_BAD_SYNTAX, NULL},
	{"[IPv6:2001:db8::1::2]", HELO_BAD_SYNTAX, NULL},
	{"[IPv6:12345::1]", HELO_BAD_SYNTAX, NULL},
	{"[IPv6:1:2:3:4:5:6:7:8:9]", HELO_BAD_SYNTAX, NULL},
	{"[IPv6:fe80::1%eth0]", HELO_BAD_SYNTAX, NULL},
	{"[IPv4:192.0.2.1]", HELO_BAD_SYNTAX, NULL},
	/* RFC 5321 4.1.3: the tag must be followed by an IPv6 address */
	{"[IPv6:1.2.3.4]", HELO_BAD_SYNTAX, NULL},
	{"[IPv6:192.0.2.1]", HELO_BAD_SYNTAX, NULL},
	{"[ipv6:010.000.000.001]", HELO_BAD_SYNTAX, NULL},
	{"[IPv6:192.0.2.1:25]", HELO_BAD_SYNTAX, NULL},
	{"[IPv6: 2001:db8::1]", HELO_BAD_SYNTAX, NULL},
	{"IPv6:1.2.3.4", HELO_BAD_SYNTAX, NULL},
	{"IPv6:2001:db8::1", HELO_BAD_SYNTAX, NULL},
	{"[x-tag:whatever]", HELO_BAD_SYNTAX, NULL},
	{"2001:db8:::1", HELO_BAD_SYNTAX, NULL},
	{"[192.0.2.1]x", HELO_BAD_SYNTAX, NULL},
};

static void check_row(const struct row *r)
{
	struct helo_info h;
	char text[NETADDR_STRLEN];

	helo_classify(r->helo, &h);
	if (h.cls != r->cls)
		fprintf(stderr, "\n  HELO '%s': got %s, want %s\n", r->helo,
			helo_class_name(h.cls), helo_class_name(r->cls));
	CU_ASSERT_EQUAL(h.cls, r->cls);
	if (r->cls == HELO_FQDN || r->cls == HELO_SINGLE_LABEL) {
		CU_ASSERT_STRING_EQUAL(h.name, r->name_or_addr);
	} else if (r->cls == HELO_BARE_IP || r->cls == HELO_LITERAL) {
		netaddr_format(&h.addr, text, sizeof text);
		CU_ASSERT_STRING_EQUAL(text, r->name_or_addr);
	} else {
		CU_ASSERT_PTR_NOT_NULL(h.why);
	}
}

static void test_table(void)
{
	CU_ASSERT_TRUE(sizeof rows / sizeof rows[0] >= 60);
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
		check_row(&rows[i]);
}

static void fill(char *buf, size_t n, const char *label)
{
	size_t l = strlen(label), o = 0;

	while (o + l + 1 < n) {
		memcpy(buf + o, label, l);
		o += l;
		buf[o++] = '.';
	}
	buf[o] = '\0';
}

static void test_lengths(void)
{
	char name[400];
	struct helo_info h;
	char label63[64], label64[65];

	memset(label63, 'a', 63);
	label63[63] = '\0';
	memset(label64, 'a', 64);
	label64[64] = '\0';
	snprintf(name, sizeof name, "%s.example", label63);
	helo_classify(name, &h);
	CU_ASSERT_EQUAL(h.cls, HELO_FQDN);
	snprintf(name, sizeof name, "%s.example", label64);
	helo_classify(name, &h);
	CU_ASSERT_EQUAL(h.cls, HELO_BAD_SYNTAX);

	/* 255 octets is the longest domain; 256 is too long. */
	fill(name, 256, "abcd");           /* "abcd." * 51 = 255, trailing dot */
	name[254] = 'x';                   /* 255 octets without a trailing dot */
	name[255] = '\0';
	helo_classify(name, &h);
	CU_ASSERT_EQUAL(h.cls, HELO_FQDN);
	name[255] = 'y';
	name[256] = '\0';
	helo_classify(name, &h);
	CU_ASSERT_EQUAL(h.cls, HELO_BAD_SYNTAX);
}

static void test_hostile_long(void)
{
	static char huge[10240];
	struct helo_info h;

	memset(huge, 'a', sizeof huge - 1);
	helo_classify(huge, &h);
	CU_ASSERT_EQUAL(h.cls, HELO_BAD_SYNTAX);
	huge[0] = '[';
	helo_classify(huge, &h);
	CU_ASSERT_EQUAL(h.cls, HELO_BAD_SYNTAX);
	helo_classify(NULL, &h);
	CU_ASSERT_EQUAL(h.cls, HELO_BAD_SYNTAX);
}

int main(void)
{
	CU_TestInfo tests[] = {
		UNIT_TEST(test_table),
		UNIT_TEST(test_lengths),
		UNIT_TEST(test_hostile_long),
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{"helo", NULL, NULL, NULL, NULL, tests},
		CU_SUITE_INFO_NULL,
	};
	return unit_run(suites);
}
