/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy.h -- the decision.  Facts about a session and a recipient go
 * in, a verdict comes out.  No libmilter, no DNS, no clock, no syslog here:
 * the callbacks gather the facts, this file judges them.
 */
#ifndef MXP_POLICY_H
#define MXP_POLICY_H

#include <stdbool.h>

#include "core/helo.h"
#include "core/helodns.h"
#include "core/iprev.h"
#include "core/mxhosts.h"
#include "core/names.h"
#include "core/netaddr.h"
#include "core/reply.h"
#include "core/verify.h"

/* The checks, in the order their replies win a tie of equal actions. */
enum check_id {
	CHECK_HELO_MISSING,
	CHECK_HELO_SYNTAX,
	CHECK_HELO_BARE_IP,
	CHECK_HELO_NOT_FQDN,
	CHECK_HELO_IMPERSONATION,
	CHECK_HELO_LITERAL_MISMATCH,
	CHECK_HELO_UNKNOWN,
	CHECK_HELO_MISMATCH,
	CHECK_PTR_MISSING,
	CHECK_PTR_UNCONFIRMED,
	CHECK_PTR_GENERIC,
	CHECK_BACKUP_PRIMARY_UP,
	CHECK_RCPT_UNVERIFIED,
	CHECK_COUNT
};

/* Weakest first: a larger value wins. */
enum action {
	ACTION_OFF,
	ACTION_LOG,
	ACTION_TAG,
	ACTION_TEMPFAIL,
	ACTION_REJECT
};
/* How many actions: the last one + 1 (not an enumerator, so switches stay exhaustive). */
#define ACTION_COUNT (ACTION_REJECT + 1)

enum verdict_kind {
	VERDICT_ACCEPT,
	VERDICT_REJECT,
	VERDICT_TEMPFAIL,
	VERDICT_EXEMPT,
	VERDICT_WOULD_REJECT,
	VERDICT_WOULD_TEMPFAIL
};
#define VERDICT_COUNT (VERDICT_WOULD_TEMPFAIL + 1)    /* the last verdict + 1 */

enum enforce_stage {
	ENFORCE_AT_RCPT,
	ENFORCE_AT_MAIL
};

/* What a check found. */
enum check_result {
	RESULT_NONE,        /* not applicable, or passed */
	RESULT_FAIL,        /* the check fires */
	RESULT_TEMPERROR    /* the evidence could not be had just now */
};

struct check_setting {
	enum action action;
	struct reply reply;
};

/* The parts of the configuration that the decision reads. */
struct policy {
	struct check_setting checks[CHECK_COUNT];
	struct cidrset allow_clients;
	struct cidrset allow_backup_clients;
	struct cidrset allow_helo_clients;
	struct namelist allow_helo_names;
	struct namelist allow_ptr;
	char **allow_recipients;
	size_t allow_recipients_count;
	bool allow_authenticated;
	bool allow_mx_peers;
	bool dry_run;
	bool verify_defer_unknown;      /* rcpt_unverified: defer what a probe could not prove */
	bool verify_defer_unavailable;  /* ... and what no better exchanger was up to ask */
	enum enforce_stage enforce_at;
	struct namelist local_names;
	struct local_addresses local_addresses;
};

/* What is known about the SMTP session, gathered once. */
struct session_facts {
	bool have_client;           /* false for AF_UNIX or unknown peers */
	struct netaddr client;
	bool have_local;            /* the address the client connected to */
	struct netaddr local;
	const char *mta_name;       /* the MTA's own name, macro j; may be NULL */
	bool helo_seen;
	struct helo_info helo;
	bool authenticated;
	/* DNS facts; NULL / false when not gathered (no client, no name) */
	const struct iprev_facts *iprev;
	bool have_helo_dns;
	struct helo_dns_facts helo_dns;
};

/* What is known about one recipient; NULL when judging at MAIL. */
struct rcpt_facts {
	const char *address;        /* without angle brackets */
	const char *domain;
	const struct mx_hosts *mx;  /* the domain's exchangers; NULL when not looked up */
	bool via_backup;            /* the route is backup */
	const char *primary_up;     /* a better exchanger that accepted a probe, or NULL */
	bool route_uncertain;       /* the route hangs on a lookup that failed (mxroute_uncertain) */
	const struct verify_outcome *verify;    /* the call-ahead's answer; NULL: not verified */
};

#define EVIDENCE_MAX 768        /* two names of 255 and the words around them */

struct verdict {
	unsigned fired;             /* bit (1u << check) per check that fired */
	unsigned temperror;         /* bit per check whose evidence failed */
	enum action action;         /* strongest action among fired checks */
	enum verdict_kind kind;
	const char *exempt;         /* which allow_* exempted, for VERDICT_EXEMPT */
	const char *exempt_unknown; /* an allow_* that a failed lookup left open, or NULL */
	int decisive;               /* check whose reply is given, -1 for none */
	struct reply reply;         /* the answer, for reject/tempfail and would-* */
	unsigned tagged;            /* checks to name in the X-MX-Policy header */
	char evidence[EVIDENCE_MAX];    /* why helo_impersonation fired, "" otherwise */
};

const char *check_name(enum check_id id);
enum action check_default_action(enum check_id id);
const char *check_default_reply(enum check_id id);

const char *action_name(enum action a);
bool action_parse(const char *text, enum action *out);
const char *verdict_name(enum verdict_kind k);

/*
 * Does the HELO name claim to be us (this MTA's name, local_names, the
 * recipient domain or one of its exchangers; r NULL: the first two only)?
 * helo_impersonation then rests on the name's addresses, which only DNS's
 * answer may give, never the MTA's word (helodns_from_mta).
 */
bool policy_helo_claims_ours(const struct policy *pol, const struct session_facts *s,
			     const struct rcpt_facts *r);
void policy_evaluate(const struct policy *pol, const struct session_facts *s,
		     const struct rcpt_facts *r, struct verdict *out);

/* "helo_syntax,helo_not_fqdn" or "-" when mask is empty. */
void checks_format(unsigned mask, char *buf, size_t len);

#endif
