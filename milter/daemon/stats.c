/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stats.c -- the counters and their two renderings; see stats.h.
 */
#include "autoconfig.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon/stats.h"

static struct stats_snapshot counters = {.started = 0};
static const char *const route_names[] = {
	"primary", "backup", "none", "nullmx", "unknown", "not_looked_up",
};
_Static_assert(sizeof route_names / sizeof route_names[0] == STATS_ROUTES,
	       "a route counter without its name");
/* the counters are indexed by verdict and action, and named by verdict_name, action_name */
_Static_assert(STATS_VERDICTS == VERDICT_COUNT && STATS_ACTIONS == ACTION_COUNT,
	       "counters for every verdict and action");

#define BUMP(x) __atomic_add_fetch(&(x), 1, __ATOMIC_RELAXED)
#define READ(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

static void note_start(void)
{
	time_t zero = 0, now = time(NULL);

	__atomic_compare_exchange_n(&counters.started, &zero, now, false, __ATOMIC_RELAXED,
				    __ATOMIC_RELAXED);
}

void stats_count_session(void)
{
	note_start();
	BUMP(counters.sessions);
}

void stats_count_decision(const struct verdict *v, enum stats_route route)
{
	note_start();
	if ((unsigned)v->kind < STATS_VERDICTS)
		BUMP(counters.verdicts[v->kind]);
	for (int c = 0; c < CHECK_COUNT; c++) {
		if (v->fired & (1u << c))
			BUMP(counters.fired[c]);
		if (v->temperror & (1u << c))
			BUMP(counters.temperror[c]);
	}
	if (v->fired != 0 && (unsigned)v->action < STATS_ACTIONS)
		BUMP(counters.actions[v->action]);
	if ((unsigned)route < STATS_ROUTES)
		BUMP(counters.routes[route]);
}

void stats_count_verify(enum verify_result r, bool cached)
{
	note_start();
	if ((unsigned)r < STATS_VERIFY_RESULTS)
		BUMP(counters.verify[r]);
	if (cached)
		BUMP(counters.verify_cached);
}

void stats_count_verify_probe(size_t rcpts)
{
	note_start();
	__atomic_add_fetch(&counters.verify_asked, rcpts, __ATOMIC_RELAXED);
}

void stats_take(struct stats_snapshot *out)
{
	out->started = READ(counters.started);
	out->sessions = READ(counters.sessions);
	for (int i = 0; i < STATS_VERDICTS; i++)
		out->verdicts[i] = READ(counters.verdicts[i]);
	for (int i = 0; i < CHECK_COUNT; i++) {
		out->fired[i] = READ(counters.fired[i]);
		out->temperror[i] = READ(counters.temperror[i]);
	}
	for (int i = 0; i < STATS_ACTIONS; i++)
		out->actions[i] = READ(counters.actions[i]);
	for (int i = 0; i < STATS_ROUTES; i++)
		out->routes[i] = READ(counters.routes[i]);
	for (int i = 0; i < STATS_VERIFY_RESULTS; i++)
		out->verify[i] = READ(counters.verify[i]);
	out->verify_cached = READ(counters.verify_cached);
	out->verify_asked = READ(counters.verify_asked);
}

void stats_reset(void)
{
	memset(&counters, 0, sizeof counters);
}

/* An appending writer that keeps counting past the end of buf. */
struct out {
	char *buf;
	size_t len, used;
};

static void put(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(o->used < o->len ? o->buf + o->used : NULL,
		      o->used < o->len ? o->len - o->used : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		o->used += (size_t)n;
}

static void family(struct out *o, const char *name, const char *type, const char *help)
{
	put(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

size_t stats_format_prometheus(const struct stats_snapshot *s, char *buf, size_t len)
{
	struct out o = {buf, len, 0};

	if (len > 0)
		buf[0] = '\0';
	family(&o, "mxpolicy_start_time_seconds", "gauge",
	       "When the filter began counting, seconds since the epoch.");
	put(&o, "mxpolicy_start_time_seconds %lld\n", (long long)s->started);
	family(&o, "mxpolicy_sessions_total", "counter", "SMTP sessions the MTA handed over.");
	put(&o, "mxpolicy_sessions_total %lu\n", s->sessions);
	family(&o, "mxpolicy_decisions_total", "counter",
	       "Decisions (one per RCPT, or per MAIL with enforce_at = mail) by verdict.");
	for (int i = 0; i < STATS_VERDICTS; i++)
		put(&o, "mxpolicy_decisions_total{verdict=\"%s\"} %lu\n", verdict_name(i),
		    s->verdicts[i]);
	family(&o, "mxpolicy_check_fired_total", "counter", "Decisions in which the check fired.");
	for (int i = 0; i < CHECK_COUNT; i++)
		put(&o, "mxpolicy_check_fired_total{check=\"%s\"} %lu\n", check_name(i),
		    s->fired[i]);
	family(&o, "mxpolicy_check_temperror_total", "counter",
	       "Decisions in which the check's DNS evidence failed temporarily.");
	for (int i = 0; i < CHECK_COUNT; i++)
		put(&o, "mxpolicy_check_temperror_total{check=\"%s\"} %lu\n", check_name(i),
		    s->temperror[i]);
	family(&o, "mxpolicy_action_total", "counter",
	       "Decisions in which a check fired, by the strongest action among them.");
	for (int i = 0; i < STATS_ACTIONS; i++)
		put(&o, "mxpolicy_action_total{action=\"%s\"} %lu\n", action_name(i), s->actions[i]);
	family(&o, "mxpolicy_route_total", "counter",
	       "Decisions by the MX route the recipient arrived on.");
	for (int i = 0; i < STATS_ROUTES; i++)
		put(&o, "mxpolicy_route_total{route=\"%s\"} %lu\n", route_names[i], s->routes[i]);
	family(&o, "mxpolicy_verify_total", "counter",
	       "Recipients verified for rcpt_unverified, by result.");
	for (int i = 0; i < STATS_VERIFY_RESULTS; i++)
		put(&o, "mxpolicy_verify_total{result=\"%s\"} %lu\n", verify_result_name(i),
		    s->verify[i]);
	family(&o, "mxpolicy_verify_cached_total", "counter",
	       "Recipients whose verification the cache answered, without a probe.");
	put(&o, "mxpolicy_verify_cached_total %lu\n", s->verify_cached);
	family(&o, "mxpolicy_verify_probe_rcpts_total", "counter",
	       "RCPT commands sent to better exchangers, catch-all tests included.");
	put(&o, "mxpolicy_verify_probe_rcpts_total %lu\n", s->verify_asked);
	return o.used;
}

void stats_format_line(const struct stats_snapshot *s, char *buf, size_t len)
{
	struct out o = {buf, len, 0};

	if (len > 0)
		buf[0] = '\0';
	put(&o, "stats: sessions=%lu", s->sessions);
	for (int i = 0; i < STATS_VERDICTS; i++)
		put(&o, " %s=%lu", verdict_name(i), s->verdicts[i]);
	put(&o, " fired:");
	for (int i = 0; i < CHECK_COUNT; i++)
		put(&o, " %s=%lu", check_name(i), s->fired[i]);
	put(&o, " temperror:");
	for (int i = 0; i < CHECK_COUNT; i++)
		put(&o, " %s=%lu", check_name(i), s->temperror[i]);
	put(&o, " actions:");
	for (int i = 0; i < STATS_ACTIONS; i++)
		put(&o, " %s=%lu", action_name(i), s->actions[i]);
	put(&o, " routes:");
	for (int i = 0; i < STATS_ROUTES; i++)
		put(&o, " %s=%lu", route_names[i], s->routes[i]);
	put(&o, " verify:");
	for (int i = 0; i < STATS_VERIFY_RESULTS; i++)
		put(&o, " %s=%lu", verify_result_name(i), s->verify[i]);
	put(&o, " cached=%lu probe_rcpts=%lu", s->verify_cached, s->verify_asked);
}

bool stats_write_file(const char *path, const struct stats_snapshot *s, char *err,
		      size_t errlen)
{
	char tmp[4096], text[16384];
	size_t n = stats_format_prometheus(s, text, sizeof text);
	FILE *f;

	/* Not *.prom: the textfile collector must never read the temporary. */
	if (snprintf(tmp, sizeof tmp, "%s.%ld.tmp", path, (long)getpid()) >= (int)sizeof tmp) {
		snprintf(err, errlen, "%s: path too long", path);
		return false;
	}
	if (n >= sizeof text) {
		snprintf(err, errlen, "%s: counters do not fit", path);
		return false;
	}
	f = fopen(tmp, "w");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		return false;
	}
	if (fwrite(text, 1, n, f) != n || fflush(f) != 0 || fsync(fileno(f)) != 0) {
		snprintf(err, errlen, "%s: %s", tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		return false;
	}
	if (fclose(f) != 0 || rename(tmp, path) != 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return false;
	}
	return true;
}
