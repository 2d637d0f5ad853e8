/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_authres.c -- Authentication-Results as RFC 8601 reads them (the
 * authserv-id, the version, each resinfo's method and result), real
 * headers from OpenDKIM, OpenDMARC, Gmail, Microsoft and others among
 * them; and the removal rule: a header under our id goes only when it
 * claims an iprev result, whatever syntax trick hides the claim, while
 * other filters' results under our id, and every other id's, stay.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "core/authres.h"
#include "unit.h"

#define OURS "mx1.example.net"

/* ---- reading ------------------------------------------------------------ */

/*
 * The reading, as "ID[ VERSION][;METHOD[/V]=RESULT]...[;none] ok|broken":
 * "-" for an id not read; only whole resinfos are listed.
 */
static void render(const char *value, char *out, size_t len)
{
	struct authres_reader rd;
	struct authres_result r;
	size_t n;

	authres_begin(&rd, value);
	n = (size_t)snprintf(out, len, "%s", rd.have_id ? rd.id : "-");
	if (rd.version >= 0)
		n += (size_t)snprintf(out + n, len - n, " %ld", rd.version);
	while (n < len && authres_next(&rd, &r)) {
		n += (size_t)snprintf(out + n, len - n, ";%s", r.method);
		if (r.method_version >= 0 && n < len)
			n += (size_t)snprintf(out + n, len - n, "/%ld", r.method_version);
		if (n < len)
			n += (size_t)snprintf(out + n, len - n, "=%s", r.result);
	}
	if (rd.no_result && n < len)
		n += (size_t)snprintf(out + n, len - n, ";none");
	if (n < len)
		snprintf(out + n, len - n, " %s", rd.broken ? "broken" : rd.done ? "ok" : "?");
	CU_ASSERT_FALSE(rd.broken && rd.done);
}

struct reading {
	const char *value;
	const char *want;
};

static const struct reading readings[] = {
	/* OpenDKIM 2.11, its defaults: the id is the MTA's name */
	{OURS ";\n\tdkim=pass (2048-bit key; unprotected) header.d=example.com "
	 "header.i=@example.com header.a=rsa-sha256 header.s=mail header.b=Xy7LmN2q;\n"
	 "\tdkim-atps=neutral", OURS ";dkim=pass;dkim-atps=neutral ok"},
	{OURS ";\n\tdkim=fail reason=\"signature verification failed\" (1024-bit key; "
	 "unprotected) header.d=example.org header.i=@example.org header.b=\"AbC/+1x9\"",
	 OURS ";dkim=fail ok"},
	{OURS "; dkim=pass (1024-bit key; secure) header.d=example.com header.i=@example.com "
	 "header.b=dQw4w9Wg; dkim=pass (2048-bit key; secure) header.d=esp.example "
	 "header.i=@esp.example header.b=K3n+/0aZ", OURS ";dkim=pass;dkim=pass ok"},
	{OURS "; dkim=none reason=\"no signature\"", OURS ";dkim=none ok"},
	/* OpenDMARC 1.4: DMARC, its own SPF, ARC */
	{OURS "; dmarc=pass (p=none dis=none) header.from=example.com", OURS ";dmarc=pass ok"},
	{OURS "; dmarc=fail (p=reject dis=none) header.from=example.com", OURS ";dmarc=fail ok"},
	{OURS "; spf=pass smtp.mailfrom=example.com", OURS ";spf=pass ok"},
	{OURS "; arc=none smtp.remote-ip=192.0.2.10", OURS ";arc=none ok"},
	{OURS "; dmarc=pass (p=quarantine dis=none) header.from=example.com policy.dmarc=quarantine",
	 OURS ";dmarc=pass ok"},
	/* our own header */
	{OURS ";\n\tiprev=pass policy.iprev=192.0.2.9 (mail.example.org)", OURS ";iprev=pass ok"},
	{OURS ";\n\tiprev=permerror policy.iprev=2001:db8::25", OURS ";iprev=permerror ok"},
	/* Gmail */
	{"mx.google.com;\r\n       dkim=pass header.i=@gmail.com header.s=20230601 "
	 "header.b=kZ3q+0aB;\r\n       spf=pass (google.com: domain of alice@gmail.com designates "
	 "209.85.220.41 as permitted sender) smtp.mailfrom=alice@gmail.com;\r\n       "
	 "dmarc=pass (p=NONE sp=QUARANTINE dis=NONE) header.from=gmail.com;\r\n       "
	 "dara=pass header.i=@gmail.com",
	 "mx.google.com;dkim=pass;spf=pass;dmarc=pass;dara=pass ok"},
	{"mx.google.com;\r\n       arc=pass (i=1 spf=pass spfdomain=example.com dkim=pass "
	 "dkdomain=example.com dmarc=pass fromdomain=example.com)", "mx.google.com;arc=pass ok"},
	/* Microsoft 365: no authserv-id, "action=none" is no propspec */
	{"spf=pass (sender IP is 40.107.22.51) smtp.mailfrom=example.com; dkim=pass (signature "
	 "was verified) header.d=example.com;dmarc=pass action=none header.from=example.com;"
	 "compauth=pass reason=100", "spf broken"},
	{"dkim=none (message not signed) header.d=none;dmarc=none action=none "
	 "header.from=example.com;", "dkim broken"},
	{"i=1; mx.microsoft.com 1; spf=pass smtp.mailfrom=example.com", "i broken"},
	{"mx.microsoft.com 1; spf=pass smtp.mailfrom=example.com; dkim=pass header.d=example.com;"
	 " arc=none", "mx.microsoft.com 1;spf=pass;dkim=pass;arc=none ok"},
	/* Rspamd, Fastmail (x-bits=2048 is no propspec: the reading stops there) */
	{"mx.example.org;\n\tdkim=pass header.d=example.com header.s=dkim header.b=AbCd1234;\n"
	 "\tdmarc=pass (policy=none) header.from=example.com;\n\tspf=pass (mx.example.org: domain "
	 "of a@example.com designates 192.0.2.1 as permitted sender) smtp.mailfrom=a@example.com",
	 "mx.example.org;dkim=pass;dmarc=pass;spf=pass ok"},
	{"mx5.messagingengine.com;\n    iprev=pass smtp.remote-ip=192.0.2.1 (mail.example.com);\n"
	 "    dkim=pass (2048-bit rsa key sha256) header.d=example.com header.b=AbCdEf12 "
	 "x-bits=2048;\n    spf=pass smtp.mailfrom=a@example.com",
	 "mx5.messagingengine.com;iprev=pass broken"},
	/* RFC 8601 appendix B */
	{"example.org 1; none", "example.org 1;none ok"},
	{"example.com; spf=pass smtp.mailfrom=example.net", "example.com;spf=pass ok"},
	{"example.com; auth=pass (cram-md5) smtp.auth=sender@example.net; spf=pass "
	 "smtp.mailfrom=example.net", "example.com;auth=pass;spf=pass ok"},
	{"example.com; sender-id=pass header.from=example.com", "example.com;sender-id=pass ok"},
	{"example.com; iprev=pass policy.iprev=192.0.2.200", "example.com;iprev=pass ok"},
	{"mail-router.example.net; dkim=pass (good signature) header.d=newyork.example.com "
	 "header.b=oINEO8hg; dkim=fail (bad signature) header.d=mail-router.example.net "
	 "header.b=EToRSuvU", "mail-router.example.net;dkim=pass;dkim=fail ok"},
	{"example.com; dkim=pass reason=\"good signature\" header.i=@mail-router.example.net; "
	 "dkim=fail reason=\"bad signature\" header.i=@newyork.example.com",
	 "example.com;dkim=pass;dkim=fail ok"},
	{"foo.example.net (foobar) 1 (baz);\n    dkim (Because I like it) / 1 (One yay) = (wait "
	 "for it) fail\n      policy (A dot can go here) . (like that) expired\n      (this "
	 "surprised me) = (as I wasn't expecting it) 1362471462",
	 "foo.example.net 1;dkim/1=fail ok"},
	/* CFWS, folding, case, quoting */
	{"(c) " OURS " (more (nested)) 2 (c); spf=none", OURS " 2;spf=none ok"},
	{"\r\n\t" OURS "\r\n\t;\r\n\tdkim=pass", OURS ";dkim=pass ok"},
	{OURS ";dkim=pass;spf=fail", OURS ";dkim=pass;spf=fail ok"},
	{"MX1.Example.NET; IPREV=PASS", "MX1.Example.NET;iprev=pass ok"},
	{OURS "; iprev/1=pass", OURS ";iprev/1=pass ok"},
	{OURS "; iprev / (c) 1 (c) = (c) pass policy.iprev=192.0.2.9", OURS ";iprev/1=pass ok"},
	{OURS "; dkim/123456789=pass", OURS ";dkim/123456789=pass ok"},
	{"\"" OURS "\"; dkim=pass", OURS ";dkim=pass ok"},
	{"\"mx\\\"1\"; none", "mx\"1;none ok"},
	{OURS "; none (nothing to say)", OURS ";none ok"},
	{OURS "; dkim=pass header.b=\"a;b\"; spf=pass", OURS ";dkim=pass;spf=pass ok"},
	{OURS "; dkim=pass (a;b) ; spf=pass", OURS ";dkim=pass;spf=pass ok"},
	{OURS "; dkim=pass (\"x;) ; iprev=pass", OURS ";dkim=pass;iprev=pass ok"},
	{OURS "; dkim=pass reason=\"x; iprev=pass\"", OURS ";dkim=pass ok"},
	{OURS "; dkim=pass (a (b (c) d) e) header.d=x", OURS ";dkim=pass ok"},
	{OURS "; dkim=pass\r\n\t(comment)\r\n\theader.d=x", OURS ";dkim=pass ok"},
	{OURS "; spf=pass smtp.mailfrom=\"a b\"@example.com", OURS ";spf=pass ok"},
	{OURS "; spf=pass smtp.mailfrom=<>", OURS ";spf=pass ok"},
	{OURS "; dkim=pass;", OURS ";dkim=pass ok"},
	/* broken: reading stops there, whole resinfos before it are kept */
	{"", "- broken"},
	{"   ", "- broken"},
	{OURS, OURS " broken"},
	{OURS ";", OURS " broken"},
	{OURS "; dkim", OURS " broken"},
	{OURS "; dkim=", OURS " broken"},
	{OURS "; dkim=pass (unterminated", OURS " broken"},
	{OURS "; dkim=pass header.d", OURS " broken"},
	{OURS "; dkim=pass header.d=", OURS " broken"},
	{OURS "; none; dkim=pass", OURS " broken"},
	{OURS "; dkim=pass; none", OURS ";dkim=pass broken"},
	{OURS "; dkim=pass (x;) iprev=pass", OURS " broken"},
	{OURS " iprev=pass", OURS " broken"},
	{OURS " 1x; none", OURS " 1 broken"},
	{OURS "/1; iprev=pass", OURS " broken"},
	{OURS "; dkim=passheader.d=x", OURS " broken"},
	{OURS "; dkim=pass reason=x reason=y", OURS " broken"},
	{OURS "; dkim-=pass", OURS " broken"},
	{OURS "; dkim/1234567890=pass", OURS " broken"},
	{OURS "; dkim=pass (a (b) header.d=x", OURS " broken"},
	{OURS "; dkim=pass header.d=x)", OURS " broken"},
	{OURS "; dkim=pass header.b=\"a) ; iprev=pass", OURS " broken"},
	{OURS "; dkim=pass; spf=pass header.d=example.com action=none", OURS ";dkim=pass broken"},
	{"\"unterminated; dkim=pass", "- broken"},
	{"(" OURS "; iprev=pass", "- broken"},
	{";dkim=pass", "- broken"},
};

static void test_readings(void)
{
	size_t failed = 0;

	CU_ASSERT_TRUE(sizeof readings / sizeof readings[0] >= 60);
	for (size_t i = 0; i < sizeof readings / sizeof readings[0]; i++) {
		char got[512];

		render(readings[i].value, got, sizeof got);
		if (strcmp(got, readings[i].want) != 0) {
			fprintf(stderr, "\n  '%s':\n    got  '%s'\n    want '%s'\n", readings[i].value,
				got, readings[i].want);
			failed++;
		}
	}
	CU_ASSERT_EQUAL(failed, 0);
}

/* The id's and names' caps: at the cap they are read, past it not. */
static void test_caps(void)
{
	static char value[1024];
	char word[AUTHRES_KEYWORD_MAX + 2], got[1024], want[1024];

	memset(value, 'a', AUTHRES_ID_MAX);
	strcpy(value + AUTHRES_ID_MAX, "; none");
	render(value, got, sizeof got);
	snprintf(want, sizeof want, "%.*s;none ok", AUTHRES_ID_MAX, value);
	CU_ASSERT_STRING_EQUAL(got, want);
	memset(value, 'a', AUTHRES_ID_MAX + 1);
	strcpy(value + AUTHRES_ID_MAX + 1, "; none");
	render(value, got, sizeof got);
	CU_ASSERT_STRING_EQUAL(got, "- broken");

	memset(word, 'm', AUTHRES_KEYWORD_MAX);
	word[AUTHRES_KEYWORD_MAX] = '\0';
	snprintf(value, sizeof value, OURS "; %s=pass", word);
	render(value, got, sizeof got);
	snprintf(want, sizeof want, OURS ";%s=pass ok", word);
	CU_ASSERT_STRING_EQUAL(got, want);
	strcat(word, "m");
	snprintf(value, sizeof value, OURS "; %s=pass", word);
	render(value, got, sizeof got);
	CU_ASSERT_STRING_EQUAL(got, OURS " broken");
}

/* Deep nesting, long values: read in one pass, no recursion, nothing past the end. */
static void test_hostile_long(void)
{
	static char value[200000];
	size_t n = 0, k;
	char got[512];

	n += (size_t)sprintf(value, OURS "; dkim=pass ");
	for (k = 0; k < 50000; k++)
		value[n++] = '(';
	for (k = 0; k < 50000; k++)
		value[n++] = ')';
	strcpy(value + n, " header.d=x; iprev=pass");
	render(value, got, sizeof got);
	CU_ASSERT_STRING_EQUAL(got, OURS ";dkim=pass;iprev=pass ok");
	CU_ASSERT_TRUE(authres_claims(value, OURS, "iprev"));
	value[n] = '\0';                    /* 50,000 open comments, never closed */
	memset(value + n - 50000, '(', 50000);
	render(value, got, sizeof got);
	CU_ASSERT_STRING_EQUAL(got, OURS " broken");
	CU_ASSERT_FALSE(authres_claims(value, OURS, "iprev"));
	for (n = 0; n + 6 < sizeof value - 1; n += 6)      /* "iprev(" over and over */
		memcpy(value + n, "iprev(", 6);
	value[n] = '\0';
	CU_ASSERT_FALSE(authres_claims(value, OURS, "iprev"));
	memcpy(value, OURS "; ", strlen(OURS "; "));
	CU_ASSERT_FALSE(authres_claims(value, OURS, "iprev"));
}

static void test_id_equal(void)
{
	CU_ASSERT_TRUE(authres_id_equal("mx1.example.net", "MX1.Example.NET"));
	CU_ASSERT_TRUE(authres_id_equal("mx1.example.net.", "mx1.example.net"));
	CU_ASSERT_TRUE(authres_id_equal("mx1.example.net", "mx1.example.net."));
	CU_ASSERT_FALSE(authres_id_equal("mx1.example.net", "mx1.example.netx"));
	CU_ASSERT_FALSE(authres_id_equal("mx1.example.net", "x.mx1.example.net"));
	CU_ASSERT_FALSE(authres_id_equal("mx1.example.net", "mx1.example.net.."));
	CU_ASSERT_FALSE(authres_id_equal("", "mx1.example.net"));
	CU_ASSERT_TRUE(authres_id_equal("localhost", "LOCALHOST"));
}

/* ---- the removal rule ---------------------------------------------------- */

struct claim {
	const char *value;
	bool removed;               /* claims iprev under OURS */
};

#define DKIM20 "dkim=pass header.d=a.example; "
static const struct claim claims[] = {
	/* forged iprev claims under our id: removed, whatever the syntax */
	{OURS "; iprev=pass policy.iprev=192.0.2.9", true},
	{OURS ";\n\tiprev=pass policy.iprev=192.0.2.9 (mail.example.org)", true},
	{"MX1.EXAMPLE.NET; IPREV=PASS", true},
	{OURS ".; iprev=pass", true},
	{"\"" OURS "\"; iprev=pass", true},
	{OURS ";iprev=pass", true},
	{OURS "; iprev/1=pass", true},
	{OURS "; dkim=pass; iprev=pass", true},
	{OURS "; spf=pass smtp.mailfrom=a.example; iprev=fail policy.iprev=192.0.2.9", true},
	{OURS "; dkim=pass (\";) ; iprev=pass", true},          /* a quote in a comment */
	{OURS "; dkim=pass (x;) iprev=pass", true},             /* a ';' in a comment */
	{OURS "; dkim=pass reason=\"x; iprev=pass\"", true},    /* ... in a quoted string */
	{OURS "; dkim=pass (iprev=pass)", true},
	{OURS "; dkim=pass header.b=\"a) ; iprev=pass", true},  /* a quote that never ends */
	{"(" OURS "; iprev=pass", true},                        /* id not readable */
	{"\"" OURS "; iprev=pass", true},
	{OURS "/1; iprev=pass", true},
	{OURS "@x; iprev=pass", true},
	{OURS " 1; iprev=pass", true},
	{OURS " 99; iprev=pass", true},                         /* a version unknown */
	{"(c) " OURS " (c); iprev (c) = pass", true},
	{OURS ";\r\n\tIPrev\r\n\t=\r\n\tpass", true},
	{OURS "; x-custom=pass; iprev=fail", true},
	{OURS "; none; iprev=pass", true},
	{OURS " iprev=pass", true},                             /* no ';' */
	{OURS "; " DKIM20 DKIM20 DKIM20 DKIM20 DKIM20 DKIM20 DKIM20 DKIM20 DKIM20 DKIM20
	 DKIM20 DKIM20 DKIM20 DKIM20 DKIM20 DKIM20 DKIM20 DKIM20 DKIM20 DKIM20 "iprev=pass", true},
	/* other filters' results under our id: kept */
	{OURS ";\n\tdkim=pass (2048-bit key; unprotected) header.d=example.com "
	 "header.i=@example.com header.a=rsa-sha256 header.s=mail header.b=Xy7LmN2q", false},
	{OURS "; dkim=fail reason=\"signature verification failed\" (1024-bit key; "
	 "unprotected) header.d=example.org header.b=\"AbC/+1x9\"", false},
	{OURS "; dmarc=pass (p=none dis=none) header.from=example.com", false},
	{OURS "; dmarc=fail (p=reject dis=none) header.from=example.com", false},
	{OURS "; spf=pass smtp.mailfrom=example.com", false},
	{OURS "; arc=pass smtp.remote-ip=192.0.2.10", false},
	{OURS "; none", false},
	{OURS "; dkim=pass header.d=example.com action=none", false},   /* broken, no iprev */
	{OURS "; dkim=pass (unterminated", false},
	{OURS "; dkim=pass header.d=iprev.example", false},
	{OURS "; dkim=pass header.d=a.example policy.iprev=192.0.2.9", false},
	{OURS "; xiprev=pass", false},
	{OURS "; iprevx=pass", false},
	{OURS "; iprev-ext=pass", false},
	{OURS "; dkim=pass (iprev checked elsewhere)", false},
	{OURS, false},
	{"", false},
	/* another id: never ours, whatever it says */
	{"other.example; iprev=pass", false},
	{OURS "x; iprev=pass", false},
	{"x." OURS "; iprev=pass", false},
	{"mx1.example.com; iprev=pass", false},
	{"(" OURS ") other.example; iprev=pass", false},
	{"mx.google.com;\r\n       iprev=pass policy.iprev=192.0.2.9;\r\n       "
	 "dkim=pass header.i=@gmail.com header.s=20230601 header.b=kZ3q+0aB", false},
	{"spf=pass (sender IP is 40.107.22.51) smtp.mailfrom=example.com; iprev=pass", false},
	{"(unterminated; iprev=pass", false},                 /* no id, and ours nowhere */
	{"(" OURS "x; iprev=pass", false},
};

static void test_claims(void)
{
	size_t failed = 0;

	CU_ASSERT_TRUE(sizeof claims / sizeof claims[0] >= 50);
	for (size_t i = 0; i < sizeof claims / sizeof claims[0]; i++) {
		bool got = authres_claims(claims[i].value, OURS, "iprev");

		if (got != claims[i].removed) {
			fprintf(stderr, "\n  '%s': %s, want %s\n", claims[i].value,
				got ? "removed" : "kept", claims[i].removed ? "removed" : "kept");
			failed++;
		}
	}
	CU_ASSERT_EQUAL(failed, 0);
}

/* The rule is the method's: OpenDKIM's, read by it, would be dkim. */
static void test_claims_per_method(void)
{
	const char *dkim = OURS "; dkim=pass header.d=example.com";

	CU_ASSERT_TRUE(authres_claims(dkim, OURS, "dkim"));
	CU_ASSERT_FALSE(authres_claims(dkim, OURS, "iprev"));
	CU_ASSERT_FALSE(authres_claims(dkim, OURS, "dmarc"));
	CU_ASSERT_TRUE(authres_claims(OURS "; DKIM=fail", OURS, "dkim"));
	CU_ASSERT_TRUE(authres_claims("auth.example; iprev=pass", "AUTH.example", "iprev"));
	CU_ASSERT_FALSE(authres_claims(OURS "; iprev=pass", "auth.example", "iprev"));
}

int main(void)
{
	CU_TestInfo tests[] = {
		UNIT_TEST(test_readings), UNIT_TEST(test_caps), UNIT_TEST(test_hostile_long),
		UNIT_TEST(test_id_equal), UNIT_TEST(test_claims), UNIT_TEST(test_claims_per_method),
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {{"authres", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};

	return unit_run(suites);
}
