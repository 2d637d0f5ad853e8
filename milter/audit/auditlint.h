/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auditlint.h -- the DNS lint of a domain's MX RRset, each finding
 * with the RFC (or list) it rests on.  The registrable domain of a name
 * (Public Suffix List) comes from a callback, so the lint needs no data
 * file and the tests choose the answers.
 */
#ifndef MXP_AUDITLINT_H
#define MXP_AUDITLINT_H

#include <stddef.h>

#include "audit/auditzone.h"

/* TTLs outside this range are worth a word (seconds). */
#define AUDIT_TTL_SHORT 300
#define AUDIT_TTL_LONG 604800

enum lint_severity { LINT_INFO, LINT_WARNING, LINT_ERROR };

struct lint_finding {
	enum lint_severity severity;
	const char *code;               /* "mx-cname", ... stable, for --json and grep */
	const char *ref;                /* "RFC 2181 10.3" */
	char subject[DNS_NAME_MAX + 1]; /* the exchanger, or the domain */
	char text[512];
};

#define LINT_MAX 96

struct lint_report {
	size_t count;
	size_t dropped;                 /* findings beyond LINT_MAX */
	struct lint_finding items[LINT_MAX];
};

/*
 * Returns the registrable domain of name (lower case), or NULL when name
 * is itself a public suffix or no list is available.
 */
typedef const char *(*registrable_fn)(void *ctx, const char *name, char *buf, size_t len);

void audit_lint(const struct audit_zone *z, registrable_fn registrable, void *ctx,
		struct lint_report *out);
const char *lint_severity_name(enum lint_severity s);
/* The findings of severity warning or error: mxpolicy-audit's WARNING. */
size_t lint_to_act_on(const struct lint_report *l);

#endif
