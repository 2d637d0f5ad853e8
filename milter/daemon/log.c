/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * log.c -- the sink of every log line: syslog, and stderr in the foreground.
 */
#include "autoconfig.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>

#include "daemon/log.h"

/*
 * A reload changes these in the signal thread while sessions log: they are
 * read and written atomically (glibc's syslog does its own locking).
 */
static bool log_to_stderr;
static bool log_to_syslog = true;
static int log_level = LOG_INFO;
static pthread_mutex_t stderr_lock = PTHREAD_MUTEX_INITIALIZER;

#define SET(var, value) __atomic_store_n(&(var), (value), __ATOMIC_RELAXED)
#define GET(var) __atomic_load_n(&(var), __ATOMIC_RELAXED)

void log_open(const char *ident, int facility, bool to_stderr)
{
	closelog();
	openlog(ident, LOG_PID | LOG_NDELAY, facility);
	SET(log_to_stderr, to_stderr);
	SET(log_to_syslog, true);
}

void log_open_stderr_only(void)
{
	SET(log_to_stderr, true);
	SET(log_to_syslog, false);
}

void log_set_level(int level)
{
	SET(log_level, level);
	setlogmask(LOG_UPTO(level));
}

/*
 * Is a syslog daemon listening at all?  Without one, glibc's syslog()
 * tries to connect again for every line (socket, connect, close) and drops
 * it anyway.  Looked up at most once a second, so that a daemon started
 * later is found.
 */
static bool syslog_listening(void)
{
	static time_t next_check;
	static bool listening = true;
	struct timespec now;
	struct stat st;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	if (now.tv_sec >= GET(next_check)) {
		SET(listening, stat("/dev/log", &st) == 0 && S_ISSOCK(st.st_mode));
		SET(next_check, now.tv_sec + 1);
	}
	return GET(listening);
}

bool log_enabled(int priority)
{
	return priority <= GET(log_level);
}

void log_msg(int priority, const char *fmt, ...)
{
	char line[4096];
	va_list ap;

	if (!log_enabled(priority))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	log_line(priority, line);
}

void log_line(int priority, const char *line)
{
	if (!log_enabled(priority))
		return;
	if (GET(log_to_syslog) && syslog_listening())
		syslog(priority, "%s", line);
	if (GET(log_to_stderr)) {
		struct timespec ts;
		struct tm tm;
		char stamp[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		localtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
		pthread_mutex_lock(&stderr_lock);
		fprintf(stderr, "%s.%03ld mxpolicy-milter: %s\n", stamp, ts.tv_nsec / 1000000, line);
		fflush(stderr);
		pthread_mutex_unlock(&stderr_lock);
	}
}

void log_dns_report(enum dns_report_level level, const char *text)
{
	log_line(level == DNS_REPORT_ERROR ? LOG_ERR : LOG_INFO, text);
}
