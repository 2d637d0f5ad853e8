/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * stats.h -- counters for the operator's monitoring: sessions, decisions
 * by verdict, checks that fired or lacked their evidence, the strongest
 * action of each decision where a check fired, and MX routes.  Every
 * session thread updates them with relaxed atomics (no lock on the hot
 * path); readers take a snapshot.  Written in the Prometheus text
 * exposition format for node_exporter's textfile collector, and logged as
 * one line.
 */
#ifndef MXP_STATS_H
#define MXP_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "core/policy.h"
#include "core/verify.h"

#define STATS_VERDICTS (VERDICT_WOULD_TEMPFAIL + 1)
#define STATS_ACTIONS (ACTION_REJECT + 1)
#define STATS_VERIFY_RESULTS (VERIFY_UNAVAILABLE + 1)

enum stats_route {
	STATS_ROUTE_PRIMARY,
	STATS_ROUTE_BACKUP,
	STATS_ROUTE_NONE,
	STATS_ROUTE_NULLMX,
	STATS_ROUTE_UNKNOWN,
	STATS_ROUTE_NOT_LOOKED_UP,
	STATS_ROUTES
};

struct stats_snapshot {
	time_t started;
	unsigned long sessions;
	unsigned long verdicts[STATS_VERDICTS];
	unsigned long fired[CHECK_COUNT];
	unsigned long temperror[CHECK_COUNT];
	unsigned long actions[STATS_ACTIONS];
	unsigned long routes[STATS_ROUTES];
	unsigned long verify[STATS_VERIFY_RESULTS];   /* by enum verify_result */
	unsigned long verify_cached;    /* of which the store answered */
	unsigned long verify_asked;     /* RCPT commands sent to better exchangers */
};

void stats_count_session(void);
void stats_count_decision(const struct verdict *v, enum stats_route route);
/* A recipient verified (rcpt_unverified), from the store or not. */
void stats_count_verify(enum verify_result r, bool cached);
/* RCPT commands one probe sent (the catch-all test's included). */
void stats_count_verify_probe(size_t rcpts);
void stats_take(struct stats_snapshot *out);
/* Zeroes the counters, for tests. */
void stats_reset(void);

/* The Prometheus text format; returns the length it needs (like snprintf). */
size_t stats_format_prometheus(const struct stats_snapshot *s, char *buf, size_t len);
/* "stats: sessions=N accept=N ... fired: helo_syntax=N ... routes: primary=N ..." */
void stats_format_line(const struct stats_snapshot *s, char *buf, size_t len);
/*
 * Writes path atomically: a temporary file next to it, then rename(2), so
 * a collector never reads half a file.  On failure returns false with the
 * reason in err.
 */
bool stats_write_file(const char *path, const struct stats_snapshot *s, char *err,
		      size_t errlen);

#endif
