/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * report.c -- where the DNS engine's own trouble is told: a function the
 * program using the engine sets, or stderr.
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stdio.h>

#include "dns/dns.h"

/* Set before dns_start, read by the resolver thread: accessed atomically. */
static dns_reporter *reporter;

void dns_set_reporter(dns_reporter *fn)
{
	__atomic_store_n(&reporter, fn, __ATOMIC_RELEASE);
}

void dns_report(enum dns_report_level level, const char *fmt, ...)
{
	dns_reporter *fn = __atomic_load_n(&reporter, __ATOMIC_ACQUIRE);
	char text[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof text, fmt, ap);
	va_end(ap);
	if (fn != NULL)
		fn(level, text);
	else
		fprintf(stderr, "%s\n", text);
}
