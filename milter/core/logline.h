/*
 * log.h -- one key=value line per decision, and the safe escaping of every
 * string the peer controls.  The formatting is pure; log_msg is the sink
 * (syslog, and stderr in the foreground).
 */
#ifndef MXP_LOG_H
#define MXP_LOG_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

/* Longest peer string kept in a log line, before escaping. */
#define LOG_PEER_CAP 256

/*
 * Copies at most cap bytes of in, with every byte outside printable ASCII,
 * space, '"' and '\' written as \xHH, and "..." appended when cut.
 * Always NUL-terminates; never writes past outsize.
 */
void log_escape(const char *in, size_t cap, char *out, size_t outsize);

struct decision_line {
	const char *queue_id;       /* NULL: NOQUEUE */
	const char *session;
	const char *stage;          /* "MAIL", "RCPT" */
	const char *client;         /* text address, NULL when unknown */
	const char *ptr;            /* confirmed or first PTR name, NULL for none */
	const char *iprev;          /* iprev result, NULL when not looked up */
	const char *helo;           /* raw, NULL when none was given */
	const char *from;           /* raw envelope sender, NULL before MAIL */
	const char *rcpt;           /* raw recipient, NULL at MAIL */
	const char *rcpt_domain;
	const char *route;          /* route_format() text, NULL when unknown to us */
	const struct verdict *verdict;
};

void log_format_decision(const struct decision_line *d, char *buf, size_t len);

void log_open(const char *ident, int facility, bool to_stderr);
/* Messages to stderr only, never syslog: the query mode. */
void log_open_stderr_only(void);
void log_set_level(int level);
/* Would a line of this priority be logged (log_level)? */
bool log_enabled(int priority);
void log_msg(int priority, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A line formatted already (a decision line): to the sink as it is. */
void log_line(int priority, const char *line);

#endif
