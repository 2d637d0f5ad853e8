/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dns_tempfail.c -- the promise that a DNS hiccup never bounces a
 * message, as a property of the whole decision: the fact gatherers over a
 * table resolver, the route, and the policy.
 *
 * For each scenario and configuration, and for each lookup the decision
 * reads (with each other lookup answered in each of its variants in turn),
 * that one answer is replaced by every real variant and by a temporary
 * failure.  Whenever some real answer leads to no refusal at all, the
 * temporary failure must not lead to a 5xx.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/config.h"
#include "fake_resolver.h"
#include "core/helodns.h"
#include "core/iprev.h"
#include "core/mxhosts.h"
#include "core/mxroute.h"
#include "core/policy.h"
#include "unit.h"

#define DATA_MAX 4
#define ROWS_MAX 48

/* One answer: a status and its records ("PREF name" for MX). */
struct answer_def {
	enum dns_status status;
	const char *data[DATA_MAX];
};

struct row {
	const char *name;
	enum dns_type type;
	struct answer_def answer;
};

struct table {
	struct resolver base;
	struct row rows[ROWS_MAX];
	size_t nrows;
	struct row asked[ROWS_MAX];     /* the questions of the last run (answer unused) */
	size_t nasked;
};

#define CLIENT "192.0.2.10"
#define OTHER "192.0.2.99"
#define PRIMARY_ADDR "198.51.100.25"
#define BACKUP_ADDR "198.51.100.26"
#define REVERSE "10.2.0.192.in-addr.arpa"
#define DOMAIN "example.net"
#define RCPT "user@example.net"

/* The variants of each type: every real answer the suite knows. */
static const struct answer_def ptr_variants[] = {
	{DNS_ANSWER, {"mail.sender.example"}},
	{DNS_ANSWER, {"mx2.example.net"}},
	{DNS_ANSWER, {"dyn-192-0-2-10.pool.isp.example"}},
	{DNS_ANSWER, {"dyn-192-0-2-10.pool.isp.example", "mail.sender.example"}},
	{DNS_ANSWER, {"mail.sender.example", "dyn-192-0-2-10.pool.isp.example"}},
	{DNS_ANSWER, {"host.trusted.example"}},
	{DNS_ANSWER, {"host.trusted.example", "dyn-192-0-2-10.pool.isp.example"}},
	{DNS_ANSWER, {"dyn-192-0-2-10.pool.isp.example", "host.trusted.example"}},
	{DNS_NXDOMAIN, {NULL}},
	{DNS_NODATA, {NULL}},
};
static const struct answer_def a_variants[] = {
	{DNS_ANSWER, {CLIENT}},
	{DNS_ANSWER, {OTHER}},
	{DNS_ANSWER, {PRIMARY_ADDR}},
	{DNS_ANSWER, {BACKUP_ADDR}},
	{DNS_NXDOMAIN, {NULL}},
	{DNS_NODATA, {NULL}},
};
static const struct answer_def aaaa_variants[] = {
	{DNS_ANSWER, {"2001:db8::99"}},
	{DNS_NXDOMAIN, {NULL}},
	{DNS_NODATA, {NULL}},
};
static const struct answer_def mx_variants[] = {
	{DNS_ANSWER, {"10 mx1.example.net", "20 mx2.example.net"}},
	{DNS_ANSWER, {"10 mx1.example.net"}},
	{DNS_ANSWER, {"20 mx2.example.net"}},
	{DNS_ANSWER, {"10 mx.sender.example"}},
	{DNS_NXDOMAIN, {NULL}},
	{DNS_NODATA, {NULL}},
};
static const struct answer_def tempfail = {DNS_TEMPFAIL, {NULL}};

struct variants {
	const struct answer_def *list;
	size_t count;
};

static struct variants variants_of(enum dns_type type)
{
#define V(a) (struct variants){a, sizeof a / sizeof a[0]}
	switch (type) {
	case DNS_T_PTR: return V(ptr_variants);
	case DNS_T_A: return V(a_variants);
	case DNS_T_AAAA: return V(aaaa_variants);
	case DNS_T_MX: return V(mx_variants);
	default: break;
	}
	return (struct variants){NULL, 0};
#undef V
}

/* ---- the table resolver ---------------------------------------------------- */

static const struct row *find_row(const struct table *t, const char *name, enum dns_type type)
{
	for (size_t i = 0; i < t->nrows; i++)
		if (t->rows[i].type == type && strcasecmp(t->rows[i].name, name) == 0)
			return &t->rows[i];
	return NULL;
}

static void note_question(struct table *t, const char *name, enum dns_type type)
{
	for (size_t i = 0; i < t->nasked; i++)
		if (t->asked[i].type == type && strcasecmp(t->asked[i].name, name) == 0)
			return;
	if (t->nasked < ROWS_MAX) {
		/* the names live in the rows or in the answers' static strings */
		const struct row *r = find_row(t, name, type);

		t->asked[t->nasked].name = r ? r->name : NULL;
		t->asked[t->nasked].type = type;
		if (r != NULL)
			t->nasked++;
	}
}

/* An answer as the fake resolver makes them, from our row's records. */
static struct dns_answer *make_answer(const struct answer_def *d, enum dns_type type)
{
	struct fake_row row = {NULL, type, d->status, {NULL}, NULL};

	for (size_t i = 0; i < DATA_MAX && d->data[i]; i++)
		row.data[i] = d->data[i];
	return fake_answer(&row, type);
}

static void *table_submit(struct resolver *self, const char *name, enum dns_type type)
{
	struct table *t = (struct table *)self;
	const struct row *r = find_row(t, name, type);
	static const struct answer_def nxdomain = {DNS_NXDOMAIN, {NULL}};

	note_question(t, name, type);
	return make_answer(r ? &r->answer : &nxdomain, type);
}

static struct dns_answer *table_collect(UNUSED struct resolver *self, void *handle)
{
	return handle;
}

/* Sets (name, type) to answer d, adding the row when it is missing. */
static void table_set(struct table *t, const char *name, enum dns_type type,
		      const struct answer_def *d)
{
	for (size_t i = 0; i < t->nrows; i++)
		if (t->rows[i].type == type && strcasecmp(t->rows[i].name, name) == 0) {
			t->rows[i].answer = *d;
			return;
		}
	CU_ASSERT_FATAL(t->nrows < ROWS_MAX);
	t->rows[t->nrows++] = (struct row){name, type, *d};
}

/*
 * Every name the variants can bring into play gets a row (NXDOMAIN unless
 * the scenario says otherwise), so that each is one of the lookups varied.
 */
static const char *const universe[] = {
	"mail.sender.example", "mx1.example.net", "mx2.example.net",
	"dyn-192-0-2-10.pool.isp.example", "host.trusted.example", "mx.sender.example",
	DOMAIN, NULL
};

static void table_init(struct table *t, const struct row *scenario_rows)
{
	static const struct answer_def nx = {DNS_NXDOMAIN, {NULL}};
	static const enum dns_type types[] = {DNS_T_A, DNS_T_AAAA, DNS_T_MX};

	memset(t, 0, sizeof *t);
	t->base.submit = table_submit;
	t->base.collect = table_collect;
	table_set(t, REVERSE, DNS_T_PTR, &nx);
	for (int i = 0; universe[i]; i++)
		for (size_t k = 0; k < sizeof types / sizeof types[0]; k++)
			table_set(t, universe[i], types[k], &nx);
	for (const struct row *r = scenario_rows; r->name; r++)
		table_set(t, r->name, r->type, &r->answer);
}

/* ---- one decision, as judge() makes it, without the network ------------- */

struct scenario {
	const char *what;
	const char *helo;
	const char *local;              /* the address the client reached */
	const char *mta_name;
	struct row rows[12];
};

static struct verdict decide(const struct policy *pol, const struct scenario *sc,
			     struct table *t)
{
	struct session_facts f;
	struct iprev_facts ip;
	struct mx_hosts mx;
	struct route route;
	struct rcpt_facts rf;
	struct verdict v;

	t->nasked = 0;
	memset(&f, 0, sizeof f);
	f.have_client = netaddr_parse(CLIENT, &f.client);
	f.have_local = netaddr_parse(sc->local, &f.local);
	f.mta_name = sc->mta_name;
	f.helo_seen = true;
	helo_classify(sc->helo, &f.helo);
	iprev_gather(&t->base, &f.client, 10, &ip);
	f.iprev = &ip;
	if (f.helo.cls == HELO_FQDN) {
		helodns_gather(&t->base, f.helo.name, &f.client, &f.helo_dns);
		f.have_helo_dns = true;
	}
	mxhosts_gather(&t->base, DOMAIN, &mx);
	mxroute_classify(&mx, &f.local, &pol->local_addresses, &route);
	rf = (struct rcpt_facts){
		.address = RCPT, .domain = DOMAIN, .mx = &mx,
		.via_backup = route.kind == ROUTE_BACKUP,
		/* the probe is no DNS: a better exchanger is taken to be up */
		.primary_up = route.kind == ROUTE_BACKUP ? route.primary : NULL,
		.route_uncertain = mxroute_uncertain(&route),
	};
	policy_evaluate(pol, &f, &rf, &v);
	return v;
}

static bool refuses_permanently(const struct verdict *v)
{
	return v->kind == VERDICT_REJECT || (v->kind == VERDICT_TEMPFAIL && v->reply.code[0] == '5');
}

static bool refuses_at_all(const struct verdict *v)
{
	return v->kind == VERDICT_REJECT || v->kind == VERDICT_TEMPFAIL;
}

/* ---- the property ------------------------------------------------------------ */

struct property_run {
	const char *config_name;
	const struct policy *pol;
	const struct scenario *sc;
	unsigned decisions, violations;
};

static const char *type_name(enum dns_type t)
{
	switch (t) {
	case DNS_T_A: return "A";
	case DNS_T_AAAA: return "AAAA";
	case DNS_T_MX: return "MX";
	case DNS_T_PTR: return "PTR";
	default: break;
	}
	return "?";
}

static void describe(const struct answer_def *d, char *buf, size_t len)
{
	size_t o = (size_t)snprintf(buf, len, "%s", dns_status_name(d->status));

	for (size_t i = 0; d->status == DNS_ANSWER && i < DATA_MAX && d->data[i] && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? "," : " ", d->data[i]);
}

static void report(struct property_run *p, const struct row *other, const struct row *key,
		   const struct answer_def *benign, const struct verdict *temp)
{
	char other_text[160] = "-", benign_text[160];
	char checks[256];

	if (++p->violations > 12)
		return;
	if (other != NULL) {
		char a[128];

		describe(&other->answer, a, sizeof a);
		snprintf(other_text, sizeof other_text, "%s %s = %s", other->name,
			 type_name(other->type), a);
	}
	describe(benign, benign_text, sizeof benign_text);
	checks_format(temp->fired, checks, sizeof checks);
	fprintf(stderr, "\n  [%s, %s] with %s: %s %s SERVFAIL gives %s %s (checks=%s), "
		"but %s gives no refusal", p->config_name, p->sc->what, other_text, key->name,
		type_name(key->type), verdict_name(temp->kind), temp->reply.code, checks,
		benign_text);
}

/* In table t, each lookup the decision reads, varied against a failure. */
static void vary_each_lookup(struct property_run *p, struct table *t, const struct row *other)
{
	struct row asked[ROWS_MAX];
	size_t nasked;

	decide(p->pol, p->sc, t);
	nasked = t->nasked;
	memcpy(asked, t->asked, sizeof asked);
	for (size_t k = 0; k < nasked; k++) {
		const struct row *row = find_row(t, asked[k].name, asked[k].type);
		struct answer_def saved = row->answer;
		struct variants vs = variants_of(row->type);
		const struct answer_def *benign = NULL;
		struct verdict v;

		if (other && row->type == other->type && strcasecmp(row->name, other->name) == 0)
			continue;
		for (size_t i = 0; i < vs.count && benign == NULL; i++) {
			table_set(t, row->name, row->type, &vs.list[i]);
			v = decide(p->pol, p->sc, t);
			p->decisions++;
			if (!refuses_at_all(&v))
				benign = &vs.list[i];
		}
		table_set(t, row->name, row->type, &tempfail);
		v = decide(p->pol, p->sc, t);
		p->decisions++;
		if (benign != NULL && refuses_permanently(&v))
			report(p, other, row, benign, &v);
		table_set(t, row->name, row->type, &saved);
	}
}

static void check_property(struct property_run *p)
{
	struct table t;
	struct row asked[ROWS_MAX];
	size_t nasked;

	table_init(&t, p->sc->rows);
	vary_each_lookup(p, &t, NULL);
	decide(p->pol, p->sc, &t);
	nasked = t.nasked;
	memcpy(asked, t.asked, sizeof asked);
	/* every other lookup in each of its variants, one at a time */
	for (size_t k = 0; k < nasked; k++) {
		struct variants vs = variants_of(asked[k].type);

		for (size_t i = 0; i < vs.count; i++) {
			struct row other = {asked[k].name, asked[k].type, vs.list[i]};

			table_init(&t, p->sc->rows);
			table_set(&t, other.name, other.type, &other.answer);
			vary_each_lookup(p, &t, &other);
		}
	}
}

/* The exchangers of example.net: mx1 (us on the primary) and mx2 (our backup). */
#define MX_ROWS \
	{DOMAIN, DNS_T_MX, {DNS_ANSWER, {"10 mx1.example.net", "20 mx2.example.net"}}}, \
	{"mx1.example.net", DNS_T_A, {DNS_ANSWER, {PRIMARY_ADDR}}}, \
	{"mx2.example.net", DNS_T_A, {DNS_ANSWER, {BACKUP_ADDR}}}

static const struct scenario scenarios[] = {
	{"our backup relays to the primary", "mx2.example.net", PRIMARY_ADDR, "mx1.example.net", {
		{DOMAIN, DNS_T_MX, {DNS_ANSWER, {"10 mx1.example.net", "20 mx2.example.net"}}},
		{"mx1.example.net", DNS_T_A, {DNS_ANSWER, {PRIMARY_ADDR}}},
		{"mx2.example.net", DNS_T_A, {DNS_ANSWER, {CLIENT}}},
		{REVERSE, DNS_T_PTR, {DNS_ANSWER, {"mx2.example.net"}}},
		{NULL, 0, {0, {NULL}}}}},
	{"an honest sender at the primary", "mail.sender.example", PRIMARY_ADDR,
	 "mx1.example.net", {MX_ROWS,
		{"mail.sender.example", DNS_T_A, {DNS_ANSWER, {CLIENT}}},
		{REVERSE, DNS_T_PTR, {DNS_ANSWER, {"mail.sender.example"}}},
		{NULL, 0, {0, {NULL}}}}},
	{"a sender with a generic and a real PTR name", "mail.sender.example", PRIMARY_ADDR,
	 "mx1.example.net", {MX_ROWS,
		{"mail.sender.example", DNS_T_A, {DNS_ANSWER, {CLIENT}}},
		{REVERSE, DNS_T_PTR, {DNS_ANSWER, {"dyn-192-0-2-10.pool.isp.example",
						   "mail.sender.example"}}},
		{NULL, 0, {0, {NULL}}}}},
	{"an honest sender at the backup", "mail.sender.example", BACKUP_ADDR,
	 "mx2.example.net", {MX_ROWS,
		{"mail.sender.example", DNS_T_A, {DNS_ANSWER, {CLIENT}}},
		{REVERSE, DNS_T_PTR, {DNS_ANSWER, {"mail.sender.example"}}},
		{NULL, 0, {0, {NULL}}}}},
	{"a trusted host (allow_ptr)", "host.trusted.example", PRIMARY_ADDR,
	 "mx1.example.net", {MX_ROWS,
		{"host.trusted.example", DNS_T_A, {DNS_ANSWER, {CLIENT}}},
		{REVERSE, DNS_T_PTR, {DNS_ANSWER, {"host.trusted.example"}}},
		{NULL, 0, {0, {NULL}}}}},
	{"a sender naming its own address", "[192.0.2.10]", BACKUP_ADDR, "mx2.example.net", {
		MX_ROWS,
		{"mail.sender.example", DNS_T_A, {DNS_ANSWER, {CLIENT}}},
		{REVERSE, DNS_T_PTR, {DNS_ANSWER, {"mail.sender.example"}}},
		{NULL, 0, {0, {NULL}}}}},
	{"two confirmed names, the real one first", "mail.sender.example", PRIMARY_ADDR,
	 "mx1.example.net", {MX_ROWS,
		{"mail.sender.example", DNS_T_A, {DNS_ANSWER, {CLIENT}}},
		{"dyn-192-0-2-10.pool.isp.example", DNS_T_A, {DNS_ANSWER, {CLIENT}}},
		{REVERSE, DNS_T_PTR, {DNS_ANSWER, {"mail.sender.example",
						   "dyn-192-0-2-10.pool.isp.example"}}},
		{NULL, 0, {0, {NULL}}}}},
	{"a trusted host with a second confirmed name, single-label HELO", "WINBOX", PRIMARY_ADDR,
	 "mx1.example.net", {MX_ROWS,
		{"host.trusted.example", DNS_T_A, {DNS_ANSWER, {CLIENT}}},
		{"dyn-192-0-2-10.pool.isp.example", DNS_T_A, {DNS_ANSWER, {CLIENT}}},
		{REVERSE, DNS_T_PTR, {DNS_ANSWER, {"host.trusted.example",
						   "dyn-192-0-2-10.pool.isp.example"}}},
		{NULL, 0, {0, {NULL}}}}},
	{"a sender with no PTR", "mail.sender.example", PRIMARY_ADDR, "mx1.example.net", {
		MX_ROWS,
		{"mail.sender.example", DNS_T_A, {DNS_ANSWER, {CLIENT}}},
		{NULL, 0, {0, {NULL}}}}},
};

/* Every check refuses with a 5xx: any check that fires wrongly shows. */
static const char every_check_rejects[] =
	"helo_unknown = reject\n"
	"helo_mismatch = reject\n"
	"ptr_missing = reject\n"
	"ptr_missing_reply = 550 5.7.25 no PTR\n"
	"ptr_unconfirmed = reject\n"
	"ptr_generic = reject\n"
	"backup_primary_up = reject\n"
	"backup_primary_up_reply = 550 5.7.1 use the primary\n"
	"allow_ptr = trusted.example\n";

/* The shipped defaults, with the backup check on at tempfail. */
static const char defaults_with_backup_check[] = "backup_primary_up = tempfail\n";

static void run_property(const char *config_name, const char *text)
{
	struct config_errors errs = {0};
	struct config *cfg = config_parse_string(config_name, text, &errs);
	unsigned decisions = 0, violations = 0;

	if (cfg == NULL)
		for (size_t i = 0; i < errs.count; i++)
			fprintf(stderr, "\n  %s", errs.items[i]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	config_errors_clear(&errs);
	for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++) {
		struct property_run p = {config_name, &cfg->policy, &scenarios[i], 0, 0};

		check_property(&p);
		decisions += p.decisions;
		violations += p.violations;
	}
	if (violations)
		fprintf(stderr, "\n  %u of %u decisions turned a temporary failure into a 5xx\n",
			violations, decisions);
	CU_ASSERT(decisions > 5000);        /* the enumeration did run */
	CU_ASSERT_EQUAL(violations, 0);
	config_free(cfg);
}

static void test_every_check_at_reject(void)
{
	run_property("every check at reject", every_check_rejects);
}

static void test_shipped_defaults(void)
{
	run_property("shipped defaults", defaults_with_backup_check);
}

/* The issue's own reproduction, stated once as an example. */
static void test_backup_relay_with_failed_helo_lookup(void)
{
	struct config_errors errs = {0};
	struct config *cfg = config_parse_string("example", "", &errs);
	struct table t;
	struct verdict v;

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	table_init(&t, scenarios[0].rows);
	v = decide(&cfg->policy, &scenarios[0], &t);
	CU_ASSERT_EQUAL(v.kind, VERDICT_EXEMPT);
	CU_ASSERT_STRING_EQUAL(v.exempt, "allow_mx_peers");
	table_set(&t, "mx2.example.net", DNS_T_A, &tempfail);
	v = decide(&cfg->policy, &scenarios[0], &t);
	CU_ASSERT_EQUAL(v.kind, VERDICT_TEMPFAIL);
	CU_ASSERT_STRING_EQUAL(v.reply.code, "451");
	CU_ASSERT_STRING_EQUAL(v.reply.xcode, "4.4.3");
	CU_ASSERT_PTR_NOT_NULL(v.exempt_unknown);
	if (v.exempt_unknown)
		CU_ASSERT_STRING_EQUAL(v.exempt_unknown, "allow_mx_peers");
	config_errors_clear(&errs);
	config_free(cfg);
}

int main(void)
{
	CU_TestInfo tests[] = {
		UNIT_TEST(test_backup_relay_with_failed_helo_lookup),
		UNIT_TEST(test_every_check_at_reject),
		UNIT_TEST(test_shipped_defaults),
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {{"dns_tempfail", NULL, NULL, NULL, NULL, tests},
				 CU_SUITE_INFO_NULL};

	return unit_run(suites);
}
