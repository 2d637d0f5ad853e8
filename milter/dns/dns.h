/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns.h -- the DNS engine: one resolver thread owns a c-ares channel and its
 * poll loop; libmilter threads submit lookups and collect answers with a
 * deadline.  Answers are cached by TTL in one bounded cache, and concurrent
 * sessions asking the same question share one query.  This is the only
 * part of the filter that knows c-ares.
 */
#ifndef MXP_DNS_H
#define MXP_DNS_H

#include <stdbool.h>
#include <time.h>

#include "core/dnsmsg.h"
#include "core/resolver.h"

struct dns_settings {
	const char *servers;        /* config syntax; "" for /etc/resolv.conf */
	int timeout_ms;
	int tries;
	int cache_size;
	int min_ttl;
	int max_ttl;
};

struct dns_lookup;

/*
 * How the engine reports its own trouble (a channel it cannot build, a
 * poll error): the daemon hands it the syslog sink, the audit tool and the
 * tests their own.  Until one is set, reports go to stderr.
 */
enum dns_report_level { DNS_REPORT_ERROR, DNS_REPORT_INFO };
typedef void dns_reporter(enum dns_report_level level, const char *text);
void dns_set_reporter(dns_reporter *fn);
/* Formats a report and hands it on (report.c). */
void dns_report(enum dns_report_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/*
 * Checks a dns_servers list (ADDR, ADDR:PORT, [IPV6]:PORT, separated by
 * commas or white space); on failure writes the reason, naming the item,
 * to why (servers.c).
 */
bool dns_servers_check(const char *list, char *why, size_t whylen);

bool dns_start(const struct dns_settings *s);
/* New settings: a fresh channel; queries in flight move over to it. */
bool dns_reconfigure(const struct dns_settings *s);
void dns_stop(void);

/* Starts (or joins, or finds cached) a lookup; NULL only when out of memory. */
struct dns_lookup *dns_submit(const char *name, enum dns_type type);
/*
 * Waits until the answer is there or the deadline (CLOCK_MONOTONIC) has
 * passed, then gives up the lookup.  Returns a referenced answer: a
 * temporary failure when the deadline passed.
 */
struct dns_answer *dns_collect(struct dns_lookup *l, const struct timespec *deadline);
/* Starts a lookup whose answer will only be cached. */
void dns_prefetch(const char *name, enum dns_type type);

/* A deadline ms milliseconds from now. */
void dns_deadline_in(struct timespec *ts, long ms);

/* The engine behind the resolver interface, every wait ending by *deadline. */
struct dns_resolver {
	struct resolver base;
	const struct timespec *deadline;
};

void dns_resolver_init(struct dns_resolver *r, const struct timespec *deadline);

#endif
