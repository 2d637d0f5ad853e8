/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_verify.c -- what a better exchanger's replies prove about a
 * recipient, catch-all detection, expiry over a fake clock, the outage
 * rule and the verdict at RCPT: only a refusal of the address refuses.
 */
#include "autoconfig.h"

#include <string.h>

#include "core/verify.h"
#include "unit.h"

#define DAY 86400
#define HOUR 3600

struct reply_case {
	const char *raw;
	enum verify_result want;
	int code;
	const char *xcode;
	const char *text;
};

/* Replies as real servers write them. */
static const struct reply_case rcpt_cases[] = {
	{"550 5.1.1 <nosuch@example.net>: Recipient address rejected: User unknown in local "
	 "recipient table\r\n", VERIFY_FAIL, 550, "5.1.1",
	 "<nosuch@example.net>: Recipient address rejected: User unknown in local recipient table"},
	{"550 Unrouteable address\r\n", VERIFY_FAIL, 550, "", "Unrouteable address"},
	{"551 User not local; please try <x@other.example>\r\n", VERIFY_FAIL, 551, "",
	 "User not local; please try <x@other.example>"},
	/* the primary says the address is malformed: so would it say at delivery */
	{"553 5.1.3 bad address syntax\r\n", VERIFY_FAIL, 553, "5.1.3", "bad address syntax"},
	{"501 5.1.3 Bad recipient address syntax\r\n", VERIFY_FAIL, 501, "5.1.3",
	 "Bad recipient address syntax"},
	{"550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup\r\n",
	 VERIFY_FAIL, 550, "5.1.10",
	 "RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup"},
	{"554 5.1.2 <x@nowhere.example>: Recipient address rejected: Domain not found\r\n",
	 VERIFY_FAIL, 554, "5.1.2", "<x@nowhere.example>: Recipient address rejected: Domain not found"},
	{"250 2.1.5 Ok\r\n", VERIFY_PASS, 250, "2.1.5", "Ok"},
	{"250 Accepted\n", VERIFY_PASS, 250, "", "Accepted"},
	{"251 2.1.5 User not local; will forward\r\n", VERIFY_PASS, 251, "2.1.5",
	 "User not local; will forward"},
	{"250-2.1.5 first\r\n250-2.1.5 second\r\n250 2.1.5 third\r\n", VERIFY_PASS, 250, "2.1.5",
	 "first second third"},
	/* greylisting and a busy primary prove nothing */
	{"451 4.7.1 Greylisting in action, please come back later\r\n", VERIFY_UNKNOWN, 451, "4.7.1",
	 "Greylisting in action, please come back later"},
	{"450 4.2.0 <u@example.net>: Recipient address rejected: Greylisted, see "
	 "http://postgrey.schweikert.ch/help/example.net.html\r\n", VERIFY_UNKNOWN, 450, "4.2.0",
	 "<u@example.net>: Recipient address rejected: Greylisted, see "
	 "http://postgrey.schweikert.ch/help/example.net.html"},
	{"450 4.1.1 <u@example.net>: Recipient address rejected: unverified address\r\n",
	 VERIFY_UNKNOWN, 450, "4.1.1",
	 "<u@example.net>: Recipient address rejected: unverified address"},
	{"421 4.3.2 Service shutting down\r\n", VERIFY_UNKNOWN, 421, "4.3.2", "Service shutting down"},
	/* refusals of the probe, not of the address */
	{"550 5.7.1 Client host rejected: cannot find your hostname\r\n", VERIFY_UNKNOWN, 550,
	 "5.7.1", "Client host rejected: cannot find your hostname"},
	{"554 5.7.1 <u@example.net>: Relay access denied\r\n", VERIFY_UNKNOWN, 554, "5.7.1",
	 "<u@example.net>: Relay access denied"},
	{"554 Transaction failed\r\n", VERIFY_UNKNOWN, 554, "", "Transaction failed"},
	{"552 5.2.2 Mailbox full\r\n", VERIFY_UNKNOWN, 552, "5.2.2", "Mailbox full"},
	{"552 Requested mail action aborted: exceeded storage allocation\r\n", VERIFY_UNKNOWN, 552,
	 "", "Requested mail action aborted: exceeded storage allocation"},
	{"550 5.1.8 <>: Sender address rejected: Domain not found\r\n", VERIFY_UNKNOWN, 550, "5.1.8",
	 "<>: Sender address rejected: Domain not found"},
	{"553 5.1.7 The sender address is malformed\r\n", VERIFY_UNKNOWN, 553, "5.1.7",
	 "The sender address is malformed"},
	{"503 5.5.1 Error: need MAIL command\r\n", VERIFY_UNKNOWN, 503, "5.5.1",
	 "Error: need MAIL command"},
	{"500 5.5.2 Error: command not recognized\r\n", VERIFY_UNKNOWN, 500, "5.5.2",
	 "Error: command not recognized"},
	{"354 End data with <CR><LF>.<CR><LF>\r\n", VERIFY_UNKNOWN, 354, "",
	 "End data with <CR><LF>.<CR><LF>"},
	/* an enhanced code of another class is text, and the basic code decides */
	{"550 4.1.1 odd\r\n", VERIFY_UNKNOWN, 550, "", "4.1.1 odd"},
	{"550 4.1.1 User unknown\r\n", VERIFY_FAIL, 550, "", "4.1.1 User unknown"},
	{"550\r\n", VERIFY_UNKNOWN, 550, "", ""},
	/* the probe's sender refused at RCPT (Postfix's smtpd_reject_unlisted_sender) */
	{"550 5.1.0 <probe@example.net>: Sender address rejected: User unknown in local "
	 "recipient table\r\n", VERIFY_UNKNOWN, 550, "5.1.0",
	 "<probe@example.net>: Sender address rejected: User unknown in local recipient table"},
	{"550 5.1.1 <probe@example.net>: Sender address rejected: User unknown\r\n",
	 VERIFY_UNKNOWN, 550, "5.1.1", "<probe@example.net>: Sender address rejected: User unknown"},
	/* without an enhanced code, 550 is policy as often as it is a mailbox */
	{"550 relay not permitted\r\n", VERIFY_UNKNOWN, 550, "", "relay not permitted"},
	{"550 Requested action not taken: mailbox unavailable\r\n", VERIFY_UNKNOWN, 550, "",
	 "Requested action not taken: mailbox unavailable"},
	{"553 sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)\r\n",
	 VERIFY_UNKNOWN, 553, "", "sorry, that domain isn't in my list of allowed rcpthosts (#5.7.1)"},
	{"550 sorry, no mailbox here by that name. (#5.1.1)\r\n", VERIFY_FAIL, 550, "",
	 "sorry, no mailbox here by that name. (#5.1.1)"},
	{"550 Unknown user; client host blocked\r\n", VERIFY_UNKNOWN, 550, "",
	 "Unknown user; client host blocked"},
	{"550 5.1.5 Destination address valid\r\n", VERIFY_UNKNOWN, 550, "5.1.5",
	 "Destination address valid"},
};

static void test_rcpt_mapping(void)
{
	for (size_t i = 0; i < sizeof rcpt_cases / sizeof rcpt_cases[0]; i++) {
		const struct reply_case *c = &rcpt_cases[i];
		struct smtp_reply r;
		enum verify_result got = verify_map_rcpt(c->raw, strlen(c->raw), &r);

		if (got != c->want || r.code != c->code || strcmp(r.xcode, c->xcode) != 0 ||
		    strcmp(r.text, c->text) != 0)
			fprintf(stderr, "case %zu: %s -> %s %d [%s] [%s]\n", i, c->raw,
				verify_result_name(got), r.code, r.xcode, r.text);
		CU_ASSERT_EQUAL(got, c->want);
		CU_ASSERT_EQUAL(r.code, c->code);
		CU_ASSERT_STRING_EQUAL(r.xcode, c->xcode);
		CU_ASSERT_STRING_EQUAL(r.text, c->text);
	}
}

/* Silence, a cut reply and garbage are all "not known", never a refusal. */
static void test_garbage_is_unknown(void)
{
	static const char *const garbage[] = {
		"", "550 5.1.1 no line end", "HTTP/1.1 400 Bad Request\r\n", "55O typo\r\n",
		"550-5.1.1 first\r\n", "550-5.1.1 a\r\n451 4.7.1 mixed codes\r\n", "5500 long\r\n",
		"550x no separator\r\n", "650 6.1.1 no such class\r\n", "\r\n", "SSH-2.0-OpenSSH_9.2\r\n",
		"150 too low\r\n",
	};
	char longline[700];

	for (size_t i = 0; i < sizeof garbage / sizeof garbage[0]; i++)
		CU_ASSERT_EQUAL(verify_map_rcpt(garbage[i], strlen(garbage[i]), NULL), VERIFY_UNKNOWN);
	CU_ASSERT_EQUAL(verify_map_rcpt(NULL, 0, NULL), VERIFY_UNKNOWN);
	/* a line past RFC 5321's 512 octets */
	memset(longline, 'x', sizeof longline);
	memcpy(longline, "550 ", 4);
	memcpy(longline + sizeof longline - 3, "\r\n", 3);
	CU_ASSERT_EQUAL(verify_map_rcpt(longline, strlen(longline), NULL), VERIFY_UNKNOWN);
	/* a NUL inside the text is kept as '?', not as the end */
	CU_ASSERT_EQUAL(verify_map_rcpt("550 5.1.1 a\0b\r\n", 15, NULL), VERIFY_FAIL);
}

static void test_reply_parse_incremental(void)
{
	struct smtp_reply r;
	char many[64 * 10];
	size_t o = 0, used;

	CU_ASSERT_EQUAL(smtp_reply_parse("", 0, &r, NULL), SMTP_REPLY_PARTIAL);
	CU_ASSERT_EQUAL(smtp_reply_parse("250-mx1.example.net\r\n", 21, &r, NULL), SMTP_REPLY_PARTIAL);
	CU_ASSERT_EQUAL(smtp_reply_parse("250-mx1.example.net\r\n250-PIPEL", 31, &r, NULL),
			SMTP_REPLY_PARTIAL);
	CU_ASSERT_EQUAL(smtp_reply_parse("250-mx1.example.net\r\n250-PIPELINING\r\n250 8BITMIME\r\n",
					 52, &r, NULL), SMTP_REPLY_COMPLETE);
	CU_ASSERT_EQUAL(r.lines, 3);
	CU_ASSERT_STRING_EQUAL(r.text, "mx1.example.net PIPELINING 8BITMIME");
	/* what follows the last line is the next reply's, not this one's */
	CU_ASSERT_EQUAL(smtp_reply_parse("220 hi\r\n250 next\r\n", 18, &r, &used), SMTP_REPLY_COMPLETE);
	CU_ASSERT_EQUAL(r.code, 220);
	CU_ASSERT_EQUAL(used, 8);
	CU_ASSERT_EQUAL(smtp_reply_parse("250-a\n250 b\n250 c\n", 18, &r, &used), SMTP_REPLY_COMPLETE);
	CU_ASSERT_EQUAL(used, 12);
	CU_ASSERT_EQUAL(smtp_reply_parse("250-a\n250", 9, &r, &used), SMTP_REPLY_PARTIAL);
	CU_ASSERT_EQUAL(used, 0);
	/* a reply that never ends is cut off at SMTP_REPLY_LINES_MAX lines */
	for (int i = 0; i <= SMTP_REPLY_LINES_MAX; i++)
		o += (size_t)snprintf(many + o, sizeof many - o, "250-line %d\r\n", i);
	CU_ASSERT_EQUAL(smtp_reply_parse(many, o, &r, NULL), SMTP_REPLY_INVALID);
}

static void test_steps(void)
{
	struct smtp_reply r;
	char line[SMTP_REPLY_TEXT_MAX + 40];

	CU_ASSERT_EQUAL(smtp_reply_parse("220 mx1.example.net ESMTP\r\n", 27, &r, NULL),
			SMTP_REPLY_COMPLETE);
	CU_ASSERT_TRUE(verify_step_accepted(PROBE_STEP_GREETING, &r));
	CU_ASSERT_EQUAL(smtp_reply_parse("554 5.7.1 no thanks\r\n", 21, &r, NULL), SMTP_REPLY_COMPLETE);
	CU_ASSERT_FALSE(verify_step_accepted(PROBE_STEP_GREETING, &r));
	CU_ASSERT_FALSE(verify_step_accepted(PROBE_STEP_MAIL, &r));
	CU_ASSERT_EQUAL(smtp_reply_parse("250 2.1.0 Ok\r\n", 14, &r, NULL), SMTP_REPLY_COMPLETE);
	CU_ASSERT_TRUE(verify_step_accepted(PROBE_STEP_MAIL, &r));
	CU_ASSERT_FALSE(verify_step_accepted(PROBE_STEP_MAIL, NULL));
	smtp_reply_format(&r, line, sizeof line);
	CU_ASSERT_STRING_EQUAL(line, "250 2.1.0 Ok");
}

static void test_random_local(void)
{
	const unsigned char bytes[VERIFY_RANDOM_BYTES] = {0x00, 0x1f, 0xa0, 0xff, 0x12, 0x34, 0x56, 0x78};
	char local[VERIFY_RANDOM_LOCAL_LEN + 1], addr[64];

	verify_random_local(bytes, local);
	CU_ASSERT_STRING_EQUAL(local, "mxpv-001fa0ff12345678");
	CU_ASSERT_TRUE(verify_random_local_valid(local));
	CU_ASSERT_FALSE(verify_random_local_valid("mxpv-001FA0FF12345678"));
	CU_ASSERT_FALSE(verify_random_local_valid("mxpv-001fa0ff1234567"));
	CU_ASSERT_FALSE(verify_random_local_valid("mxpv-001fa0ff123456789"));
	CU_ASSERT_FALSE(verify_random_local_valid("mxpv-001fa0ff1234567g"));
	CU_ASSERT_FALSE(verify_random_local_valid("postmaster"));
	CU_ASSERT_TRUE(verify_random_address(local, "example.net", addr, sizeof addr));
	CU_ASSERT_STRING_EQUAL(addr, "mxpv-001fa0ff12345678@example.net");
	CU_ASSERT_FALSE(verify_random_address("postmaster", "example.net", addr, sizeof addr));
	CU_ASSERT_FALSE(verify_random_address(local, "example.net", addr, 20));
	CU_ASSERT_FALSE(verify_random_address(local, "", addr, sizeof addr));
}

static void test_catchall(void)
{
	CU_ASSERT_EQUAL(verify_domain_from_probe(VERIFY_PASS), VERIFY_DOMAIN_CATCHALL);
	CU_ASSERT_EQUAL(verify_domain_from_probe(VERIFY_FAIL), VERIFY_DOMAIN_VERIFIES);
	CU_ASSERT_EQUAL(verify_domain_from_probe(VERIFY_UNKNOWN), VERIFY_DOMAIN_UNTESTED);
	CU_ASSERT_EQUAL(verify_domain_from_probe(VERIFY_UNAVAILABLE), VERIFY_DOMAIN_UNTESTED);

	CU_ASSERT_EQUAL(verify_combine(VERIFY_DOMAIN_CATCHALL, VERIFY_PASS), VERIFY_CATCHALL);
	CU_ASSERT_EQUAL(verify_combine(VERIFY_DOMAIN_CATCHALL, VERIFY_UNKNOWN), VERIFY_CATCHALL);
	/* the primary singled this address out: a refusal stands */
	CU_ASSERT_EQUAL(verify_combine(VERIFY_DOMAIN_CATCHALL, VERIFY_FAIL), VERIFY_FAIL);
	CU_ASSERT_EQUAL(verify_combine(VERIFY_DOMAIN_VERIFIES, VERIFY_PASS), VERIFY_PASS);
	CU_ASSERT_EQUAL(verify_combine(VERIFY_DOMAIN_VERIFIES, VERIFY_FAIL), VERIFY_FAIL);
	CU_ASSERT_EQUAL(verify_combine(VERIFY_DOMAIN_UNTESTED, VERIFY_UNKNOWN), VERIFY_UNKNOWN);
	CU_ASSERT_EQUAL(verify_combine(VERIFY_DOMAIN_UNTESTED, VERIFY_FAIL), VERIFY_FAIL);
}

static void test_entries_and_expiry(void)
{
	struct verify_ttls t;
	struct verify_entry e;
	const int64_t t0 = 1700000000;

	verify_ttls_default(&t);
	CU_ASSERT_TRUE(verify_entry_make(VERIFY_PASS, false, t0, &t, &e));
	CU_ASSERT_EQUAL(e.result, VERIFY_PASS);
	CU_ASSERT_EQUAL(e.expires_at - e.stored_at, 7 * DAY);
	CU_ASSERT_TRUE(verify_entry_is_fresh(&e, t0));
	CU_ASSERT_TRUE(verify_entry_is_fresh(&e, t0 + 7 * DAY - 1));
	CU_ASSERT_FALSE(verify_entry_is_fresh(&e, t0 + 7 * DAY));
	/* the clock went back: an entry from the future is not trusted */
	CU_ASSERT_FALSE(verify_entry_is_fresh(&e, t0 - 1));

	CU_ASSERT_TRUE(verify_entry_make(VERIFY_FAIL, false, t0, &t, &e));
	CU_ASSERT_EQUAL(e.expires_at - t0, 4 * HOUR);
	CU_ASSERT_TRUE(verify_entry_is_fresh(&e, t0 + 4 * HOUR - 1));
	CU_ASSERT_FALSE(verify_entry_is_fresh(&e, t0 + 4 * HOUR));

	CU_ASSERT_FALSE(verify_entry_make(VERIFY_UNKNOWN, false, t0, &t, &e));
	CU_ASSERT_FALSE(verify_entry_make(VERIFY_UNAVAILABLE, false, t0, &t, &e));
	CU_ASSERT_FALSE(verify_entry_make(VERIFY_CATCHALL, false, t0, &t, &e));

	/* a domain's entry, from the random local part's answer */
	CU_ASSERT_TRUE(verify_entry_make(VERIFY_PASS, true, t0, &t, &e));
	CU_ASSERT_EQUAL(e.result, VERIFY_CATCHALL);
	CU_ASSERT_EQUAL(e.expires_at - t0, DAY);
	CU_ASSERT_TRUE(verify_entry_make(VERIFY_FAIL, true, t0, &t, &e));
	CU_ASSERT_EQUAL(e.result, VERIFY_FAIL);
	CU_ASSERT_FALSE(verify_entry_make(VERIFY_UNKNOWN, true, t0, &t, &e));

	/* a TTL of 0 keeps nothing of that kind */
	t.negative = 0;
	CU_ASSERT_FALSE(verify_entry_make(VERIFY_FAIL, false, t0, &t, &e));
	CU_ASSERT_TRUE(verify_entry_make(VERIFY_PASS, false, t0, &t, &e));
}

/* Stale-while-unavailable: expired answers serve while the primary is down, up to stale_max. */
static void test_outage_rule(void)
{
	struct verify_ttls t;
	struct verify_entry neg, pos;
	const int64_t t0 = 1700000000;

	verify_ttls_default(&t);
	verify_entry_make(VERIFY_FAIL, false, t0, &t, &neg);
	verify_entry_make(VERIFY_PASS, false, t0, &t, &pos);
	CU_ASSERT_FALSE(verify_entry_is_fresh(&neg, t0 + 2 * DAY));
	CU_ASSERT_TRUE(verify_entry_usable_in_outage(&neg, t0 + 2 * DAY, &t));
	CU_ASSERT_TRUE(verify_entry_usable_in_outage(&pos, t0 + 29 * DAY, &t));
	CU_ASSERT_FALSE(verify_entry_usable_in_outage(&pos, t0 + 30 * DAY, &t));
	CU_ASSERT_FALSE(verify_entry_usable_in_outage(&neg, t0 - 10, &t));

	/* primary up: the expired negative is probed again */
	CU_ASSERT_EQUAL(verify_choose_plan(NULL, &neg, t0 + 2 * DAY, true, &t),
			VERIFY_PLAN_PROBE_DOMAIN);
	/* primary down: it still decides */
	CU_ASSERT_EQUAL(verify_choose_plan(NULL, &neg, t0 + 2 * DAY, false, &t), VERIFY_PLAN_CACHED);
	CU_ASSERT_EQUAL(verify_choose_plan(NULL, &pos, t0 + 20 * DAY, false, &t), VERIFY_PLAN_CACHED);
	CU_ASSERT_EQUAL(verify_choose_plan(NULL, &pos, t0 + 31 * DAY, false, &t),
			VERIFY_PLAN_UNAVAILABLE);
	CU_ASSERT_EQUAL(verify_choose_plan(NULL, NULL, t0, false, &t), VERIFY_PLAN_UNAVAILABLE);
}

static void test_plan(void)
{
	struct verify_ttls t;
	struct verify_entry catchall, verifies, pass;
	const int64_t t0 = 1700000000;

	verify_ttls_default(&t);
	verify_entry_make(VERIFY_PASS, true, t0, &t, &catchall);
	verify_entry_make(VERIFY_FAIL, true, t0, &t, &verifies);
	verify_entry_make(VERIFY_PASS, false, t0, &t, &pass);

	CU_ASSERT_EQUAL(verify_choose_plan(NULL, NULL, t0, true, &t), VERIFY_PLAN_PROBE_DOMAIN);
	CU_ASSERT_EQUAL(verify_choose_plan(&catchall, NULL, t0 + HOUR, true, &t),
			VERIFY_PLAN_CATCHALL);
	CU_ASSERT_EQUAL(verify_choose_plan(&verifies, NULL, t0 + HOUR, true, &t),
			VERIFY_PLAN_PROBE_RCPT);
	CU_ASSERT_EQUAL(verify_choose_plan(&verifies, &pass, t0 + HOUR, true, &t),
			VERIFY_PLAN_CACHED);
	/* the domain's state expires after a day: tested again */
	CU_ASSERT_EQUAL(verify_choose_plan(&verifies, NULL, t0 + DAY, true, &t),
			VERIFY_PLAN_PROBE_DOMAIN);
	CU_ASSERT_EQUAL(verify_choose_plan(&catchall, NULL, t0 + DAY, true, &t),
			VERIFY_PLAN_PROBE_DOMAIN);
	/* ... but while the primary is down, a known catch-all stays one */
	CU_ASSERT_EQUAL(verify_choose_plan(&catchall, NULL, t0 + 3 * DAY, false, &t),
			VERIFY_PLAN_CATCHALL);
	CU_ASSERT_EQUAL(verify_choose_plan(&verifies, NULL, t0 + 3 * DAY, false, &t),
			VERIFY_PLAN_UNAVAILABLE);
	CU_ASSERT_EQUAL(verify_domain_from_entry(&catchall, t0, true, &t), VERIFY_DOMAIN_CATCHALL);
	CU_ASSERT_EQUAL(verify_domain_from_entry(&verifies, t0, true, &t), VERIFY_DOMAIN_VERIFIES);
	CU_ASSERT_EQUAL(verify_domain_from_entry(NULL, t0, true, &t), VERIFY_DOMAIN_UNTESTED);
	CU_ASSERT_STRING_EQUAL(verify_plan_name(VERIFY_PLAN_PROBE_DOMAIN), "probe-domain");
}

static void test_format(void)
{
	struct verify_outcome o = {VERIFY_FAIL, false, false, "mx1.example.net", NULL};
	char buf[128];
	enum verify_result r;

	verify_format(&o, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "fail(mx1.example.net)");
	o.cached = true;
	verify_format(&o, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "cached(fail,mx1.example.net)");
	o.stale = true;
	verify_format(&o, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "cached(fail,mx1.example.net,stale)");
	o = (struct verify_outcome){VERIFY_UNAVAILABLE, false, false, NULL, NULL};
	verify_format(&o, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "unavailable");
	o = (struct verify_outcome){VERIFY_CATCHALL, false, false, "mx\"1\n", NULL};
	verify_format(&o, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "catchall(mx\\x221\\x0a)");
	for (int i = VERIFY_UNKNOWN; i <= VERIFY_UNAVAILABLE; i++) {
		CU_ASSERT_TRUE(verify_result_parse(verify_result_name((enum verify_result)i), &r));
		CU_ASSERT_EQUAL(r, (enum verify_result)i);
	}
	CU_ASSERT_FALSE(verify_result_parse("cached", &r));
}

/* The refusal quotes the primary after the check's reply; nothing to quote, nothing added. */
static void test_refusal_text(void)
{
	static const struct reply base = {"550", "5.1.1", "Recipient address rejected by the primary"};
	struct reply r, back;
	char longtext[600], line[400];
	const char *why;
	static const char head[] = "550 5.1.1 \"q\"\x01\xc3\xa9%s ";

	memset(longtext, 'a', sizeof longtext - 1);
	longtext[sizeof longtext - 1] = '\0';
	memcpy(longtext, head, sizeof head - 1);
	verify_refusal_reply(&base, longtext, &r);
	CU_ASSERT_EQUAL(strlen(r.text), REPLY_TEXT_MAX);
	CU_ASSERT_PTR_NOT_NULL(strstr(r.text, "primary: \"550 5.1.1 'q'???%s "));
	CU_ASSERT_PTR_NOT_NULL(strstr(r.text, "...\""));
	reply_format(&r, line, sizeof line);
	/* what the operator could have written in the config: it parses back */
	CU_ASSERT_TRUE(reply_parse(line, &back, &why));
	CU_ASSERT_STRING_EQUAL(back.text, r.text);

	verify_refusal_reply(&base, NULL, &r);
	CU_ASSERT_STRING_EQUAL(r.text, "Recipient address rejected by the primary");
	verify_refusal_reply(&base, "550 short", &r);
	CU_ASSERT_STRING_EQUAL(r.text, "Recipient address rejected by the primary: \"550 short\"");
	CU_ASSERT_STRING_EQUAL(r.code, "550");
	CU_ASSERT_STRING_EQUAL(r.xcode, "5.1.1");
}

/* Only a backup route, or a primary one relayed on, is verified; deferrals are 4xx. */
static void test_applies_and_deferrals(void)
{
	CU_ASSERT_TRUE(verify_applies(ROUTE_BACKUP, false));
	CU_ASSERT_FALSE(verify_applies(ROUTE_PRIMARY, false));
	CU_ASSERT_TRUE(verify_applies(ROUTE_PRIMARY, true));
	CU_ASSERT_FALSE(verify_applies(ROUTE_NONE, true));
	CU_ASSERT_FALSE(verify_applies(ROUTE_UNKNOWN, true));
	CU_ASSERT_FALSE(verify_applies(ROUTE_NULLMX, true));
	CU_ASSERT_STRING_EQUAL(verify_deferral_reply(VERIFY_UNKNOWN)->code, "450");
	CU_ASSERT_STRING_EQUAL(verify_deferral_reply(VERIFY_UNAVAILABLE)->code, "451");
	CU_ASSERT_STRING_EQUAL(verify_deferral_reply(VERIFY_FAIL)->code, "450");
	CU_ASSERT_PTR_NULL(verify_deferral_reply(VERIFY_PASS));
	CU_ASSERT_PTR_NULL(verify_deferral_reply(VERIFY_CATCHALL));
}

static void test_keys(void)
{
	char buf[64];

	CU_ASSERT_TRUE(verify_key_rcpt("<User@Example.NET>", buf, sizeof buf));
	CU_ASSERT_STRING_EQUAL(buf, "r:user@example.net");
	CU_ASSERT_TRUE(verify_key_rcpt("user@example.net", buf, sizeof buf));
	CU_ASSERT_STRING_EQUAL(buf, "r:user@example.net");
	CU_ASSERT_TRUE(verify_key_domain("Example.NET", buf, sizeof buf));
	CU_ASSERT_STRING_EQUAL(buf, "d:example.net");
	CU_ASSERT_FALSE(verify_key_rcpt("<>", buf, sizeof buf));
	CU_ASSERT_FALSE(verify_key_rcpt("", buf, sizeof buf));
	CU_ASSERT_FALSE(verify_key_rcpt("a-rather-long-address@example.net", buf, 20));
	/* bytes past ASCII are kept as they are */
	CU_ASSERT_TRUE(verify_key_rcpt("J\xc3\x89@example.net", buf, sizeof buf));
	CU_ASSERT_STRING_EQUAL(buf, "r:j\xc3\x89@example.net");
}

int main(void)
{
	CU_TestInfo tests[] = {
		UNIT_TEST(test_rcpt_mapping), UNIT_TEST(test_garbage_is_unknown),
		UNIT_TEST(test_reply_parse_incremental), UNIT_TEST(test_steps),
		UNIT_TEST(test_random_local), UNIT_TEST(test_catchall),
		UNIT_TEST(test_entries_and_expiry), UNIT_TEST(test_outage_rule),
		UNIT_TEST(test_plan), UNIT_TEST(test_format), UNIT_TEST(test_applies_and_deferrals),
		UNIT_TEST(test_refusal_text), UNIT_TEST(test_keys),
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {{"verify", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};

	return unit_run(suites);
}
