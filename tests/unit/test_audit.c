/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_audit.c -- the pure parts of mxpolicy-audit: gathering a domain's
 * MX facts through a table resolver, every DNS lint finding, the probe
 * identities, the SMTP reply reader, the bypass verdict and the exit
 * status, and the escaping of peer text in the table and the JSON.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit/auditlint.h"
#include "audit/auditprobe.h"
#include "audit/auditreport.h"
#include "audit/auditzone.h"
#include "fake_resolver.h"
#include "unit.h"

static const struct fake_row zone[] = {
	{"example.net", DNS_T_MX, DNS_ANSWER, {"20 mx2.example.net", "10 MX1.Example.NET."}, NULL},
	{"mx1.example.net", DNS_T_A, DNS_ANSWER, {"198.51.100.1"}, NULL},
	{"mx2.example.net", DNS_T_A, DNS_ANSWER, {"198.51.100.2"}, NULL},
	{"mx2.example.net", DNS_T_AAAA, DNS_ANSWER, {"2001:db8::2"}, NULL},
	{"lint.example", DNS_T_MX, DNS_ANSWER, {"10 mx1.example.net", "20 alias.lint.example",
	 "30 ghost.lint.example", "40 mx1.example.net", "50 backup.provider.example",
	 "60 192.0.2.1", "70 bad_name.lint.example", "80 same.lint.example"}, NULL},
	{"alias.lint.example", DNS_T_CNAME, DNS_ANSWER, {"mx2.example.net"}, NULL},
	{"alias.lint.example", DNS_T_A, DNS_NODATA, {NULL}, "mx2.example.net"},
	{"backup.provider.example", DNS_T_A, DNS_ANSWER, {"203.0.113.5"}, NULL},
	{"same.lint.example", DNS_T_A, DNS_ANSWER, {"198.51.100.1"}, NULL},
	{"provider.example", DNS_T_MX, DNS_ANSWER, {"10 mx1.provider.example",
	 "20 mx2.provider.example"}, NULL},
	{"mx1.provider.example", DNS_T_A, DNS_ANSWER, {"203.0.113.1"}, NULL},
	{"mx2.provider.example", DNS_T_A, DNS_ANSWER, {"203.0.113.2"}, NULL},
	{"nomail.example", DNS_T_MX, DNS_ANSWER, {"0 "}, NULL},
	{"mixed.example", DNS_T_MX, DNS_ANSWER, {"0 ", "10 mx1.example.net"}, NULL},
	{"oddnull.example", DNS_T_MX, DNS_ANSWER, {"5 "}, NULL},
	{"implicit.example", DNS_T_MX, DNS_NODATA, {NULL}, NULL},
	{"implicit.example", DNS_T_A, DNS_ANSWER, {"198.51.100.9"}, NULL},
	{"bare.example", DNS_T_MX, DNS_NODATA, {NULL}, NULL},
	{"bare.example", DNS_T_A, DNS_NODATA, {NULL}, NULL},
	{"down.example", DNS_T_MX, DNS_TEMPFAIL, {NULL}, NULL},
	{"flaky.example", DNS_T_MX, DNS_ANSWER, {"10 flaky-mx.example"}, NULL},
	{"flaky-mx.example", DNS_T_A, DNS_TEMPFAIL, {NULL}, NULL},
	{"short.example", DNS_T_MX, DNS_ANSWER, {"10 mx1.example.net"}, NULL},
	{"long.example", DNS_T_MX, DNS_ANSWER, {"10 mx1.example.net"}, NULL},
	{NULL, 0, 0, {NULL}, NULL},
};

/* The table resolver with TTLs: an hour, except for the TTL cases. */
static void *ttl_submit(struct resolver *self, const char *name, enum dns_type type)
{
	struct dns_answer *a = fake_submit(self, name, type);

	a->ttl = strcmp(name, "short.example") == 0 ? 60
		: strcmp(name, "long.example") == 0 ? 30 * 86400 : 3600;
	return a;
}

static void gather(const char *domain, struct audit_zone *z)
{
	struct fake_resolver r = fake_resolver(zone);

	r.base.submit = ttl_submit;
	audit_zone_gather(&r.base, domain, z);
}

/* The last label pair stands for the registrable domain, as the PSL's "*" rule. */
static const char *two_labels(void *ctx, const char *name, char *buf, size_t len)
{
	const char *p = name + strlen(name);
	int dots = 0;

	(void)ctx;
	while (p > name && dots < 2)
		if (*--p == '.' && ++dots == 2)
			p++;
	if (strchr(p, '.') == NULL)
		return NULL;
	snprintf(buf, len, "%s", p);
	return buf;
}

static struct lint_report report;

static void lint(const char *domain)
{
	static struct audit_zone z;

	gather(domain, &z);
	audit_lint(&z, two_labels, NULL, &report);
}

/* The finding with code about subject, or NULL. */
static const struct lint_finding *finding(const char *code, const char *subject)
{
	for (size_t i = 0; i < report.count; i++)
		if (strcmp(report.items[i].code, code) == 0 &&
		    strcmp(report.items[i].subject, subject) == 0)
			return &report.items[i];
	return NULL;
}

static size_t count_code(const char *code)
{
	size_t n = 0;

	for (size_t i = 0; i < report.count; i++)
		n += strcmp(report.items[i].code, code) == 0;
	return n;
}

/* ---- gathering ----------------------------------------------------------------- */

static void test_gather(void)
{
	static struct audit_zone z;

	gather("Example.NET.", &z);
	CU_ASSERT_STRING_EQUAL(z.domain, "example.net");
	CU_ASSERT_EQUAL(z.mx_status, DNS_ANSWER);
	CU_ASSERT_EQUAL(z.mx_ttl, 3600);
	CU_ASSERT_FALSE(z.implicit);
	CU_ASSERT_EQUAL_FATAL(z.count, 2);
	/* preference order, names lower case without the trailing dot */
	CU_ASSERT_EQUAL(z.mx[0].pref, 10);
	CU_ASSERT_STRING_EQUAL(z.mx[0].name, "mx1.example.net");
	CU_ASSERT_EQUAL(z.mx[0].a.count, 1);
	CU_ASSERT_EQUAL(z.mx[0].aaaa.status, DNS_NXDOMAIN);
	CU_ASSERT_STRING_EQUAL(z.mx[1].name, "mx2.example.net");
	CU_ASSERT_EQUAL(audit_exchanger_addr_count(&z.mx[1]), 2);
	CU_ASSERT_FALSE(z.mx[1].alias);
}

static void test_gather_special(void)
{
	static struct audit_zone z;

	gather("implicit.example", &z);
	CU_ASSERT_TRUE(z.implicit);
	CU_ASSERT_EQUAL_FATAL(z.count, 1);
	CU_ASSERT_STRING_EQUAL(z.mx[0].name, "implicit.example");
	CU_ASSERT_EQUAL(z.mx[0].pref, 0);
	CU_ASSERT_EQUAL(z.mx[0].a.count, 1);

	gather("nomail.example", &z);
	CU_ASSERT_EQUAL_FATAL(z.count, 1);
	CU_ASSERT_TRUE(z.mx[0].null_mx);
	CU_ASSERT_EQUAL(audit_exchanger_addr_count(&z.mx[0]), 0);

	gather("lint.example", &z);
	CU_ASSERT_EQUAL_FATAL(z.count, 8);
	CU_ASSERT_TRUE(z.mx[1].alias);
	CU_ASSERT_STRING_EQUAL(z.mx[1].alias_of, "mx2.example.net");
	/* the alias's addresses are its target's */
	CU_ASSERT_EQUAL(z.mx[1].a.count, 1);
	CU_ASSERT_EQUAL(z.mx[2].a.status, DNS_NXDOMAIN);

	gather("down.example", &z);
	CU_ASSERT_EQUAL(z.mx_status, DNS_TEMPFAIL);
	CU_ASSERT_EQUAL(z.count, 0);
	gather("nonexistent.example", &z);
	CU_ASSERT_EQUAL(z.mx_status, DNS_NXDOMAIN);
}

/* ---- lint --------------------------------------------------------------------------- */

static void test_lint_clean(void)
{
	lint("example.net");
	CU_ASSERT_EQUAL(report.count, 0);
	CU_ASSERT_EQUAL(lint_to_act_on(&report), 0);
	/* a provider's own backups are no third party to it */
	lint("provider.example");
	CU_ASSERT_EQUAL(report.count, 0);
}

static void test_lint_exchangers(void)
{
	const struct lint_finding *f;

	lint("lint.example");
	/* each of its findings is a warning or an error: mxpolicy-audit's WARNING */
	CU_ASSERT(lint_to_act_on(&report) > 0);
	f = finding("mx-cname", "alias.lint.example");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(f->severity, LINT_ERROR);
	CU_ASSERT_STRING_EQUAL(f->ref, "RFC 2181 10.3");
	CU_ASSERT_PTR_NOT_NULL(strstr(f->text, "mx2.example.net"));
	f = finding("mx-no-address", "ghost.lint.example");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(f->text, "does not exist"));
	f = finding("mx-duplicate", "mx1.example.net");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(f->text, "preferences 10 and 40"));
	CU_ASSERT_PTR_NOT_NULL(finding("mx-ip-literal", "192.0.2.1"));
	CU_ASSERT_PTR_NOT_NULL(finding("mx-name-syntax", "bad_name.lint.example"));
	f = finding("mx-shared-address", "same.lint.example");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(f->text, "198.51.100.1, as mx1.example.net"));
	/* backups outside lint.example and outside the primary's domain */
	f = finding("mx-third-party-backup", "backup.provider.example");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(f->text, "in provider.example, not lint.example"));
	/* mx2.example.net (behind the alias) shares the primary's registrable domain */
	CU_ASSERT_PTR_NULL(finding("mx-third-party-backup", "alias.lint.example"));
	CU_ASSERT_PTR_NULL(finding("mx-third-party-backup", "mx1.example.net"));
	/* the duplicate listing is reported once, not linted again */
	CU_ASSERT_EQUAL(count_code("mx-duplicate"), 1);
	CU_ASSERT_EQUAL(count_code("mx-no-address"), 1);
}

static void test_lint_rrset(void)
{
	const struct lint_finding *f;

	lint("nomail.example");
	CU_ASSERT_EQUAL(report.count, 1);
	CU_ASSERT_PTR_NOT_NULL(finding("mx-null", "nomail.example"));
	lint("mixed.example");
	f = finding("mx-null-mixed", "mixed.example");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_EQUAL(f->severity, LINT_ERROR);
	CU_ASSERT_STRING_EQUAL(f->ref, "RFC 7505 3");
	lint("oddnull.example");
	CU_ASSERT_PTR_NOT_NULL(finding("mx-null-pref", "oddnull.example"));
	lint("implicit.example");
	CU_ASSERT_PTR_NOT_NULL(finding("mx-implicit", "implicit.example"));
	CU_ASSERT_EQUAL(count_code("mx-implicit-no-address"), 0);
	lint("bare.example");
	CU_ASSERT_PTR_NOT_NULL(finding("mx-implicit-no-address", "bare.example"));
	lint("down.example");
	CU_ASSERT_EQUAL(report.count, 1);
	CU_ASSERT_PTR_NOT_NULL(finding("mx-tempfail", "down.example"));
	lint("nonexistent.example");
	CU_ASSERT_PTR_NOT_NULL(finding("domain-nxdomain", "nonexistent.example"));
	lint("flaky.example");
	CU_ASSERT_PTR_NOT_NULL(finding("mx-lookup-tempfail", "flaky-mx.example"));
	/* a failed lookup is not proof of a missing address */
	CU_ASSERT_EQUAL(count_code("mx-no-address"), 0);
	lint("short.example");
	f = finding("ttl-short", "short.example");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(f->text, "60 s"));
	lint("long.example");
	CU_ASSERT_PTR_NOT_NULL(finding("ttl-long", "long.example"));
}

static void test_lint_without_psl(void)
{
	static struct audit_zone z;

	gather("lint.example", &z);
	audit_lint(&z, NULL, NULL, &report);
	CU_ASSERT_EQUAL(count_code("mx-third-party-backup"), 0);
	CU_ASSERT_EQUAL(count_code("mx-cname"), 1);
}

/* ---- probe identities ------------------------------------------------------------- */

static const char *helo_of(enum probe_kind k, const char *local)
{
	static char buf[300];
	struct netaddr a;

	netaddr_parse(local, &a);
	probe_helo(k, "mail.sender.example", &a, "example.net", buf, sizeof buf);
	return buf;
}

static void test_probe_helo(void)
{
	CU_ASSERT_STRING_EQUAL(helo_of(PROBE_BENIGN, "192.0.2.77"), "mail.sender.example");
	CU_ASSERT_STRING_EQUAL(helo_of(PROBE_NOT_FQDN, "192.0.2.77"), PROBE_SINGLE_LABEL);
	CU_ASSERT_PTR_NULL(strchr(PROBE_SINGLE_LABEL, '.'));
	CU_ASSERT_STRING_EQUAL(helo_of(PROBE_BARE_IP, "192.0.2.77"), "192.0.2.77");
	CU_ASSERT_STRING_EQUAL(helo_of(PROBE_BARE_IP, "2001:db8::7"), "2001:db8::7");
	CU_ASSERT_STRING_EQUAL(helo_of(PROBE_FOREIGN_LITERAL, "198.51.100.7"), "[192.0.2.1]");
	/* never the prober's own address */
	CU_ASSERT_STRING_EQUAL(helo_of(PROBE_FOREIGN_LITERAL, "192.0.2.1"), "[192.0.2.2]");
	CU_ASSERT_STRING_EQUAL(helo_of(PROBE_FOREIGN_LITERAL, "2001:db8:5::1"), "[IPv6:2001:db8::1]");
	CU_ASSERT_STRING_EQUAL(helo_of(PROBE_FOREIGN_LITERAL, "2001:db8::1"), "[IPv6:2001:db8::2]");
	CU_ASSERT_STRING_EQUAL(helo_of(PROBE_IMPERSONATION, "192.0.2.77"), "example.net");
	for (int k = 0; k < PROBE_KINDS; k++)
		CU_ASSERT_STRING_NOT_EQUAL(probe_kind_name((enum probe_kind)k), "?");
}

/* ---- SMTP replies ------------------------------------------------------------------- */

static bool feed(struct smtp_reply *r, const char *line)
{
	return smtp_reply_feed(r, line, strlen(line));
}

static void test_reply_reader(void)
{
	struct smtp_reply r;
	char longline[600];

	smtp_reply_init(&r);
	CU_ASSERT_TRUE(feed(&r, "250 2.1.5 Ok"));
	CU_ASSERT_FALSE(r.malformed);
	CU_ASSERT_EQUAL(r.code, 250);
	CU_ASSERT_STRING_EQUAL(r.text, "2.1.5 Ok");

	smtp_reply_init(&r);
	CU_ASSERT_FALSE(feed(&r, "250-mx1.example.net"));
	CU_ASSERT_FALSE(feed(&r, "250-PIPELINING"));
	CU_ASSERT_TRUE(feed(&r, "250 8BITMIME"));
	CU_ASSERT_EQUAL(r.lines, 3);
	CU_ASSERT_STRING_EQUAL(r.text, "mx1.example.net");

	smtp_reply_init(&r);
	CU_ASSERT_TRUE(feed(&r, "354"));
	CU_ASSERT_FALSE(r.malformed);
	CU_ASSERT_STRING_EQUAL(r.text, "");

	/* codes change mid-reply, garbage, 1xx, a letter after the code */
	smtp_reply_init(&r);
	feed(&r, "250-first");
	CU_ASSERT_TRUE(feed(&r, "550 second"));
	CU_ASSERT_TRUE(r.malformed);
	smtp_reply_init(&r);
	CU_ASSERT_TRUE(feed(&r, "HTTP/1.1 400 Bad Request"));
	CU_ASSERT_TRUE(r.malformed);
	smtp_reply_init(&r);
	CU_ASSERT_TRUE(feed(&r, "150 go"));
	CU_ASSERT_TRUE(r.malformed);
	smtp_reply_init(&r);
	CU_ASSERT_TRUE(feed(&r, "250x"));
	CU_ASSERT_TRUE(r.malformed);
	smtp_reply_init(&r);
	CU_ASSERT_TRUE(feed(&r, "25"));
	CU_ASSERT_TRUE(r.malformed);

	/* a reply without end */
	smtp_reply_init(&r);
	for (int i = 0; i < SMTP_REPLY_MAX_LINES && !r.done; i++)
		feed(&r, "220-and more");
	CU_ASSERT_FALSE(r.done);
	CU_ASSERT_TRUE(feed(&r, "220-and more"));
	CU_ASSERT_TRUE(r.malformed);

	/* long text is cut, never overflows */
	memset(longline, 'x', sizeof longline - 1);
	longline[sizeof longline - 1] = '\0';
	memcpy(longline, "550 ", 4);
	smtp_reply_init(&r);
	CU_ASSERT_TRUE(feed(&r, longline));
	CU_ASSERT_EQUAL(strlen(r.text), PROBE_TEXT_MAX - 1);

	CU_ASSERT_EQUAL(probe_outcome_of(250), OUTCOME_ACCEPTED);
	CU_ASSERT_EQUAL(probe_outcome_of(451), OUTCOME_DEFERRED);
	CU_ASSERT_EQUAL(probe_outcome_of(554), OUTCOME_REFUSED);
	CU_ASSERT_EQUAL(probe_outcome_of(0), OUTCOME_ERROR);
}

/* ---- the verdict ---------------------------------------------------------------------- */

/*
 * A route from a row of outcomes, one letter per probe: A accepted,
 * R refused (550), D deferred (451), E error, N not run.
 */
static struct audit_route route(const char *name, unsigned pref, const char *addr,
				const char *outcomes)
{
	struct audit_route r;

	memset(&r, 0, sizeof r);
	snprintf(r.name, sizeof r.name, "%s", name);
	r.pref = pref;
	netaddr_parse(addr, &r.addr);
	for (int k = 0; k < PROBE_KINDS; k++) {
		struct probe_result *p = &r.results[k];

		p->stage = STAGE_RCPT;
		switch (outcomes[k]) {
		case 'A': p->outcome = OUTCOME_ACCEPTED; p->code = 250; break;
		case 'R': p->outcome = OUTCOME_REFUSED; p->code = 550; break;
		case 'D': p->outcome = OUTCOME_DEFERRED; p->code = 451; break;
		case 'E': p->outcome = OUTCOME_ERROR; p->stage = STAGE_CONNECT;
			snprintf(p->text, sizeof p->text, "timed out waiting for the reply"); break;
		case 'U': p->outcome = OUTCOME_UNREACHABLE; p->stage = STAGE_CONNECT;
			snprintf(p->text, sizeof p->text, "connect: Connection refused"); break;
		default: p->outcome = OUTCOME_NOT_RUN; break;
		}
	}
	return r;
}

static void test_bypass_backup(void)
{
	struct audit_route r[2] = {route("mx1.example.net", 10, "198.51.100.1", "ARRRR"),
				   route("mx2.example.net", 20, "198.51.100.2", "AARAA")};
	struct bypass b[8];
	char text[512], why[300];

	CU_ASSERT_EQUAL_FATAL(audit_find_bypasses(r, 2, b, 8), 3);
	CU_ASSERT_EQUAL(b[0].weak, 1);
	CU_ASSERT_EQUAL(b[0].reference, 0);
	CU_ASSERT_EQUAL(b[0].kind, PROBE_NOT_FQDN);
	CU_ASSERT_EQUAL(b[1].kind, PROBE_FOREIGN_LITERAL);
	CU_ASSERT_EQUAL(b[2].kind, PROBE_IMPERSONATION);
	bypass_format(r, &b[0], "example.net", text, sizeof text);
	CU_ASSERT_STRING_EQUAL(text, "mx2.example.net (pref 20) accepts a non-FQDN HELO that "
			       "mx1.example.net (pref 10) refuses: backup route is a bypass "
			       "(198.51.100.2 vs 198.51.100.1)");
	bypass_format(r, &b[2], "example.net", text, sizeof text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "accepts a HELO impersonating example.net that"));
	CU_ASSERT_FALSE(audit_incomplete(r, 2, why, sizeof why));
	/* only the first bypasses are kept, all are counted */
	CU_ASSERT_EQUAL(audit_find_bypasses(r, 2, b, 1), 3);
}

static void test_bypass_equal_preference(void)
{
	struct audit_route r[3] = {route("mx1.example.net", 10, "198.51.100.1", "ARRRR"),
				   route("mx1.example.net", 10, "2001:db8::1", "ARRRA"),
				   route("mx2.example.net", 20, "198.51.100.2", "ARRRR")};
	struct bypass b[8];
	char text[512];

	CU_ASSERT_EQUAL_FATAL(audit_find_bypasses(r, 3, b, 8), 1);
	CU_ASSERT_EQUAL(b[0].weak, 1);
	bypass_format(r, &b[0], "example.net", text, sizeof text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "equal-preference route is a bypass"));
}

static void test_no_bypass(void)
{
	/* the backup defers what the primary refuses: stricter is no bypass */
	struct audit_route same[2] = {route("mx1.example.net", 10, "198.51.100.1", "ARRRR"),
				      route("mx2.example.net", 20, "198.51.100.2", "ADDRR")};
	/* the reference defers: a 4xx refuses as well */
	struct audit_route deferring[2] = {route("mx1.example.net", 10, "198.51.100.1", "ADDDD"),
					   route("mx2.example.net", 20, "198.51.100.2", "AAAAA")};
	struct bypass b[8];
	char why[300];

	CU_ASSERT_EQUAL(audit_find_bypasses(same, 2, b, 8), 0);
	CU_ASSERT_FALSE(audit_incomplete(same, 2, why, sizeof why));
	CU_ASSERT_TRUE(audit_reference_refuses_any(same, 2));
	CU_ASSERT_EQUAL(audit_find_bypasses(deferring, 2, b, 8), 4);
}

static void test_incomplete(void)
{
	/* the primary refuses everyone, the backup no one: a bypass all the same */
	struct audit_route closed[2] = {route("mx1.example.net", 10, "198.51.100.1", "RRRRR"),
					route("mx2.example.net", 20, "198.51.100.2", "AAAAA")};
	/* both refuse everyone: no bypass, with a note */
	struct audit_route shut[2] = {route("mx1.example.net", 10, "198.51.100.1", "DDDDD"),
				      route("mx2.example.net", 20, "198.51.100.2", "DDDDD")};
	struct audit_route broken[2] = {route("mx1.example.net", 10, "198.51.100.1", "ARRRR"),
					route("mx2.example.net", 20, "198.51.100.2", "EEEEE")};
	struct audit_route open[2] = {route("mx1.example.net", 10, "198.51.100.1", "AAAAA"),
				      route("mx2.example.net", 20, "198.51.100.2", "AAAAA")};
	struct audit_route unreachable[2] = {route("mx1.example.net", 10, "198.51.100.1", "UNNNN"),
					     route("mx2.example.net", 20, "198.51.100.2", "UNNNN")};
	struct bypass b[8];
	char why[300];

	char text[512];

	CU_ASSERT_EQUAL_FATAL(audit_find_bypasses(closed, 2, b, 8), 5);
	CU_ASSERT_EQUAL(b[0].kind, PROBE_BENIGN);
	bypass_format(closed, &b[0], "example.net", text, sizeof text);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "mx2.example.net (pref 20) accepts the benign identity "
				      "that mx1.example.net (pref 10) refuses"));
	CU_ASSERT_FALSE(audit_incomplete(closed, 2, why, sizeof why));
	CU_ASSERT_TRUE(audit_reference_refuses_benign(closed, 2, why, sizeof why));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "refuses the benign identity"));
	CU_ASSERT_PTR_NULL(strstr(why, "greylisting"));
	CU_ASSERT_EQUAL(audit_find_bypasses(shut, 2, b, 8), 0);
	CU_ASSERT_FALSE(audit_incomplete(shut, 2, why, sizeof why));
	/* a 4xx to the benign identity: perhaps greylisting */
	CU_ASSERT_TRUE(audit_reference_refuses_benign(shut, 2, why, sizeof why));
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "a 4xx may be greylisting"));
	CU_ASSERT_FALSE(audit_reference_refuses_benign(open, 2, why, sizeof why));
	CU_ASSERT_TRUE(audit_incomplete(broken, 2, why, sizeof why));
	CU_ASSERT_STRING_EQUAL(why, "the benign probe of mx2.example.net [198.51.100.2] could "
			       "not run: timed out waiting for the reply");
	/* a closed port is unreachable: it refused nothing, the benign identity included */
	CU_ASSERT_TRUE(audit_incomplete(unreachable, 2, why, sizeof why));
	CU_ASSERT_STRING_EQUAL(why, "mx1.example.net [198.51.100.1] is unreachable (connect: "
			       "Connection refused): its probes could not run");
	CU_ASSERT_FALSE(audit_reference_refuses_benign(unreachable, 2, why, sizeof why));
	CU_ASSERT_EQUAL(audit_find_bypasses(unreachable, 2, b, 8), 0);
	CU_ASSERT_TRUE(audit_incomplete(broken, 0, why, sizeof why));
	/* nothing refused anywhere: complete, no bypass, and nothing to compare */
	CU_ASSERT_EQUAL(audit_find_bypasses(open, 2, b, 8), 0);
	CU_ASSERT_FALSE(audit_incomplete(open, 2, why, sizeof why));
	CU_ASSERT_FALSE(audit_reference_refuses_any(open, 2));
}

/* ---- output -------------------------------------------------------------------------------- */

static char *capture_json(const char *s)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	json_string(f, s);
	fclose(f);
	return buf;
}

static void test_escaping(void)
{
	char *j, out[200];

	j = capture_json("a\"b\\c\r\n\x01\xc3\xa9\x7f");
	CU_ASSERT_STRING_EQUAL(j, "\"a\\\"b\\\\c\\u000d\\u000a\\u0001\\u00c3\\u00a9\\u007f\"");
	free(j);
	text_escape("550 no\r\nway\\ \xff", 100, out, sizeof out);
	CU_ASSERT_STRING_EQUAL(out, "550 no\\x0d\\x0away\\x5c \\xff");
	text_escape("abcdef", 3, out, sizeof out);
	CU_ASSERT_STRING_EQUAL(out, "abc");
	/* never past the buffer */
	text_escape("\x01\x02\x03\x04\x05\x06", 100, out, 12);
	CU_ASSERT(strlen(out) < 12);
}

/* What a report function prints for run, as one string to free. */
static char *capture(void (*print)(FILE *, const struct audit_run *), const struct audit_run *run)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	print(f, run);
	fclose(f);
	return buf;
}

/*
 * The audit of example.net (two routes r, --helo mail.sender.example) with
 * the zone and lint of zone_domain; the caller finds the bypasses.
 */
static struct audit_run report_run(const char *zone_domain, struct audit_zone *z,
				   struct audit_route r[2], struct bypass b[8])
{
	struct audit_run run = {"example.net", "user@example.net", "", 25, "mail.sender.example",
				"given with --helo", z, &report, r, 2, b, 0, 0,
				AUDIT_EXIT_CRITICAL, NULL};

	gather(zone_domain, z);
	audit_lint(z, two_labels, NULL, &report);
	return run;
}

static void test_json_report(void)
{
	struct audit_route r[2] = {route("mx1.example.net", 10, "198.51.100.1", "ARRRR"),
				   route("mx2.example.net", 20, "198.51.100.2", "AARAA")};
	static struct audit_zone z;
	struct bypass b[8];
	struct audit_run run = report_run("example.net", &z, r, b);
	char *buf;

	snprintf(r[1].results[1].text, sizeof r[1].results[1].text, "Ok \"quoted\"\n");
	run.bypasses_total = run.nbypasses = audit_find_bypasses(r, 2, b, 8);
	buf = capture(audit_report_json, &run);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"result\":\"bypass\",\"status\":\"CRITICAL\",\"exit\":2}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"reply\":\"Ok \\\"quoted\\\"\\u000a\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"probe\":\"non-fqdn-helo\",\"exchanger\":\"mx2.example.net\""));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\"aaaa\":{\"status\":\"answer\",\"ttl\":3600,\"addresses\":[\"2001:db8::2\"]}"));
	/* one line: the only newline ends it */
	CU_ASSERT_PTR_EQUAL(strchr(buf, '\n'), buf + strlen(buf) - 1);
	free(buf);
}

static void test_text_report(void)
{
	struct audit_route r[2] = {route("mx1.example.net", 10, "198.51.100.1", "ARRRR"),
				   route("mx2.example.net", 20, "2001:db8::2", "AARAE")};
	static struct audit_zone z;
	struct bypass b[8];
	struct audit_run run = report_run("lint.example", &z, r, b);
	char *text, want[200];

	snprintf(r[0].results[1].helo, sizeof r[0].results[1].helo, "%s", PROBE_SINGLE_LABEL);
	snprintf(r[0].results[1].text, sizeof r[0].results[1].text, "5.5.2 no\r\x1b");
	run.bypasses_total = run.nbypasses = audit_find_bypasses(r, 2, b, 8);
	text = capture(audit_report_text, &run);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "mxpolicy-audit: example.net, recipient user@example.net, port 25\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "benign identity: HELO mail.sender.example (given with --helo)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "MX RRset of lint.example (TTL 3600)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "     30 ghost.lint.example               (no address)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  error   mx-cname               alias.lint.example: "));
	/* the matrix: widths follow the longest address, the last column unpadded */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  exchanger        pref address      benign   non-fqdn-helo"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  mx2.example.net    20 2001:db8::2  250 RCPT 250 RCPT      550 RCPT     250 RCPT             error CONNECT\n"));
	/* peer text escaped */
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "(HELO mxpolicy-audit): refused at RCPT: 550 5.5.2 no\\x0d\\x1b\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  BYPASS: mx2.example.net (pref 20) accepts a non-FQDN HELO that mx1.example.net (pref 10) refuses: backup route is a bypass (2001:db8::2 vs 198.51.100.1)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nresult: bypass (CRITICAL)\n"));
	free(text);

	/* incomplete, with no routes at all */
	gather("down.example", &z);
	audit_lint(&z, two_labels, NULL, &report);
	run = (struct audit_run){"down.example", "user@down.example", "", 25, NULL, NULL, &z,
				 &report, r, 0, b, 0, 0, AUDIT_EXIT_UNKNOWN,
				 "the MX question failed temporarily (SERVFAIL)"};
	text = capture(audit_report_text, &run);
	CU_ASSERT_PTR_NULL(strstr(text, "benign identity"));
	CU_ASSERT_PTR_NULL(strstr(text, "Probes"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "MX of down.example: tempfail\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "  INCOMPLETE: the MX question failed temporarily (SERVFAIL)\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nresult: incomplete (UNKNOWN)\n"));
	free(text);

	/* nothing refused anywhere: no bypass, and a note that there is no policy */
	r[0] = route("mx1.example.net", 10, "198.51.100.1", "AAAAA");
	r[1] = route("mx2.example.net", 20, "198.51.100.2", "AAAAA");
	gather("example.net", &z);
	run = (struct audit_run){"example.net", "postmaster@example.net", "", 25, NULL, NULL, &z,
				 &report, r, 2, b, 0, 0, AUDIT_EXIT_OK, NULL};
	text = capture(audit_report_text, &run);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "NOTE: the most preferred exchanger refuses none of the probes"));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\nresult: no-bypass (OK)\n"));
	free(text);

	/* no bypass, every probe ran, and DNS findings to act on: WARNING, with their count */
	r[1] = route("mx2.example.net", 20, "198.51.100.2", "ARRRR");
	r[0] = route("mx1.example.net", 10, "198.51.100.1", "ARRRR");
	run = report_run("lint.example", &z, r, b);
	run.exit = AUDIT_EXIT_WARNING;
	text = capture(audit_report_text, &run);
	snprintf(want, sizeof want, "\nresult: no-bypass (WARNING: %zu DNS findings of severity "
		 "warning or error)\n", lint_to_act_on(&report));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "every route refuses what the most preferred exchanger refuses"));
	free(text);
	text = capture(audit_report_json, &run);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "\"result\":\"no-bypass\",\"status\":\"WARNING\",\"exit\":1}"));
	free(text);
}

int main(void)
{
	CU_TestInfo tests[] = {
		UNIT_TEST(test_gather), UNIT_TEST(test_gather_special),
		UNIT_TEST(test_lint_clean), UNIT_TEST(test_lint_exchangers),
		UNIT_TEST(test_lint_rrset), UNIT_TEST(test_lint_without_psl),
		UNIT_TEST(test_probe_helo), UNIT_TEST(test_reply_reader),
		UNIT_TEST(test_bypass_backup), UNIT_TEST(test_bypass_equal_preference),
		UNIT_TEST(test_no_bypass), UNIT_TEST(test_incomplete),
		UNIT_TEST(test_escaping), UNIT_TEST(test_json_report), UNIT_TEST(test_text_report),
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {{"audit", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};

	return unit_run(suites);
}
