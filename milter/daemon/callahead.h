/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * callahead.h -- the SMTP client of recipient verification: it asks a
 * better exchanger whether it would take a recipient, and never sends
 * DATA.  Blocking (poll-based) in the calling milter thread; every call
 * has a budget in milliseconds that covers its connect, writes and
 * replies, so that the probe fits the one-command budget.
 *
 *   callahead_open     connect (from our own address when given), read the
 *                      greeting, EHLO with the MTA's name (HELO when EHLO is
 *                      refused as unknown)
 *   callahead_rcpt     [RSET] MAIL FROM:<sender> RCPT TO:<rcpt>, one round
 *                      trip when the exchanger offers PIPELINING
 *   callahead_close    QUIT, not waited for, and the descriptor closed
 *
 * What the exchanger said goes to core/verify's mapping: only a refusal
 * of the address itself is VERIFY_FAIL; any trouble of the probe is
 * VERIFY_UNKNOWN.
 */
#ifndef MXP_CALLAHEAD_H
#define MXP_CALLAHEAD_H

#include <stdbool.h>
#include <stddef.h>

#include "core/netaddr.h"
#include "core/verify.h"

struct callahead_settings {
	const char *helo;               /* the MTA's name: what the primary expects of a peer MX */
	const char *sender;             /* MAIL FROM's address, "" for the null sender */
	const struct netaddr *source;   /* the address to connect from (the MX's own), NULL: any */
	unsigned port;                  /* 25 */
	int connect_ms;                 /* the connect's own limit within the budget, 0: none */
};

enum callahead_status {
	CALLAHEAD_ANSWERED,         /* the exchanger answered every step asked (reply below) */
	CALLAHEAD_REFUSED,          /* a step before RCPT was not accepted: the probe, not the address */
	CALLAHEAD_TIMEOUT,          /* the budget ran out */
	CALLAHEAD_CLOSED,           /* the exchanger closed or reset the connection */
	CALLAHEAD_GARBAGE,          /* it wrote something that is not an SMTP reply */
	CALLAHEAD_CONNECT_FAILED,   /* refused or unreachable: the exchanger is down */
	CALLAHEAD_LOCAL_ERROR,      /* no socket here (descriptors exhausted): says nothing of it */
	CALLAHEAD_BAD_ADDRESS,      /* an address not to write into a command (CR, LF, '>'...) */
	CALLAHEAD_NOT_OPEN          /* the session failed before: nothing more is asked */
};

struct callahead_answer {
	enum callahead_status status;
	enum probe_step step;       /* the step the answer (or the trouble) came at */
	struct smtp_reply reply;    /* the last complete reply read, code 0 when none */
	enum verify_result result;  /* for RCPT: what the reply proves; UNKNOWN for all else */
};

struct callahead;

/* NULL on failure, with why said in *ans (result UNKNOWN). */
struct callahead *callahead_open(const struct netaddr *exchanger,
				 const struct callahead_settings *s, int budget_ms,
				 struct callahead_answer *ans);
/*
 * Asks for one recipient (with or without angle brackets).  After a
 * failure of the session (timeout, close, garbage) the session is dead:
 * later calls answer CALLAHEAD_NOT_OPEN at once.  Returns ans->result.
 */
enum verify_result callahead_rcpt(struct callahead *ca, const char *rcpt, int budget_ms,
				  struct callahead_answer *ans);
/*
 * Several recipients in one transaction: MAIL FROM, then a RCPT TO for
 * each (at most CALLAHEAD_RCPTS_MAX), all in one round trip when the
 * exchanger pipelines; ans[i] is the answer for rcpts[i].  The catch-all
 * test and the recipient go together this way.  Returns how many were
 * asked (n, or the cap).
 */
#define CALLAHEAD_RCPTS_MAX 2
size_t callahead_rcpts(struct callahead *ca, const char *const *rcpts, size_t n, int budget_ms,
		       struct callahead_answer *ans);
/* Can the session ask more (no timeout, close or garbage so far)? */
bool callahead_alive(const struct callahead *ca);
/* Sends QUIT when the session is alive, closes, frees; NULL is fine. */
void callahead_close(struct callahead *ca);

const char *callahead_status_name(enum callahead_status st);

#endif
