/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verify.c -- call-ahead verification: replies, catch-all, expiry, verdict.
 */
#include "autoconfig.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/logline.h"
#include "core/verify.h"

/* ---- SMTP replies (RFC 5321 4.2, RFC 3463) ---- */

/* The length of an enhanced code "c.s.d" at s (class cls), or 0 when there is none. */
static size_t xcode_length(const char *s, size_t len, char cls)
{
	size_t i = 2, part = 0, digits = 0;

	if (len < 5 || s[0] != cls || s[1] != '.')
		return 0;
	for (; i < len && s[i] != ' '; i++) {
		if (s[i] == '.' && digits > 0 && part == 0) {
			part = 1;
			digits = 0;
		} else if (isdigit((unsigned char)s[i]) && digits < 3) {
			digits++;
		} else {
			return 0;
		}
	}
	return part == 1 && digits > 0 && i < 16 ? i : 0;
}

/* Appends text[0..n) to out->text, a space between lines, NULs as '?'; cut when full. */
static void append_text(struct smtp_reply *out, const char *text, size_t n)
{
	size_t o = strlen(out->text);

	if (o > 0 && n > 0 && o < SMTP_REPLY_TEXT_MAX)
		out->text[o++] = ' ';
	for (size_t i = 0; i < n && o < SMTP_REPLY_TEXT_MAX; i++)
		out->text[o++] = text[i] == '\0' ? '?' : text[i];
	out->text[o] = '\0';
}

/* One line without its end; false when it is not a reply line or not the reply's. */
static bool take_line(const char *line, size_t n, struct smtp_reply *out, bool *last)
{
	int code;
	size_t x;

	if (n < 3 || line[0] < '2' || line[0] > '5' || !isdigit((unsigned char)line[1]) ||
	    !isdigit((unsigned char)line[2]) || (n > 3 && line[3] != '-' && line[3] != ' '))
		return false;
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (out->lines > 0 && code != out->code)
		return false;
	*last = n == 3 || line[3] == ' ';
	line += n > 3 ? 4 : 3;
	n -= n > 3 ? 4 : 3;
	x = xcode_length(line, n, (char)('0' + code / 100));
	if (out->lines == 0 && x > 0)
		memcpy(out->xcode, line, x);
	/* a code repeated on every line (Postfix does) is said once */
	if (x > 0 && strlen(out->xcode) == x && memcmp(out->xcode, line, x) == 0) {
		line += x;
		n -= x;
		while (n > 0 && *line == ' ')
			line++, n--;
	}
	out->code = code;
	out->lines++;
	append_text(out, line, n);
	return true;
}

enum smtp_reply_status smtp_reply_parse(const char *buf, size_t len, struct smtp_reply *out,
					size_t *used)
{
	size_t pos = 0;

	memset(out, 0, sizeof *out);
	if (used != NULL)
		*used = 0;
	while (pos < len) {
		const char *nl = memchr(buf + pos, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - (buf + pos)) : len - pos;
		bool last = false;

		if (n + 1 > SMTP_LINE_MAX)
			return SMTP_REPLY_INVALID;
		if (nl == NULL)
			return SMTP_REPLY_PARTIAL;
		if (n > 0 && buf[pos + n - 1] == '\r')
			n--;
		if (out->lines >= SMTP_REPLY_LINES_MAX || !take_line(buf + pos, n, out, &last))
			return SMTP_REPLY_INVALID;
		if (last) {
			if (used != NULL)
				*used = (size_t)(nl - buf) + 1;
			return SMTP_REPLY_COMPLETE;
		}
		pos += (size_t)(nl - (buf + pos)) + 1;
	}
	return SMTP_REPLY_PARTIAL;
}

void smtp_reply_format(const struct smtp_reply *r, char *buf, size_t len)
{
	snprintf(buf, len, "%03d%s%s%s%s", r->code, r->xcode[0] ? " " : "", r->xcode,
		 r->text[0] ? " " : "", r->text);
}

bool verify_step_accepted(enum probe_step step, const struct smtp_reply *r)
{
	if (r == NULL || step == PROBE_STEP_CONNECT)
		return false;
	return step == PROBE_STEP_GREETING ? r->code == 220 : r->code / 100 == 2;
}

/* Does text hold one of words (lower case), whatever its case? */
static bool says_any(const char *text, const char *const *words)
{
	for (; *words != NULL; words++)
		if (strcasestr(text, *words) != NULL)
			return true;
	return false;
}

/*
 * RFC 3463's codes of a destination address that does not work: 5.1.1 bad
 * mailbox, 5.1.2 bad system, 5.1.3 bad syntax, 5.1.4 ambiguous, 5.1.6
 * moved, 5.1.10 null MX (Exchange Online's "recipient not found").  Not
 * 5.1.0 (other: Postfix's unlisted sender), 5.1.5 (valid), 5.1.7 and
 * 5.1.8 (the sender's: the probe's), 5.1.9.  A text about the sender
 * ("Sender address rejected") is the probe's trouble whatever the code.
 */
static bool xcode_refuses_address(const struct smtp_reply *r)
{
	static const char *const details[] = {"1", "2", "3", "4", "6", "10"};
	static const char *const sender[] = {"sender", NULL};

	if (strncmp(r->xcode, "5.1.", 4) != 0 || says_any(r->text, sender))
		return false;
	for (size_t i = 0; i < sizeof details / sizeof details[0]; i++)
		if (strcmp(r->xcode + 4, details[i]) == 0)
			return true;
	return false;
}

/*
 * Without an enhanced code, 550, 551 or 553 and words that say the
 * address does not work: 550 is also every server's code for policy
 * ("550 relay not permitted", "550 Access denied"), and qmail refuses to
 * relay with 553, so the code alone proves nothing.  Words of policy, of
 * the sender or of the client make it the probe's trouble.
 */
static bool words_refuse_address(const struct smtp_reply *r)
{
	static const char *const absent[] = {
		"unknown", "no such", "not exist", "doesn't exist", "not found", "unrouteable",
		"unroutable", "no mailbox", "invalid recipient", "invalid mailbox",
		"invalid address", "user not local", "not a valid", "mailbox not", NULL
	};
	static const char *const probe[] = {
		"relay", "denied", "policy", "block", "spam", "sender", "helo", "client",
		"listed", "rbl", "rate", "greylist", "too many", "access", "reputation",
		"rcpthosts", NULL
	};

	if (r->code != 550 && r->code != 551 && r->code != 553)
		return false;
	return !says_any(r->text, probe) && says_any(r->text, absent);
}

enum verify_result verify_map_reply(const struct smtp_reply *r)
{
	if (r->code / 100 == 2)
		return VERIFY_PASS;
	if (r->code / 100 != 5)
		return VERIFY_UNKNOWN;
	if (r->xcode[0])
		return xcode_refuses_address(r) ? VERIFY_FAIL : VERIFY_UNKNOWN;
	return words_refuse_address(r) ? VERIFY_FAIL : VERIFY_UNKNOWN;
}

enum verify_result verify_map_rcpt(const char *raw, size_t len, struct smtp_reply *parsed)
{
	struct smtp_reply local;
	struct smtp_reply *r = parsed ? parsed : &local;

	if (raw == NULL) {
		memset(r, 0, sizeof *r);
		return VERIFY_UNKNOWN;
	}
	if (smtp_reply_parse(raw, len, r, NULL) != SMTP_REPLY_COMPLETE)
		return VERIFY_UNKNOWN;
	return verify_map_reply(r);
}

static const char *const result_names[] = {
	[VERIFY_UNKNOWN] = "unknown",
	[VERIFY_PASS] = "pass",
	[VERIFY_FAIL] = "fail",
	[VERIFY_CATCHALL] = "catchall",
	[VERIFY_UNAVAILABLE] = "unavailable",
};

const char *verify_result_name(enum verify_result r)
{
	return (unsigned)r < sizeof result_names / sizeof result_names[0] ? result_names[r] : "?";
}

bool verify_result_parse(const char *name, enum verify_result *out)
{
	for (size_t i = 0; i < sizeof result_names / sizeof result_names[0]; i++)
		if (strcmp(name, result_names[i]) == 0) {
			*out = (enum verify_result)i;
			return true;
		}
	return false;
}

/* ---- catch-all ---- */

static const char hexdigits[] = "0123456789abcdef";

void verify_random_local(const unsigned char bytes[VERIFY_RANDOM_BYTES], char *out)
{
	size_t o = sizeof VERIFY_RANDOM_PREFIX - 1;

	memcpy(out, VERIFY_RANDOM_PREFIX, o);
	for (size_t i = 0; i < VERIFY_RANDOM_BYTES; i++) {
		out[o++] = hexdigits[bytes[i] >> 4];
		out[o++] = hexdigits[bytes[i] & 15];
	}
	out[o] = '\0';
}

bool verify_random_local_valid(const char *local)
{
	size_t plen = sizeof VERIFY_RANDOM_PREFIX - 1;

	if (strncmp(local, VERIFY_RANDOM_PREFIX, plen) != 0 ||
	    strlen(local) != VERIFY_RANDOM_LOCAL_LEN)
		return false;
	for (const char *p = local + plen; *p; p++)
		if (strchr(hexdigits, *p) == NULL)
			return false;
	return true;
}

bool verify_random_address(const char *local, const char *domain, char *buf, size_t len)
{
	int n;

	if (!verify_random_local_valid(local) || domain[0] == '\0')
		return false;
	n = snprintf(buf, len, "%s@%s", local, domain);
	return n > 0 && (size_t)n < len;
}

enum verify_domain_state verify_domain_from_probe(enum verify_result random_result)
{
	if (random_result == VERIFY_PASS || random_result == VERIFY_CATCHALL)
		return VERIFY_DOMAIN_CATCHALL;
	return random_result == VERIFY_FAIL ? VERIFY_DOMAIN_VERIFIES : VERIFY_DOMAIN_UNTESTED;
}

enum verify_result verify_combine(enum verify_domain_state domain, enum verify_result rcpt)
{
	if (rcpt == VERIFY_FAIL)
		return VERIFY_FAIL;
	return domain == VERIFY_DOMAIN_CATCHALL ? VERIFY_CATCHALL : rcpt;
}

/* ---- expiry ---- */

void verify_ttls_default(struct verify_ttls *t)
{
	t->positive = VERIFY_TTL_POSITIVE_DEFAULT;
	t->negative = VERIFY_TTL_NEGATIVE_DEFAULT;
	t->domain = VERIFY_TTL_DOMAIN_DEFAULT;
	t->stale_max = VERIFY_STALE_MAX_DEFAULT;
}

bool verify_entry_make(enum verify_result result, bool is_domain, int64_t now,
		       const struct verify_ttls *t, struct verify_entry *out)
{
	int64_t ttl;

	if (is_domain) {
		enum verify_domain_state d = verify_domain_from_probe(result);

		if (d == VERIFY_DOMAIN_UNTESTED)
			return false;
		result = d == VERIFY_DOMAIN_CATCHALL ? VERIFY_CATCHALL : VERIFY_FAIL;
		ttl = t->domain;
	} else if (result == VERIFY_PASS || result == VERIFY_FAIL) {
		ttl = result == VERIFY_PASS ? t->positive : t->negative;
	} else {
		return false;
	}
	/* a TTL of 0 is the operator's "do not keep these" */
	if (ttl <= 0)
		return false;
	*out = (struct verify_entry){result, now, now + ttl};
	return true;
}

bool verify_entry_is_fresh(const struct verify_entry *e, int64_t now)
{
	return e->stored_at <= now && now < e->expires_at;
}

bool verify_entry_usable_in_outage(const struct verify_entry *e, int64_t now,
				   const struct verify_ttls *t)
{
	return verify_entry_is_fresh(e, now) ||
	       (e->stored_at <= now && now - e->stored_at < t->stale_max);
}

enum verify_domain_state verify_domain_from_entry(const struct verify_entry *domain, int64_t now,
						  bool primary_up, const struct verify_ttls *t)
{
	bool usable;

	if (domain == NULL)
		return VERIFY_DOMAIN_UNTESTED;
	usable = primary_up ? verify_entry_is_fresh(domain, now)
			    : verify_entry_usable_in_outage(domain, now, t);
	if (!usable)
		return VERIFY_DOMAIN_UNTESTED;
	if (domain->result == VERIFY_CATCHALL)
		return VERIFY_DOMAIN_CATCHALL;
	return domain->result == VERIFY_FAIL ? VERIFY_DOMAIN_VERIFIES : VERIFY_DOMAIN_UNTESTED;
}

/* ---- what to do ---- */

enum verify_plan verify_choose_plan(const struct verify_entry *domain,
				    const struct verify_entry *rcpt,
				    int64_t now, bool primary_up, const struct verify_ttls *t)
{
	enum verify_domain_state d = verify_domain_from_entry(domain, now, primary_up, t);

	if (rcpt != NULL && (rcpt->result == VERIFY_PASS || rcpt->result == VERIFY_FAIL) &&
	    (primary_up ? verify_entry_is_fresh(rcpt, now)
			: verify_entry_usable_in_outage(rcpt, now, t)))
		return VERIFY_PLAN_CACHED;
	if (d == VERIFY_DOMAIN_CATCHALL)
		return VERIFY_PLAN_CATCHALL;
	if (!primary_up)
		return VERIFY_PLAN_UNAVAILABLE;
	return d == VERIFY_DOMAIN_VERIFIES ? VERIFY_PLAN_PROBE_RCPT : VERIFY_PLAN_PROBE_DOMAIN;
}

const char *verify_plan_name(enum verify_plan p)
{
	switch (p) {
	case VERIFY_PLAN_CACHED: return "cached";
	case VERIFY_PLAN_CATCHALL: return "catchall";
	case VERIFY_PLAN_PROBE_DOMAIN: return "probe-domain";
	case VERIFY_PLAN_PROBE_RCPT: return "probe-rcpt";
	case VERIFY_PLAN_UNAVAILABLE: return "unavailable";
	}
	return "?";
}

void verify_format(const struct verify_outcome *o, char *buf, size_t len)
{
	char mx[255 * 4 + 4] = "";
	const char *name = verify_result_name(o->result);

	if (o->exchanger != NULL)
		logline_escape(o->exchanger, 255, mx, sizeof mx);
	if (o->cached)
		snprintf(buf, len, "cached(%s%s%s%s)", name, mx[0] ? "," : "", mx,
			 o->stale ? ",stale" : "");
	else if (mx[0] && o->result != VERIFY_UNAVAILABLE)
		snprintf(buf, len, "%s(%s)", name, mx);
	else
		snprintf(buf, len, "%s", name);
}

/* ---- the verdict ---- */

static const struct reply unknown_reply = {
	"450", "4.1.1", "Recipient address not verified yet, please try again later"
};
static const struct reply stale_refusal_reply = {
	"450", "4.1.1",
	"Recipient refused by the primary mail server earlier, which cannot be reached to "
	"confirm it now, please try again later"
};
static const struct reply unavailable_reply = {
	"451", "4.4.1",
	"The primary mail server cannot be reached to verify the recipient, please try again later"
};

void verify_refusal_reply(const struct reply *base, const char *primary_text,
			  struct reply *out)
{
	size_t n = primary_text ? strlen(primary_text) : 0;
	size_t o, room, keep;

	*out = *base;
	o = strlen(out->text);
	/* ': "' before, '"' after, and "..." when cut */
	if (n == 0 || o + 4 + 3 >= REPLY_TEXT_MAX)
		return;
	room = REPLY_TEXT_MAX - o - 4;
	keep = n <= room ? n : room - 3;
	memcpy(out->text + o, ": \"", 3);
	o += 3;
	for (size_t i = 0; i < keep; i++) {
		unsigned char c = (unsigned char)primary_text[i];

		out->text[o++] = c == '"' ? '\'' : (c < 0x20 || c > 0x7e) ? '?' : (char)c;
	}
	if (keep < n) {
		memcpy(out->text + o, "...", 3);
		o += 3;
	}
	out->text[o++] = '"';
	out->text[o] = '\0';
}

const struct reply *verify_deferral_reply(enum verify_result r)
{
	switch (r) {
	case VERIFY_UNKNOWN: return &unknown_reply;
	case VERIFY_UNAVAILABLE: return &unavailable_reply;
	case VERIFY_FAIL: return &stale_refusal_reply;
	case VERIFY_PASS: case VERIFY_CATCHALL: break;
	}
	return NULL;
}

bool verify_applies(enum route_kind kind, bool domain_relayed)
{
	return kind == ROUTE_BACKUP || (kind == ROUTE_PRIMARY && domain_relayed);
}

/* ---- keys ---- */

static bool make_key(const char *prefix, const char *s, char *buf, size_t len)
{
	size_t n = strlen(s), o = strlen(prefix);

	if (n >= 2 && s[0] == '<' && s[n - 1] == '>') {
		s++;
		n -= 2;
	}
	if (n == 0 || o + n + 1 > len)
		return false;
	memcpy(buf, prefix, o);
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		buf[o++] = c < 0x80 ? (char)tolower(c) : (char)c;
	}
	buf[o] = '\0';
	return true;
}

bool verify_key_rcpt(const char *address, char *buf, size_t len)
{
	return make_key("r:", address, buf, len);
}

bool verify_key_domain(const char *domain, char *buf, size_t len)
{
	return make_key("d:", domain, buf, len);
}
