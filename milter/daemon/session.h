/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session.h -- per-connection and per-transaction state, kept with the
 * libmilter context (smfi_setpriv).  A session pins the configuration
 * snapshot it started with, so a reload never changes a session midway.
 */
#ifndef MXP_SESSION_H
#define MXP_SESSION_H

#include <stdbool.h>

#include <time.h>

#include "daemon/config.h"
#include "core/iprev.h"
#include "core/policy.h"

#define AR_HEADERS_MAX 64

#define SESSION_ID_LEN 12

/*
 * Lookups a session may start without waiting for them (callbacks.c): the
 * client's PTR and the first HELO name's A, AAAA and MX, so four: what one
 * honest session needs asked early, and no more whatever the client sends
 * (1,000 EHLOs with new names used to put 3,000 questions in flight, all
 * counted in the DNS cache).  Every other lookup belongs to a decision,
 * which waits for it for at most decision_timeout_ms, and one decision
 * asks at most what the gatherers' caps allow (ptr_max_names, the MX hosts
 * kept): a session decides one MTA command at a time.
 */
#define SESSION_PREFETCHES 4

/*
 * Recipients of one transaction kept for the end-of-message lines
 * (callbacks.c), each some 300 bytes: Postfix's smtpd_recipient_limit is
 * 1,000 by default, and those past this are counted, not kept.
 */
#define SESSION_RCPTS_KEPT 100

/* One recipient decided in the transaction, as its end-of-message line tells it. */
struct session_rcpt {
	unsigned fired;                 /* of its verdict (struct verdict) */
	enum action action;
	enum verdict_kind kind;
	const char *exempt;             /* a static name, or NULL */
	struct reply reply;
	char *rcpt;                     /* as much of each as the line shows */
	char *domain;                   /* (logline_keep_*), NULL for none */
	char *route;
};

struct session {
	char id[SESSION_ID_LEN + 1];
	struct config *cfg;             /* pinned snapshot, one reference */
	unsigned long protocol;         /* SMFIP_* flags negotiated */
	struct session_facts facts;
	char client_text[NETADDR_STRLEN];
	char *mta_name;                 /* macro j */
	char *helo_raw;                 /* the HELO/EHLO argument as sent */
	bool failed;                    /* an internal error: answer per on_internal_error */
	/* DNS facts, gathered at the first decision (HELO facts again after a new HELO) */
	struct iprev_facts iprev;
	bool iprev_gathered;
	bool iprev_from_mta;            /* iprev holds the MTA's confirmed name (iprev_from_mta) */
	bool helo_dns_gathered;
	bool helo_dns_from_mta;         /* those facts are the MTA's word (helodns_from_mta) */
	unsigned prefetches;            /* lookups started without a wait, for good */
	bool helo_prefetched;           /* the first FQDN HELO has had its turn */
	/* the transaction: reset at MAIL, RSET, end of message and a new HELO */
	char *from;
	unsigned tagged;                /* checks named in X-MX-Policy */
	unsigned forged_headers;        /* X-MX-Policy headers that came from outside */
	unsigned ar_seen;               /* Authentication-Results headers so far */
	unsigned ar_forged_count;       /* of which claim iprev under our authserv-id ... */
	unsigned ar_forged[AR_HEADERS_MAX]; /* ... at these 1-based indexes */
	bool ar_forged_overflow;        /* more such claims than ar_forged holds */
	struct session_rcpt **rcpts;    /* recipients decided, in order ... */
	unsigned rcpts_kept;            /* ... this many, at most SESSION_RCPTS_KEPT */
	unsigned rcpts_room;            /* rcpts' size */
	unsigned rcpts_unlisted;        /* decided but not kept: past the cap, or no memory */
};

/* Takes over the caller's reference to cfg; NULL when out of memory. */
struct session *session_new(struct config *cfg);
void session_free(struct session *s);

void session_set_client(struct session *s, const struct netaddr *client);
void session_set_local(struct session *s, const struct netaddr *local);
bool session_set_mta_name(struct session *s, const char *name);
/* The authserv-id of our headers: authserv_id, else the MTA's name, else "localhost". */
const char *session_authserv_id(const struct session *s);
/* A (new) HELO/EHLO, also the second one after STARTTLS: a fresh start. */
bool session_set_helo(struct session *s, const char *helo);
bool session_begin_transaction(struct session *s, const char *from, bool authenticated);
/*
 * Keeps what the end-of-message line of recipient rcpt needs (domain and
 * route NULL when unknown); one that cannot be kept is counted in
 * rcpts_unlisted.
 */
void session_note_rcpt(struct session *s, const char *rcpt, const char *domain,
		       const char *route, const struct verdict *v);
void session_end_transaction(struct session *s);
/* iprev_src= of the decision line: "mta", "dns", or NULL before iprev is known. */
const char *session_iprev_source(const struct session *s);
/* The client's name the MTA forward-confirmed (iprev_from_mta), or NULL. */
const char *session_mta_name(const struct session *s);

#endif
