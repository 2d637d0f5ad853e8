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
	bool helo_dns_gathered;
	unsigned prefetches;            /* lookups started without a wait, for good */
	bool helo_prefetched;           /* the first HELO's were */
	/* the transaction: reset at MAIL, RSET, end of message and a new HELO */
	char *from;
	unsigned tagged;                /* checks named in X-MX-Policy */
	unsigned forged_headers;        /* X-MX-Policy headers that came from outside */
	unsigned ar_seen;               /* Authentication-Results headers so far */
	unsigned ar_ours_count;         /* of which carry our authserv-id ... */
	unsigned ar_ours[AR_HEADERS_MAX];   /* ... at these 1-based indexes */
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
void session_end_transaction(struct session *s);

#endif
