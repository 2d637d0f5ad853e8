/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_judge.c -- one decision as the filter makes it: a session's DNS
 * facts gathered through a table resolver, the recipient's MX route (with
 * a real TCP probe of the better exchanger, on 127.0.0.1), and the policy's
 * verdict.  Configurations come from config_parse_string.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/config.h"
#include "daemon/judge.h"
#include "daemon/log.h"
#include "daemon/session.h"
#include "fake_resolver.h"
#include "unit.h"

#define CLIENT "192.0.2.10"
#define REVERSE "10.2.0.192.in-addr.arpa"
#define MX1_ADDR "198.51.100.1"
#define MX2_ADDR "198.51.100.2"
#define HONEST_HELO "mail.sender.example"

static const struct fake_row zone[] = {
	{REVERSE, DNS_T_PTR, DNS_ANSWER, {HONEST_HELO}, NULL},
	{HONEST_HELO, DNS_T_A, DNS_ANSWER, {CLIENT}, NULL},
	{"example.net", DNS_T_MX, DNS_ANSWER, {"10 mx1.example.net", "20 mx2.example.net"}, NULL},
	{"mx1.example.net", DNS_T_A, DNS_ANSWER, {MX1_ADDR}, NULL},
	{"mx2.example.net", DNS_T_A, DNS_ANSWER, {MX2_ADDR}, NULL},
	/* we (mx2) are its backup; its primary is on the loopback, probed for real */
	{"backup.example", DNS_T_MX, DNS_ANSWER,
	 {"10 primary.backup.example", "20 mx2.example.net"}, NULL},
	{"primary.backup.example", DNS_T_A, DNS_ANSWER, {"127.0.0.1"}, NULL},
	/* a primary on 127.0.0.2, and another backup at our preference on 127.0.0.1 */
	{"peers.example", DNS_T_MX, DNS_ANSWER,
	 {"10 primary.peers.example", "20 mx2.example.net", "20 peer.peers.example"}, NULL},
	{"primary.peers.example", DNS_T_A, DNS_ANSWER, {"127.0.0.2"}, NULL},
	{"peer.peers.example", DNS_T_A, DNS_ANSWER, {"127.0.0.1"}, NULL},
	{"other.example", DNS_T_MX, DNS_ANSWER, {"10 mx.other.example"}, NULL},
	{"mx.other.example", DNS_T_A, DNS_ANSWER, {"203.0.113.5"}, NULL},
	{"nomail.example", DNS_T_MX, DNS_ANSWER, {"0 "}, NULL},
	{"down.example", DNS_T_MX, DNS_TEMPFAIL, {NULL}, NULL},
	{NULL, 0, 0, {NULL}, NULL},
};

/* ---- fixtures -------------------------------------------------------------- */

#define TABLE_MAX 48

static struct fake_row table[TABLE_MAX];
static struct fake_resolver resolver;
static unsigned ptr_asked, mx_asked, helo_a_asked;
static struct judgement j;      /* some 8 kB: not on the stack */

static void *counting_submit(struct resolver *self, const char *name, enum dns_type type)
{
	ptr_asked += type == DNS_T_PTR;
	mx_asked += type == DNS_T_MX;
	helo_a_asked += type == DNS_T_A && strcasecmp(name, HONEST_HELO) == 0;
	return fake_submit(self, name, type);
}

/* The zone, with overrides answering first (the fake takes the first matching row). */
static struct resolver *zone_with(const struct fake_row *overrides)
{
	size_t n = 0;

	for (const struct fake_row *r = overrides; r && r->name; r++)
		table[n++] = *r;
	for (const struct fake_row *r = zone; r->name; r++) {
		CU_ASSERT_FATAL(n + 1 < TABLE_MAX);
		table[n++] = *r;
	}
	table[n] = (struct fake_row){NULL, 0, 0, {NULL}, NULL};
	resolver = fake_resolver(table);
	resolver.base.submit = counting_submit;
	ptr_asked = mx_asked = helo_a_asked = 0;
	return &resolver.base;
}

static struct config *parse(const char *text)
{
	struct config_errors errs = {0};
	struct config *cfg = config_parse_string("test.conf", text, &errs);

	for (size_t i = 0; i < errs.count; i++)
		fprintf(stderr, "\n  unexpected: %s\n", errs.items[i]);
	CU_ASSERT_FATAL(cfg != NULL);
	config_errors_clear(&errs);
	return cfg;
}

/* A session of CLIENT, connected to local, after HELO helo and MAIL. */
static struct session *session_for(const char *conf, const char *local, const char *helo)
{
	struct session *s = session_new(parse(conf));
	struct netaddr a;

	CU_ASSERT_FATAL(s != NULL);
	netaddr_parse(CLIENT, &a);
	session_set_client(s, &a);
	netaddr_parse(local, &a);
	session_set_local(s, &a);
	CU_ASSERT(session_set_mta_name(s, "mta.ours.example"));
	CU_ASSERT(session_set_helo(s, helo));
	CU_ASSERT(session_begin_transaction(s, "<a@sender.example>", false));
	return s;
}

/* ---- the probe's exchangers: sockets on 127.0.0.1 ------------------------ */

/*
 * A TCP socket on a loopback address, listening (an exchanger that is up)
 * or only bound (one that refuses connections), at *port, or at a port
 * the kernel picks when *port is 0.
 */
static int loopback_socket_at(const char *addr, bool listening, int *port)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)*port)};
	socklen_t len = sizeof sin;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_FATAL(inet_pton(AF_INET, addr, &sin.sin_addr) == 1);
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0);
	CU_ASSERT_FATAL(!listening || listen(fd, 4) == 0);
	CU_ASSERT_FATAL(getsockname(fd, (struct sockaddr *)&sin, &len) == 0);
	*port = ntohs(sin.sin_port);
	return fd;
}

static int loopback_socket(bool listening, int *port)
{
	*port = 0;
	return loopback_socket_at("127.0.0.1", listening, port);
}

/* Did a probe connect to listener?  Waits at most wait_ms for it. */
static bool probed(int listener, int wait_ms)
{
	struct pollfd p = {listener, POLLIN, 0};
	int fd;

	if (poll(&p, 1, wait_ms) != 1)
		return false;
	fd = accept(listener, NULL, NULL);
	if (fd >= 0)
		close(fd);
	return fd >= 0;
}

/* backup_primary_up refusing, probes of port, no probe cache between tests. */
static struct session *backup_session(int port, const char *extra)
{
	char conf[256];

	snprintf(conf, sizeof conf, "backup_primary_up = tempfail\nmx_probe_port = %d\n"
		 "mx_probe_ttl = 0\n%s", port, extra);
	return session_for(conf, MX2_ADDR, HONEST_HELO);
}

/* ---- routes ---------------------------------------------------------------- */

static void test_primary_route_accepted(void)
{
	struct session *s = session_for("", MX1_ADDR, HONEST_HELO);

	judge(s, zone_with(NULL), "<user@example.net>", &j);
	CU_ASSERT_EQUAL(j.verdict.kind, VERDICT_ACCEPT);
	CU_ASSERT_EQUAL(j.verdict.fired, 0);
	CU_ASSERT_EQUAL(j.verdict.decisive, -1);
	CU_ASSERT_TRUE(j.route_known);
	CU_ASSERT_EQUAL(j.route.kind, ROUTE_PRIMARY);
	CU_ASSERT_EQUAL(j.route.our_pref, 10);
	CU_ASSERT_FALSE(j.rf.via_backup);
	CU_ASSERT_PTR_NULL(j.rf.primary_up);
	CU_ASSERT_FALSE(j.rf.route_uncertain);
	CU_ASSERT_NOT_EQUAL(j.route_text[0], '\0');
	CU_ASSERT_EQUAL(judgement_stats_route(&j), STATS_ROUTE_PRIMARY);
	CU_ASSERT_EQUAL(s->iprev.result, IPREV_PASS);
	session_free(s);
}

/* The bypass this filter closes: a backup used while the primary answers. */
static void test_backup_with_primary_up_refused(void)
{
	int port, listener = loopback_socket(true, &port);
	struct session *s = backup_session(port, "");

	judge(s, zone_with(NULL), "<user@backup.example>", &j);
	CU_ASSERT_TRUE(probed(listener, 2000));     /* a real connection was made */
	CU_ASSERT_EQUAL(j.route.kind, ROUTE_BACKUP);
	CU_ASSERT_EQUAL(j.route.our_pref, 20);
	CU_ASSERT_EQUAL(j.route.primary_pref, 10);
	CU_ASSERT_EQUAL(j.route.primary_probe, ROUTE_PROBE_UP);
	CU_ASSERT_TRUE(j.rf.via_backup);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j.rf.primary_up);
	CU_ASSERT_STRING_EQUAL(j.rf.primary_up, "primary.backup.example");
	CU_ASSERT_EQUAL(j.verdict.kind, VERDICT_TEMPFAIL);
	CU_ASSERT_EQUAL(j.verdict.decisive, CHECK_BACKUP_PRIMARY_UP);
	CU_ASSERT_TRUE(j.verdict.fired & (1u << CHECK_BACKUP_PRIMARY_UP));
	CU_ASSERT_STRING_EQUAL(j.verdict.reply.code, "451");
	CU_ASSERT_STRING_EQUAL(j.verdict.reply.xcode, "4.7.1");
	CU_ASSERT_PTR_NOT_NULL(strstr(j.verdict.reply.text, "primary.backup.example"));
	CU_ASSERT_EQUAL(judgement_stats_route(&j), STATS_ROUTE_BACKUP);
	session_free(s);
	close(listener);
}

/* Fail open: with the primary refusing connections, the backup accepts. */
static void test_backup_with_primary_down_accepted(void)
{
	int port, closed = loopback_socket(false, &port);   /* bound, not listening */
	struct session *s = backup_session(port, "");

	judge(s, zone_with(NULL), "<user@backup.example>", &j);
	CU_ASSERT_EQUAL(j.route.kind, ROUTE_BACKUP);
	CU_ASSERT_EQUAL(j.route.primary_probe, ROUTE_PROBE_DOWN);
	CU_ASSERT_TRUE(j.rf.via_backup);
	CU_ASSERT_PTR_NULL(j.rf.primary_up);
	CU_ASSERT_EQUAL(j.verdict.kind, VERDICT_ACCEPT);
	CU_ASSERT_EQUAL(j.verdict.fired, 0);
	session_free(s);
	close(closed);
}

/* allow_backup_clients may use the backup while the primary is up. */
static void test_backup_allowed_client_accepted(void)
{
	int port, listener = loopback_socket(true, &port);
	struct session *s = backup_session(port, "allow_backup_clients = 192.0.2.0/24\n");

	judge(s, zone_with(NULL), "<user@backup.example>", &j);
	CU_ASSERT_TRUE(probed(listener, 2000));
	CU_ASSERT_PTR_NOT_NULL(j.rf.primary_up);
	CU_ASSERT_EQUAL(j.verdict.kind, VERDICT_ACCEPT);
	CU_ASSERT_FALSE(j.verdict.fired & (1u << CHECK_BACKUP_PRIMARY_UP));
	session_free(s);
	close(listener);
}

/* With backup_primary_up off, no connection is made at all. */
static void test_backup_check_off_probes_nothing(void)
{
	int port, listener = loopback_socket(true, &port);
	char conf[128];
	struct session *s;

	snprintf(conf, sizeof conf, "backup_primary_up = off\nmx_probe_port = %d\n", port);
	s = session_for(conf, MX2_ADDR, HONEST_HELO);
	judge(s, zone_with(NULL), "<user@backup.example>", &j);
	CU_ASSERT_EQUAL(j.route.kind, ROUTE_BACKUP);
	CU_ASSERT_EQUAL(j.route.primary_probe, ROUTE_PROBE_NONE);
	CU_ASSERT_FALSE(j.rf.via_backup);
	CU_ASSERT_PTR_NULL(j.rf.primary_up);
	CU_ASSERT_EQUAL(j.verdict.kind, VERDICT_ACCEPT);
	CU_ASSERT_FALSE(probed(listener, 0));  /* the probe, had it run, is over by now */
	session_free(s);
	close(listener);
}

/* Only more-preferred exchangers count: another backup that is up is no primary. */
static void test_equal_preference_exchanger_not_probed(void)
{
	int port, peer = loopback_socket(true, &port), primary;
	struct session *s = backup_session(port, "");

	primary = loopback_socket_at("127.0.0.2", false, &port);   /* the same port, refusing */
	judge(s, zone_with(NULL), "<user@peers.example>", &j);
	CU_ASSERT_EQUAL(j.route.kind, ROUTE_BACKUP);
	CU_ASSERT_EQUAL(j.route.our_pref, 20);
	CU_ASSERT_EQUAL(j.route.primary_probe, ROUTE_PROBE_DOWN);
	CU_ASSERT_PTR_NULL(j.rf.primary_up);
	CU_ASSERT_EQUAL(j.verdict.kind, VERDICT_ACCEPT);
	CU_ASSERT_FALSE(probed(peer, 0));
	session_free(s);
	close(primary);
	close(peer);
}

/* Each route kind reaches its counter; a recipient given in brackets loses them. */
static void test_route_fields_per_domain(void)
{
	static const struct {
		const char *rcpt;
		enum route_kind kind;
		enum stats_route counter;
	} cases[] = {
		{"<user@example.net>", ROUTE_PRIMARY, STATS_ROUTE_PRIMARY},
		{"<user@other.example>", ROUTE_NONE, STATS_ROUTE_NONE},
		{"<user@nomail.example>", ROUTE_NULLMX, STATS_ROUTE_NULLMX},
		{"<user@down.example>", ROUTE_UNKNOWN, STATS_ROUTE_UNKNOWN},
		{"user@example.net", ROUTE_PRIMARY, STATS_ROUTE_PRIMARY},
	};
	struct session *s = session_for("", MX1_ADDR, HONEST_HELO);

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const char *at = strchr(cases[i].rcpt, '@');

		judge(s, zone_with(NULL), cases[i].rcpt, &j);
		CU_ASSERT_EQUAL(j.route.kind, cases[i].kind);
		CU_ASSERT_EQUAL(judgement_stats_route(&j), cases[i].counter);
		CU_ASSERT_PTR_EQUAL(j.rf.address, j.address);
		CU_ASSERT_EQUAL(j.address[0], 'u');             /* no '<' */
		CU_ASSERT_PTR_NOT_NULL_FATAL(j.rf.domain);
		CU_ASSERT_EQUAL(strncmp(j.rf.domain, at + 1, strlen(j.rf.domain)), 0);
		CU_ASSERT_NOT_EQUAL(j.rf.domain[strlen(j.rf.domain) - 1], '>');
		CU_ASSERT_PTR_EQUAL(j.rf.mx, &j.mx);
	}
	CU_ASSERT_TRUE(j.route_known);
	judge(s, zone_with(NULL), "<user@down.example>", &j);
	CU_ASSERT_TRUE(j.rf.route_uncertain);           /* a failed MX lookup: may be us */
	CU_ASSERT_EQUAL(j.verdict.kind, VERDICT_ACCEPT);    /* backup_primary_up only logs */
	session_free(s);
}

/* At MAIL (no recipient): no route, no MX lookup. */
static void test_mail_stage_looks_up_no_route(void)
{
	struct session *s = session_for("", MX1_ADDR, HONEST_HELO);

	judge(s, zone_with(NULL), NULL, &j);
	CU_ASSERT_PTR_NULL(j.rf.address);
	CU_ASSERT_PTR_NULL(j.rf.domain);
	CU_ASSERT_PTR_NULL(j.rf.mx);
	CU_ASSERT_FALSE(j.route_known);
	CU_ASSERT_EQUAL(j.route_text[0], '\0');
	CU_ASSERT_EQUAL(mx_asked, 1);           /* the HELO name's MX only (helo_unknown) */
	CU_ASSERT_EQUAL(judgement_stats_route(&j), STATS_ROUTE_NOT_LOOKED_UP);
	CU_ASSERT_EQUAL(j.verdict.kind, VERDICT_ACCEPT);
	CU_ASSERT_TRUE(s->iprev_gathered);
	session_free(s);
}

/* No resolver (an exempt or address-less client): nothing gathered, no route. */
static void test_without_resolver_no_dns_facts(void)
{
	struct session *s = session_for("", MX1_ADDR, HONEST_HELO);

	judge(s, NULL, "<user@example.net>", &j);
	CU_ASSERT_FALSE(s->iprev_gathered);
	CU_ASSERT_PTR_NULL(s->facts.iprev);
	CU_ASSERT_FALSE(s->facts.have_helo_dns);
	CU_ASSERT_FALSE(j.route_known);
	CU_ASSERT_PTR_NULL(j.rf.mx);
	CU_ASSERT_STRING_EQUAL(j.rf.address, "user@example.net");
	CU_ASSERT_EQUAL(judgement_stats_route(&j), STATS_ROUTE_NOT_LOOKED_UP);
	CU_ASSERT_EQUAL(j.verdict.kind, VERDICT_ACCEPT);
	session_free(s);
}

/* ---- HELO impersonation, exemptions ---------------------------------------- */

/* A client that greets with another MX host's name of the recipient domain. */
static void test_helo_impersonating_mx_host_rejected(void)
{
	struct session *s = session_for("", MX1_ADDR, "mx2.example.net");

	judge(s, zone_with(NULL), "<user@example.net>", &j);
	CU_ASSERT_EQUAL(j.verdict.kind, VERDICT_REJECT);
	CU_ASSERT_EQUAL(j.verdict.decisive, CHECK_HELO_IMPERSONATION);
	CU_ASSERT_TRUE(j.verdict.fired & (1u << CHECK_HELO_IMPERSONATION));
	CU_ASSERT_STRING_EQUAL(j.verdict.reply.code, "550");
	CU_ASSERT_STRING_EQUAL(j.verdict.reply.xcode, "5.7.1");
	CU_ASSERT_PTR_NOT_NULL(strstr(j.verdict.evidence, "mx2.example.net"));
	CU_ASSERT_PTR_NOT_NULL(strstr(j.verdict.evidence, MX2_ADDR));
	CU_ASSERT_EQUAL(j.route.kind, ROUTE_PRIMARY);
	session_free(s);
}

/* postmaster@ (allow_recipients by default) is never refused, whatever fired. */
static void test_exempt_recipient_never_refused(void)
{
	struct session *s = session_for("", MX1_ADDR, "mx2.example.net");

	judge(s, zone_with(NULL), "<postmaster@example.net>", &j);
	CU_ASSERT_EQUAL(j.verdict.kind, VERDICT_EXEMPT);
	CU_ASSERT_PTR_NOT_NULL_FATAL(j.verdict.exempt);
	CU_ASSERT_STRING_EQUAL(j.verdict.exempt, "allow_recipients");
	CU_ASSERT_EQUAL(j.verdict.reply.code[0], '\0');
	CU_ASSERT_EQUAL(j.verdict.tagged, 0);
	judge(s, zone_with(NULL), "<user@example.net>", &j);
	CU_ASSERT_EQUAL(j.verdict.kind, VERDICT_REJECT);    /* the next recipient is not */
	session_free(s);
}

/* ---- temporary DNS failures -------------------------------------------------- */

struct servfail_case {
	const char *what;
	const char *helo;
	struct fake_row fail;           /* the lookup that fails */
	enum verdict_kind want;         /* VERDICT_TEMPFAIL where a real answer could refuse */
};

/*
 * A SERVFAIL in any fact the decision reads defers, or accepts, but never
 * gives a 5xx: HELO mx2.example.net is refused when every lookup answers.
 */
static void test_servfail_defers_never_rejects(void)
{
	static const struct servfail_case cases[] = {
		{"the recipient domain's MX", "mx2.example.net",
		 {"example.net", DNS_T_MX, DNS_TEMPFAIL, {NULL}, NULL}, VERDICT_TEMPFAIL},
		{"the HELO name's address", "mx2.example.net",
		 {"mx2.example.net", DNS_T_A, DNS_TEMPFAIL, {NULL}, NULL}, VERDICT_TEMPFAIL},
		{"the client's PTR", HONEST_HELO,
		 {REVERSE, DNS_T_PTR, DNS_TEMPFAIL, {NULL}, NULL}, VERDICT_TEMPFAIL},
		{"the PTR name's address", HONEST_HELO,
		 {HONEST_HELO, DNS_T_A, DNS_TEMPFAIL, {NULL}, NULL}, VERDICT_ACCEPT},
	};

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct fake_row overrides[2] = {cases[i].fail, {NULL, 0, 0, {NULL}, NULL}};
		struct session *s = session_for("", MX1_ADDR, cases[i].helo);

		judge(s, zone_with(overrides), "<user@example.net>", &j);
		if (j.verdict.kind != cases[i].want)
			fprintf(stderr, "\n  %s failing: verdict %s\n", cases[i].what,
				verdict_name(j.verdict.kind));
		CU_ASSERT_EQUAL(j.verdict.kind, cases[i].want);
		CU_ASSERT_NOT_EQUAL(reply_class(&j.verdict.reply), 5);
		if (cases[i].want == VERDICT_TEMPFAIL)
			CU_ASSERT_EQUAL(reply_class(&j.verdict.reply), 4);
		CU_ASSERT_NOT_EQUAL(j.verdict.temperror, 0);
		session_free(s);
	}
}

/* ---- what a session keeps between decisions ----------------------------- */

/* The client's reverse DNS is asked once a session, not at every recipient. */
static void test_facts_kept_for_later_decisions(void)
{
	struct session *s = session_for("", MX1_ADDR, HONEST_HELO);
	struct resolver *r = zone_with(NULL);

	judge(s, r, "<a@example.net>", &j);
	judge(s, r, "<b@example.net>", &j);
	CU_ASSERT(session_begin_transaction(s, "<c@sender.example>", false));
	judge(s, r, "<c@example.net>", &j);
	CU_ASSERT_EQUAL(ptr_asked, 1);
	CU_ASSERT_EQUAL(mx_asked, 1 + 3);       /* the HELO name's once, the domain's each time */
	CU_ASSERT_EQUAL(j.verdict.kind, VERDICT_ACCEPT);
	session_free(s);
}

/* A PTR that failed is asked again at the next decision, which may then accept. */
static void test_failed_ptr_asked_again(void)
{
	static const struct fake_row fail[] = {
		{REVERSE, DNS_T_PTR, DNS_TEMPFAIL, {NULL}, NULL}, {NULL, 0, 0, {NULL}, NULL},
	};
	struct session *s = session_for("", MX1_ADDR, HONEST_HELO);

	judge(s, zone_with(fail), "<a@example.net>", &j);
	CU_ASSERT_EQUAL(j.verdict.kind, VERDICT_TEMPFAIL);
	CU_ASSERT_EQUAL(s->iprev.result, IPREV_TEMPERROR);
	judge(s, zone_with(NULL), "<a@example.net>", &j);
	CU_ASSERT_EQUAL(ptr_asked, 1);
	CU_ASSERT_EQUAL(s->iprev.result, IPREV_PASS);
	CU_ASSERT_EQUAL(j.verdict.kind, VERDICT_ACCEPT);
	session_free(s);
}

/* A HELO name whose lookup failed is asked again: the deferral does not stick. */
static void test_failed_helo_lookup_asked_again(void)
{
	static const struct fake_row fail[] = {
		{"mx2.example.net", DNS_T_A, DNS_TEMPFAIL, {NULL}, NULL}, {NULL, 0, 0, {NULL}, NULL},
	};
	struct session *s = session_for("", MX1_ADDR, "mx2.example.net");

	judge(s, zone_with(fail), "<a@example.net>", &j);
	CU_ASSERT_EQUAL(j.verdict.kind, VERDICT_TEMPFAIL);
	CU_ASSERT_EQUAL(s->facts.helo_dns.matches_client, TRI_TEMP);
	judge(s, zone_with(NULL), "<a@example.net>", &j);
	CU_ASSERT_EQUAL(s->facts.helo_dns.matches_client, TRI_NO);
	CU_ASSERT_EQUAL(j.verdict.kind, VERDICT_REJECT);
	CU_ASSERT_EQUAL(ptr_asked, 0);          /* the client's PTR had answered */
	session_free(s);
}

/* A new HELO's name gets its own facts: the first name's verdict does not stay. */
static void test_new_helo_judged_afresh(void)
{
	struct session *s = session_for("", MX1_ADDR, "mx2.example.net");

	judge(s, zone_with(NULL), "<a@example.net>", &j);
	CU_ASSERT_EQUAL(j.verdict.kind, VERDICT_REJECT);
	CU_ASSERT(session_set_helo(s, HONEST_HELO));
	CU_ASSERT(session_begin_transaction(s, "<a@sender.example>", false));
	judge(s, zone_with(NULL), "<a@example.net>", &j);
	CU_ASSERT_EQUAL(j.verdict.kind, VERDICT_ACCEPT);
	CU_ASSERT_EQUAL(j.verdict.fired, 0);
	CU_ASSERT_EQUAL(helo_a_asked, 1);       /* as the new HELO name, not again as the PTR's */
	CU_ASSERT_EQUAL(ptr_asked, 0);          /* the client's reverse DNS is kept */
	session_free(s);
}

int main(void)
{
	static CU_TestInfo tests[] = {
		UNIT_TEST(test_primary_route_accepted),
		UNIT_TEST(test_backup_with_primary_up_refused),
		UNIT_TEST(test_backup_with_primary_down_accepted),
		UNIT_TEST(test_backup_allowed_client_accepted),
		UNIT_TEST(test_backup_check_off_probes_nothing),
		UNIT_TEST(test_equal_preference_exchanger_not_probed),
		UNIT_TEST(test_route_fields_per_domain),
		UNIT_TEST(test_mail_stage_looks_up_no_route),
		UNIT_TEST(test_without_resolver_no_dns_facts),
		UNIT_TEST(test_helo_impersonating_mx_host_rejected),
		UNIT_TEST(test_exempt_recipient_never_refused),
		UNIT_TEST(test_servfail_defers_never_rejects),
		UNIT_TEST(test_facts_kept_for_later_decisions),
		UNIT_TEST(test_failed_ptr_asked_again),
		UNIT_TEST(test_failed_helo_lookup_asked_again),
		UNIT_TEST(test_new_helo_judged_afresh),
		CU_TEST_INFO_NULL,
	};
	static CU_SuiteInfo suites[] = {
		{"judge", NULL, NULL, NULL, NULL, tests},
		CU_SUITE_INFO_NULL,
	};

	log_open_stderr_only();
	return unit_run(suites);
}
