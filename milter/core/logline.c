/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * logline.c -- the decision line, the end-of-message line, and the
 * escaping of every peer string in them.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "core/logline.h"

static const char hex[] = "0123456789abcdef";

/* logline_escape, telling how many bytes of in it took. */
static size_t escape(const char *in, size_t cap, char *out, size_t outsize)
{
	size_t o = 0, i;

	if (outsize == 0)
		return 0;
	for (i = 0; in[i] != '\0' && i < cap; i++) {
		unsigned char c = (unsigned char)in[i];
		bool plain = c > 0x20 && c < 0x7f && c != '"' && c != '\\';

		if (o + (plain ? 1 : 4) + 4 > outsize)
			break;
		if (plain) {
			out[o++] = (char)c;
		} else {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		}
	}
	if (in[i] != '\0' && o + 4 <= outsize) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o] = '\0';
	return i;
}

void logline_escape(const char *in, size_t cap, char *out, size_t outsize)
{
	escape(in, cap, out, outsize);
}

/* LOGLINE_PEER_CAP bytes and one more, which is never shown: it makes the "...". */
void logline_keep_peer(const char *s, char *out)
{
	size_t n = strnlen(s, LOGLINE_PEER_CAP + 1);

	memcpy(out, s, n);
	out[n] = '\0';
}

/*
 * put_envelope_field shows "<" and LOGLINE_PEER_CAP bytes between the
 * brackets (or of the whole, unbracketed), then "..." when more follow: the
 * copy keeps those and one more byte, never shown, and the closing ">"
 * that says the address was bracketed.  The unshown byte of an unbracketed
 * copy is never a ">", which would make it look bracketed.
 */
void logline_keep_envelope(const char *raw, char *out)
{
	size_t len = strlen(raw);
	bool bracketed = len >= 2 && raw[0] == '<' && raw[len - 1] == '>';
	size_t keep = bracketed ? LOGLINE_PEER_CAP + 2 : LOGLINE_PEER_CAP + 1;

	if (len <= keep + bracketed) {
		memcpy(out, raw, len + 1);
		return;
	}
	memcpy(out, raw, keep);
	if (bracketed)
		out[keep++] = '>';
	else if (out[0] == '<' && out[keep - 1] == '>')
		out[keep - 1] = '.';
	out[keep] = '\0';
}

/*
 * A decision line is written straight into the caller's buffer, field by
 * field, rather than through a buffer per field: the line is built on the
 * stack of libmilter's threads, and every page of stack a new thread
 * touches costs it a page fault.
 */
struct line {
	char *buf;
	size_t len;                     /* the buffer's size, > 0 */
	size_t n;                       /* bytes used, < len; buf[n] is NUL */
	bool full;                      /* something was cut: nothing more goes in */
};

/* Appends s, cut where the buffer ends. */
static void put(struct line *l, const char *s)
{
	size_t k = strlen(s), room = l->len - l->n - 1;

	if (l->full)
		return;
	if (k > room) {
		k = room;
		l->full = true;
	}
	memcpy(l->buf + l->n, s, k);
	l->n += k;
	l->buf[l->n] = '\0';
}

static void put_field(struct line *l, const char *key, const char *value)
{
	put(l, key);
	put(l, value != NULL ? value : "-");
}

/* Appends peer text through logline_escape ("" stays ""). */
static void put_escaped(struct line *l, const char *s, size_t cap)
{
	size_t took;

	if (l->full)
		return;
	took = escape(s, cap, l->buf + l->n, l->len - l->n);
	l->n += strlen(l->buf + l->n);
	if (took < cap && s[took] != '\0')
		l->full = true;         /* cut for want of room, not at cap */
}

/* " key=" and peer text, escaped, or "-" when there is none. */
static void put_peer_field(struct line *l, const char *key, const char *s, size_t cap)
{
	put(l, key);
	if (s != NULL && s[0] != '\0')
		put_escaped(l, s, cap);
	else
		put(l, "-");
}

/* " key=" and an envelope address as <text between the brackets>. */
static void put_envelope_field(struct line *l, const char *key, const char *raw)
{
	size_t len;

	put(l, key);
	if (raw == NULL) {
		put(l, "-");
		return;
	}
	len = strlen(raw);
	put(l, "<");
	if (len >= 2 && raw[0] == '<' && raw[len - 1] == '>') {
		char inner[LOGLINE_PEER_CAP + 1];
		size_t n = len - 2 < LOGLINE_PEER_CAP ? len - 2 : LOGLINE_PEER_CAP;

		memcpy(inner, raw + 1, n);
		inner[n] = '\0';
		put_escaped(l, inner, LOGLINE_PEER_CAP);
		if (len - 2 > LOGLINE_PEER_CAP)
			put(l, "...");
	} else {
		put_escaped(l, raw, LOGLINE_PEER_CAP);
	}
	put(l, ">");
}

/*
 * " key=" and text in double quotes: '"' and '\' get a backslash, and a
 * byte outside printable ASCII is \xHH as in logline_escape.  The text is ours
 * (a reply, the evidence), but the evidence quotes peer strings, such as
 * the recipient domain, as the peer wrote them.
 */
static void put_quoted_field(struct line *l, const char *key, const char *s)
{
	put(l, key);
	put(l, "\"");
	for (; *s != '\0' && !l->full; s++) {
		unsigned char c = (unsigned char)*s;
		bool quote = c == '"' || c == '\\', plain = c >= 0x20 && c < 0x7f;
		size_t need = quote ? 2 : plain ? 1 : 4;

		if (l->n + need >= l->len) {
			l->full = true;
			break;
		}
		if (quote) {
			l->buf[l->n++] = '\\';
		} else if (!plain) {
			l->buf[l->n++] = '\\';
			l->buf[l->n++] = 'x';
			l->buf[l->n++] = hex[c >> 4];
			c = (unsigned char)hex[c & 15];
		}
		l->buf[l->n++] = (char)c;
	}
	l->buf[l->n] = '\0';
	put(l, "\"");
}

/* "QUEUEID: session=S stage=STAGE", NOQUEUE for no queue id. */
static void put_start(struct line *l, const char *queue_id, const char *session,
		      const char *stage)
{
	put(l, queue_id && queue_id[0] ? queue_id : "NOQUEUE");
	put_field(l, ": session=", session);
	put_field(l, " stage=", stage);
}

/* The verdict's keys: checks=, action=, verdict= and exempt= when set. */
static void put_outcome(struct line *l, unsigned fired, enum action action,
			enum verdict_kind kind, const char *exempt)
{
	char checks[512];

	checks_format(fired, checks, sizeof checks);
	put_field(l, " checks=", checks);
	put_field(l, " action=", fired ? action_name(action) : "none");
	put_field(l, " verdict=", verdict_name(kind));
	if (exempt != NULL)
		put_field(l, " exempt=", exempt);
}

static void put_reply(struct line *l, const struct reply *r)
{
	char text[REPLY_TEXT_MAX + 40];

	reply_format(r, text, sizeof text);
	put_quoted_field(l, " reply=", text);
}

void logline_format(const struct decision_line *d, char *buf, size_t len)
{
	char checks[512];
	const struct verdict *v = d->verdict;
	struct line l = {.buf = buf, .len = len, .n = 0, .full = false};

	if (len == 0)
		return;
	buf[0] = '\0';
	put_start(&l, d->queue_id, d->session, d->stage);
	put_field(&l, " client=", d->client);
	put_peer_field(&l, " ptr=", d->ptr, DNS_NAME_MAX);
	put_field(&l, " iprev=", d->iprev);
	put_field(&l, " iprev_src=", d->iprev_src);
	put_peer_field(&l, " helo=", d->helo, LOGLINE_PEER_CAP);
	put_envelope_field(&l, " from=", d->from);
	put_envelope_field(&l, " rcpt=", d->rcpt);
	put_peer_field(&l, " rcpt_domain=", d->rcpt_domain, LOGLINE_PEER_CAP);
	put_field(&l, " route=", d->route);
	if (d->verify != NULL)          /* only where rcpt_unverified is on */
		put_field(&l, " verify=", d->verify);
	put_outcome(&l, v->fired, v->action, v->kind, v->exempt);
	if (v->exempt_unknown != NULL)
		put_field(&l, " exempt_unknown=", v->exempt_unknown);
	if (v->temperror != 0) {
		checks_format(v->temperror, checks, sizeof checks);
		put_field(&l, " temperror=", checks);
	}
	put_reply(&l, &v->reply);
	if (v->evidence[0] != '\0')
		put_quoted_field(&l, " evidence=", v->evidence);
}

void logline_format_eom(const struct eom_line *e, char *buf, size_t len)
{
	struct line l = {.buf = buf, .len = len, .n = 0, .full = false};

	if (len == 0)
		return;
	buf[0] = '\0';
	put_start(&l, e->queue_id, e->session, e->stage);
	put_field(&l, " client=", e->client);
	put_peer_field(&l, " helo=", e->helo, LOGLINE_PEER_CAP);
	put_envelope_field(&l, " from=", e->from);
	put_envelope_field(&l, " rcpt=", e->rcpt);
	put_peer_field(&l, " rcpt_domain=", e->rcpt_domain, LOGLINE_PEER_CAP);
	put_field(&l, " route=", e->route);
	put_outcome(&l, e->fired, e->action, e->kind, e->exempt);
	if (e->reply != NULL && (e->kind == VERDICT_REJECT || e->kind == VERDICT_TEMPFAIL))
		put_reply(&l, e->reply);
}

void logline_format_eom_unlisted(const char *queue_id, const char *session, const char *stage,
				 unsigned count, char *buf, size_t len)
{
	struct line l = {.buf = buf, .len = len, .n = 0, .full = false};
	char n[24];

	if (len == 0)
		return;
	buf[0] = '\0';
	put_start(&l, queue_id, session, stage);
	snprintf(n, sizeof n, "%u", count);
	put_field(&l, " recipients_not_listed=", n);
}
