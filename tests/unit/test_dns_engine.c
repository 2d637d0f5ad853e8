/*
 * test_dns_engine.c -- the c-ares engine against a small DNS server of this
 * test on 127.0.0.1: TTL caching, negative caching (RFC 2308), temporary
 * failures remembered briefly, one query for concurrent identical
 * questions, the decision deadline, and a channel rebuilt by a reload.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dns.h"
#include "unit.h"

static int server_fd;
static int server_port;
static pthread_mutex_t count_lock = PTHREAD_MUTEX_INITIALIZER;
static int queries[8];

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

/* Reads the question's name as text; returns the offset after QTYPE/QCLASS. */
static size_t question_name(const unsigned char *q, size_t len, char *name)
{
	size_t p = 12, o = 0;

	while (p < len && q[p] != 0) {
		unsigned l = q[p];

		if (o)
			name[o++] = '.';
		memcpy(name + o, q + p + 1, l);
		o += l;
		p += 1 + l;
	}
	name[o] = '\0';
	return p + 5;
}

static void put(unsigned char *b, size_t *n, const void *data, size_t len)
{
	memcpy(b + *n, data, len);
	*n += len;
}

static void answer_query(const unsigned char *q, size_t qlen, struct sockaddr_in *from,
			 socklen_t fromlen)
{
	unsigned char r[512];
	char name[256];
	size_t qend = question_name(q, qlen, name), n;
	int which = Q_OTHER;

	for (int i = 0; i < Q_OTHER; i++)
		if (strcasecmp(name, qnames[i]) == 0)
			which = i;
	pthread_mutex_lock(&count_lock);
	queries[which]++;
	pthread_mutex_unlock(&count_lock);
	if (which == Q_SLOW)
		usleep(400 * 1000);
	memcpy(r, q, qend);
	n = qend;
	r[2] = 0x84 | (q[2] & 1);       /* QR, AA, RD copied */
	r[3] = 0x00;
	r[6] = r[7] = r[8] = r[9] = r[10] = r[11] = 0;
	if (which == Q_FAIL) {
		r[3] = 2;                   /* SERVFAIL */
	} else if (which == Q_NX) {
		/* NXDOMAIN with an SOA: TTL 3600, MINIMUM 30 -> negative TTL 30 */
		static const unsigned char soa[] = {
			0xc0, 0x0c, 0, 6, 0, 1, 0, 0, 0x0e, 0x10, 0, 24,
			0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0x0e, 0x10, 0, 0, 2, 0x58,
			0, 1, 0x51, 0x80, 0, 0, 0, 30
		};
		r[3] = 3;
		r[9] = 1;
		put(r, &n, soa, sizeof soa);
	} else {
		unsigned char rr[] = {0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 192, 0, 2, 1};

		if (which == Q_TTL0)
			rr[9] = 0;
		r[7] = 1;
		put(r, &n, rr, sizeof rr);
	}
	sendto(server_fd, r, n, 0, (struct sockaddr *)from, fromlen);
}

static void *server_main(void *arg)
{
	(void)arg;
	for (;;) {
		unsigned char q[512];
		struct sockaddr_in from;
		socklen_t fromlen = sizeof from;
		ssize_t len = recvfrom(server_fd, q, sizeof q, 0, (struct sockaddr *)&from, &fromlen);

		if (len < 0)
			return NULL;
		if (len > 12)
			answer_query(q, (size_t)len, &from, fromlen);
	}
}

static int start_server(void)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof sin;
	pthread_t tid;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	server_fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (server_fd < 0 || bind(server_fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    getsockname(server_fd, (struct sockaddr *)&sin, &len) != 0)
		return -1;
	server_port = ntohs(sin.sin_port);
	if (pthread_create(&tid, NULL, server_main, NULL) != 0)
		return -1;
	pthread_detach(tid);
	return 0;
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

	if (start_server() != 0)
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
