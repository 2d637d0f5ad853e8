/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_logline.c -- escaping of peer strings, the decision line schema, and
 * the end-of-message line, one per recipient under the MTA's queue id.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "core/logline.h"
#include "unit.h"

static void test_escape(void)
{
	char out[128];

	logline_escape("mail.example.com", 256, out, sizeof out);
	CU_ASSERT_STRING_EQUAL(out, "mail.example.com");
	logline_escape("a b\"c\\d", 256, out, sizeof out);
	CU_ASSERT_STRING_EQUAL(out, "a\\x20b\\x22c\\x5cd");
	logline_escape("x\r\ny\tz\x7f", 256, out, sizeof out);
	CU_ASSERT_STRING_EQUAL(out, "x\\x0d\\x0ay\\x09z\\x7f");
	logline_escape("caf\xc3\xa9", 256, out, sizeof out);
	CU_ASSERT_STRING_EQUAL(out, "caf\\xc3\\xa9");
	logline_escape("%n%s", 256, out, sizeof out);
	CU_ASSERT_STRING_EQUAL(out, "%n%s");
	logline_escape("abcdefgh", 4, out, sizeof out);
	CU_ASSERT_STRING_EQUAL(out, "abcd...");
	logline_escape("", 4, out, sizeof out);
	CU_ASSERT_STRING_EQUAL(out, "");
}

static void test_escape_bounded(void)
{
	static char in[10241];
	char out[64];

	memset(in, '\x01', sizeof in - 1);
	logline_escape(in, 10240, out, sizeof out);
	CU_ASSERT_TRUE(strlen(out) < sizeof out);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "..."));
	memset(in, 'a', sizeof in - 1);
	logline_escape(in, LOGLINE_PEER_CAP, out, sizeof out);
	CU_ASSERT_TRUE(strlen(out) < sizeof out);
	logline_escape("abc", 10, out, 1);
	CU_ASSERT_STRING_EQUAL(out, "");
}

static void test_decision_line(void)
{
	struct verdict v;
	char line[2048];
	struct decision_line d = {
		.queue_id = NULL, .session = "0123456789AB", .stage = "RCPT",
		.client = "192.0.2.10", .ptr = "x-ip.example.net", .iprev = "fail",
		.iprev_src = "dns", .helo = "WIN-8DKQ3J2", .from = "<a@sender.example>",
		.rcpt = "<user@example.net>", .rcpt_domain = "example.net",
		.route = "backup(pref=20,primary=mx1.example.net)", .verdict = &v,
	};

	memset(&v, 0, sizeof v);
	v.fired = 1u << CHECK_HELO_NOT_FQDN;
	v.action = ACTION_REJECT;
	v.kind = VERDICT_REJECT;
	reply_parse("504 5.5.2 HELO/EHLO name must be a \"fully-qualified\" domain name",
		    &v.reply, &(const char *){NULL});
	logline_format(&d, line, sizeof line);
	CU_ASSERT_STRING_EQUAL(line,
		"NOQUEUE: session=0123456789AB stage=RCPT client=192.0.2.10 ptr=x-ip.example.net "
		"iprev=fail iprev_src=dns helo=WIN-8DKQ3J2 "
		"from=<a@sender.example> rcpt=<user@example.net> rcpt_domain=example.net "
		"route=backup(pref=20,primary=mx1.example.net) checks=helo_not_fqdn action=reject verdict=reject "
		"reply=\"504 5.5.2 HELO/EHLO name must be a \\\"fully-qualified\\\" domain name\"");
}

static void test_decision_line_exempt_and_empty(void)
{
	struct verdict v;
	char line[2048];
	struct decision_line d = {
		.queue_id = "4Xk2Lq1V", .session = "S", .stage = "MAIL",
		.client = NULL, .helo = NULL, .from = "<>", .rcpt = NULL,
		.rcpt_domain = NULL, .verdict = &v,
	};

	memset(&v, 0, sizeof v);
	v.kind = VERDICT_EXEMPT;
	v.exempt = "allow_clients";
	logline_format(&d, line, sizeof line);
	CU_ASSERT_STRING_EQUAL(line,
		"4Xk2Lq1V: session=S stage=MAIL client=- ptr=- iprev=- iprev_src=- helo=- from=<> rcpt=- rcpt_domain=- route=- "
		"checks=- action=none verdict=exempt exempt=allow_clients reply=\"\"");
}

static void test_decision_line_hostile(void)
{
	static char helo[10241];
	struct verdict v;
	char line[4096];
	struct decision_line d = {
		.session = "S", .stage = "RCPT", .client = "192.0.2.10", .helo = helo,
		.from = "<evil\r\nX: y@example>", .rcpt = "<a b@example.net>",
		.rcpt_domain = "example.net", .verdict = &v,
	};

	memset(&v, 0, sizeof v);
	memset(helo, 'h', sizeof helo - 1);
	helo[5] = '\n';
	logline_format(&d, line, sizeof line);
	CU_ASSERT_PTR_NULL(strchr(line, '\n'));
	CU_ASSERT_PTR_NULL(strchr(line, '\r'));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "helo=hhhhh\\x0ahhh"));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "... from=<evil\\x0d\\x0aX:\\x20y@example>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "rcpt=<a\\x20b@example.net>"));
	CU_ASSERT_TRUE(strlen(line) < 1024);
}

/*
 * The evidence quotes the recipient domain as the peer wrote it (policy.c's
 * helo_impersonation text): in the quoted fields too, a control or non-ASCII
 * byte is \xHH, so no line break or terminal escape reaches the log.
 */
static void test_decision_line_hostile_evidence(void)
{
	struct verdict v;
	char line[2048];
	struct decision_line d = {
		.session = "S", .stage = "RCPT", .client = "192.0.2.10", .helo = "[192.0.2.1]",
		.rcpt = "<u@evil\r\nX.example>", .rcpt_domain = "evil\r\nX.example",
		.verdict = &v,
	};

	memset(&v, 0, sizeof v);
	v.fired = 1u << CHECK_HELO_IMPERSONATION;
	v.action = ACTION_REJECT;
	v.kind = VERDICT_REJECT;
	snprintf(v.evidence, sizeof v.evidence, "HELO address 192.0.2.1 is this host's or an MX "
		 "host's of %s, not the client 192.0.2.10 \"q\" \\ \x1b[2J caf\xc3\xa9",
		 d.rcpt_domain);
	logline_format(&d, line, sizeof line);
	CU_ASSERT_PTR_NULL(strchr(line, '\n'));
	CU_ASSERT_PTR_NULL(strchr(line, '\r'));
	CU_ASSERT_PTR_NULL(strchr(line, '\x1b'));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, " rcpt_domain=evil\\x0d\\x0aX.example "));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, " evidence=\"HELO address 192.0.2.1 is this host's or "
				      "an MX host's of evil\\x0d\\x0aX.example, not the client "
				      "192.0.2.10 \\\"q\\\" \\\\ \\x1b[2J caf\\xc3\\xa9\""));
}

/*
 * Into buffers of every size up to the whole line: never a byte past the
 * end, always a string, and each one the start of the whole line, or that
 * and "..." when a peer field was cut: nothing follows a cut.
 */
static void test_decision_line_cut(void)
{
	struct verdict v;
	char whole[4096], buf[4096 + 16];
	size_t full, len, bad_bounds = 0, bad_prefix = 0;
	struct decision_line d = {
		.queue_id = "4Xk2Lq1V", .session = "0123456789AB", .stage = "RCPT",
		.client = "192.0.2.10", .ptr = "x\x01.example.net", .iprev = "fail",
		.helo = "bad\thelo", .from = "<a\"b@sender.example>", .rcpt = "<u@example.net>",
		.rcpt_domain = "example.net", .route = "primary(pref=10)", .verdict = &v,
	};

	memset(&v, 0, sizeof v);
	v.fired = 1u << CHECK_HELO_SYNTAX;
	v.action = ACTION_TEMPFAIL;
	v.kind = VERDICT_TEMPFAIL;
	v.temperror = 1u << CHECK_PTR_MISSING;
	reply_parse("451 4.7.1 \"try\" \\later", &v.reply, &(const char *){NULL});
	logline_format(&d, whole, sizeof whole);
	full = strlen(whole);
	CU_ASSERT_PTR_NOT_NULL(strstr(whole, " temperror=ptr_missing reply=\"451 4.7.1 \\\"try\\\" "
					    "\\\\later\""));
	for (len = 1; len <= full + 1; len++) {
		size_t n, cut;

		memset(buf, 'Z', sizeof buf);
		logline_format(&d, buf, len);
		n = strnlen(buf, len);
		if (n >= len || buf[len] != 'Z')
			bad_bounds++;
		cut = n >= 3 && memcmp(buf + n - 3, "...", 3) == 0 ? n - 3 : n;
		if (strncmp(buf, whole, n) != 0 && strncmp(buf, whole, cut) != 0)
			bad_prefix++;
	}
	CU_ASSERT_EQUAL(bad_bounds, 0);
	CU_ASSERT_EQUAL(bad_prefix, 0);
	logline_format(&d, buf, full + 1);
	CU_ASSERT_STRING_EQUAL(buf, whole);
}


/* ---- the end-of-message line ---------------------------------------------- */

static struct eom_line eom_example(void)
{
	return (struct eom_line){
		.queue_id = "3F2A1B4C5D", .stage = "EOM", .session = "4Xk2Lq1V", .client = "203.0.113.9",
		.helo = "mail.example.org", .from = "<a@b.example>", .rcpt = "<user@example.net>",
		.rcpt_domain = "example.net", .route = "backup(pref=20,primary=mx1.example.net:up)",
		.kind = VERDICT_ACCEPT,
	};
}

/* The decision line's keys, in its order, after the queue id; no reply for an accept. */
static void test_eom_line(void)
{
	struct eom_line e = eom_example();
	struct reply r;
	char line[2048];

	reply_parse("550 5.7.1 never shown", &r, &(const char *){NULL});
	e.reply = &r;
	logline_format_eom(&e, line, sizeof line);
	CU_ASSERT_STRING_EQUAL(line,
		"3F2A1B4C5D: session=4Xk2Lq1V stage=EOM client=203.0.113.9 helo=mail.example.org "
		"from=<a@b.example> rcpt=<user@example.net> rcpt_domain=example.net "
		"route=backup(pref=20,primary=mx1.example.net:up) checks=- action=none verdict=accept");
	/* accepted at DATA: the same keys, the stage that wrote it */
	e.stage = "DATA";
	logline_format_eom(&e, line, sizeof line);
	CU_ASSERT_STRING_EQUAL(line,
		"3F2A1B4C5D: session=4Xk2Lq1V stage=DATA client=203.0.113.9 helo=mail.example.org "
		"from=<a@b.example> rcpt=<user@example.net> rcpt_domain=example.net "
		"route=backup(pref=20,primary=mx1.example.net:up) checks=- action=none verdict=accept");
}

/* A refused recipient's line ends with its reply; an exemption is named; a dry run has no reply. */
static void test_eom_line_verdicts(void)
{
	struct eom_line e = eom_example();
	struct reply r;
	char line[2048];

	reply_parse("550 5.7.1 HELO/EHLO name claims to be \"this\" host", &r, &(const char *){NULL});
	e.reply = &r;
	e.fired = 1u << CHECK_HELO_IMPERSONATION;
	e.action = ACTION_REJECT;
	e.kind = VERDICT_REJECT;
	logline_format_eom(&e, line, sizeof line);
	CU_ASSERT_PTR_NOT_NULL(strstr(line, " checks=helo_impersonation action=reject verdict=reject "
				      "reply=\"550 5.7.1 HELO/EHLO name claims to be \\\"this\\\" "
				      "host\""));
	e.kind = VERDICT_TEMPFAIL;
	reply_parse("451 4.4.3 Temporary DNS failure, try again later", &r, &(const char *){NULL});
	logline_format_eom(&e, line, sizeof line);
	CU_ASSERT_PTR_NOT_NULL(strstr(line, " verdict=tempfail reply=\"451 4.4.3 Temporary DNS"));
	e.kind = VERDICT_WOULD_REJECT;
	logline_format_eom(&e, line, sizeof line);
	CU_ASSERT_PTR_NULL(strstr(line, "reply="));
	CU_ASSERT_STRING_EQUAL(line + strlen(line) - 21, " verdict=would-reject");
	e = eom_example();
	e.kind = VERDICT_EXEMPT;
	e.exempt = "allow_recipients";
	e.fired = 1u << CHECK_HELO_IMPERSONATION;
	e.action = ACTION_REJECT;
	e.route = NULL;
	e.rcpt_domain = NULL;
	e.helo = NULL;
	logline_format_eom(&e, line, sizeof line);
	CU_ASSERT_STRING_EQUAL(line,
		"3F2A1B4C5D: session=4Xk2Lq1V stage=EOM client=203.0.113.9 helo=- "
		"from=<a@b.example> rcpt=<user@example.net> rcpt_domain=- route=- "
		"checks=helo_impersonation action=reject verdict=exempt exempt=allow_recipients");
}

static void test_eom_unlisted(void)
{
	char line[256];

	logline_format_eom_unlisted("3F2A1B4C5D", "4Xk2Lq1V", "EOM", 900, line, sizeof line);
	CU_ASSERT_STRING_EQUAL(line, "3F2A1B4C5D: session=4Xk2Lq1V stage=EOM recipients_not_listed=900");
	logline_format_eom_unlisted("3F2A1B4C5D", "4Xk2Lq1V", "DATA", 900, line, sizeof line);
	CU_ASSERT_STRING_EQUAL(line, "3F2A1B4C5D: session=4Xk2Lq1V stage=DATA recipients_not_listed=900");
	logline_format_eom_unlisted("3F2A1B4C5D", "4Xk2Lq1V", "EOM", 900, line, 20);
	CU_ASSERT_STRING_EQUAL(line, "3F2A1B4C5D: session");
}

/* Peer fields escaped as in the decision line; any buffer size, never past its end. */
static void test_eom_line_hostile(void)
{
	static char helo[10241];
	struct eom_line e = eom_example();
	char line[4096], buf[4096 + 16];
	size_t full, bad = 0;

	memset(helo, 'h', sizeof helo - 1);
	helo[5] = '\n';
	e.helo = helo;
	e.from = "<evil\r\nX: y@example>";
	e.rcpt = "<a b@example.net>";
	e.rcpt_domain = "evil\x1b[2J.example";
	logline_format_eom(&e, line, sizeof line);
	CU_ASSERT_PTR_NULL(strpbrk(line, "\r\n\x1b"));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "helo=hhhhh\\x0ahhh"));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, "... from=<evil\\x0d\\x0aX:\\x20y@example>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, " rcpt=<a\\x20b@example.net> "));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, " rcpt_domain=evil\\x1b[2J.example "));
	full = strlen(line);
	for (size_t len = 1; len <= full + 1; len++) {
		memset(buf, 'Z', sizeof buf);
		logline_format_eom(&e, buf, len);
		if (strnlen(buf, len) >= len || buf[len] != 'Z')
			bad++;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

/* The rcpt= and rcpt_domain= fields of a decision line for these strings. */
static void fields_of(const char *rcpt, const char *domain, char *out, size_t len)
{
	struct verdict v;
	char line[4096];
	struct decision_line d = {.session = "S", .stage = "RCPT", .rcpt = rcpt,
				  .rcpt_domain = domain, .verdict = &v};

	memset(&v, 0, sizeof v);
	logline_format(&d, line, sizeof line);
	snprintf(out, len, "%s", strstr(line, " rcpt="));
	*strstr(out, " route=") = '\0';
}

/* A kept copy formats as the whole string: at every length, bracketed or not, cut or not. */
static void test_keep_reads_as_the_whole(void)
{
	static const char *const shapes[][2] = {
		{"<", "@example.net>"}, {"", "@example.net"}, {"<", ""}, {"", ">"},
		{"<", ">>"}, {"<>", ""}, {"<", "\x01>"},
	};
	static char raw[1200], local[1100];
	char kept[LOGLINE_KEEP_MAX + 1], dkept[LOGLINE_KEEP_MAX + 1];
	char want[3000], got[3000];
	size_t bad = 0, rows = 0;

	for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++) {
		for (size_t n = 0; n < 600; n++) {
			memset(local, 'a', n);
			local[n] = '\0';
			if (n > 257)            /* where a cut copy ends, after "<" or not */
				local[255] = local[256] = '>';
			snprintf(raw, sizeof raw, "%s%s%s", shapes[s][0], local, shapes[s][1]);
			logline_keep_envelope(raw, kept);
			logline_keep_peer(raw, dkept);
			CU_ASSERT_TRUE(strlen(kept) <= LOGLINE_KEEP_MAX && strlen(dkept) <= LOGLINE_KEEP_MAX);
			fields_of(raw, raw, want, sizeof want);
			fields_of(kept, dkept, got, sizeof got);
			bad += strcmp(want, got) != 0;
			rows++;
		}
	}
	CU_ASSERT_EQUAL(bad, 0);
	CU_ASSERT_EQUAL(rows, 7 * 600);
	logline_keep_envelope("", kept);
	CU_ASSERT_STRING_EQUAL(kept, "");
	logline_keep_envelope("<>", kept);
	CU_ASSERT_STRING_EQUAL(kept, "<>");
}

int main(void)
{
	CU_TestInfo tests[] = {
		UNIT_TEST(test_escape), UNIT_TEST(test_escape_bounded),
		UNIT_TEST(test_decision_line), UNIT_TEST(test_decision_line_exempt_and_empty),
		UNIT_TEST(test_decision_line_hostile), UNIT_TEST(test_decision_line_hostile_evidence),
		UNIT_TEST(test_decision_line_cut),
		UNIT_TEST(test_eom_line), UNIT_TEST(test_eom_line_verdicts),
		UNIT_TEST(test_eom_unlisted), UNIT_TEST(test_eom_line_hostile),
		UNIT_TEST(test_keep_reads_as_the_whole),
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {{"log", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};

	return unit_run(suites);
}
