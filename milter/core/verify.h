/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verify.h -- recipient verification by call-ahead, the pure part: what a
 * better exchanger's SMTP replies prove about a recipient, when a domain
 * is catch-all, how long an answer is kept, and what the filter answers at
 * RCPT.  The probe itself (daemon/callahead) and the store
 * (daemon/verifycache) are outside; the clock comes in as a parameter.
 *
 * The rule throughout: only a refusal of the recipient itself refuses.  A
 * refusal of the probe (its greeting, EHLO, MAIL FROM, a policy code at
 * RCPT), a temporary failure, silence or garbage proves nothing, and
 * nothing proven never becomes a 5xx.
 */
#ifndef MXP_VERIFY_H
#define MXP_VERIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/mxroute.h"
#include "core/reply.h"

/* RFC 5321 4.5.3.1.5: a reply line is at most 512 octets, CRLF included. */
#define SMTP_LINE_MAX 512
/* More lines than this in one reply is a peer that never stops: garbage. */
#define SMTP_REPLY_LINES_MAX 32
/* The lines' texts joined; what is past this is cut. */
#define SMTP_REPLY_TEXT_MAX 512

struct smtp_reply {
	int code;                           /* 200..599 */
	char xcode[16];                     /* RFC 3463 "5.1.1" of the first line, or "" */
	char text[SMTP_REPLY_TEXT_MAX + 1]; /* the lines' texts, xcode removed, joined by " " */
	unsigned lines;
};

enum smtp_reply_status {
	SMTP_REPLY_COMPLETE,    /* the last line ("ddd " or "ddd") was read */
	SMTP_REPLY_PARTIAL,     /* well-formed "ddd-" lines so far: read on */
	SMTP_REPLY_INVALID      /* not an SMTP reply: a bad line, mixed codes, too many lines */
};

/*
 * Parses the reply in buf[0..len), lines ended by CRLF or a bare LF (a
 * line without its end is not yet read).  Every line must be three digits
 * 2-5xx, then '-' (more follow), ' ' or the end of the line (the last),
 * all with the same code, at most SMTP_LINE_MAX octets each.  An enhanced
 * code counts only at the start of the text and with the reply's class.
 * Bytes after the last line are the next reply's: *used (when not NULL)
 * says how many bytes this one took, 0 unless COMPLETE.
 */
enum smtp_reply_status smtp_reply_parse(const char *buf, size_t len, struct smtp_reply *out,
					size_t *used);
/* "550 5.1.1 text" (the text as read: escape it before it goes anywhere). */
void smtp_reply_format(const struct smtp_reply *r, char *buf, size_t len);

/* The steps of a probe, in order; a reply answers one of them. */
enum probe_step {
	PROBE_STEP_CONNECT,     /* answered by no reply: where a connect's trouble is reported */
	PROBE_STEP_GREETING,
	PROBE_STEP_EHLO,
	PROBE_STEP_MAIL,
	PROBE_STEP_RCPT
};

/* May the probe go on after this reply?  The greeting must be 220, a command 2xx; CONNECT: never. */
bool verify_step_accepted(enum probe_step step, const struct smtp_reply *r);

enum verify_result {
	VERIFY_UNKNOWN,         /* nothing proven: 4xx, silence, garbage, the probe refused */
	VERIFY_PASS,            /* 2xx to RCPT: the recipient exists */
	VERIFY_FAIL,            /* the recipient was refused as an address */
	VERIFY_CATCHALL,        /* the domain accepts any local part: a 2xx proves nothing */
	VERIFY_UNAVAILABLE      /* no better exchanger is up to ask */
};

/*
 * What the reply to RCPT TO proves.  2xx: PASS.  5xx: FAIL when the
 * enhanced code says the destination address does not work (5.1.1, 5.1.2,
 * 5.1.3, 5.1.4, 5.1.6, 5.1.10) and the text is not about the sender; or,
 * without an enhanced code, when the code is 550, 551 or 553 and the text
 * says the address does not exist ("User unknown", "no such user", "no
 * mailbox here", "Unrouteable address") without words of policy.  Every
 * other 5xx -- 5.7.x policy ("Client host rejected", "Relay access
 * denied"), 5.1.0 and the sender's 5.1.7 and 5.1.8 (our probe's), 552 /
 * 5.2.x (storage: the mailbox exists), 554 without 5.1.x, 500-504 syntax,
 * a bare "550 relay not permitted" -- refused the probe, not the address:
 * UNKNOWN.  4xx, NULL (no reply) and anything but a complete reply:
 * UNKNOWN.  parsed may be NULL.
 */
enum verify_result verify_map_rcpt(const char *raw, size_t len, struct smtp_reply *parsed);
/* The same, of a reply parsed already (SMTP_REPLY_COMPLETE). */
enum verify_result verify_map_reply(const struct smtp_reply *r);

/* "pass", "fail", "catchall", "unknown", "unavailable". */
const char *verify_result_name(enum verify_result r);
bool verify_result_parse(const char *name, enum verify_result *out);

/*
 * Catch-all detection.  Before a domain's answers are trusted, a random
 * local part there is probed: accepted, the domain is catch-all and its
 * recipients are not probed one by one (nor their passes kept, which would
 * outlive a change of the domain's setup); refused, the domain verifies.
 */
enum verify_domain_state {
	VERIFY_DOMAIN_UNTESTED,     /* not probed, the probe proved nothing, or expired */
	VERIFY_DOMAIN_CATCHALL,
	VERIFY_DOMAIN_VERIFIES
};

/* The random local part: this prefix and 16 lower-case hex digits. */
#define VERIFY_RANDOM_PREFIX "mxpv-"
#define VERIFY_RANDOM_BYTES 8
#define VERIFY_RANDOM_LOCAL_LEN (sizeof VERIFY_RANDOM_PREFIX - 1 + 2 * VERIFY_RANDOM_BYTES)

/* From the caller's random bytes, into out (VERIFY_RANDOM_LOCAL_LEN + 1 bytes). */
void verify_random_local(const unsigned char bytes[VERIFY_RANDOM_BYTES], char *out);
/* Is local exactly the prefix and 16 lower-case hex digits? */
bool verify_random_local_valid(const char *local);
/* "local@domain" into buf; false when local is not valid or it does not fit. */
bool verify_random_address(const char *local, const char *domain, char *buf, size_t len);
/* What the random local part's answer says of the domain. */
enum verify_domain_state verify_domain_from_probe(enum verify_result random_result);
/*
 * The recipient's result, given what the domain turned out to be: a
 * refusal of this address stands even at a catch-all domain (the primary
 * singled it out); otherwise a catch-all domain's answer is CATCHALL.
 */
enum verify_result verify_combine(enum verify_domain_state domain, enum verify_result rcpt);

/* A stored answer; times are seconds since the epoch, from the caller's clock. */
struct verify_entry {
	enum verify_result result;  /* recipient: PASS or FAIL; domain: CATCHALL or FAIL (= verifies) */
	int64_t stored_at;
	int64_t expires_at;
};

#define VERIFY_TTL_POSITIVE_DEFAULT (7 * 86400)
#define VERIFY_TTL_NEGATIVE_DEFAULT (4 * 3600)
#define VERIFY_TTL_DOMAIN_DEFAULT (86400)
#define VERIFY_STALE_MAX_DEFAULT (30 * 86400)

struct verify_ttls {
	int64_t positive;       /* a recipient that exists */
	int64_t negative;       /* a recipient refused: shorter, a new mailbox must not wait days */
	int64_t domain;         /* a domain's catch-all state, either way */
	int64_t stale_max;      /* how old an answer may be and still serve while the primary is down */
};

void verify_ttls_default(struct verify_ttls *t);

/*
 * The entry to store for a result found at now; false when nothing is to
 * be stored: UNKNOWN and UNAVAILABLE never are, nor a recipient's
 * CATCHALL (the domain's entry says it), nor a domain's PASS/UNKNOWN.
 * A domain entry is made from the random local part's result.
 */
bool verify_entry_make(enum verify_result result, bool is_domain, int64_t now,
		       const struct verify_ttls *t, struct verify_entry *out);
/* stored_at <= now < expires_at.  An entry from the future (the clock went back) is not fresh. */
bool verify_entry_is_fresh(const struct verify_entry *e, int64_t now);
/*
 * While every better exchanger is down: fresh, or expired but stored less
 * than stale_max ago (stale-while-unavailable: the "refuses the
 * recipients the primary refused before and accepts the ones it accepted").
 */
bool verify_entry_usable_in_outage(const struct verify_entry *e, int64_t now,
				   const struct verify_ttls *t);
/* The domain's state from its entry (NULL: none). */
enum verify_domain_state verify_domain_from_entry(const struct verify_entry *domain, int64_t now,
						  bool primary_up, const struct verify_ttls *t);

enum verify_plan {
	VERIFY_PLAN_CACHED,         /* the recipient's entry decides; no probe */
	VERIFY_PLAN_CATCHALL,       /* the domain is catch-all: no probe */
	VERIFY_PLAN_PROBE_DOMAIN,   /* the random local part, then (not catch-all) the recipient */
	VERIFY_PLAN_PROBE_RCPT,     /* the domain verifies: probe the recipient */
	VERIFY_PLAN_UNAVAILABLE     /* every better exchanger down and nothing usable kept */
};

/*
 * What to do for a recipient, from the domain's and the recipient's
 * entries (either NULL: none), now and whether a better exchanger is up.
 * A fresh recipient entry wins over the domain's state: a refusal is about
 * that address, and a pass is an accept either way.
 */
enum verify_plan verify_choose_plan(const struct verify_entry *domain,
				    const struct verify_entry *rcpt,
				    int64_t now, bool primary_up, const struct verify_ttls *t);
const char *verify_plan_name(enum verify_plan p);

/* What verification found for one recipient, for the verdict and the log. */
struct verify_outcome {
	enum verify_result result;
	bool cached;                /* from the store, not a probe of this session */
	bool stale;                 /* an expired entry, used because the primary is down */
	const char *exchanger;      /* the exchanger asked, NULL when none */
	const char *primary_text;   /* FAIL: the refusal as the primary wrote it ("550 5.1.1 ...") */
};

/*
 * The decision line's value: "pass(mx1.example.net)", "fail(...)",
 * "catchall(...)", "unknown(...)", "unavailable"; from the store
 * "cached(fail,mx1.example.net)" or "cached(fail,mx1.example.net,stale)".
 * The exchanger is escaped as a peer string.
 */
void verify_format(const struct verify_outcome *o, char *buf, size_t len);

/*
 * Backup routes always; a primary route only for a domain the operator
 * listed as relayed on to an inner mail store (verify_relay_domains):
 * everywhere else the primary's own MTA knows its recipients.
 */
bool verify_applies(enum route_kind kind, bool domain_relayed);

/*
 * A refusal: the check's reply (base, "550 5.1.1 Recipient address
 * rejected by the primary mail server") and the primary's reply quoted:
 * ': "550 5.1.1 <x@y>: ..."', with bytes outside printable ASCII as '?'
 * and '"' as '\'', cut with "..." so the whole text fits REPLY_TEXT_MAX
 * (the line, with '%' doubled for the MTA, stays inside RFC 5321's 512).
 */
void verify_refusal_reply(const struct reply *base, const char *primary_text,
			  struct reply *out);
/*
 * The deferral of what verification could not prove: UNKNOWN (450 4.1.1)
 * and UNAVAILABLE (451 4.4.1) where the operator chose to defer them, and
 * a FAIL kept past its TTL and used while the primary is down (450 4.1.1:
 * the mailbox may exist by now); NULL for a result that is never deferred.
 */
const struct reply *verify_deferral_reply(enum verify_result r);

/*
 * The store's key for a recipient ("r:" and the address) or a domain
 * ("d:" and the name): angle brackets dropped, ASCII lower-cased, so
 * that User@Example.NET and user@example.net share one answer.  False
 * when empty or it does not fit.
 */
bool verify_key_rcpt(const char *address, char *buf, size_t len);
bool verify_key_domain(const char *domain, char *buf, size_t len);

#endif
