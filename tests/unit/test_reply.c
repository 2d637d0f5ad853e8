/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_reply.c -- replies as the operator writes them, and as the MTA gets them.
 */
#include "autoconfig.h"

#include "core/reply.h"
#include "unit.h"

static void test_parse(void)
{
	struct reply r;
	const char *why;
	char buf[300];

	CU_ASSERT_TRUE(reply_parse("550 5.7.1 Go away", &r, &why));
	CU_ASSERT_STRING_EQUAL(r.code, "550");
	CU_ASSERT_STRING_EQUAL(r.xcode, "5.7.1");
	CU_ASSERT_STRING_EQUAL(r.text, "Go away");
	CU_ASSERT_EQUAL(reply_class(&r), 5);
	reply_format(&r, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "550 5.7.1 Go away");

	CU_ASSERT_TRUE(reply_parse("  450   4.7.25   Client host rejected  ", &r, &why));
	CU_ASSERT_STRING_EQUAL(r.xcode, "4.7.25");
	CU_ASSERT_STRING_EQUAL(r.text, "Client host rejected");
	CU_ASSERT_TRUE(reply_parse("554 No enhanced code here", &r, &why));
	CU_ASSERT_STRING_EQUAL(r.xcode, "");
	reply_format(&r, buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "554 No enhanced code here");
	CU_ASSERT_TRUE(reply_parse("550 5.7.1 100% sure, see http://x/#y", &r, &why));
}

static void test_errors(void)
{
	struct reply r;
	const char *why;

	CU_ASSERT_FALSE(reply_parse("250 2.0.0 ok", &r, &why));
	CU_ASSERT_FALSE(reply_parse("55 5.7.1 x", &r, &why));
	CU_ASSERT_FALSE(reply_parse("5500 5.7.1 x", &r, &why));
	CU_ASSERT_FALSE(reply_parse("550 4.7.1 class mismatch", &r, &why));
	CU_ASSERT_FALSE(reply_parse("450 5.7.1 class mismatch", &r, &why));
	CU_ASSERT_FALSE(reply_parse("550 5.7 short", &r, &why));
	CU_ASSERT_FALSE(reply_parse("550 5.7.1234 long", &r, &why));
	CU_ASSERT_FALSE(reply_parse("550 5.7.1", &r, &why));
	CU_ASSERT_STRING_EQUAL(why, "reply needs a text after the code");
	CU_ASSERT_FALSE(reply_parse("550", &r, &why));
	CU_ASSERT_FALSE(reply_parse("550 5.7.1 bad\x01text", &r, &why));
	CU_ASSERT_FALSE(reply_parse("550 5.7.1 caf\xc3\xa9", &r, &why));
	CU_ASSERT_FALSE(reply_parse("", &r, &why));
}

static void test_for_mta(void)
{
	char buf[64];

	reply_text_for_mta("100% %s %n", buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "100%% %%s %%n");
	reply_text_for_mta("a\r\nb", buf, sizeof buf);
	CU_ASSERT_STRING_EQUAL(buf, "a  b");
	/* a doubled '%' is never split at the end of the buffer */
	reply_text_for_mta("%%%%%%%%", buf, 6);
	CU_ASSERT_STRING_EQUAL(buf, "%%%%");
	reply_text_for_mta("a%", buf, 3);
	CU_ASSERT_STRING_EQUAL(buf, "a");
}

int main(void)
{
	CU_TestInfo tests[] = {
		UNIT_TEST(test_parse), UNIT_TEST(test_errors), UNIT_TEST(test_for_mta),
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {{"reply", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};

	return unit_run(suites);
}
