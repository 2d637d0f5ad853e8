/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_verifycache.c -- the call-ahead answers in a real LMDB store in a
 * temporary directory: kept and read back, expired by core's rule over a
 * fake clock, kept across close and reopen, swept, a corrupt file refused
 * cleanly, and four threads reading and writing at once.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <lmdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/log.h"
#include "daemon/verifycache.h"
#include "unit.h"

#define DAY 86400
static const int64_t t0 = 1700000000;

static char dir[64];

static void remove_store(const char *d)
{
	char path[128];

	snprintf(path, sizeof path, "%s/data.mdb", d);
	unlink(path);
	snprintf(path, sizeof path, "%s/lock.mdb", d);
	unlink(path);
	rmdir(d);
}

static void fresh_dir(void)
{
	snprintf(dir, sizeof dir, "/tmp/test_verifycache.XXXXXX");
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
}

static struct verifycache *open_ok(size_t map_size)
{
	char err[256] = "";
	struct verifycache *c = verifycache_open(dir, map_size, err, sizeof err);

	if (c == NULL)
		fprintf(stderr, "open %s: %s\n", dir, err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	return c;
}

static struct verifycache_record record(enum verify_result r, int64_t now, const char *text)
{
	struct verifycache_record rec;
	struct verify_ttls t;

	memset(&rec, 0, sizeof rec);
	verify_ttls_default(&t);
	CU_ASSERT_TRUE(verify_entry_make(r, false, now, &t, &rec.entry));
	snprintf(rec.exchanger, sizeof rec.exchanger, "%s", "mx1.example.net");
	snprintf(rec.text, sizeof rec.text, "%s", text);
	return rec;
}

/* The query mode's store: what the filter kept is read, and nothing is written. */
static void test_readonly(void)
{
	struct verifycache *c, *ro;
	struct verifycache_record in = record(VERIFY_PASS, t0, ""), out;
	char err[256] = "";

	fresh_dir();
	CU_ASSERT_PTR_NULL(verifycache_open_readonly(dir, err, sizeof err));   /* none yet */
	c = open_ok(1 << 20);
	CU_ASSERT_TRUE(verifycache_put(c, "r:alice@example.net", &in));
	verifycache_close(c);
	ro = verifycache_open_readonly(dir, err, sizeof err);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ro);
	CU_ASSERT_EQUAL(verifycache_get(ro, "r:alice@example.net", &out), VERIFYCACHE_FOUND);
	CU_ASSERT_EQUAL(out.entry.result, VERIFY_PASS);
	CU_ASSERT_FALSE(verifycache_put(ro, "r:bob@example.net", &in));
	verifycache_close(ro);
	c = open_ok(1 << 20);
	CU_ASSERT_EQUAL(verifycache_get(c, "r:bob@example.net", &out), VERIFYCACHE_MISSING);
	verifycache_close(c);
	remove_store(dir);
}

static void test_store_load(void)
{
	struct verifycache *c;
	struct verifycache_record in = record(VERIFY_FAIL, t0, "550 5.1.1 <nosuch@example.net>: "
					      "Recipient address rejected: User unknown"), out;
	char longkey[600];

	fresh_dir();
	c = open_ok(VERIFYCACHE_MAP_SIZE_DEFAULT);
	CU_ASSERT_EQUAL(verifycache_get(c, "r:nosuch@example.net", &out), VERIFYCACHE_MISSING);
	CU_ASSERT_TRUE(verifycache_put(c, "r:nosuch@example.net", &in));
	CU_ASSERT_EQUAL_FATAL(verifycache_get(c, "r:nosuch@example.net", &out), VERIFYCACHE_FOUND);
	CU_ASSERT_EQUAL(out.entry.result, VERIFY_FAIL);
	CU_ASSERT_EQUAL(out.entry.stored_at, t0);
	CU_ASSERT_EQUAL(out.entry.expires_at, in.entry.expires_at);
	CU_ASSERT_STRING_EQUAL(out.exchanger, "mx1.example.net");
	CU_ASSERT_STRING_EQUAL(out.text, in.text);
	/* replaced, not added */
	in = record(VERIFY_PASS, t0 + 10, "250 2.1.5 Ok");
	CU_ASSERT_TRUE(verifycache_put(c, "r:nosuch@example.net", &in));
	CU_ASSERT_EQUAL(verifycache_get(c, "r:nosuch@example.net", &out), VERIFYCACHE_FOUND);
	CU_ASSERT_EQUAL(out.entry.result, VERIFY_PASS);
	CU_ASSERT_EQUAL(verifycache_count(c), 1);
	CU_ASSERT_TRUE(verifycache_delete(c, "r:nosuch@example.net"));
	CU_ASSERT_EQUAL(verifycache_get(c, "r:nosuch@example.net", &out), VERIFYCACHE_MISSING);
	CU_ASSERT_FALSE(verifycache_delete(c, "r:nosuch@example.net"));
	/* a key LMDB cannot hold is neither kept nor looked up */
	memset(longkey, 'a', sizeof longkey - 1);
	longkey[sizeof longkey - 1] = '\0';
	CU_ASSERT_FALSE(verifycache_put(c, longkey, &in));
	CU_ASSERT_EQUAL(verifycache_get(c, longkey, &out), VERIFYCACHE_MISSING);
	CU_ASSERT_FALSE(verifycache_put(c, "", &in));
	verifycache_close(c);
	remove_store(dir);
}

/* Stored answers expire by core's rule, over the test's clock. */
static void test_expiry_fake_clock(void)
{
	struct verifycache *c;
	struct verifycache_record pos = record(VERIFY_PASS, t0, ""), neg, out, dom;
	struct verify_ttls t;

	verify_ttls_default(&t);
	neg = record(VERIFY_FAIL, t0, "550 5.1.1 no");
	memset(&dom, 0, sizeof dom);
	CU_ASSERT_TRUE(verify_entry_make(VERIFY_FAIL, true, t0, &t, &dom.entry));
	fresh_dir();
	c = open_ok(VERIFYCACHE_MAP_SIZE_DEFAULT);
	CU_ASSERT_TRUE(verifycache_put(c, "r:user@example.net", &pos));
	CU_ASSERT_TRUE(verifycache_put(c, "r:nosuch@example.net", &neg));
	CU_ASSERT_TRUE(verifycache_put(c, "d:example.net", &dom));

	CU_ASSERT_EQUAL(verifycache_get(c, "r:user@example.net", &out), VERIFYCACHE_FOUND);
	CU_ASSERT_TRUE(verify_entry_is_fresh(&out.entry, t0 + 7 * DAY - 1));
	CU_ASSERT_FALSE(verify_entry_is_fresh(&out.entry, t0 + 7 * DAY));
	CU_ASSERT_EQUAL(verifycache_get(c, "r:nosuch@example.net", &out), VERIFYCACHE_FOUND);
	CU_ASSERT_TRUE(verify_entry_is_fresh(&out.entry, t0 + 3600));
	CU_ASSERT_FALSE(verify_entry_is_fresh(&out.entry, t0 + 5 * 3600));
	/* an hour in, the negative decides; two days in it is probed again ... */
	CU_ASSERT_EQUAL(verify_choose_plan(&dom.entry, &out.entry, t0 + 3600, true, &t),
			VERIFY_PLAN_CACHED);
	CU_ASSERT_EQUAL(verify_choose_plan(&dom.entry, &out.entry, t0 + 2 * DAY, true, &t),
			VERIFY_PLAN_PROBE_DOMAIN);
	/* ... unless the primary is down */
	CU_ASSERT_EQUAL(verify_choose_plan(&dom.entry, &out.entry, t0 + 2 * DAY, false, &t),
			VERIFY_PLAN_CACHED);
	verifycache_close(c);
	remove_store(dir);
}

static void test_persistence(void)
{
	struct verifycache *c;
	struct verifycache_record in = record(VERIFY_FAIL, t0, "550 5.1.1 gone"), out;

	fresh_dir();
	c = open_ok(VERIFYCACHE_MAP_SIZE_DEFAULT);
	CU_ASSERT_TRUE(verifycache_put(c, "r:gone@example.net", &in));
	verifycache_close(c);
	c = open_ok(VERIFYCACHE_MAP_SIZE_DEFAULT);
	CU_ASSERT_EQUAL(verifycache_get(c, "r:gone@example.net", &out), VERIFYCACHE_FOUND);
	CU_ASSERT_STRING_EQUAL(out.text, "550 5.1.1 gone");
	CU_ASSERT_EQUAL(out.entry.stored_at, t0);
	verifycache_close(c);
	remove_store(dir);
}

/* A data.mdb that is not an LMDB file: open fails and says why; nothing crashes. */
static void test_corrupt_file(void)
{
	char path[128], err[256] = "", garbage[65536];
	int fd;
	unsigned seed = 12345;

	fresh_dir();
	snprintf(path, sizeof path, "%s/data.mdb", dir);
	for (size_t i = 0; i < sizeof garbage; i++) {
		seed = seed * 1103515245u + 12345u;
		garbage[i] = (char)(seed >> 16);
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, garbage, sizeof garbage), (ssize_t)sizeof garbage);
	close(fd);
	CU_ASSERT_PTR_NULL(verifycache_open(dir, VERIFYCACHE_MAP_SIZE_DEFAULT, err, sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, dir));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "MDB_INVALID"));
	remove_store(dir);
	/* no directory at all */
	err[0] = '\0';
	CU_ASSERT_PTR_NULL(verifycache_open("/nonexistent/mxpolicy-milter", 1 << 20, err, sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "No such file or directory"));
}

/* Writes a value no version of the record reads, with LMDB itself. */
static void put_raw(const char *key, const void *val, size_t len)
{
	MDB_env *env;
	MDB_txn *txn;
	MDB_dbi dbi;
	MDB_val k = {strlen(key), (void *)key}, v = {len, (void *)val};

	CU_ASSERT_EQUAL_FATAL(mdb_env_create(&env), 0);
	CU_ASSERT_EQUAL_FATAL(mdb_env_open(env, dir, 0, 0600), 0);
	CU_ASSERT_EQUAL_FATAL(mdb_txn_begin(env, NULL, 0, &txn), 0);
	CU_ASSERT_EQUAL(mdb_dbi_open(txn, NULL, 0, &dbi), 0);
	CU_ASSERT_EQUAL(mdb_put(txn, dbi, &k, &v, 0), 0);
	CU_ASSERT_EQUAL(mdb_txn_commit(txn), 0);
	mdb_env_close(env);
}

/* A record that cannot be read is missing, and the sweep removes it. */
static void test_unreadable_record(void)
{
	struct verifycache *c;
	struct verifycache_record out;
	struct verify_ttls t;
	static const unsigned char v2[40] = {2, VERIFY_PASS};
	static const unsigned char bad_result[24] = {1, 77};

	verify_ttls_default(&t);
	fresh_dir();
	c = open_ok(VERIFYCACHE_MAP_SIZE_DEFAULT);
	verifycache_close(c);
	put_raw("r:newer@example.net", v2, sizeof v2);
	put_raw("r:bad@example.net", bad_result, sizeof bad_result);
	put_raw("r:short@example.net", "x", 1);
	c = open_ok(VERIFYCACHE_MAP_SIZE_DEFAULT);
	CU_ASSERT_EQUAL(verifycache_get(c, "r:newer@example.net", &out), VERIFYCACHE_MISSING);
	CU_ASSERT_EQUAL(verifycache_get(c, "r:bad@example.net", &out), VERIFYCACHE_MISSING);
	CU_ASSERT_EQUAL(verifycache_get(c, "r:short@example.net", &out), VERIFYCACHE_MISSING);
	CU_ASSERT_EQUAL(verifycache_count(c), 3);
	CU_ASSERT_EQUAL(verifycache_prune(c, t0, &t, 100), 3);
	CU_ASSERT_EQUAL(verifycache_count(c), 0);
	verifycache_close(c);
	remove_store(dir);
}

/* The sweep removes what even an outage cannot use, a bounded number at a time. */
static void test_prune(void)
{
	struct verifycache *c;
	struct verify_ttls t;
	char key[64];
	size_t gone = 0;

	verify_ttls_default(&t);
	fresh_dir();
	c = open_ok(VERIFYCACHE_MAP_SIZE_DEFAULT);
	for (int i = 0; i < 30; i++) {
		/* a third stored 40 days ago, a third 10 days ago, a third "tomorrow" */
		int64_t at = i % 3 == 0 ? t0 - 40 * DAY : i % 3 == 1 ? t0 - 10 * DAY : t0 + DAY;
		struct verifycache_record r = record(VERIFY_PASS, at, "");

		snprintf(key, sizeof key, "r:user%02d@example.net", i);
		CU_ASSERT_TRUE(verifycache_put(c, key, &r));
	}
	CU_ASSERT_EQUAL(verifycache_count(c), 30);
	/* 4 records a sweep: eight sweeps see every record once, the last one short */
	for (int i = 0; i < 8; i++) {
		size_t n = verifycache_prune(c, t0, &t, 4);

		CU_ASSERT(n <= 4);
		gone += n;
	}
	CU_ASSERT_EQUAL(gone, 10);
	CU_ASSERT_EQUAL(verifycache_count(c), 20);
	/* the sweep wrapped: a second round finds nothing more */
	CU_ASSERT_EQUAL(verifycache_prune(c, t0, &t, 100), 0);
	verifycache_close(c);
	remove_store(dir);
}

/* A full map: the put sweeps and tries again; what cannot be made room for is not kept. */
static void test_map_full(void)
{
	struct verifycache *c;
	char key[64];
	int stored = 0;
	struct verifycache_record r, out;

	fresh_dir();
	c = open_ok(256 << 10);
	for (int i = 0; i < 5000; i++) {
		r = record(VERIFY_PASS, t0, "250 2.1.5 Ok, and a text long enough to fill pages fast");
		snprintf(key, sizeof key, "r:user%04d@example.net", i);
		if (!verifycache_put(c, key, &r))
			break;
		stored++;
	}
	CU_ASSERT_FATAL(stored > 0 && stored < 5000);
	/*
	 * 40 days on, the old answers are no use: half as many new ones again
	 * fit only because full puts swept the old ones away
	 */
	for (int i = 0; i < stored / 2; i++) {
		r = record(VERIFY_FAIL, t0 + 40 * DAY, "550 5.1.1 new");
		snprintf(key, sizeof key, "r:late%04d@example.net", i);
		CU_ASSERT_TRUE(verifycache_put(c, key, &r));
	}
	CU_ASSERT_EQUAL(verifycache_get(c, "r:late0000@example.net", &out), VERIFYCACHE_FOUND);
	CU_ASSERT_EQUAL(verifycache_get(c, "r:user0000@example.net", &out), VERIFYCACHE_MISSING);
	CU_ASSERT(verifycache_count(c) < (size_t)stored);
	verifycache_close(c);
	remove_store(dir);
}

#define THREADS 4
#define OPS 400

struct worker {
	struct verifycache *c;
	int id;
	int errors;
};

static void *work(void *arg)
{
	struct worker *w = arg;
	char key[64];
	struct verifycache_record r, out;

	for (int i = 0; i < OPS; i++) {
		r = record(i % 2 ? VERIFY_PASS : VERIFY_FAIL, t0 + i, "550 5.1.1 x");
		snprintf(key, sizeof key, "r:t%d-%d@example.net", w->id, i);
		if (!verifycache_put(w->c, key, &r))
			w->errors++;
		if (verifycache_get(w->c, key, &out) != VERIFYCACHE_FOUND ||
		    out.entry.stored_at != t0 + i || out.entry.result != r.entry.result)
			w->errors++;
		/* keys every thread writes and reads */
		snprintf(key, sizeof key, "r:shared%d@example.net", i % 10);
		if (!verifycache_put(w->c, key, &r))
			w->errors++;
		if (verifycache_get(w->c, key, &out) != VERIFYCACHE_FOUND)
			w->errors++;
	}
	return NULL;
}

static void test_threads(void)
{
	struct verifycache *c;
	pthread_t tid[THREADS];
	struct worker w[THREADS];
	struct verify_ttls t;

	verify_ttls_default(&t);
	fresh_dir();
	c = open_ok(VERIFYCACHE_MAP_SIZE_DEFAULT);
	for (int i = 0; i < THREADS; i++) {
		w[i] = (struct worker){c, i, 0};
		CU_ASSERT_EQUAL_FATAL(pthread_create(&tid[i], NULL, work, &w[i]), 0);
	}
	for (int i = 0; i < THREADS; i++) {
		pthread_join(tid[i], NULL);
		CU_ASSERT_EQUAL(w[i].errors, 0);
	}
	CU_ASSERT_EQUAL(verifycache_count(c), THREADS * OPS + 10);
	/* every record is readable and none is stale yet */
	CU_ASSERT_EQUAL(verifycache_prune(c, t0 + OPS, &t, THREADS * OPS + 10), 0);
	verifycache_close(c);
	remove_store(dir);
}

int main(void)
{
	CU_TestInfo tests[] = {
		UNIT_TEST(test_store_load), UNIT_TEST(test_readonly), UNIT_TEST(test_expiry_fake_clock),
		UNIT_TEST(test_persistence), UNIT_TEST(test_corrupt_file),
		UNIT_TEST(test_unreadable_record), UNIT_TEST(test_prune), UNIT_TEST(test_map_full),
		UNIT_TEST(test_threads),
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {{"verifycache", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};

	log_open_stderr_only();
	return unit_run(suites);
}
