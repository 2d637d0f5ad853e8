/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_dns_stress.c -- the DNS engine, its cache and the config snapshots
 * under concurrency: sixteen threads ask a shared set of names (answers that
 * expire every second, negative answers, failures, answers slower than some
 * deadlines, a cache smaller than the set) while another thread reloads the
 * DNS settings and publishes new configs.  Every answer must be the right
 * one for its name.  CI runs it under ThreadSanitizer (--enable-sanitizers=
 * thread), where any data race fails it.  Bounded: a fixed number of
 * rounds per thread and a time limit.
 */
#include "autoconfig.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon/config.h"
#include "dns/dns.h"
#include "daemon/stats.h"
#include "tiny_dns_server.h"
#include "unit.h"

enum {
	WORKERS = 16,
	ROUNDS = 4000,              /* per worker, at most */
	SECONDS = 3,                /* and at most this long */
	RELOADS = 10,
	N_HOST = 48, N_NX = 8, N_FAIL = 4, N_SLOW = 4,
	N_NAMES = N_HOST + N_NX + N_FAIL + N_SLOW
};

static char servers[64];
static int host_queries[N_HOST];        /* per name, counted by the server */
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;

/* Outcomes, summed by the workers. */
static long answers, negatives, failures, deadlines, wrong, prefetches, snapshots;
static int reloads;

/* Name i of the shared set. */
static void name_of(int i, char *buf, size_t len)
{
	if (i < N_HOST)
		snprintf(buf, len, "h%d.stress.test", i);
	else if (i < N_HOST + N_NX)
		snprintf(buf, len, "nx%d.stress.test", i - N_HOST);
	else if (i < N_HOST + N_NX + N_FAIL)
		snprintf(buf, len, "fail%d.stress.test", i - N_HOST - N_NX);
	else
		snprintf(buf, len, "slow%d.stress.test", i - N_HOST - N_NX - N_FAIL);
}

static void answer(const char *name, int qtype, struct tiny_reply *r)
{
	int k;

	(void)qtype;
	if (sscanf(name, "h%d.", &k) == 1 && k >= 0 && k < N_HOST) {
		pthread_mutex_lock(&count_lock);
		host_queries[k]++;
		pthread_mutex_unlock(&count_lock);
		r->has_a = true;
		memcpy(r->a, (unsigned char[]){10, 0, (unsigned char)k, 1}, 4);
		r->ttl = 1;
	} else if (strncmp(name, "nx", 2) == 0) {
		r->rcode = 3;
		r->negative_ttl = 1;
	} else if (strncmp(name, "fail", 4) == 0) {
		r->rcode = 2;
	} else if (sscanf(name, "slow%d.", &k) == 1) {
		r->has_a = true;
		memcpy(r->a, (unsigned char[]){10, 1, (unsigned char)k, 1}, 4);
		r->ttl = 1;
		r->delay_ms = 5;
	} else {
		r->rcode = 5;
	}
}

static struct dns_settings settings(int variant)
{
	/* a cache smaller than the name set, so that entries are evicted */
	struct dns_settings s = {servers, 400, 2, variant ? 16 : 32, 0, 3600};

	return s;
}

/* Is a the right answer for name i?  A temporary failure always is. */
static bool right_answer(int i, const struct dns_answer *a)
{
	if (a->status == DNS_TEMPFAIL)
		return true;
	if (i < N_HOST || i >= N_HOST + N_NX + N_FAIL) {
		bool slow = i >= N_HOST;
		int k = slow ? i - N_HOST - N_NX - N_FAIL : i;

		return a->status == DNS_ANSWER && a->count == 1 &&
		       a->rr[0].addr.family == AF_INET && a->rr[0].addr.bytes[0] == 10 &&
		       a->rr[0].addr.bytes[1] == (slow ? 1 : 0) && a->rr[0].addr.bytes[2] == k;
	}
	if (i < N_HOST + N_NX)
		return a->status == DNS_NXDOMAIN;
	return false;                   /* a SERVFAIL name never answers */
}

static void tally(int i, const struct dns_answer *a, bool short_deadline)
{
	long *which = a->status == DNS_ANSWER ? &answers :
		      a->status == DNS_TEMPFAIL ? (short_deadline ? &deadlines : &failures) :
		      &negatives;

	__atomic_add_fetch(which, 1, __ATOMIC_RELAXED);
	if (!right_answer(i, a)) {
		__atomic_add_fetch(&wrong, 1, __ATOMIC_RELAXED);
		fprintf(stderr, "wrong answer for name %d: %s\n", i, dns_status_name(a->status));
	}
}

/* What a session does besides DNS: read the config, count a decision. */
static void session_side_work(void)
{
	struct config *cfg = config_acquire();
	struct verdict v = {0};

	if (cfg != NULL && config_value(cfg, "dns_timeout_ms") != NULL)
		__atomic_add_fetch(&snapshots, 1, __ATOMIC_RELAXED);
	config_release(cfg);
	stats_count_session();
	stats_count_decision(&v, STATS_ROUTE_PRIMARY);
}

static void *worker(void *arg)
{
	unsigned seed = (unsigned)(uintptr_t)arg * 2654435761u;
	time_t stop = time(NULL) + SECONDS;

	for (int round = 0; round < ROUNDS && time(NULL) < stop; round++) {
		char name[64];
		int i;
		bool short_deadline;
		struct timespec deadline;
		struct dns_answer *a;

		seed = seed * 1103515245u + 12345u;
		i = (int)((seed >> 8) % N_NAMES);
		name_of(i, name, sizeof name);
		if ((seed >> 20) % 8 == 0) {
			dns_prefetch(name, DNS_T_A);
			__atomic_add_fetch(&prefetches, 1, __ATOMIC_RELAXED);
			continue;
		}
		/* some sessions give up early, leaving their lookup in flight */
		short_deadline = (seed >> 24) % 6 == 0;
		dns_deadline_in(&deadline, short_deadline ? 2 : 2000);
		a = dns_collect(dns_submit(name, DNS_T_A), &deadline);
		if (a == NULL) {
			__atomic_add_fetch(&wrong, 1, __ATOMIC_RELAXED);
			continue;
		}
		tally(i, a, short_deadline);
		dns_answer_unref(a);
		session_side_work();
	}
	return NULL;
}

static struct config *make_config(int n)
{
	char text[128];
	struct config_errors errs = {NULL, 0};

	snprintf(text, sizeof text, "dns_timeout_ms = %d\ndry_run = %s\n", 400 + n,
		 n % 2 ? "yes" : "no");
	return config_parse_string("stress", text, &errs);
}

static void *reloader(void *arg)
{
	struct timespec pause = {0, 250 * 1000 * 1000};
	struct stats_snapshot snap;

	(void)arg;
	for (int n = 1; n <= RELOADS; n++) {
		struct dns_settings s = settings(n % 2);
		struct config *cfg = make_config(n);

		nanosleep(&pause, NULL);
		if (cfg != NULL && dns_reconfigure(&s)) {
			config_publish(cfg);
			__atomic_add_fetch(&reloads, 1, __ATOMIC_RELAXED);
		}
		stats_take(&snap);
	}
	return NULL;
}

static void test_concurrent_lookups_and_reloads(void)
{
	pthread_t workers[WORKERS], reload;
	int started = 0, max_asked = 0;

	for (int w = 0; w < WORKERS; w++)
		if (pthread_create(&workers[w], NULL, worker, (void *)(uintptr_t)(w + 1)) == 0)
			started++;
	CU_ASSERT_EQUAL_FATAL(started, WORKERS);
	CU_ASSERT_EQUAL_FATAL(pthread_create(&reload, NULL, reloader, NULL), 0);
	for (int w = 0; w < WORKERS; w++)
		pthread_join(workers[w], NULL);
	pthread_join(reload, NULL);

	printf("\n  answers %ld, negative %ld, failures %ld, given up at the deadline %ld, "
	       "prefetches %ld, reloads %d\n", answers, negatives, failures, deadlines,
	       prefetches, reloads);
	CU_ASSERT_EQUAL(wrong, 0);
	CU_ASSERT_EQUAL(reloads, RELOADS);
	CU_ASSERT_TRUE(answers > 100);
	CU_ASSERT_TRUE(negatives > 10);
	CU_ASSERT_TRUE(failures > 10);
	CU_ASSERT_TRUE(snapshots > 100);
	/* TTL 1 over three seconds and a small cache: names were asked again */
	pthread_mutex_lock(&count_lock);
	for (int k = 0; k < N_HOST; k++)
		if (host_queries[k] > max_asked)
			max_asked = host_queries[k];
	pthread_mutex_unlock(&count_lock);
	CU_ASSERT_TRUE(max_asked > 1);
}

static int suite_init(void)
{
	struct dns_settings s;
	int port = tiny_dns_start(answer);
	struct config *cfg = make_config(0);

	if (port < 0 || cfg == NULL)
		return 1;
	config_publish(cfg);
	snprintf(servers, sizeof servers, "127.0.0.1:%d", port);
	s = settings(0);
	return dns_start(&s) ? 0 : 1;
}

static int suite_clean(void)
{
	dns_stop();
	config_publish(NULL);
	return 0;
}

int main(void)
{
	CU_TestInfo tests[] = {
		UNIT_TEST(test_concurrent_lookups_and_reloads), CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {
		{"dns_stress", suite_init, suite_clean, NULL, NULL, tests}, CU_SUITE_INFO_NULL,
	};

	return unit_run(suites);
}
