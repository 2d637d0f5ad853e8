/*
 * log.c -- decision lines, escaping, and the syslog/stderr sink.
 */
#include "autoconfig.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

void log_escape(const char *in, size_t cap, char *out, size_t outsize)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	if (outsize == 0)
		return;
	for (i = 0; in[i] != '\0' && i < cap; i++) {
		unsigned char c = (unsigned char)in[i];
		bool plain = c > 0x20 && c < 0x7f && c != '"' && c != '\\';

		if (o + (plain ? 1 : 4) + 4 > outsize)
			break;
		if (plain) {
			out[o++] = (char)c;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	if (in[i] != '\0' && o + 4 <= outsize) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
}

/* The text between < and > of an envelope address, as the MTA gave it. */
static void envelope(const char *raw, char *out, size_t outsize)
{
	char esc[LOG_PEER_CAP * 4 + 8];
	size_t len;

	if (raw == NULL) {
		snprintf(out, outsize, "-");
		return;
	}
	len = strlen(raw);
	if (len >= 2 && raw[0] == '<' && raw[len - 1] == '>') {
		char inner[LOG_PEER_CAP + 1];
		size_t n = len - 2 < LOG_PEER_CAP ? len - 2 : LOG_PEER_CAP;

		memcpy(inner, raw + 1, n);
		inner[n] = '\0';
		log_escape(inner, LOG_PEER_CAP, esc, sizeof esc);
		if (len - 2 > LOG_PEER_CAP && strlen(esc) + 3 < sizeof esc)
			strcat(esc, "...");
	} else {
		log_escape(raw, LOG_PEER_CAP, esc, sizeof esc);
	}
	snprintf(out, outsize, "<%s>", esc);
}

void log_format_decision(const struct decision_line *d, char *buf, size_t len)
{
	char helo[LOG_PEER_CAP * 4 + 8], from[LOG_PEER_CAP * 4 + 16];
	char rcpt[LOG_PEER_CAP * 4 + 16], domain[LOG_PEER_CAP * 4 + 8];
	char checks[512], reply[REPLY_TEXT_MAX + 40], reply_esc[REPLY_TEXT_MAX * 4 + 80];
	char ptr[DNS_NAME_MAX * 4 + 8];
	const struct verdict *v = d->verdict;
	int n;

	if (d->helo != NULL && d->helo[0] != '\0')
		log_escape(d->helo, LOG_PEER_CAP, helo, sizeof helo);
	else
		snprintf(helo, sizeof helo, "-");
	if (d->ptr != NULL && d->ptr[0] != '\0')
		log_escape(d->ptr, DNS_NAME_MAX, ptr, sizeof ptr);
	else
		snprintf(ptr, sizeof ptr, "-");
	envelope(d->from, from, sizeof from);
	envelope(d->rcpt, rcpt, sizeof rcpt);
	if (d->rcpt_domain != NULL && d->rcpt_domain[0] != '\0')
		log_escape(d->rcpt_domain, LOG_PEER_CAP, domain, sizeof domain);
	else
		snprintf(domain, sizeof domain, "-");
	checks_format(v->fired, checks, sizeof checks);
	reply_format(&v->reply, reply, sizeof reply);
	/* Our own text, but quoted: only '"' and '\' need care. */
	size_t o = 0;
	for (const char *p = reply; *p && o + 3 < sizeof reply_esc; p++) {
		if (*p == '"' || *p == '\\')
			reply_esc[o++] = '\\';
		reply_esc[o++] = *p;
	}
	reply_esc[o] = '\0';

	n = snprintf(buf, len,
		     "%s: session=%s stage=%s client=%s ptr=%s iprev=%s helo=%s from=%s rcpt=%s "
		     "rcpt_domain=%s route=%s checks=%s action=%s verdict=%s",
		     d->queue_id && d->queue_id[0] ? d->queue_id : "NOQUEUE",
		     d->session, d->stage, d->client ? d->client : "-", ptr,
		     d->iprev ? d->iprev : "-", helo, from,
		     rcpt, domain, d->route ? d->route : "-", checks,
		     v->fired ? action_name(v->action) : "none",
		     verdict_name(v->kind));
	if (n < 0 || (size_t)n >= len)
		return;
	if (v->exempt != NULL)
		n += snprintf(buf + n, len - (size_t)n, " exempt=%s", v->exempt);
	if (v->temperror != 0 && (size_t)n < len) {
		checks_format(v->temperror, checks, sizeof checks);
		n += snprintf(buf + n, len - (size_t)n, " temperror=%s", checks);
	}
	if ((size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " reply=\"%s\"", reply_esc);
}

/* ---- the sink -------------------------------------------------------- */

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

void log_msg(int priority, const char *fmt, ...)
{
	char line[4096];
	va_list ap;

	if (priority > GET(log_level))
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
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
