/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.h -- where log lines go: syslog, and stderr in the foreground or in
 * query mode.  Priorities are syslog's.
 */
#ifndef MXP_LOG_H
#define MXP_LOG_H

#include <stdbool.h>
#include <syslog.h>

#include "dns/dns.h"

void log_open(const char *ident, int facility, bool to_stderr);
/* Messages to stderr only, never syslog: the query mode. */
void log_open_stderr_only(void);
void log_set_level(int level);
/* Would a line of this priority be logged (log_level)? */
bool log_enabled(int priority);
void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A line formatted already (a decision line): to the sink as it is. */
void log_line(int priority, const char *line);
/* The DNS engine's own reports (dns_set_reporter), at the matching priority. */
void log_dns_report(enum dns_report_level level, const char *text);

#endif
