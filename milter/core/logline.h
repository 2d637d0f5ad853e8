/*
 * logline.h -- one key=value line per decision, and the safe escaping
 * of every string the peer controls.  daemon/log.h is where lines go.
 */
#ifndef MXP_LOGLINE_H
#define MXP_LOGLINE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/policy.h"

/* Longest peer string kept in a log line, before escaping. */
#define LOGLINE_PEER_CAP 256

/*
 * Copies at most cap bytes of in, with every byte outside printable ASCII,
 * space, '"' and '\' written as \xHH, and "..." appended when cut.
 * Always NUL-terminates; never writes past outsize.
 */
void logline_escape(const char *in, size_t cap, char *out, size_t outsize);

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
	const char *route;          /* mxroute_format() text, NULL when unknown to us */
	const struct verdict *verdict;
};

void logline_format(const struct decision_line *d, char *buf, size_t len);

#endif
