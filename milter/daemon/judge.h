/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * judge.h -- one decision, as the filter and the query mode both make it:
 * gather the session's DNS facts through a resolver, find the recipient's
 * MX route (probing a better exchanger when backup_primary_up asks), and
 * let the policy judge.  The resolver is the caller's: the DNS engine with
 * the session's deadline in the filter, the same engine with a recorder
 * in front of it in the query mode.
 */
#ifndef MXP_JUDGE_H
#define MXP_JUDGE_H

#include <stdbool.h>

#include "core/mxhosts.h"
#include "core/mxroute.h"
#include "core/policy.h"
#include "core/resolver.h"
#include "daemon/session.h"
#include "daemon/stats.h"
#include "daemon/verifier.h"

#define ROUTE_TEXT_MAX (DNS_NAME_MAX + 64)

struct judgement {
	char address[1024];             /* the recipient without angle brackets */
	struct mx_hosts mx;             /* its domain's exchangers, when looked up */
	struct rcpt_facts rf;           /* what the policy reads about the recipient */
	bool route_known;               /* false: exchangers not looked up */
	struct route route;
	char route_text[ROUTE_TEXT_MAX];    /* route= of the decision line, "" if unknown */
	bool verified;                  /* rcpt_unverified asked: verify holds the answer */
	struct verifier_result verify;
	char verify_text[DNS_NAME_MAX * 4 + 32];    /* verify= of the decision line */
	struct verdict verdict;
};

/*
 * Judges session s for recipient rcpt (as the MTA gave it, "<a@b>"), or at
 * MAIL when rcpt is NULL.  r NULL: no DNS for this session (an exempt or
 * address-less client).  The facts gathered stay in the session for its
 * later decisions.
 */
void judge(struct session *s, struct resolver *r, const char *rcpt, struct judgement *out);
/*
 * The same, with verification limited to the store unless live: the
 * query mode's, which probes only when asked to.
 */
void judge_opts(struct session *s, struct resolver *r, const char *rcpt, bool live_verify,
		struct judgement *out);

/* The route counter of the judgement (not looked up: STATS_ROUTE_NOT_LOOKED_UP). */
enum stats_route judgement_stats_route(const struct judgement *j);

#endif
