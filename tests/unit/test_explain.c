/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_explain.c -- why a check fired, as the query mode prints it: for
 * every check, a case where it fires, and the words that name what was
 * sent or found, against what, and the way out.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "daemon/config.h"
#include "core/explain.h"
#include "core/policy.h"
#include "unit.h"

struct explain_case {
	const char *helo;           /* NULL: none was given */
	const char *client;
	enum iprev_result iprev;    /* IPREV_NONE: not looked up */
	const char *ptr;            /* the one PTR name, or NULL */
	bool helo_dns;              /* the HELO name was looked up: */
	enum tristate exists, matches;
	const char *primary_up;     /* via the backup, this better exchanger is up */
	enum check_id check;
	const char *want;
};

static const struct explain_case cases[] = {
	{NULL, "192.0.2.10", IPREV_NONE, NULL, false, TRI_NO, TRI_NO, NULL, CHECK_HELO_MISSING,
	 "the client sent MAIL FROM without HELO or EHLO"},
	{"bad..name.example", "192.0.2.10", IPREV_NONE, NULL, false, TRI_NO, TRI_NO, NULL,
	 CHECK_HELO_SYNTAX,
	 "the HELO is not a valid domain name or address literal: empty label"},
	{"192.0.2.10", "192.0.2.10", IPREV_NONE, NULL, false, TRI_NO, TRI_NO, NULL,
	 CHECK_HELO_BARE_IP,
	 "HELO 192.0.2.10 is an address without brackets: RFC 5321 writes it [192.0.2.10]"},
	{"2001:db8::7", "2001:db8::7", IPREV_NONE, NULL, false, TRI_NO, TRI_NO, NULL,
	 CHECK_HELO_BARE_IP,
	 "HELO 2001:db8::7 is an address without brackets: RFC 5321 writes it [IPv6:2001:db8::7]"},
	{"WIN-8DKQ3J2", "192.0.2.10", IPREV_NONE, NULL, false, TRI_NO, TRI_NO, NULL,
	 CHECK_HELO_NOT_FQDN,
	 "HELO win-8dkq3j2 is a single label, not a fully-qualified domain name"},
	{"mx1.example.net", "192.0.2.10", IPREV_NONE, NULL, false, TRI_NO, TRI_NO, NULL,
	 CHECK_HELO_IMPERSONATION,
	 "HELO mx1.example.net is this MTA's name, not the client 192.0.2.10; a relay of "
	 "ours: list its address in allow_clients"},
	{"[192.0.2.7]", "198.51.100.7", IPREV_NONE, NULL, false, TRI_NO, TRI_NO, NULL,
	 CHECK_HELO_LITERAL_MISMATCH, "HELO [192.0.2.7] is not the client's address 198.51.100.7"},
	{"[IPv6:2001:db8::7]", "2001:db8::8", IPREV_NONE, NULL, false, TRI_NO, TRI_NO, NULL,
	 CHECK_HELO_LITERAL_MISMATCH,
	 "HELO [IPv6:2001:db8::7] is not the client's address 2001:db8::8"},
	{"nosuch.sender.example", "192.0.2.10", IPREV_NONE, NULL, true, TRI_NO, TRI_NO, NULL,
	 CHECK_HELO_UNKNOWN,
	 "HELO nosuch.sender.example does not exist in DNS: it has no A, AAAA or MX record"},
	{"mail.sender.example", "192.0.2.10", IPREV_NONE, NULL, true, TRI_YES, TRI_NO, NULL,
	 CHECK_HELO_MISMATCH,
	 "HELO mail.sender.example exists, but none of its A records is the client's address "
	 "192.0.2.10"},
	{"mail.sender.example", "2001:db8::10", IPREV_NONE, NULL, true, TRI_YES, TRI_NO, NULL,
	 CHECK_HELO_MISMATCH,
	 "HELO mail.sender.example exists, but none of its AAAA records is the client's "
	 "address 2001:db8::10"},
	{"mail.sender.example", "192.0.2.10", IPREV_PERMERROR, NULL, false, TRI_NO, TRI_NO, NULL,
	 CHECK_PTR_MISSING,
	 "the client 192.0.2.10 has no reverse DNS (no PTR record): its operator should add "
	 "one; a sender of ours: list it in allow_clients"},
	{"mail.sender.example", "192.0.2.10", IPREV_FAIL, "liar.sender.example", false, TRI_NO,
	 TRI_NO, NULL, CHECK_PTR_UNCONFIRMED,
	 "the PTR name liar.sender.example of the client 192.0.2.10 does not resolve back to "
	 "it: its A records must list 192.0.2.10"},
	{"mail.sender.example", "192.0.2.10", IPREV_PASS, "192-0-2-10.dsl.example.net", false,
	 TRI_NO, TRI_NO, NULL, CHECK_PTR_GENERIC,
	 "the client's name 192-0-2-10.dsl.example.net looks dynamic or residential (an "
	 "access network's word, or its address, in the host part): such hosts should send "
	 "through their provider's relay; a server of ours: list its name in allow_ptr"},
	{"mail.sender.example", "192.0.2.10", IPREV_NONE, NULL, false, TRI_NO, TRI_NO,
	 "mx1.example.net", CHECK_BACKUP_PRIMARY_UP,
	 "this is a backup route of example.net, and mx1.example.net (pref 10), a more "
	 "preferred exchanger, accepts connections: the client should deliver there; a relay "
	 "of ours that must use the backup: list it in allow_backup_clients"},
};

static void set_iprev(struct iprev_facts *f, const struct explain_case *c)
{
	memset(f, 0, sizeof *f);
	f->result = c->iprev;
	f->confirmed = c->iprev == IPREV_PASS ? 0 : -1;
	f->forward[0] = c->iprev == IPREV_PASS ? FORWARD_YES : FORWARD_NO;
	if (c->ptr != NULL) {
		snprintf(f->names[0], sizeof f->names[0], "%s", c->ptr);
		f->count = f->total = 1;
	}
}

/* Each case fires its check under the defaults, and is explained in these words. */
static void test_every_check_explained(void)
{
	struct config_errors errs = {0};
	struct config *cfg = config_parse_string("explain-test", "", &errs);
	struct mx_hosts mx;

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	memset(&mx, 0, sizeof mx);
	mx.status = TRI_YES;
	mx.count = 2;
	mx.hosts[0] = (struct mx_host){.pref = 10, .name = "mx1.example.net"};
	mx.hosts[1] = (struct mx_host){.pref = 20, .name = "mx2.example.net"};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct explain_case *c = &cases[i];
		struct session_facts s = {.mta_name = "mx1.example.net"};
		struct rcpt_facts r = {"user@example.net", "example.net", NULL, false, NULL, false, NULL};
		struct iprev_facts f;
		struct verdict v;
		char why[EVIDENCE_MAX];

		s.have_client = netaddr_parse(c->client, &s.client);
		if (c->helo != NULL) {
			s.helo_seen = true;
			helo_classify(c->helo, &s.helo);
		}
		set_iprev(&f, c);
		s.iprev = c->iprev != IPREV_NONE ? &f : NULL;
		s.have_helo_dns = c->helo_dns;
		s.helo_dns = (struct helo_dns_facts){c->exists, c->matches};
		if (c->primary_up != NULL) {
			r.mx = &mx;
			r.via_backup = true;
			r.primary_up = c->primary_up;
		}
		policy_evaluate(&cfg->policy, &s, &r, &v);
		CU_ASSERT_TRUE(v.fired & (1u << c->check));
		policy_explain(&cfg->policy, &s, &r, c->check, why, sizeof why);
		if (strcmp(why, c->want) != 0)
			fprintf(stderr, "\n  %s: got \"%s\"\n", check_name(c->check), why);
		CU_ASSERT_STRING_EQUAL(why, c->want);
	}
	config_free(cfg);
}

/* rcpt_unverified names who refused, what it said (escaped) and whether from the cache. */
static void test_unverified_words(void)
{
	struct config_errors errs = {0};
	struct config *cfg = config_parse_string("explain-test", "rcpt_unverified = reject\n",
						 &errs);
	struct verify_outcome o = {VERIFY_FAIL, true, false, "mx1.example.net",
				   "550 5.1.1 <nosuch@example.net>: User unknown\r"};
	struct session_facts s = {.mta_name = "mx2.example.net"};
	struct rcpt_facts r = {"nosuch@example.net", "example.net", NULL, true, NULL, false, &o};
	struct verdict v;
	char why[EVIDENCE_MAX];

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	policy_evaluate(&cfg->policy, &s, &r, &v);
	CU_ASSERT_TRUE(v.fired & (1u << CHECK_RCPT_UNVERIFIED));
	policy_explain(&cfg->policy, &s, &r, CHECK_RCPT_UNVERIFIED, why, sizeof why);
	CU_ASSERT_STRING_EQUAL(why, "mx1.example.net, a more preferred exchanger of example.net, "
			       "refused nosuch@example.net (answer kept in the cache): \"550 5.1.1 "
			       "<nosuch@example.net>: User unknown?\"; the primary answers for "
			       "its recipients: a new mailbox there is accepted once "
			       "verify_negative_ttl has passed");
	config_free(cfg);
}

/* The impersonation words are the decision line's evidence, word for word. */
static void test_impersonation_is_the_evidence(void)
{
	struct config_errors errs = {0};
	struct config *cfg = config_parse_string("explain-test", "", &errs);
	struct session_facts s = {.mta_name = "mx1.example.net"};
	struct rcpt_facts r = {"user@example.net", "example.net", NULL, false, NULL, false, NULL};
	struct verdict v;
	char why[EVIDENCE_MAX];

	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	s.have_client = netaddr_parse("192.0.2.10", &s.client);
	s.helo_seen = true;
	helo_classify("example.net", &s.helo);
	policy_evaluate(&cfg->policy, &s, &r, &v);
	policy_explain(&cfg->policy, &s, &r, CHECK_HELO_IMPERSONATION, why, sizeof why);
	CU_ASSERT_STRING_EQUAL(why, v.evidence);
	CU_ASSERT_PTR_NOT_NULL(strstr(why, "HELO example.net is the recipient domain"));
	/* a buffer too small is cut, never overrun */
	policy_explain(&cfg->policy, &s, &r, CHECK_PTR_MISSING, why, 8);
	CU_ASSERT_EQUAL(strlen(why), 7);
	config_free(cfg);
}

int main(void)
{
	CU_TestInfo tests[] = {
		UNIT_TEST(test_every_check_explained),
		UNIT_TEST(test_impersonation_is_the_evidence), UNIT_TEST(test_unverified_words),
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {{"explain", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};

	return unit_run(suites);
}
