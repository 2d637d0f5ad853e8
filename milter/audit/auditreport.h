/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auditreport.h -- what mxpolicy-audit prints: a table for people, or one
 * JSON object (--json) for scripts.  Every string a peer or DNS controls is
 * escaped: \xHH in the table, \u00HH in JSON (so the JSON is always valid
 * UTF-8, whatever bytes a server sent).
 */
#ifndef MXP_AUDITREPORT_H
#define MXP_AUDITREPORT_H

#include <stdio.h>

#include "audit/auditlint.h"
#include "audit/auditprobe.h"
#include "audit/auditzone.h"

#define AUDIT_BYPASS_MAX 64

struct audit_run {
	const char *domain;
	const char *rcpt;
	const char *from;
	unsigned port;
	const char *benign_helo;
	const char *benign_source;      /* how the benign name was chosen */
	const struct audit_zone *zone;
	const struct lint_report *lint;
	const struct audit_route *routes;
	size_t nroutes;
	const struct bypass *bypasses;
	size_t nbypasses;               /* in bypasses (capped) */
	size_t bypasses_total;
	enum audit_exit exit;
	const char *incomplete;         /* why a probe could not run (exit 3), or NULL */
};

void audit_report_text(FILE *out, const struct audit_run *run);
void audit_report_json(FILE *out, const struct audit_run *run);

/*
 * Peer text for a terminal: bytes outside printable ASCII, and '\\', as
 * \xHH (spaces kept, unlike the log's escaping), at most cap bytes of in.
 */
void text_escape(const char *in, size_t cap, char *out, size_t outsize);
/* A JSON string literal of s, quotes included. */
void json_string(FILE *out, const char *s);

#endif
