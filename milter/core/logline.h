/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * logline.h -- one key=value line per decision, one per recipient at end
 * of message, and the safe escaping of every string the peer controls.
 * daemon/log.h is where lines go.
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

/*
 * What a line shows of a peer string is a bounded part of it, so a copy
 * kept for a later line needs no more: into out (LOGLINE_KEEP_MAX + 1
 * bytes), as much of s as a peer field shows, or of raw as an envelope
 * field (from=, rcpt=) does.  Formatted, the copy reads exactly as the
 * whole string would, "..." where it was cut included.
 */
#define LOGLINE_KEEP_MAX (LOGLINE_PEER_CAP + 3)
void logline_keep_peer(const char *s, char *out);
void logline_keep_envelope(const char *raw, char *out);

struct decision_line {
	const char *queue_id;       /* NULL: NOQUEUE */
	const char *session;
	const char *stage;          /* "MAIL", "RCPT" */
	const char *client;         /* text address, NULL when unknown */
	const char *ptr;            /* confirmed or first PTR name, NULL for none */
	const char *iprev;          /* iprev result, NULL when not looked up */
	const char *iprev_src;      /* whose answer iprev is: "mta" or "dns"; NULL with iprev */
	const char *helo;           /* raw, NULL when none was given */
	const char *from;           /* raw envelope sender, NULL before MAIL */
	const char *rcpt;           /* raw recipient, NULL at MAIL */
	const char *rcpt_domain;
	const char *route;          /* mxroute_format() text, NULL when unknown to us */
	const char *verify;         /* verify_format() text, "-" when not asked, NULL: no key */
	const struct verdict *verdict;
};

void logline_format(const struct decision_line *d, char *buf, size_t len);

/*
 * One recipient of a message once it is done with, under the MTA's queue
 * id, so that it joins the MTA's own lines: the decision line's keys,
 * stage=EOM (stage=DATA when the filter accepted the message at DATA),
 * reply= for a refusal only.
 */
struct eom_line {
	const char *queue_id;       /* the MTA's */
	const char *stage;          /* "EOM" or "DATA" */
	const char *session;
	const char *client;         /* text address, NULL when unknown */
	const char *helo;           /* raw, NULL when none was given */
	const char *from;           /* raw envelope sender */
	const char *rcpt;           /* raw recipient */
	const char *rcpt_domain;
	const char *route;          /* mxroute_format() text, NULL when unknown to us */
	unsigned fired;             /* the recipient's verdict, as in struct verdict */
	enum action action;
	enum verdict_kind kind;
	const char *exempt;
	const struct reply *reply;  /* shown for reject and tempfail */
};

void logline_format_eom(const struct eom_line *e, char *buf, size_t len);
/* "QUEUEID: session=S stage=STAGE recipients_not_listed=N": those past a cap. */
void logline_format_eom_unlisted(const char *queue_id, const char *session, const char *stage,
				 unsigned count, char *buf, size_t len);

#endif
