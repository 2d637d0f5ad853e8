/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * query.h -- "what would you do with this peer?": the query mode
 * (mxpolicy-milter -q).  Runs the very checks of the filter with live DNS
 * and no MTA, and prints each check with its evidence, why each check that
 * fired did, every DNS answer it used (once), the recipient's route, the
 * verdict with its reply, the authserv-id of the headers and the decision
 * line the filter would log.
 */
#ifndef MXP_QUERY_H
#define MXP_QUERY_H

#include "daemon/config.h"
#include "dns/dns.h"

/* Exit statuses of the query mode. */
enum {
	QUERY_ACCEPT = 0,       /* also exempt, and dry run's would-* */
	QUERY_REJECT = 1,
	QUERY_TEMPFAIL = 2,
	QUERY_ERROR = 3
};

struct query {
	const char *client;     /* the client's IP address */
	const char *helo;       /* its HELO/EHLO argument; "" for none */
	const char *rcpt;       /* a recipient, or NULL: judged as at MAIL */
	const char *local;      /* the address it connects to, or NULL */
	const char *mta_name;   /* the MTA's own name (macro j), or NULL: this host's name */
	const char *from;       /* the MAIL FROM address, or NULL: the null sender <> */
	bool verify_live;       /* rcpt_unverified: ask the better exchanger, not only the cache */
};

/* Takes over cfg; ds are its DNS settings.  Prints to stdout; problems to stderr. */
int query_run(struct config *cfg, const struct dns_settings *ds, const struct query *q);

#endif
