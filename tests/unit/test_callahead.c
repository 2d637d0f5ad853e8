/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_callahead.c -- the call-ahead client against real listeners on
 * 127.0.0.1: a proper exchanger (with and without PIPELINING, with HELO
 * only), and the faulty ones -- silent, garbage, a drip that never ends a
 * line, one that closes mid-dialogue, a refusing greeting, nobody
 * listening.  Each fault returns within its budget as "not known", never
 * as a refusal, and 1,000 probes leave no descriptor behind.
 */
#include "autoconfig.h"

#include <dirent.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "daemon/callahead.h"
#include "tiny_smtp_server.h"
#include "unit.h"

/* Generous: only that a probe comes back, not how fast, is asserted. */
#define SLACK_MS 2000

static struct netaddr loopback;

static struct callahead_settings settings(unsigned port)
{
	return (struct callahead_settings){"mx2.example.test", "", NULL, port, 0};
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static int open_descriptors(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (d == NULL)
		return -1;
	while (readdir(d) != NULL)
		n++;
	closedir(d);
	return n;
}

/* The dialogue a real backup has with a primary that knows its mailboxes. */
static void dialogue(bool pipelining)
{
	struct tiny_smtp *srv = tiny_smtp_start(SMTP_PROPER, pipelining);
	struct callahead_settings s;
	struct callahead_answer ans;
	struct callahead *ca;
	char log[4096], text[600];

	CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
	s = settings(tiny_smtp_port(srv));
	ca = callahead_open(&loopback, &s, 2000, &ans);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	CU_ASSERT_EQUAL(ans.status, CALLAHEAD_ANSWERED);

	CU_ASSERT_EQUAL(callahead_rcpt(ca, "<nosuch@example.test>", 2000, &ans), VERIFY_FAIL);
	CU_ASSERT_EQUAL(ans.status, CALLAHEAD_ANSWERED);
	CU_ASSERT_EQUAL(ans.reply.code, 550);
	CU_ASSERT_STRING_EQUAL(ans.reply.xcode, "5.1.1");
	smtp_reply_format(&ans.reply, text, sizeof text);
	CU_ASSERT_STRING_EQUAL(text, "550 5.1.1 <nosuch@example.test>: Recipient address rejected: "
			       "User unknown in local recipient table");
	CU_ASSERT_EQUAL(callahead_rcpt(ca, "user@example.test", 2000, &ans), VERIFY_PASS);
	CU_ASSERT_EQUAL(callahead_rcpt(ca, "grey@example.test", 2000, &ans), VERIFY_UNKNOWN);
	CU_ASSERT_EQUAL(ans.reply.code, 450);
	CU_ASSERT_EQUAL(callahead_rcpt(ca, "policy@example.test", 2000, &ans), VERIFY_UNKNOWN);
	CU_ASSERT_EQUAL(ans.reply.code, 554);
	callahead_close(ca);
	CU_ASSERT_TRUE(tiny_smtp_idle(srv, 1));
	tiny_smtp_log(srv, log, sizeof log);
	CU_ASSERT_STRING_EQUAL(log, "EHLO mx2.example.test\n"
			       "MAIL FROM:<>\nRCPT TO:<nosuch@example.test>\n"
			       "RSET\nMAIL FROM:<>\nRCPT TO:<user@example.test>\n"
			       "RSET\nMAIL FROM:<>\nRCPT TO:<grey@example.test>\n"
			       "RSET\nMAIL FROM:<>\nRCPT TO:<policy@example.test>\n"
			       "QUIT\n");
	CU_ASSERT_EQUAL(tiny_smtp_connections(srv), 1);
	/* with PIPELINING each probe is one write; without, one command at a time */
	if (pipelining)
		CU_ASSERT(tiny_smtp_grouped_reads(srv) >= 1);
	if (!pipelining)
		CU_ASSERT_EQUAL(tiny_smtp_grouped_reads(srv), 0);
	tiny_smtp_stop(srv);
}

/*
 * The catch-all test and the recipient in one transaction: MAIL, then a
 * RCPT for each, one write when pipelining; each answer is its own.
 */
static void pair(bool pipelining)
{
	struct tiny_smtp *srv = tiny_smtp_start(SMTP_PROPER, pipelining);
	const char *rcpts[] = {"nosuch@example.test", "user@example.test"};
	struct callahead_answer ans[2];
	struct callahead_settings s;
	struct callahead *ca;
	char log[4096];

	CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
	s = settings(tiny_smtp_port(srv));
	ca = callahead_open(&loopback, &s, 2000, &ans[0]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	CU_ASSERT_EQUAL(callahead_rcpts(ca, rcpts, 2, 2000, ans), 2);
	CU_ASSERT_EQUAL(ans[0].status, CALLAHEAD_ANSWERED);
	CU_ASSERT_EQUAL(ans[0].result, VERIFY_FAIL);
	CU_ASSERT_EQUAL(ans[1].status, CALLAHEAD_ANSWERED);
	CU_ASSERT_EQUAL(ans[1].result, VERIFY_PASS);
	/* and again on the same session, after RSET, the other way round */
	rcpts[0] = "user@example.test";
	rcpts[1] = "grey@example.test";
	CU_ASSERT_EQUAL(callahead_rcpts(ca, rcpts, 2, 2000, ans), 2);
	CU_ASSERT_EQUAL(ans[0].result, VERIFY_PASS);
	CU_ASSERT_EQUAL(ans[1].result, VERIFY_UNKNOWN);
	CU_ASSERT_EQUAL(ans[1].reply.code, 450);
	CU_ASSERT_TRUE(callahead_alive(ca));
	callahead_close(ca);
	CU_ASSERT_TRUE(tiny_smtp_idle(srv, 1));
	tiny_smtp_log(srv, log, sizeof log);
	CU_ASSERT_STRING_EQUAL(log, "EHLO mx2.example.test\n"
			       "MAIL FROM:<>\nRCPT TO:<nosuch@example.test>\n"
			       "RCPT TO:<user@example.test>\n"
			       "RSET\nMAIL FROM:<>\nRCPT TO:<user@example.test>\n"
			       "RCPT TO:<grey@example.test>\n"
			       "QUIT\n");
	if (pipelining)
		CU_ASSERT(tiny_smtp_grouped_reads(srv) >= 1);
	tiny_smtp_stop(srv);
}

static void test_pair(void)
{
	pair(false);
	pair(true);
}

/* A refused MAIL FROM refuses the probe, for every recipient: nothing proven. */
static void test_pair_bad_address(void)
{
	struct tiny_smtp *srv = tiny_smtp_start(SMTP_PROPER, true);
	const char *rcpts[] = {"user@example.test", "bad\r\nRCPT TO:<x@y>"};
	struct callahead_answer ans[2];
	struct callahead_settings s;
	struct callahead *ca;

	CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
	s = settings(tiny_smtp_port(srv));
	ca = callahead_open(&loopback, &s, 2000, &ans[0]);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	callahead_rcpts(ca, rcpts, 2, 2000, ans);
	CU_ASSERT_EQUAL(ans[0].status, CALLAHEAD_BAD_ADDRESS);
	CU_ASSERT_EQUAL(ans[1].status, CALLAHEAD_BAD_ADDRESS);
	CU_ASSERT_EQUAL(ans[0].result, VERIFY_UNKNOWN);
	CU_ASSERT_TRUE(callahead_alive(ca));
	callahead_close(ca);
	tiny_smtp_stop(srv);
}

static void test_dialogue(void)
{
	dialogue(false);
}

static void test_dialogue_pipelining(void)
{
	dialogue(true);
}

static void test_helo_fallback(void)
{
	struct tiny_smtp *srv = tiny_smtp_start(SMTP_NO_EHLO, false);
	struct callahead_settings s;
	struct callahead_answer ans;
	struct callahead *ca;
	char log[1024];

	CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
	s = settings(tiny_smtp_port(srv));
	s.sender = "verify@mx2.example.test";
	ca = callahead_open(&loopback, &s, 2000, &ans);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	CU_ASSERT_EQUAL(callahead_rcpt(ca, "nosuch@example.test", 2000, &ans), VERIFY_FAIL);
	callahead_close(ca);
	CU_ASSERT_TRUE(tiny_smtp_idle(srv, 1));
	tiny_smtp_log(srv, log, sizeof log);
	CU_ASSERT_STRING_EQUAL(log, "EHLO mx2.example.test\nHELO mx2.example.test\n"
			       "MAIL FROM:<verify@mx2.example.test>\n"
			       "RCPT TO:<nosuch@example.test>\nQUIT\n");
	tiny_smtp_stop(srv);
}

/* The probe's source address is the one asked for. */
static void test_source_address(void)
{
	struct tiny_smtp *srv = tiny_smtp_start(SMTP_PROPER, true);
	struct netaddr src;
	struct callahead_settings s;
	struct callahead_answer ans;
	struct callahead *ca;
	char peer[64];

	CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
	CU_ASSERT_TRUE(netaddr_parse("127.0.0.2", &src));
	s = settings(tiny_smtp_port(srv));
	s.source = &src;
	ca = callahead_open(&loopback, &s, 2000, &ans);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	callahead_close(ca);
	tiny_smtp_last_peer(srv, peer, sizeof peer);
	CU_ASSERT_STRING_EQUAL(peer, "127.0.0.2");
	/* an address that is not this host's is left to the kernel, not a failure */
	CU_ASSERT_TRUE(netaddr_parse("192.0.2.1", &src));
	ca = callahead_open(&loopback, &s, 2000, &ans);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	callahead_close(ca);
	tiny_smtp_last_peer(srv, peer, sizeof peer);
	CU_ASSERT_STRING_EQUAL(peer, "127.0.0.1");
	/* one of another family cannot be the source: our trouble, not the exchanger's */
	CU_ASSERT_TRUE(netaddr_parse("::1", &src));
	CU_ASSERT_PTR_NULL(callahead_open(&loopback, &s, 2000, &ans));
	CU_ASSERT_EQUAL(ans.status, CALLAHEAD_LOCAL_ERROR);
	tiny_smtp_stop(srv);
}

/*
 * A faulty exchanger: open comes back in time with "not known" and says
 * why, and the descriptors are as they were (counted with the server gone).
 */
static void expect_fault(enum smtp_mode mode, int budget_ms, enum callahead_status want)
{
	int before = open_descriptors();
	struct tiny_smtp *srv = tiny_smtp_start(mode, false);
	struct callahead_settings s;
	struct callahead_answer ans;
	long start = now_ms();

	CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
	s = settings(tiny_smtp_port(srv));
	CU_ASSERT_PTR_NULL(callahead_open(&loopback, &s, budget_ms, &ans));
	CU_ASSERT_EQUAL(ans.result, VERIFY_UNKNOWN);
	CU_ASSERT_EQUAL(ans.status, want);
	CU_ASSERT(now_ms() - start < budget_ms + SLACK_MS);
	tiny_smtp_stop(srv);
	CU_ASSERT_EQUAL(open_descriptors(), before);
}

static void test_silent(void)
{
	expect_fault(SMTP_SILENT, 300, CALLAHEAD_TIMEOUT);
}

static void test_garbage(void)
{
	expect_fault(SMTP_GARBAGE, 1000, CALLAHEAD_GARBAGE);
}

static void test_drip(void)
{
	expect_fault(SMTP_DRIP, 400, CALLAHEAD_TIMEOUT);
}

static void test_bad_greeting(void)
{
	expect_fault(SMTP_BAD_GREETING, 1000, CALLAHEAD_REFUSED);
}

static void test_close_mid_dialogue(void)
{
	struct tiny_smtp *srv = tiny_smtp_start(SMTP_CLOSE_AT_MAIL, false);
	struct callahead_settings s;
	struct callahead_answer ans;
	struct callahead *ca;

	CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
	s = settings(tiny_smtp_port(srv));
	ca = callahead_open(&loopback, &s, 2000, &ans);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	CU_ASSERT_EQUAL(callahead_rcpt(ca, "nosuch@example.test", 2000, &ans), VERIFY_UNKNOWN);
	CU_ASSERT_EQUAL(ans.status, CALLAHEAD_CLOSED);
	CU_ASSERT_EQUAL(ans.step, PROBE_STEP_MAIL);
	/* a dead session asks nothing more */
	CU_ASSERT_EQUAL(callahead_rcpt(ca, "user@example.test", 2000, &ans), VERIFY_UNKNOWN);
	CU_ASSERT_EQUAL(ans.status, CALLAHEAD_NOT_OPEN);
	callahead_close(ca);
	tiny_smtp_stop(srv);
}

static void test_nobody_listening(void)
{
	struct tiny_smtp *srv = tiny_smtp_start(SMTP_PROPER, false);
	struct callahead_settings s;
	struct callahead_answer ans;

	CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
	s = settings(tiny_smtp_port(srv));
	tiny_smtp_stop(srv);        /* the port is closed now */
	CU_ASSERT_PTR_NULL(callahead_open(&loopback, &s, 1000, &ans));
	CU_ASSERT_EQUAL(ans.status, CALLAHEAD_CONNECT_FAILED);
	CU_ASSERT_EQUAL(ans.result, VERIFY_UNKNOWN);
}

/* Addresses that would smuggle a command are never written. */
static void test_bad_addresses(void)
{
	struct tiny_smtp *srv = tiny_smtp_start(SMTP_PROPER, false);
	struct callahead_settings s;
	struct callahead_answer ans;
	struct callahead *ca;
	char log[1024];

	CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
	s = settings(tiny_smtp_port(srv));
	ca = callahead_open(&loopback, &s, 2000, &ans);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ca);
	CU_ASSERT_EQUAL(callahead_rcpt(ca, "a@example.test>\r\nDATA", 2000, &ans), VERIFY_UNKNOWN);
	CU_ASSERT_EQUAL(ans.status, CALLAHEAD_BAD_ADDRESS);
	CU_ASSERT_EQUAL(callahead_rcpt(ca, "<>", 2000, &ans), VERIFY_UNKNOWN);
	/* no SMTPUTF8 offered: a non-ASCII recipient is not asked */
	CU_ASSERT_EQUAL(callahead_rcpt(ca, "j\xc3\xb6rg@example.test", 2000, &ans), VERIFY_UNKNOWN);
	CU_ASSERT_EQUAL(ans.status, CALLAHEAD_BAD_ADDRESS);
	/* the session is still good for a proper one */
	CU_ASSERT_EQUAL(callahead_rcpt(ca, "user@example.test", 2000, &ans), VERIFY_PASS);
	callahead_close(ca);
	CU_ASSERT_TRUE(tiny_smtp_idle(srv, 1));
	tiny_smtp_log(srv, log, sizeof log);
	CU_ASSERT_PTR_NULL(strstr(log, "DATA"));
	s.sender = "x>\r\nDATA";
	CU_ASSERT_PTR_NULL(callahead_open(&loopback, &s, 2000, &ans));
	CU_ASSERT_EQUAL(ans.status, CALLAHEAD_BAD_ADDRESS);
	tiny_smtp_stop(srv);
}

/* 1,000 probes against a server that closes mid-dialogue: not one descriptor kept. */
static void test_no_descriptor_leak(void)
{
	struct tiny_smtp *srv = tiny_smtp_start(SMTP_CLOSE_AT_MAIL, false);
	struct callahead_settings s;
	struct callahead_answer ans;
	int before, after, unknown = 0;

	CU_ASSERT_PTR_NOT_NULL_FATAL(srv);
	s = settings(tiny_smtp_port(srv));
	before = open_descriptors();
	for (int i = 0; i < 1000; i++) {
		struct callahead *ca = callahead_open(&loopback, &s, 2000, &ans);

		unknown += callahead_rcpt(ca, "nosuch@example.test", 2000, &ans) == VERIFY_UNKNOWN;
		callahead_close(ca);
	}
	CU_ASSERT_TRUE(tiny_smtp_idle(srv, 1000));
	after = open_descriptors();
	CU_ASSERT_EQUAL(unknown, 1000);
	CU_ASSERT(before > 0);
	CU_ASSERT_EQUAL(after, before);
	tiny_smtp_stop(srv);
}

int main(void)
{
	CU_TestInfo tests[] = {
		UNIT_TEST(test_dialogue), UNIT_TEST(test_dialogue_pipelining),
		UNIT_TEST(test_pair), UNIT_TEST(test_pair_bad_address),
		UNIT_TEST(test_helo_fallback), UNIT_TEST(test_source_address),
		UNIT_TEST(test_silent), UNIT_TEST(test_garbage), UNIT_TEST(test_drip),
		UNIT_TEST(test_bad_greeting), UNIT_TEST(test_close_mid_dialogue),
		UNIT_TEST(test_nobody_listening), UNIT_TEST(test_bad_addresses),
		UNIT_TEST(test_no_descriptor_leak),
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {{"callahead", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};

	if (!netaddr_parse("127.0.0.1", &loopback))
		return 2;
	return unit_run(suites);
}
