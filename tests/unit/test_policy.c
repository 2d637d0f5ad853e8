/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_policy.c -- the decision: every check, every action, exemptions,
 * precedence and dry run, from facts alone.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "daemon/config.h"
#include "core/policy.h"
#include "unit.h"

#define BIT(c) (1u << (c))

static struct config *cfg;
static const struct mx_hosts *current_mx;    /* the recipient domain's exchangers */
static const char *current_primary_up;       /* via backup, this better MX is up */
static const struct verify_outcome *current_verify;  /* what a call-ahead found */

static void use_config(const char *text)
{
	struct config_errors errs = {0};

	config_free(cfg);
	cfg = config_parse_string("policy-test", text, &errs);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cfg);
	config_errors_clear(&errs);
}

/* A session from 192.0.2.10 that reached us at 198.51.100.25, MTA mx1.example.net. */
static struct session_facts facts(const char *helo)
{
	struct session_facts s;

	memset(&s, 0, sizeof s);
	s.have_client = netaddr_parse("192.0.2.10", &s.client);
	s.have_local = netaddr_parse("198.51.100.25", &s.local);
	s.mta_name = "mx1.example.net";
	if (helo != NULL) {
		s.helo_seen = true;
		helo_classify(helo, &s.helo);
	}
	return s;
}

static struct verdict judge(const struct session_facts *s, const char *rcpt)
{
	struct rcpt_facts r = {rcpt, rcpt ? strchr(rcpt, '@') + 1 : NULL, current_mx,
			       current_primary_up != NULL, current_primary_up, false, current_verify};
	struct verdict v;

	policy_evaluate(&cfg->policy, s, rcpt ? &r : NULL, &v);
	return v;
}

static struct verdict judge_helo(const char *helo)
{
	struct session_facts s = facts(helo);

	return judge(&s, "user@example.net");
}

static void expect(const char *helo, unsigned fired, enum verdict_kind kind, const char *code)
{
	struct verdict v = judge_helo(helo);

	if (v.fired != fired || v.kind != kind)
		fprintf(stderr, "\n  HELO '%s': fired %#x kind %s\n", helo ? helo : "(none)",
			v.fired, verdict_name(v.kind));
	CU_ASSERT_EQUAL(v.fired, fired);
	CU_ASSERT_EQUAL(v.kind, kind);
	if (code)
		CU_ASSERT_STRING_EQUAL(v.reply.code, code);
}

static void test_each_helo_check(void)
{
	use_config("");
	expect("mail.sender.example", 0, VERDICT_ACCEPT, NULL);
	expect(NULL, BIT(CHECK_HELO_MISSING), VERDICT_REJECT, "503");
	expect("bad..name.example", BIT(CHECK_HELO_SYNTAX), VERDICT_REJECT, "501");
	/* an underscore is no syntax error: Windows names, accepted by Postfix too */
	expect("mail_gw.sender.example", 0, VERDICT_ACCEPT, NULL);
	expect("", BIT(CHECK_HELO_SYNTAX), VERDICT_REJECT, "501");
	expect("192.0.2.10", BIT(CHECK_HELO_BARE_IP), VERDICT_REJECT, "501");
	expect("WIN-8DKQ3J2", BIT(CHECK_HELO_NOT_FQDN), VERDICT_REJECT, "504");
	expect("[192.0.2.10]", 0, VERDICT_ACCEPT, NULL);
	expect("[192.0.2.010]", 0, VERDICT_ACCEPT, NULL);
	expect("[192.0.2.11]", BIT(CHECK_HELO_LITERAL_MISMATCH), VERDICT_REJECT, "550");
	expect("[IPv6:2001:db8::10]", BIT(CHECK_HELO_LITERAL_MISMATCH), VERDICT_REJECT, "550");
	expect("[IPv6:::ffff:192.0.2.10]", 0, VERDICT_ACCEPT, NULL);
}

static void test_impersonation(void)
{
	use_config("local_names = example.org relay.example.com\n"
		   "local_addresses = 10.0.0.25=203.0.113.25\n");
	/* the MTA's own name, j */
	expect("mx1.example.net", BIT(CHECK_HELO_IMPERSONATION), VERDICT_REJECT, "550");
	expect("MX1.EXAMPLE.NET.", BIT(CHECK_HELO_IMPERSONATION), VERDICT_REJECT, "550");
	/* local_names: exact, not subdomains */
	expect("example.org", BIT(CHECK_HELO_IMPERSONATION), VERDICT_REJECT, "550");
	expect("relay.example.com", BIT(CHECK_HELO_IMPERSONATION), VERDICT_REJECT, "550");
	expect("mail.example.org", 0, VERDICT_ACCEPT, NULL);
	/* the recipient's domain */
	expect("example.net", BIT(CHECK_HELO_IMPERSONATION), VERDICT_REJECT, "550");
	/* our addresses as literals: where the client connected, and local_addresses */
	expect("[198.51.100.25]", BIT(CHECK_HELO_IMPERSONATION) | BIT(CHECK_HELO_LITERAL_MISMATCH),
	       VERDICT_REJECT, "550");
	expect("[10.0.0.25]", BIT(CHECK_HELO_IMPERSONATION) | BIT(CHECK_HELO_LITERAL_MISMATCH),
	       VERDICT_REJECT, "550");
	expect("[203.0.113.25]", BIT(CHECK_HELO_IMPERSONATION) | BIT(CHECK_HELO_LITERAL_MISMATCH),
	       VERDICT_REJECT, "550");
	/* a bare address of ours is both */
	expect("198.51.100.25", BIT(CHECK_HELO_BARE_IP) | BIT(CHECK_HELO_IMPERSONATION),
	       VERDICT_REJECT, "501");
}

static void test_impersonation_reply_wins_tie(void)
{
	struct verdict v;

	use_config("");
	v = judge_helo("[198.51.100.25]");
	/* both refuse with 550: the earlier check in the table gives the text */
	CU_ASSERT_EQUAL(v.decisive, CHECK_HELO_IMPERSONATION);
	CU_ASSERT_STRING_EQUAL(v.reply.text, "HELO/EHLO name claims to be this host or domain");
}

static void test_impersonation_needs_recipient(void)
{
	struct session_facts s = facts("example.net");
	struct verdict v;

	use_config("");
	v = judge(&s, NULL);
	CU_ASSERT_EQUAL(v.fired, 0);
	v = judge(&s, "someone@example.net");
	CU_ASSERT_EQUAL(v.fired, BIT(CHECK_HELO_IMPERSONATION));
	v = judge(&s, "someone@other.example");
	CU_ASSERT_EQUAL(v.fired, 0);
}

static void test_own_literal_from_own_address_is_honest(void)
{
	struct session_facts s = facts("[198.51.100.25]");
	struct verdict v;

	use_config("");
	netaddr_parse("198.51.100.25", &s.client);
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.fired, 0);
}

static void test_no_client_address(void)
{
	struct session_facts s = facts("[192.0.2.99]");
	struct verdict v;

	use_config("");
	s.have_client = false;
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.fired, 0);
	CU_ASSERT_EQUAL(v.kind, VERDICT_ACCEPT);
}

static void test_actions(void)
{
	use_config("helo_not_fqdn = tempfail\n");
	expect("localhost", BIT(CHECK_HELO_NOT_FQDN), VERDICT_TEMPFAIL, "450");
	use_config("helo_not_fqdn = tag\n");
	{
		struct verdict v = judge_helo("localhost");

		CU_ASSERT_EQUAL(v.kind, VERDICT_ACCEPT);
		CU_ASSERT_EQUAL(v.action, ACTION_TAG);
		CU_ASSERT_EQUAL(v.tagged, BIT(CHECK_HELO_NOT_FQDN));
	}
	use_config("helo_not_fqdn = log\n");
	{
		struct verdict v = judge_helo("localhost");

		CU_ASSERT_EQUAL(v.kind, VERDICT_ACCEPT);
		CU_ASSERT_EQUAL(v.action, ACTION_LOG);
		CU_ASSERT_EQUAL(v.fired, BIT(CHECK_HELO_NOT_FQDN));
		CU_ASSERT_EQUAL(v.tagged, 0);
	}
	use_config("helo_not_fqdn = off\n");
	expect("localhost", 0, VERDICT_ACCEPT, NULL);
	use_config("helo_not_fqdn_reply = 550 5.7.1 Custom words\n");
	{
		struct verdict v = judge_helo("localhost");

		CU_ASSERT_STRING_EQUAL(v.reply.text, "Custom words");
	}
}

static void test_precedence(void)
{
	struct verdict v;

	/* reject beats tempfail, whichever check comes first */
	use_config("helo_bare_ip = tempfail\nlocal_addresses = 192.0.2.77\n");
	v = judge_helo("192.0.2.77");
	CU_ASSERT_EQUAL(v.fired, BIT(CHECK_HELO_BARE_IP) | BIT(CHECK_HELO_IMPERSONATION));
	CU_ASSERT_EQUAL(v.kind, VERDICT_REJECT);
	CU_ASSERT_EQUAL(v.decisive, CHECK_HELO_IMPERSONATION);
	CU_ASSERT_STRING_EQUAL(v.reply.code, "550");
	/* tempfail beats tag */
	use_config("helo_bare_ip = tag\nhelo_impersonation = tempfail\nlocal_addresses = 192.0.2.77\n");
	v = judge_helo("192.0.2.77");
	CU_ASSERT_EQUAL(v.kind, VERDICT_TEMPFAIL);
	CU_ASSERT_EQUAL(v.action, ACTION_TEMPFAIL);
	CU_ASSERT_EQUAL(v.tagged, BIT(CHECK_HELO_BARE_IP));
	/* tag beats log */
	use_config("helo_bare_ip = log\nhelo_impersonation = tag\nlocal_addresses = 192.0.2.77\n");
	v = judge_helo("192.0.2.77");
	CU_ASSERT_EQUAL(v.kind, VERDICT_ACCEPT);
	CU_ASSERT_EQUAL(v.action, ACTION_TAG);
}

static void test_exemptions(void)
{
	struct session_facts s = facts("localhost");
	struct verdict v;

	use_config("allow_clients = 192.0.2.0/28\n");
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.kind, VERDICT_EXEMPT);
	CU_ASSERT_STRING_EQUAL(v.exempt, "allow_clients");
	CU_ASSERT_EQUAL(v.fired, BIT(CHECK_HELO_NOT_FQDN));  /* still logged */
	CU_ASSERT_EQUAL(v.tagged, 0);

	use_config("");
	v = judge(&s, "PostMaster@example.net");
	CU_ASSERT_EQUAL(v.kind, VERDICT_EXEMPT);
	CU_ASSERT_STRING_EQUAL(v.exempt, "allow_recipients");
	v = judge(&s, "abuse@other.example");
	CU_ASSERT_EQUAL(v.kind, VERDICT_EXEMPT);
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.kind, VERDICT_REJECT);

	s.authenticated = true;
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.kind, VERDICT_EXEMPT);
	CU_ASSERT_STRING_EQUAL(v.exempt, "authenticated");
	use_config("allow_authenticated = no\n");
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.kind, VERDICT_REJECT);
}

static void test_exemption_beats_dry_run_and_tempfail(void)
{
	struct session_facts s = facts(NULL);
	struct verdict v;

	use_config("dry_run = yes\nhelo_missing = tempfail\n");
	v = judge(&s, "postmaster@example.net");
	CU_ASSERT_EQUAL(v.kind, VERDICT_EXEMPT);
}

static void test_allow_helo(void)
{
	struct session_facts s = facts("localhost");
	struct verdict v;

	use_config("allow_helo = 192.0.2.8/29\n");
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.fired, 0);
	CU_ASSERT_EQUAL(v.kind, VERDICT_ACCEPT);
	use_config("allow_helo = legacy.example.org\n");
	s = facts("box.legacy.example.org");
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.kind, VERDICT_ACCEPT);
	s = facts("evil-legacy.example.org.example.net");
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.kind, VERDICT_ACCEPT);  /* not ours, not listed: a good FQDN */
	use_config("allow_helo = mx1.example.net\n");
	s = facts("mx1.example.net");
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.fired, 0);    /* skips the helo_* checks, impersonation too */
	use_config("allow_helo = legacy.example.org\n");
	s = facts("localhost");
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.kind, VERDICT_REJECT);
}

static void test_dry_run(void)
{
	struct verdict v;

	use_config("dry_run = yes\n");
	v = judge_helo("localhost");
	CU_ASSERT_EQUAL(v.kind, VERDICT_WOULD_REJECT);
	CU_ASSERT_STRING_EQUAL(v.reply.code, "504");
	CU_ASSERT_EQUAL(v.tagged, BIT(CHECK_HELO_NOT_FQDN));
	use_config("dry_run = yes\nhelo_not_fqdn = tempfail\n");
	v = judge_helo("localhost");
	CU_ASSERT_EQUAL(v.kind, VERDICT_WOULD_TEMPFAIL);
	use_config("dry_run = yes\nhelo_not_fqdn = log\n");
	v = judge_helo("localhost");
	CU_ASSERT_EQUAL(v.kind, VERDICT_ACCEPT);
	CU_ASSERT_EQUAL(v.tagged, 0);
}

static struct iprev_facts iprev_of(enum iprev_result res, const char *name, bool confirmed)
{
	struct iprev_facts f;

	memset(&f, 0, sizeof f);
	f.result = res;
	f.confirmed = confirmed ? 0 : -1;
	f.forward[0] = confirmed ? FORWARD_YES : res == IPREV_TEMPERROR ? FORWARD_TEMP : FORWARD_NO;
	if (name != NULL) {
		snprintf(f.names[0], sizeof f.names[0], "%s", name);
		f.count = f.total = 1;
	}
	return f;
}

static void test_ptr_checks(void)
{
	struct session_facts s = facts("mail.sender.example");
	struct iprev_facts f;
	struct verdict v;

	use_config("");
	s.iprev = &f;
	f = iprev_of(IPREV_PASS, "mail.sender.example", true);
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.fired, 0);
	f = iprev_of(IPREV_PERMERROR, NULL, false);
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.fired, BIT(CHECK_PTR_MISSING));
	CU_ASSERT_EQUAL(v.kind, VERDICT_TEMPFAIL);
	CU_ASSERT_STRING_EQUAL(v.reply.code, "450");
	CU_ASSERT_STRING_EQUAL(v.reply.xcode, "4.7.25");
	f = iprev_of(IPREV_FAIL, "liar.sender.example", false);
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.fired, BIT(CHECK_PTR_UNCONFIRMED));
	CU_ASSERT_EQUAL(v.kind, VERDICT_ACCEPT);
	CU_ASSERT_EQUAL(v.tagged, BIT(CHECK_PTR_UNCONFIRMED));
	f = iprev_of(IPREV_PASS, "192-0-2-10.dsl.example.net", true);
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.fired, BIT(CHECK_PTR_GENERIC));
	CU_ASSERT_EQUAL(v.tagged, BIT(CHECK_PTR_GENERIC));
}

/* A temporary DNS failure never becomes a 5xx, even where every check rejects. */
static void test_temperror_is_451(void)
{
	struct session_facts s = facts("mail.sender.example");
	struct iprev_facts f = iprev_of(IPREV_TEMPERROR, NULL, false);
	struct verdict v;

	s.iprev = &f;
	use_config("");
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.fired, 0);
	CU_ASSERT_EQUAL(v.temperror, BIT(CHECK_PTR_MISSING) | BIT(CHECK_PTR_UNCONFIRMED) |
				     BIT(CHECK_PTR_GENERIC));
	CU_ASSERT_EQUAL(v.kind, VERDICT_TEMPFAIL);
	CU_ASSERT_STRING_EQUAL(v.reply.code, "451");
	CU_ASSERT_STRING_EQUAL(v.reply.xcode, "4.4.3");
	use_config("ptr_missing = reject\nptr_unconfirmed = reject\nptr_generic = reject\n");
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.kind, VERDICT_TEMPFAIL);
	CU_ASSERT_STRING_EQUAL(v.reply.code, "451");
	/* where no refusing check lacks its evidence, temperror is only logged */
	use_config("ptr_missing = log\n");
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.kind, VERDICT_ACCEPT);
	/* a definite refusal still wins over the temporary error */
	use_config("");
	s = facts("localhost");
	s.iprev = &f;
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.kind, VERDICT_REJECT);
	CU_ASSERT_STRING_EQUAL(v.reply.code, "504");
	/* a temporary failure of the forward lookups alone: ptr_missing has its answer */
	f = iprev_of(IPREV_TEMPERROR, "flaky.sender.example", false);
	s = facts("mail.sender.example");
	s.iprev = &f;
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.temperror, BIT(CHECK_PTR_UNCONFIRMED));
	CU_ASSERT_EQUAL(v.kind, VERDICT_ACCEPT);
}

static void test_helo_dns_checks(void)
{
	struct session_facts s = facts("mail.sender.example");
	struct verdict v;

	use_config("");
	s.have_helo_dns = true;
	s.helo_dns.exists = TRI_NO;
	s.helo_dns.matches_client = TRI_NO;
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.fired, BIT(CHECK_HELO_UNKNOWN));   /* not helo_mismatch too */
	CU_ASSERT_EQUAL(v.action, ACTION_TAG);
	s.helo_dns.exists = TRI_YES;
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.fired, BIT(CHECK_HELO_MISMATCH));
	CU_ASSERT_EQUAL(v.action, ACTION_LOG);
	s.helo_dns.matches_client = TRI_YES;
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.fired, 0);
	s.helo_dns.exists = TRI_TEMP;
	s.helo_dns.matches_client = TRI_TEMP;
	use_config("helo_unknown = reject\n");
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.kind, VERDICT_TEMPFAIL);
	CU_ASSERT_STRING_EQUAL(v.reply.xcode, "4.4.3");
}

static void test_impersonation_by_the_named_host_itself(void)
{
	struct session_facts s = facts("mx1.example.net");
	struct verdict v;

	use_config("");
	s.have_helo_dns = true;
	s.helo_dns.exists = TRI_YES;
	s.helo_dns.matches_client = TRI_YES;    /* the client is mx1 indeed */
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.fired, 0);
	s.helo_dns.matches_client = TRI_NO;
	v = judge(&s, "user@example.net");
	CU_ASSERT_TRUE(v.fired & BIT(CHECK_HELO_IMPERSONATION));
}

static void test_allow_ptr_needs_confirmation(void)
{
	struct session_facts s = facts("localhost");
	struct iprev_facts f = iprev_of(IPREV_PASS, "out.partner.example", true);
	struct verdict v;

	use_config("allow_ptr = partner.example\n");
	s.iprev = &f;
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.kind, VERDICT_EXEMPT);
	CU_ASSERT_STRING_EQUAL(v.exempt, "allow_ptr");
	f = iprev_of(IPREV_FAIL, "out.partner.example", false);
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.kind, VERDICT_REJECT);
	f = iprev_of(IPREV_PASS, "evil-partner.example", true);
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.kind, VERDICT_REJECT);
}

static void test_impersonating_recipient_mx(void)
{
	struct mx_hosts mx;
	struct verdict v;

	memset(&mx, 0, sizeof mx);
	mx.status = TRI_YES;
	mx.count = 2;
	mx.hosts[0] = (struct mx_host){.pref = 10, .name = "mx1.example.net"};
	mx.hosts[1] = (struct mx_host){.pref = 20, .name = "relay.backup-provider.example"};
	mx.naddrs = 1;
	netaddr_parse("203.0.113.20", &mx.addrs[0]);
	mx.addr_host[0] = 1;
	use_config("");
	current_mx = &mx;
	v = judge_helo("relay.backup-provider.example");
	CU_ASSERT_EQUAL(v.fired, BIT(CHECK_HELO_IMPERSONATION));
	/* the decision line names the claim, both addresses and the way out */
	CU_ASSERT_STRING_EQUAL(v.evidence, "HELO relay.backup-provider.example is an MX host of "
			       "example.net, not the client 192.0.2.10; a relay of ours: list its "
			       "address in allow_clients; its addresses: 203.0.113.20");
	/* an MX host that is also this MTA's name: the MX claim, with its addresses */
	v = judge_helo("mx1.example.net");
	CU_ASSERT_STRING_EQUAL(v.evidence, "HELO mx1.example.net is an MX host of example.net, "
			       "not the client 192.0.2.10; a relay of ours: list its address in "
			       "allow_clients; it has no address");
	current_mx = NULL;
	v = judge_helo("mx1.example.net");
	CU_ASSERT_STRING_EQUAL(v.evidence, "HELO mx1.example.net is this MTA's name, not the "
			       "client 192.0.2.10; a relay of ours: list its address in allow_clients");
	current_mx = &mx;
	v = judge_helo("[203.0.113.20]");
	CU_ASSERT_EQUAL(v.fired, BIT(CHECK_HELO_IMPERSONATION) | BIT(CHECK_HELO_LITERAL_MISMATCH));
	v = judge_helo("other.backup-provider.example");
	CU_ASSERT_EQUAL(v.fired, 0);
	CU_ASSERT_STRING_EQUAL(v.evidence, "");
	current_mx = NULL;
	v = judge_helo("relay.backup-provider.example");
	CU_ASSERT_EQUAL(v.fired, 0);
}

/* Many addresses: the client and the way out come first, the addresses are cut. */
static void test_impersonation_evidence_cut(void)
{
	struct mx_hosts mx;
	struct verdict v;
	size_t n;

	memset(&mx, 0, sizeof mx);
	mx.status = TRI_YES;
	mx.count = 1;
	mx.hosts[0] = (struct mx_host){.pref = 10, .name = "mx1.example.net"};
	for (mx.naddrs = 0; mx.naddrs < MX_ADDRS_MAX; mx.naddrs++) {
		char text[64];

		snprintf(text, sizeof text, "2001:db8:ffff:ffff:ffff:ffff:ffff:%zx", mx.naddrs + 0x1000);
		netaddr_parse(text, &mx.addrs[mx.naddrs]);
	}
	use_config("");
	current_mx = &mx;
	v = judge_helo("mx1.example.net");
	current_mx = NULL;
	n = strlen(v.evidence);
	CU_ASSERT(n < sizeof v.evidence);
	CU_ASSERT_PTR_NOT_NULL(strstr(v.evidence, "not the client 192.0.2.10; a relay of ours: "
				      "list its address in allow_clients; its addresses: "
				      "2001:db8:ffff:ffff:ffff:ffff:ffff:1000,"));
	CU_ASSERT(n > 4 && strcmp(v.evidence + n - 4, ",...") == 0);
}

static void test_allow_mx_peers(void)
{
	struct mx_hosts mx;
	struct session_facts s = facts("mx2.example.net");
	struct verdict v;

	memset(&mx, 0, sizeof mx);
	mx.status = TRI_YES;
	mx.count = 1;
	mx.hosts[0] = (struct mx_host){.pref = 20, .name = "mx2.example.net"};
	mx.naddrs = 1;
	netaddr_parse("192.0.2.10", &mx.addrs[0]);  /* the client */
	current_mx = &mx;
	use_config("");
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.kind, VERDICT_EXEMPT);
	CU_ASSERT_STRING_EQUAL(v.exempt, "allow_mx_peers");
	use_config("allow_mx_peers = no\n");
	v = judge(&s, "user@example.net");
	CU_ASSERT_EQUAL(v.kind, VERDICT_REJECT);
	CU_ASSERT_EQUAL(v.fired, BIT(CHECK_HELO_IMPERSONATION));
	current_mx = NULL;
}

static void test_backup_primary_up(void)
{
	struct verdict v;

	use_config("");
	current_primary_up = "mx1.example.net";
	v = judge_helo("mail.sender.example");
	CU_ASSERT_EQUAL(v.fired, BIT(CHECK_BACKUP_PRIMARY_UP));
	CU_ASSERT_EQUAL(v.kind, VERDICT_ACCEPT);          /* default: log */
	use_config("backup_primary_up = tempfail\n");
	v = judge_helo("mail.sender.example");
	CU_ASSERT_EQUAL(v.kind, VERDICT_TEMPFAIL);
	CU_ASSERT_STRING_EQUAL(v.reply.code, "451");
	CU_ASSERT_STRING_EQUAL(v.reply.xcode, "4.7.1");
	CU_ASSERT_STRING_EQUAL(v.reply.text, "Please deliver to the primary MX (mx1.example.net)");
	use_config("backup_primary_up = tempfail\nallow_backup_clients = 192.0.2.0/24\n");
	v = judge_helo("mail.sender.example");
	CU_ASSERT_EQUAL(v.kind, VERDICT_ACCEPT);
	current_primary_up = NULL;                        /* the primary is down */
	use_config("backup_primary_up = tempfail\n");
	v = judge_helo("mail.sender.example");
	CU_ASSERT_EQUAL(v.fired, 0);
}

/* rcpt_unverified: what a better exchanger said of the recipient, and only that. */
static void test_rcpt_unverified(void)
{
	struct verify_outcome o = {VERIFY_FAIL, false, false, "mx1.example.net",
				   "550 5.1.1 <user@example.net>: Recipient address rejected: "
				   "User unknown in local recipient table"};
	struct verdict v;

	use_config("");                                 /* off by default */
	current_verify = &o;
	v = judge_helo("mail.sender.example");
	CU_ASSERT_EQUAL(v.fired, 0);
	use_config("rcpt_unverified = reject\n");
	v = judge_helo("mail.sender.example");
	CU_ASSERT_EQUAL(v.fired, BIT(CHECK_RCPT_UNVERIFIED));
	CU_ASSERT_EQUAL(v.kind, VERDICT_REJECT);
	CU_ASSERT_STRING_EQUAL(v.reply.code, "550");
	CU_ASSERT_STRING_EQUAL(v.reply.xcode, "5.1.1");
	CU_ASSERT_STRING_EQUAL(v.reply.text, "Recipient address rejected by the primary mail "
			       "server: \"550 5.1.1 <user@example.net>: Recipient address rejected: "
			       "User unknown in local recipient table\"");
	/* the recipients never refused, and the exemptions, stand */
	v = judge(&(struct session_facts){0}, "postmaster@example.net");
	CU_ASSERT_EQUAL(v.kind, VERDICT_EXEMPT);
	use_config("rcpt_unverified = reject\ndry_run = yes\n");
	v = judge_helo("mail.sender.example");
	CU_ASSERT_EQUAL(v.kind, VERDICT_WOULD_REJECT);
	CU_ASSERT_EQUAL(v.tagged, BIT(CHECK_RCPT_UNVERIFIED));

	/* nothing proven: accepted, whatever the action, unless deferring was chosen */
	use_config("rcpt_unverified = reject\n");
	for (int r = VERIFY_UNKNOWN; r <= VERIFY_UNAVAILABLE; r++) {
		if (r == VERIFY_FAIL)
			continue;
		o.result = (enum verify_result)r;
		v = judge_helo("mail.sender.example");
		CU_ASSERT_EQUAL(v.kind, VERDICT_ACCEPT);
		CU_ASSERT_EQUAL(v.fired | v.temperror, 0);
	}
	use_config("rcpt_unverified = reject\nverify_tempfail_unknown = yes\n");
	o.result = VERIFY_UNKNOWN;
	v = judge_helo("mail.sender.example");
	CU_ASSERT_EQUAL(v.kind, VERDICT_TEMPFAIL);
	CU_ASSERT_STRING_EQUAL(v.reply.code, "450");
	CU_ASSERT_STRING_EQUAL(v.reply.xcode, "4.1.1");
	o.result = VERIFY_UNAVAILABLE;                  /* not chosen for this one */
	v = judge_helo("mail.sender.example");
	CU_ASSERT_EQUAL(v.kind, VERDICT_ACCEPT);
	use_config("rcpt_unverified = reject\nverify_tempfail_unavailable = yes\n");
	v = judge_helo("mail.sender.example");
	CU_ASSERT_EQUAL(v.kind, VERDICT_TEMPFAIL);
	CU_ASSERT_STRING_EQUAL(v.reply.code, "451");
	CU_ASSERT_STRING_EQUAL(v.reply.xcode, "4.4.1");
	/* a tag or log action never defers */
	use_config("rcpt_unverified = tag\nverify_tempfail_unavailable = yes\n");
	v = judge_helo("mail.sender.example");
	CU_ASSERT_EQUAL(v.kind, VERDICT_ACCEPT);
	o.result = VERIFY_FAIL;
	v = judge_helo("mail.sender.example");
	CU_ASSERT_EQUAL(v.kind, VERDICT_ACCEPT);
	CU_ASSERT_EQUAL(v.tagged, BIT(CHECK_RCPT_UNVERIFIED));
	/* with tempfail as its action, a refusal is deferred with a 4xx of the same text */
	use_config("rcpt_unverified = tempfail\n");
	v = judge_helo("mail.sender.example");
	CU_ASSERT_EQUAL(v.kind, VERDICT_TEMPFAIL);
	CU_ASSERT_STRING_EQUAL(v.reply.code, "450");
	CU_ASSERT_STRING_EQUAL(v.reply.xcode, "4.1.1");
	/* a refusal kept past its TTL and used in an outage defers: no proof any more */
	use_config("rcpt_unverified = reject\n");
	o.result = VERIFY_FAIL;
	o.stale = true;
	v = judge_helo("mail.sender.example");
	CU_ASSERT_EQUAL(v.kind, VERDICT_TEMPFAIL);
	CU_ASSERT_EQUAL(v.fired, 0);
	CU_ASSERT_STRING_EQUAL(v.reply.code, "450");
	CU_ASSERT_STRING_EQUAL(v.reply.xcode, "4.1.1");
	CU_ASSERT_PTR_NOT_NULL(strstr(v.reply.text, "cannot be reached"));
	o.stale = false;
	/* a DNS failure elsewhere keeps the DNS deferral's words */
	use_config("rcpt_unverified = reject\nverify_tempfail_unknown = yes\n");
	o.result = VERIFY_UNKNOWN;
	v = judge_helo("mail.sender.example");
	CU_ASSERT_STRING_EQUAL(v.reply.xcode, "4.1.1");
	current_verify = NULL;
	v = judge_helo("mail.sender.example");
	CU_ASSERT_EQUAL(v.kind, VERDICT_ACCEPT);
}

/* The primary's text is made safe and cut so that the reply stays one valid line. */
static void test_unverified_reply_text(void)
{
	static const char head[] = "550 5.1.1 \"q\"\x01\xc3\xa9%s ";
	char longtext[600];
	struct verify_outcome o = {VERIFY_FAIL, true, false, "mx1.example.net", longtext};
	struct verdict v;

	memset(longtext, 'a', sizeof longtext - 1);
	longtext[sizeof longtext - 1] = '\0';
	memcpy(longtext, head, sizeof head - 1);
	use_config("rcpt_unverified = reject\n"
		   "rcpt_unverified_reply = 550 5.1.1 No such user here\n");
	current_verify = &o;
	v = judge_helo("mail.sender.example");
	CU_ASSERT_EQUAL(strlen(v.reply.text), REPLY_TEXT_MAX);
	CU_ASSERT_PTR_NOT_NULL(strstr(v.reply.text, "No such user here: \"550 5.1.1 'q'???%s "));
	CU_ASSERT_PTR_NOT_NULL(strstr(v.reply.text, "...\""));
	current_verify = NULL;
}

static void test_names(void)
{
	char buf[256];
	enum action a;

	checks_format(0, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "-");
	checks_format(BIT(CHECK_HELO_SYNTAX) | BIT(CHECK_HELO_LITERAL_MISMATCH), buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "helo_syntax,helo_literal_mismatch");
	CU_ASSERT_TRUE(action_parse("tempfail", &a));
	CU_ASSERT_EQUAL(a, ACTION_TEMPFAIL);
	CU_ASSERT_FALSE(action_parse("Reject", &a));
	CU_ASSERT_STRING_EQUAL(verdict_name(VERDICT_WOULD_REJECT), "would-reject");
}

int main(void)
{
	CU_TestInfo tests[] = {
		UNIT_TEST(test_each_helo_check), UNIT_TEST(test_impersonation),
		UNIT_TEST(test_impersonation_reply_wins_tie),
		UNIT_TEST(test_impersonation_needs_recipient),
		UNIT_TEST(test_own_literal_from_own_address_is_honest),
		UNIT_TEST(test_no_client_address), UNIT_TEST(test_actions),
		UNIT_TEST(test_precedence), UNIT_TEST(test_exemptions),
		UNIT_TEST(test_exemption_beats_dry_run_and_tempfail),
		UNIT_TEST(test_allow_helo), UNIT_TEST(test_dry_run), UNIT_TEST(test_names),
		UNIT_TEST(test_ptr_checks), UNIT_TEST(test_temperror_is_451),
		UNIT_TEST(test_helo_dns_checks),
		UNIT_TEST(test_impersonation_by_the_named_host_itself),
		UNIT_TEST(test_allow_ptr_needs_confirmation),
		UNIT_TEST(test_impersonating_recipient_mx), UNIT_TEST(test_impersonation_evidence_cut),
		UNIT_TEST(test_allow_mx_peers),
		UNIT_TEST(test_backup_primary_up), UNIT_TEST(test_rcpt_unverified),
		UNIT_TEST(test_unverified_reply_text),
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {{"policy", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
	int rc = unit_run(suites);

	config_free(cfg);
	return rc;
}
