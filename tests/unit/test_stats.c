/* SPDX-License-Identifier: BSD-2-Clause */
/* test_stats.c -- the counters, their Prometheus and log renderings, and
 * the atomic write of stats_file. */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/stats.h"
#include "unit.h"

static void count_some(void)
{
	struct verdict v;

	stats_reset();
	stats_count_session();
	stats_count_session();
	memset(&v, 0, sizeof v);
	v.kind = VERDICT_REJECT;
	v.fired = (1u << CHECK_HELO_NOT_FQDN) | (1u << CHECK_PTR_GENERIC);
	v.action = ACTION_REJECT;
	stats_count_decision(&v, STATS_ROUTE_BACKUP);
	memset(&v, 0, sizeof v);
	v.kind = VERDICT_TEMPFAIL;
	v.temperror = 1u << CHECK_PTR_MISSING;
	stats_count_decision(&v, STATS_ROUTE_PRIMARY);
	memset(&v, 0, sizeof v);
	v.kind = VERDICT_ACCEPT;
	stats_count_decision(&v, STATS_ROUTE_NOT_LOOKED_UP);
}

static void test_counting(void)
{
	struct stats_snapshot s;

	count_some();
	stats_take(&s);
	CU_ASSERT_EQUAL(s.sessions, 2);
	CU_ASSERT_EQUAL(s.verdicts[VERDICT_REJECT], 1);
	CU_ASSERT_EQUAL(s.verdicts[VERDICT_TEMPFAIL], 1);
	CU_ASSERT_EQUAL(s.verdicts[VERDICT_ACCEPT], 1);
	CU_ASSERT_EQUAL(s.fired[CHECK_HELO_NOT_FQDN], 1);
	CU_ASSERT_EQUAL(s.fired[CHECK_PTR_GENERIC], 1);
	CU_ASSERT_EQUAL(s.fired[CHECK_PTR_MISSING], 0);
	CU_ASSERT_EQUAL(s.temperror[CHECK_PTR_MISSING], 1);
	/* an action is counted only where a check fired */
	CU_ASSERT_EQUAL(s.actions[ACTION_REJECT], 1);
	CU_ASSERT_EQUAL(s.actions[ACTION_OFF], 0);
	CU_ASSERT_EQUAL(s.routes[STATS_ROUTE_BACKUP], 1);
	CU_ASSERT_EQUAL(s.routes[STATS_ROUTE_PRIMARY], 1);
	CU_ASSERT_EQUAL(s.routes[STATS_ROUTE_NOT_LOOKED_UP], 1);
	CU_ASSERT_NOT_EQUAL(s.started, 0);
}

static void test_prometheus(void)
{
	struct stats_snapshot s;
	char buf[8192], small[64];
	size_t n;

	count_some();
	stats_take(&s);
	n = stats_format_prometheus(&s, buf, sizeof buf);
	CU_ASSERT_EQUAL(n, strlen(buf));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "# TYPE mxpolicy_sessions_total counter\n"
					    "mxpolicy_sessions_total 2\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\nmxpolicy_decisions_total{verdict=\"reject\"} 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\nmxpolicy_decisions_total{verdict=\"would-reject\"} 0\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\nmxpolicy_check_fired_total{check=\"helo_not_fqdn\"} 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\nmxpolicy_check_temperror_total{check=\"ptr_missing\"} 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\nmxpolicy_action_total{action=\"reject\"} 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\nmxpolicy_route_total{route=\"not_looked_up\"} 1\n"));
	/* every family has HELP and TYPE; the text ends with a newline */
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "# HELP mxpolicy_route_total "));
	CU_ASSERT_EQUAL(buf[n - 1], '\n');
	/* too small a buffer: truncated, terminated, the full length reported */
	CU_ASSERT_EQUAL(stats_format_prometheus(&s, small, sizeof small), n);
	CU_ASSERT_EQUAL(strlen(small), sizeof small - 1);
}

static void test_line(void)
{
	struct stats_snapshot s;
	char buf[2048];

	count_some();
	stats_take(&s);
	stats_format_line(&s, buf, sizeof buf);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "stats: sessions=2 accept=1 reject=1 tempfail=1 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, " helo_not_fqdn=1 "));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, " routes: primary=1 backup=1 "));
}

/* Recipient verification: by result, the cache's share, and the RCPTs sent. */
static void test_verify_counters(void)
{
	struct stats_snapshot snap;
	char buf[16384];

	stats_reset();
	stats_count_verify(VERIFY_FAIL, false);
	stats_count_verify(VERIFY_FAIL, true);
	stats_count_verify(VERIFY_UNAVAILABLE, false);
	stats_count_verify_probe(2);
	stats_count_verify_probe(1);
	stats_take(&snap);
	CU_ASSERT_EQUAL(snap.verify[VERIFY_FAIL], 2);
	CU_ASSERT_EQUAL(snap.verify[VERIFY_UNAVAILABLE], 1);
	CU_ASSERT_EQUAL(snap.verify[VERIFY_PASS], 0);
	CU_ASSERT_EQUAL(snap.verify_cached, 1);
	CU_ASSERT_EQUAL(snap.verify_asked, 3);
	CU_ASSERT(stats_format_prometheus(&snap, buf, sizeof buf) < sizeof buf);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\nmxpolicy_verify_total{result=\"fail\"} 2\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\nmxpolicy_verify_total{result=\"unavailable\"} 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\nmxpolicy_verify_cached_total 1\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "\nmxpolicy_verify_probe_rcpts_total 3\n"));
	stats_format_line(&snap, buf, sizeof buf);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, " verify: unknown=0 pass=0 fail=2 catchall=0 "
				       "unavailable=1 cached=1 probe_rcpts=3"));
}

static void test_write_file(void)
{
	char dir[] = "/tmp/test_stats.XXXXXX", path[256], err[512], text[8192];
	struct stats_snapshot s;
	FILE *f;
	size_t n;

	count_some();
	stats_take(&s);
	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/mxpolicy.prom", dir);
	CU_ASSERT_TRUE(stats_write_file(path, &s, err, sizeof err));
	f = fopen(path, "r");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	n = fread(text, 1, sizeof text - 1, f);
	text[n] = '\0';
	fclose(f);
	CU_ASSERT_PTR_NOT_NULL(strstr(text, "mxpolicy_sessions_total 2\n"));
	unlink(path);
	CU_ASSERT_EQUAL(rmdir(dir), 0);     /* no temporary file left behind */
	CU_ASSERT_FALSE(stats_write_file("/nonexistent/dir/x.prom", &s, err, sizeof err));
	CU_ASSERT_PTR_NOT_NULL(strstr(err, "No such file or directory"));
}

int main(void)
{
	CU_TestInfo tests[] = {
		UNIT_TEST(test_counting), UNIT_TEST(test_prometheus), UNIT_TEST(test_line),
		UNIT_TEST(test_write_file), UNIT_TEST(test_verify_counters), CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {{"stats", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};

	return unit_run(suites);
}
