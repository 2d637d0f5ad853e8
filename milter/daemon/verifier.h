/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verifier.h -- recipient verification for one RCPT: the store first
 * (daemon/verifycache), and when it does not decide, a call-ahead
 * (daemon/callahead) to the most preferred better exchanger that answers,
 * under core/verify's rules.
 *
 * Shared by every session of the process:
 *   - one probe per recipient (and one catch-all test per domain) at a
 *     time: sessions asking for the same one wait for its answer;
 *   - at most verify_max_probes connections to one exchanger, idle ones
 *     kept a few seconds so that the next probe skips connect, greeting
 *     and EHLO (RSET between probes);
 *   - what a call-ahead's connect found of an exchanger goes to the probe
 *     state of backup_primary_up (daemon/probe), and back.
 * Every wait ends by the caller's budget: what is not known by then is
 * VERIFY_UNKNOWN, which never refuses.
 */
#ifndef MXP_VERIFIER_H
#define MXP_VERIFIER_H

#include <stdbool.h>
#include <stddef.h>

#include "core/mxhosts.h"
#include "core/netaddr.h"
#include "core/verify.h"
#include "daemon/config.h"

struct verifier_request {
	const struct config *cfg;       /* settings: verify_*, mx_probe_* */
	const char *address;            /* the recipient, without angle brackets */
	const char *domain;
	const struct mx_hosts *mx;      /* the domain's exchangers */
	unsigned our_pref;              /* those preferred over this are asked */
	const char *helo;               /* EHLO name: the MTA's own (macro j) */
	const struct netaddr *source;   /* our address the client reached, NULL: any */
	const struct relay_host *relay; /* an inner store to ask instead of mx, or NULL */
	bool cache_only;                /* never probe (query mode without -V) */
};

struct verifier_result {
	struct verify_outcome outcome;  /* its strings point into this struct */
	char exchanger[DNS_NAME_MAX + 1];
	char primary_text[REPLY_TEXT_MAX + 1];
	bool network;                   /* a better exchanger was tried (or waited for) */
	bool primary_up;                /* ... and one of them answered: exchanger */
};

/*
 * Opens the store in dir (NULL or "": none) once per process, after the
 * privilege drop.  False with the reason in err: the filter then runs
 * without one, probing each recipient.
 */
bool verifier_open(const char *dir, size_t map_size, char *err, size_t errlen);
/* The query mode's: the filter's store, read only. */
bool verifier_open_readonly(const char *dir, char *err, size_t errlen);
/*
 * The daemon's start: the store of cfg's verify_cache_dir, logged.  Without
 * rcpt_unverified a directory that cannot be used is no news; with it,
 * the filter says it verifies without a store.
 */
void verifier_start(const struct config *cfg);
/* Closes the idle probe connections kept past 10 seconds: for a timer. */
void verifier_reap(void);
/*
 * At stop: closes every idle probe connection, and those sessions still
 * running release later.  The store stays open, since libmilter may still
 * run sessions when smfi_main returns; the process exit closes it (each
 * answer was committed when it was put).
 */
void verifier_close(void);
/* Closes the store, where no other thread can use it any more (query mode). */
void verifier_close_store(void);
/* Deletes what is no use even in an outage: a bounded sweep, for a timer. */
size_t verifier_prune(const struct config *cfg, size_t budget);

void verifier_check(const struct verifier_request *rq, struct verifier_result *out);

/* How many stored answers, for the stats line; 0 without a store. */
size_t verifier_stored(void);

#endif
