/*
 * test_dns_engine.c -- the c-ares engine against a small DNS server of this
 * test on 127.0.0.1: TTL caching, negative caching (RFC 2308), temporary
 * failures remembered briefly, one query for concurrent identical
 * questions, the decision deadline, and a channel rebuilt by a reload.
 */
#include "autoconfig.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "dns.h"
#include "tiny_dns_server.h"
#include "unit.h"

static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static int queries[8];
static int server_port;

enum { Q_TTL60, Q_TTL0, Q_NX, Q_SLOW, Q_FAIL, Q_OTHER };
static const char *const qnames[] = {"ttl60.test", "ttl0.test", "nx.test", "slow.test", "fail.test"};

static int count(int which)
{
	int n;

	pthread_mutex_lock(&count_lock);
	n = queries[which];
	pthread_mutex_unlock(&count_lock);
	return n;
}

static void answer(const char *name, int qtype, struct tiny_reply *r)
{
	int which = Q_OTHER;

	(void)qtype;
	for (int i = 0; i < Q_OTHER; i++)
		if (strcasecmp(name, qnames[i]) == 0)
			which = i;
	pthread_mutex_lock(&count_lock);
	queries[which]++;
	pthread_mutex_unlock(&count_lock);
	switch (which) {
	case Q_FAIL:
		r->rcode = 2;           /* SERVFAIL */
		break;
	case Q_NX:
		r->rcode = 3;           /* SOA TTL 3600, MINIMUM 30 -> negative TTL 30 */
		r->negative_ttl = 30;
		break;
	default:
		r->has_a = true;
		memcpy(r->a, (unsigned char[]){192, 0, 2, 1}, 4);
		r->ttl = which == Q_TTL0 ? 0 : 60;
		r->delay_ms = which == Q_SLOW ? 400 : 0;
		break;
	}
}

static char servers[64];

static struct dns_settings settings(int timeout_ms)
{
	struct dns_settings s = {servers, timeout_ms, 2, 100, 0, 3600};

	return s;
}

static struct dns_answer *lookup(const char *name, long deadline_ms)
{
	struct timespec deadline;

	dns_deadline_in(&deadline, deadline_ms);
	return dns_collect(dns_submit(name, DNS_T_A), &deadline);
}

static int suite_init(void)
{
	struct dns_settings s;

	server_port = tiny_dns_start(answer);
	if (server_port < 0)
		return 1;
	snprintf(servers, sizeof servers, "127.0.0.1:%d", server_port);
	s = settings(500);
	return dns_start(&s) ? 0 : 1;
}

static int suite_clean(void)
{
	dns_stop();
	return 0;
}

static void test_positive_cached(void)
{
	struct dns_answer *a = lookup("ttl60.test", 3000);

	CU_ASSERT_EQUAL(a->status, DNS_ANSWER);
	CU_ASSERT_EQUAL(a->ttl, 60);
	dns_answer_unref(a);
	a = lookup("TTL60.test.", 3000);        /* same question, other spelling */
	CU_ASSERT_EQUAL(a->status, DNS_ANSWER);
	dns_answer_unref(a);
	CU_ASSERT_EQUAL(count(Q_TTL60), 1);
}

static void test_ttl_zero_not_cached(void)
{
	dns_answer_unref(lookup("ttl0.test", 3000));
	dns_answer_unref(lookup("ttl0.test", 3000));
	CU_ASSERT_EQUAL(count(Q_TTL0), 2);
}

static void test_negative_cached(void)
{
	struct dns_answer *a = lookup("nx.test", 3000);

	CU_ASSERT_EQUAL(a->status, DNS_NXDOMAIN);
	CU_ASSERT_EQUAL(a->ttl, 30);
	dns_answer_unref(a);
	a = lookup("nx.test", 3000);
	CU_ASSERT_EQUAL(a->status, DNS_NXDOMAIN);
	dns_answer_unref(a);
	CU_ASSERT_EQUAL(count(Q_NX), 1);
}

static void test_tempfail_remembered_briefly(void)
{
	struct dns_answer *a = lookup("fail.test", 3000);
	int first;

	CU_ASSERT_EQUAL(a->status, DNS_TEMPFAIL);
	dns_answer_unref(a);
	first = count(Q_FAIL);
	CU_ASSERT_TRUE(first >= 1);             /* c-ares may try the server twice */
	a = lookup("fail.test", 3000);
	CU_ASSERT_EQUAL(a->status, DNS_TEMPFAIL);
	dns_answer_unref(a);
	CU_ASSERT_EQUAL(count(Q_FAIL), first);
	sleep(3);                               /* past the 2 s a failure is kept */
	dns_answer_unref(lookup("fail.test", 3000));
	CU_ASSERT_TRUE(count(Q_FAIL) > first);
}

static void test_concurrent_questions_share_one_query(void)
{
	struct timespec deadline;
	struct dns_lookup *l1 = dns_submit("slow.test", DNS_T_A);
	struct dns_lookup *l2 = dns_submit("slow.test", DNS_T_A);
	struct dns_answer *a1, *a2;

	dns_deadline_in(&deadline, 3000);
	a1 = dns_collect(l1, &deadline);
	a2 = dns_collect(l2, &deadline);
	CU_ASSERT_EQUAL(a1->status, DNS_ANSWER);
	CU_ASSERT_PTR_EQUAL(a1, a2);
	CU_ASSERT_EQUAL(count(Q_SLOW), 1);
	dns_answer_unref(a1);
	dns_answer_unref(a2);
}

static void test_deadline(void)
{
	struct dns_answer *a;
	struct dns_settings s = settings(2000);

	/* No cache: slow.test must be asked again, and it answers after 400 ms. */
	s.cache_size = 0;
	CU_ASSERT_TRUE(dns_reconfigure(&s));
	a = lookup("slow.test", 100);
	CU_ASSERT_EQUAL(a->status, DNS_TEMPFAIL);
	CU_ASSERT_STRING_EQUAL(a->why, "decision deadline");
	dns_answer_unref(a);
	/* the late answer still serves whoever waits long enough */
	a = lookup("slow.test", 3000);
	CU_ASSERT_EQUAL(a->status, DNS_ANSWER);
	dns_answer_unref(a);
}

static void test_reconfigure_keeps_serving(void)
{
	struct dns_settings s = settings(700);
	struct dns_answer *a;

	CU_ASSERT_TRUE(dns_reconfigure(&s));
	a = lookup("after-reload.test", 3000);
	CU_ASSERT_EQUAL(a->status, DNS_ANSWER);
	dns_answer_unref(a);
}

int main(void)
{
	CU_TestInfo tests[] = {
		UNIT_TEST(test_positive_cached), UNIT_TEST(test_ttl_zero_not_cached),
		UNIT_TEST(test_negative_cached), UNIT_TEST(test_tempfail_remembered_briefly),
		UNIT_TEST(test_concurrent_questions_share_one_query), UNIT_TEST(test_deadline),
		UNIT_TEST(test_reconfigure_keeps_serving), CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{"dns_engine", suite_init, suite_clean, NULL, NULL, tests}, CU_SUITE_INFO_NULL,
	};

	return unit_run(suites);
}
