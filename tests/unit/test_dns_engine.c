/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dns_engine.c -- the c-ares engine against a small DNS server of this
 * test on 127.0.0.1: TTL caching, negative caching (RFC 2308), temporary
 * failures remembered briefly and named for what they were, one query for
 * concurrent identical questions, the decision deadline, a cache cap that
 * counts finished answers only, and a channel rebuilt by a reload, also
 * when reloads come faster than the resolver thread.
 *
 * The engine reports to this file's engine_report (dns_set_reporter),
 * which can hold the resolver thread still at a chosen line.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "dns/dns.h"
#include "tiny_dns_server.h"
#include "unit.h"

static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static int queries[8];
static int server_port;

enum { Q_TTL60, Q_TTL0, Q_NX, Q_SLOW, Q_FAIL, Q_REFUSED, Q_KEEP, Q_OTHER };
static const char *const qnames[] = {"ttl60.test", "ttl0.test", "nx.test", "slow.test", "fail.test",
				     "refused.test", "keep.test"};

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
	if (strncasecmp(name, "silent", 6) == 0) {
		r->silent = true;
		return;
	}
	switch (which) {
	case Q_FAIL:
		r->rcode = 2;           /* SERVFAIL */
		break;
	case Q_REFUSED:
		r->rcode = 5;
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

/* ---- the engine's log, and a way to hold the resolver thread in it ------ */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t log_cond = PTHREAD_COND_INITIALIZER;
static const char *hold_at;             /* a line that holds its caller ... */
static bool held, released;             /* ... until released */
static int bad_servers_lines;

static void engine_report(UNUSED enum dns_report_level level, const char *line)
{
	struct timespec limit;

	clock_gettime(CLOCK_REALTIME, &limit);
	limit.tv_sec += 5;                      /* bounded, whatever the test does */
	pthread_mutex_lock(&log_lock);
	if (strncmp(line, "dns: bad dns_servers", 20) == 0)
		bad_servers_lines++;
	if (hold_at != NULL && strcmp(line, hold_at) == 0) {
		hold_at = NULL;
		held = true;
		pthread_cond_broadcast(&log_cond);
		while (!released)
			if (pthread_cond_timedwait(&log_cond, &log_lock, &limit) == ETIMEDOUT)
				break;
	}
	pthread_mutex_unlock(&log_lock);
}

/* Waits (bounded) until the line to hold at has been logged. */
static bool wait_held(void)
{
	struct timespec limit;
	bool ok;

	clock_gettime(CLOCK_REALTIME, &limit);
	limit.tv_sec += 5;
	pthread_mutex_lock(&log_lock);
	while (!held)
		if (pthread_cond_timedwait(&log_cond, &log_lock, &limit) == ETIMEDOUT)
			break;
	ok = held;
	pthread_mutex_unlock(&log_lock);
	return ok;
}

static void release_held(void)
{
	pthread_mutex_lock(&log_lock);
	released = true;
	pthread_cond_broadcast(&log_cond);
	pthread_mutex_unlock(&log_lock);
}

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
	dns_set_reporter(engine_report);
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

/* Failures say what they were: c-ares 1.18 calls each "connection refused". */
static void test_failures_named(void)
{
	struct dns_answer *a = lookup("fail.test", 3000);

	CU_ASSERT_EQUAL(a->status, DNS_TEMPFAIL);
	CU_ASSERT_STRING_EQUAL(a->why, "servfail");
	dns_answer_unref(a);
	a = lookup("refused.test", 3000);
	CU_ASSERT_EQUAL(a->status, DNS_TEMPFAIL);
	CU_ASSERT_STRING_EQUAL(a->why, "refused");
	dns_answer_unref(a);
	a = lookup("silent-timeout.test", 5000);        /* 500 ms, then 1000 ms */
	CU_ASSERT_EQUAL(a->status, DNS_TEMPFAIL);
	CU_ASSERT_STRING_EQUAL(a->why, "timeout");
	dns_answer_unref(a);
}

/*
 * Questions in flight do not count toward dns_cache_size: however many
 * there are, a finished answer stays; finished answers beyond it go.
 */
static void test_cache_counts_finished_answers_only(void)
{
	enum { CAP = 4, IN_FLIGHT = 3 * CAP };
	struct dns_settings s = settings(500);
	struct dns_lookup *pending[IN_FLIGHT];
	struct timespec now;
	char name[64];
	int asked;

	s.cache_size = CAP;
	CU_ASSERT_TRUE(dns_reconfigure(&s));
	dns_answer_unref(lookup("keep.test", 3000));
	asked = count(Q_KEEP);
	for (int i = 0; i < IN_FLIGHT; i++) {
		snprintf(name, sizeof name, "silent%d.test", i);
		pending[i] = dns_submit(name, DNS_T_A);
	}
	dns_answer_unref(lookup("keep.test", 3000));
	CU_ASSERT_EQUAL(count(Q_KEEP), asked);          /* still cached */
	for (int i = 0; i < CAP; i++) {                 /* CAP newer answers */
		snprintf(name, sizeof name, "fill%d.test", i);
		dns_answer_unref(lookup(name, 3000));
	}
	dns_answer_unref(lookup("keep.test", 3000));
	CU_ASSERT_EQUAL(count(Q_KEEP), asked + 1);      /* the oldest went */
	dns_deadline_in(&now, 0);
	for (int i = 0; i < IN_FLIGHT; i++)
		dns_answer_unref(dns_collect(pending[i], &now));
	s = settings(500);
	CU_ASSERT_TRUE(dns_reconfigure(&s));
}

/* A UDP port on 127.0.0.1 where nothing listens: queries there are refused. */
static int dead_port(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof sin;
	int fd = socket(AF_INET, SOCK_DGRAM, 0), port = -1;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&sin, sizeof sin) == 0 &&
	    getsockname(fd, (struct sockaddr *)&sin, &len) == 0)
		port = ntohs(sin.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

/*
 * A reload that changes the servers, then one that changes something else,
 * both before the resolver thread looks: the first must still be applied.
 */
static void test_reload_pending_change_kept(void)
{
	char dead[64];
	struct dns_settings s = settings(600);
	struct dns_answer *a;

	snprintf(dead, sizeof dead, "127.0.0.1:%d", dead_port());
	pthread_mutex_lock(&log_lock);
	hold_at = "dns: resolver channel rebuilt";
	held = released = false;
	pthread_mutex_unlock(&log_lock);
	s.servers = dead;
	CU_ASSERT_TRUE(dns_reconfigure(&s));
	CU_ASSERT_TRUE_FATAL(wait_held());      /* the thread stands still */
	s.servers = servers;
	CU_ASSERT_TRUE(dns_reconfigure(&s));    /* back to the real server ... */
	s.cache_size = 99;
	CU_ASSERT_TRUE(dns_reconfigure(&s));    /* ... and another setting */
	release_held();
	a = lookup("after-two-reloads.test", 3000);
	CU_ASSERT_EQUAL(a->status, DNS_ANSWER);
	dns_answer_unref(a);
	s = settings(500);
	CU_ASSERT_TRUE(dns_reconfigure(&s));
}

/* Reloads while the resolver thread opens a channel with the old servers. */
struct reload_storm {
	int rounds;
	char a[64], b[128];
};

static void *reload_storm(void *arg)
{
	struct reload_storm *st = arg;
	struct timespec pause = {0, 20 * 1000};

	for (int i = 0; i < st->rounds; i++) {
		struct dns_settings s = settings(500 + i % 2);

		s.servers = i % 2 ? st->b : st->a;
		dns_reconfigure(&s);
		nanosleep(&pause, NULL);
	}
	return NULL;
}

static void test_reload_storm_servers_intact(void)
{
	struct reload_storm st = {.rounds = 3000};
	struct dns_settings s = settings(500);
	pthread_t tid;
	struct dns_answer *a;
	int bad;

	/* two spellings of the same server, of different lengths */
	snprintf(st.a, sizeof st.a, "127.0.0.1:%d", server_port);
	snprintf(st.b, sizeof st.b, "  127.0.0.1:%d ,\t127.0.0.1:%d  ", server_port, server_port);
	pthread_mutex_lock(&log_lock);
	bad_servers_lines = 0;
	pthread_mutex_unlock(&log_lock);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&tid, NULL, reload_storm, &st), 0);
	pthread_join(tid, NULL);
	CU_ASSERT_TRUE(dns_reconfigure(&s));
	a = lookup("after-the-storm.test", 3000);
	CU_ASSERT_EQUAL(a->status, DNS_ANSWER);
	dns_answer_unref(a);
	pthread_mutex_lock(&log_lock);
	bad = bad_servers_lines;
	pthread_mutex_unlock(&log_lock);
	CU_ASSERT_EQUAL(bad, 0);
}

int main(void)
{
	CU_TestInfo tests[] = {
		UNIT_TEST(test_positive_cached), UNIT_TEST(test_ttl_zero_not_cached),
		UNIT_TEST(test_negative_cached), UNIT_TEST(test_tempfail_remembered_briefly),
		UNIT_TEST(test_concurrent_questions_share_one_query), UNIT_TEST(test_deadline),
		UNIT_TEST(test_reconfigure_keeps_serving), UNIT_TEST(test_failures_named),
		UNIT_TEST(test_cache_counts_finished_answers_only),
		UNIT_TEST(test_reload_pending_change_kept),
		UNIT_TEST(test_reload_storm_servers_intact), CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{"dns_engine", suite_init, suite_clean, NULL, NULL, tests}, CU_SUITE_INFO_NULL,
	};

	return unit_run(suites);
}
