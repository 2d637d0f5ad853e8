/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auditprobe.h -- the probe sessions of mxpolicy-audit and what their
 * replies mean.  Which identities are tried (a benign one, and those the
 * policy should refuse), how an SMTP reply is read, and the verdict over
 * the results: a route is a bypass when it accepts at RCPT what the most
 * preferred exchanger refuses, the benign identity included (a backup that
 * takes what the primary defers for a missing PTR, or for an unknown
 * recipient, is the weak route all the same).
 */
#ifndef MXP_AUDITPROBE_H
#define MXP_AUDITPROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/dnsmsg.h"
#include "core/netaddr.h"

enum probe_kind {
	PROBE_BENIGN,               /* the prober's own, forward-confirmed name */
	PROBE_NOT_FQDN,             /* a single-label HELO */
	PROBE_BARE_IP,              /* the prober's address without brackets */
	PROBE_FOREIGN_LITERAL,      /* an address literal that is not the prober's */
	PROBE_IMPERSONATION,        /* the audited domain itself */
	PROBE_KINDS
};

/* "benign", "non-fqdn-helo", ...: stable, for --json and grep */
const char *probe_kind_name(enum probe_kind k);
/* "a non-FQDN HELO", for sentences */
const char *probe_kind_words(enum probe_kind k);

/* The single-label name the non-FQDN probe greets with. */
#define PROBE_SINGLE_LABEL "mxpolicy-audit"

/* The HELO argument of probe k from local, the prober's address. */
void probe_helo(enum probe_kind k, const char *benign, const struct netaddr *local,
		const char *domain, char *buf, size_t len);

enum probe_stage { STAGE_CONNECT, STAGE_HELO, STAGE_MAIL, STAGE_RCPT };
const char *probe_stage_name(enum probe_stage s);

enum probe_outcome {
	OUTCOME_ACCEPTED,           /* 2xx at RCPT */
	OUTCOME_REFUSED,            /* 5xx */
	OUTCOME_DEFERRED,           /* 4xx */
	OUTCOME_ERROR,              /* no usable reply: a timeout, garbage, a local failure */
	OUTCOME_UNREACHABLE,        /* no connection: refused, timed out, no route */
	OUTCOME_NOT_RUN             /* not tried (no source address of that family) */
};
const char *probe_outcome_name(enum probe_outcome o);

#define PROBE_TEXT_MAX 256

struct probe_result {
	enum probe_outcome outcome;
	enum probe_stage stage;     /* of the deciding reply, or where it failed */
	int code;                   /* the reply code; 0 when there was none */
	char text[PROBE_TEXT_MAX];  /* the reply's first line as sent (peer data), or the error */
	char helo[DNS_NAME_MAX + 8];
};

/* The outcome of a reply code that ends the session. */
enum probe_outcome probe_outcome_of(int code);

/* ---- SMTP replies (RFC 5321 4.2), one line at a time ----------------------- */

#define SMTP_REPLY_MAX_LINES 100

struct smtp_reply {
	int code;
	int lines;
	bool done;
	bool malformed;
	char text[PROBE_TEXT_MAX];      /* the first line's text */
};

void smtp_reply_init(struct smtp_reply *r);
/* One line without its CRLF; true when the reply is complete or malformed. */
bool smtp_reply_feed(struct smtp_reply *r, const char *line, size_t len);

/* ---- the verdict ----------------------------------------------------------- */

struct audit_route {
	char name[DNS_NAME_MAX + 1];    /* the exchanger */
	unsigned pref;
	struct netaddr addr;
	struct probe_result results[PROBE_KINDS];
};

struct bypass {
	size_t weak;                    /* the route that accepts */
	size_t reference;               /* a most-preferred route that refuses */
	enum probe_kind kind;
};

/* Fills out with at most max bypasses; returns how many there are in all. */
size_t audit_find_bypasses(const struct audit_route *routes, size_t n,
			   struct bypass *out, size_t max);
void bypass_format(const struct audit_route *routes, const struct bypass *b,
		   const char *domain, char *buf, size_t len);

/*
 * Exit statuses of mxpolicy-audit, as a monitoring plugin's (Nagios,
 * Icinga): the worst that applies, CRITICAL, then UNKNOWN, then WARNING.
 * UNKNOWN comes before WARNING because the DNS findings stay until the
 * zone changes: ranked first, they would hide, for as long, that the
 * probes no longer run.
 */
enum audit_exit {
	AUDIT_EXIT_OK = 0,          /* no bypass, every probe ran, no DNS finding to act on */
	AUDIT_EXIT_WARNING = 1,     /* no bypass, but a DNS finding of warning or error */
	AUDIT_EXIT_CRITICAL = 2,    /* a bypass, whatever else */
	AUDIT_EXIT_UNKNOWN = 3      /* a probe (or the DNS it needs) could not run; usage */
};
const char *audit_exit_name(enum audit_exit e);

/* Whether a most preferred route refuses any probe but the benign one. */
bool audit_reference_refuses_any(const struct audit_route *routes, size_t n);
/* The most preferred routes are the reference: their preference. */
unsigned audit_reference_pref(const struct audit_route *routes, size_t n);
/*
 * True, with the reason in why, when the probes cannot prove the absence
 * of a bypass: nothing to probe, or a probe that could not run.
 */
bool audit_incomplete(const struct audit_route *routes, size_t n, char *why, size_t len);
/*
 * True, with a note in why, when a most preferred route refuses (or
 * defers) the benign identity and none accepts it: its refusals of the
 * other probes then say little.  An exchanger that could not be reached
 * refused nothing.
 */
bool audit_reference_refuses_benign(const struct audit_route *routes, size_t n,
				    char *why, size_t len);

#endif
