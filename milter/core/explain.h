/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * explain.h -- why a check fired, in words an administrator can act on:
 * what the peer sent or DNS said, against what, and where there is one,
 * the setting that exempts a sender of ours.  The query mode prints it for
 * every check that fired; the decision line's evidence= is the
 * helo_impersonation one (verdict.evidence), made by the same words.
 */
#ifndef MXP_EXPLAIN_H
#define MXP_EXPLAIN_H

#include <stddef.h>

#include "core/policy.h"

/*
 * The reason check c fired, from the facts policy_evaluate judged (r NULL
 * at MAIL).  Meant for a check that fired: for another, the words need not
 * hold.  Always NUL-terminates buf.
 */
void policy_explain(const struct policy *pol, const struct session_facts *s,
		    const struct rcpt_facts *r, enum check_id c, char *buf, size_t len);

/* helo_impersonation's words: in policy.c, which knows what a HELO may claim. */
void policy_explain_impersonation(const struct policy *pol, const struct session_facts *s,
				  const struct rcpt_facts *r, char *buf, size_t len);

#endif
