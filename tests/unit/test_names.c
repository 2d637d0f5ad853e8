/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_names.c -- whole-label domain matching and recipient patterns.
 */
#include "autoconfig.h"

#include "core/names.h"
#include "unit.h"

static void test_equal(void)
{
	CU_ASSERT_TRUE(name_equal("example.com", "EXAMPLE.com"));
	CU_ASSERT_TRUE(name_equal("example.com.", "example.com"));
	CU_ASSERT_FALSE(name_equal("example.com", "example.co"));
	CU_ASSERT_FALSE(name_equal("", ""));
	CU_ASSERT_FALSE(name_equal("mx.example.com", "example.com"));
}

static void test_within(void)
{
	CU_ASSERT_TRUE(name_within("example.com", "example.com"));
	CU_ASSERT_TRUE(name_within("mx.Example.COM.", "example.com"));
	CU_ASSERT_TRUE(name_within("a.b.example.com", "example.com"));
	CU_ASSERT_FALSE(name_within("evil-example.com", "example.com"));
	CU_ASSERT_FALSE(name_within("example.com.evil.net", "example.com"));
	CU_ASSERT_FALSE(name_within("com", "example.com"));
	CU_ASSERT_FALSE(name_within("xexample.com", "example.com"));
	CU_ASSERT_FALSE(name_within("example.com", ""));
}

static void test_namelist(void)
{
	struct namelist l = {0};

	CU_ASSERT_TRUE(namelist_add(&l, "Example.NET."));
	CU_ASSERT_STRING_EQUAL(l.items[0], "example.net");
	CU_ASSERT_TRUE(namelist_has_equal(&l, "example.net"));
	CU_ASSERT_FALSE(namelist_has_equal(&l, "mx.example.net"));
	CU_ASSERT_TRUE(namelist_has_parent_of(&l, "mx.example.net"));
	CU_ASSERT_FALSE(namelist_has_parent_of(&l, "badexample.net"));
	namelist_free(&l);
	CU_ASSERT_EQUAL(l.count, 0);
}

static void test_recipients(void)
{
	const char *why;

	CU_ASSERT_TRUE(recipient_matches("postmaster@", "postmaster@example.net"));
	CU_ASSERT_TRUE(recipient_matches("postmaster@", "PostMaster@example.net"));
	CU_ASSERT_FALSE(recipient_matches("postmaster@", "postmaster2@example.net"));
	CU_ASSERT_FALSE(recipient_matches("postmaster@", "xpostmaster@example.net"));
	CU_ASSERT_TRUE(recipient_matches("abuse@example.net", "abuse@EXAMPLE.net"));
	CU_ASSERT_FALSE(recipient_matches("abuse@example.net", "abuse@example.org"));
	CU_ASSERT_TRUE(recipient_matches("@example.net", "anyone@example.net"));
	CU_ASSERT_FALSE(recipient_matches("@example.net", "anyone@sub.example.net"));
	CU_ASSERT_FALSE(recipient_matches("postmaster@", "postmaster"));
	CU_ASSERT_STRING_EQUAL(address_domain("a@b.example"), "b.example");
	CU_ASSERT_STRING_EQUAL(address_domain("\"a@x\"@b.example"), "b.example");
	CU_ASSERT_STRING_EQUAL(address_domain("nodomain"), "");
	CU_ASSERT_TRUE(recipient_pattern_valid("postmaster@", &why));
	CU_ASSERT_FALSE(recipient_pattern_valid("postmaster", &why));
	CU_ASSERT_FALSE(recipient_pattern_valid("@", &why));
	CU_ASSERT_FALSE(recipient_pattern_valid("a@b@c", &why));
}

static void test_normalise(void)
{
	char out[16];

	name_normalise("MX1.Example.NET.", out, sizeof out);
	CU_ASSERT_STRING_EQUAL(out, "mx1.example.net");
	name_normalise(".", out, sizeof out);
	CU_ASSERT_STRING_EQUAL(out, ".");
	name_normalise("", out, sizeof out);
	CU_ASSERT_STRING_EQUAL(out, "");
	/* cut to fit, always terminated */
	name_normalise("A-Very-Long-Name.Example.COM", out, sizeof out);
	CU_ASSERT_STRING_EQUAL(out, "a-very-long-nam");
}

int main(void)
{
	CU_TestInfo tests[] = {
		UNIT_TEST(test_equal), UNIT_TEST(test_within), UNIT_TEST(test_namelist),
		UNIT_TEST(test_recipients), UNIT_TEST(test_normalise), CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {{"names", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};

	return unit_run(suites);
}
