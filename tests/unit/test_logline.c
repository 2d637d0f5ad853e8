/*
 * test_log.c -- escaping of peer strings and the decision line schema.
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
		.helo = "WIN-8DKQ3J2", .from = "<a@sender.example>",
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
		"iprev=fail helo=WIN-8DKQ3J2 "
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
		"4Xk2Lq1V: session=S stage=MAIL client=- ptr=- iprev=- helo=- from=<> rcpt=- rcpt_domain=- route=- "
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

int main(void)
{
	CU_TestInfo tests[] = {
		UNIT_TEST(test_escape), UNIT_TEST(test_escape_bounded),
		UNIT_TEST(test_decision_line), UNIT_TEST(test_decision_line_exempt_and_empty),
		UNIT_TEST(test_decision_line_hostile), UNIT_TEST(test_decision_line_hostile_evidence),
		UNIT_TEST(test_decision_line_cut),
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {{"log", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};

	return unit_run(suites);
}
