/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dnsmsg.c -- read DNS responses (RFC 1035 section 4), with the TTLs.
 */
#include "autoconfig.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/dnsmsg.h"

#define HEADER_LEN 12
#define MAX_POINTERS 64
#define MAX_CHAIN 16
#define RCODE_NXDOMAIN 3

struct dns_answer *dns_answer_new(enum dns_status status, size_t count)
{
	struct dns_answer *a = calloc(1, sizeof *a + count * sizeof a->rr[0]);

	if (a == NULL)
		return NULL;
	a->refs = 1;
	a->status = status;
	a->count = count;
	return a;
}

struct dns_answer *dns_answer_tempfail(const char *why, unsigned ttl)
{
	struct dns_answer *a = dns_answer_new(DNS_TEMPFAIL, 0);

	if (a != NULL) {
		a->why = why;
		a->ttl = ttl;
	}
	return a;
}

struct dns_answer *dns_answer_ref(struct dns_answer *a)
{
	if (a != NULL)
		__atomic_add_fetch(&a->refs, 1, __ATOMIC_RELAXED);
	return a;
}

void dns_answer_unref(struct dns_answer *a)
{
	if (a == NULL || __atomic_sub_fetch(&a->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	for (size_t i = 0; i < a->count; i++)
		free(a->rr[i].name);
	free(a->cname);
	free(a);
}

const char *dns_status_name(enum dns_status s)
{
	switch (s) {
	case DNS_ANSWER: return "answer";
	case DNS_NXDOMAIN: return "nxdomain";
	case DNS_NODATA: return "nodata";
	case DNS_TEMPFAIL: break;
	}
	return "tempfail";
}

/* ---- reading the wire format ------------------------------------------ */

struct reader {
	const unsigned char *msg;
	size_t len;
	size_t pos;
	bool bad;
};

static unsigned get16(struct reader *r)
{
	unsigned v;

	if (r->pos + 2 > r->len) {
		r->bad = true;
		return 0;
	}
	v = (unsigned)r->msg[r->pos] << 8 | r->msg[r->pos + 1];
	r->pos += 2;
	return v;
}

static unsigned long get32(struct reader *r)
{
	unsigned long hi = get16(r);

	return hi << 16 | get16(r);
}

/*
 * Names end up in logs and headers: a byte that has no place in a host
 * name (a dot inside a label, control characters, ';', spaces ...) becomes
 * '?', which no host name contains, so nothing injects and nothing matches.
 */
static char host_char(unsigned char c)
{
	c = (unsigned char)tolower(c);
	return (isalnum(c) && c < 0x80) || c == '-' || c == '_' || c == '*' ? (char)c : '?';
}

/*
 * Expands a possibly compressed name at *pos into out (lower case, no
 * trailing dot, "" for the root).  Pointer loops and overlong names fail.
 */
static bool read_name(const unsigned char *msg, size_t len, size_t *pos, char *out)
{
	size_t p = *pos, o = 0, end = 0;
	int jumps = 0;

	for (;;) {
		unsigned c;

		if (p >= len)
			return false;
		c = msg[p];
		if (c == 0) {
			p++;
			break;
		}
		if ((c & 0xc0) == 0xc0) {
			if (p + 1 >= len || ++jumps > MAX_POINTERS)
				return false;
			if (end == 0)
				end = p + 2;
			p = (c & 0x3f) << 8 | msg[p + 1];
			continue;
		}
		if ((c & 0xc0) != 0 || p + 1 + c > len || o + c + 1 > DNS_NAME_MAX)
			return false;
		if (o > 0)
			out[o++] = '.';
		for (unsigned i = 0; i < c; i++)
			out[o++] = host_char(msg[p + 1 + i]);
		p += 1 + c;
	}
	out[o] = '\0';
	*pos = end ? end : p;
	return true;
}

struct raw_rr {
	char owner[DNS_NAME_MAX + 1];
	unsigned type;
	unsigned long ttl;
	size_t rdata;           /* offset of the data in the message */
	unsigned rdlen;
};

static bool read_rr(struct reader *r, struct raw_rr *rr)
{
	if (!read_name(r->msg, r->len, &r->pos, rr->owner))
		return false;
	rr->type = get16(r);
	(void)get16(r);         /* class */
	rr->ttl = get32(r);
	rr->rdlen = get16(r);
	rr->rdata = r->pos;
	if (r->bad || r->pos + rr->rdlen > r->len)
		return false;
	r->pos += rr->rdlen;
	/* RFC 2181 section 8: a TTL with the top bit set counts as zero. */
	if (rr->ttl > 0x7fffffffUL)
		rr->ttl = 0;
	return true;
}

static bool skip_question(struct reader *r)
{
	char name[DNS_NAME_MAX + 1];

	if (!read_name(r->msg, r->len, &r->pos, name))
		return false;
	r->pos += 4;
	return r->pos <= r->len;
}

/* The name in an RR's data at offset off (after skip bytes). */
static bool rdata_name(const unsigned char *msg, size_t len, const struct raw_rr *rr,
		       size_t skip, char *out)
{
	size_t pos = rr->rdata + skip;

	if (skip > rr->rdlen)
		return false;
	return read_name(msg, len, &pos, out) && pos <= rr->rdata + rr->rdlen;
}

/* RFC 2308 section 5: the negative TTL is min(SOA TTL, SOA MINIMUM). */
static unsigned negative_ttl(struct reader *r, unsigned nscount)
{
	struct raw_rr rr;

	for (unsigned i = 0; i < nscount; i++) {
		if (!read_rr(r, &rr))
			break;
		if (rr.type == DNS_T_SOA && rr.rdlen >= 22) {
			struct reader m = {r->msg, r->len, rr.rdata + rr.rdlen - 4, false};
			unsigned long minimum = get32(&m);

			return (unsigned)(minimum < rr.ttl ? minimum : rr.ttl);
		}
	}
	return 0;
}

static struct dns_answer *failure(const char *why)
{
	return dns_answer_tempfail(why, 0);
}

/* Fills one kept record from its raw form; false when malformed. */
static bool keep_rr(const unsigned char *msg, size_t len, const struct raw_rr *raw,
		    struct dns_rr *out)
{
	char name[DNS_NAME_MAX + 1];

	switch (raw->type) {
	case DNS_T_A:
		if (raw->rdlen != 4)
			return false;
		out->addr.family = AF_INET;
		memcpy(out->addr.bytes, msg + raw->rdata, 4);
		return true;
	case DNS_T_AAAA:
		if (raw->rdlen != 16)
			return false;
		out->addr.family = AF_INET6;
		memcpy(out->addr.bytes, msg + raw->rdata, 16);
		return true;
	case DNS_T_MX:
		if (raw->rdlen < 3)
			return false;
		out->pref = (unsigned)msg[raw->rdata] << 8 | msg[raw->rdata + 1];
		if (!rdata_name(msg, len, raw, 2, name))
			return false;
		break;
	case DNS_T_PTR:
		if (!rdata_name(msg, len, raw, 0, name))
			return false;
		break;
	default:
		return false;
	}
	out->name = strdup(name);
	return out->name != NULL;
}

/* Follows the CNAME chain from qname within the records read. */
static const char *chain_end(const unsigned char *msg, size_t len, struct raw_rr *rrs,
			     size_t n, const char *qname, unsigned long *ttl, char *buf)
{
	const char *current = qname;

	for (int hop = 0; hop < MAX_CHAIN; hop++) {
		size_t i;

		for (i = 0; i < n; i++)
			if (rrs[i].type == DNS_T_CNAME && strcasecmp(rrs[i].owner, current) == 0)
				break;
		if (i == n)
			return current;
		if (!rdata_name(msg, len, &rrs[i], 0, buf + hop * (DNS_NAME_MAX + 1)))
			return NULL;
		if (rrs[i].ttl < *ttl)
			*ttl = rrs[i].ttl;
		current = buf + hop * (DNS_NAME_MAX + 1);
	}
	return NULL;        /* a loop, or a chain too long to be honest */
}

static struct dns_answer *collect(const unsigned char *msg, size_t len, struct raw_rr *rrs,
				  size_t n, const char *qname, enum dns_type qtype,
				  unsigned neg_ttl)
{
	static const size_t chain_buf = MAX_CHAIN * (DNS_NAME_MAX + 1);
	char *names = malloc(chain_buf);
	unsigned long ttl = 0x7fffffffUL;
	const char *owner;
	size_t matching = 0, k = 0;
	struct dns_answer *a;

	if (names == NULL)
		return NULL;
	owner = chain_end(msg, len, rrs, n, qname, &ttl, names);
	if (owner == NULL) {
		free(names);
		return failure("CNAME loop");
	}
	for (size_t i = 0; i < n; i++)
		if (rrs[i].type == qtype && strcasecmp(rrs[i].owner, owner) == 0)
			matching++;
	a = dns_answer_new(matching ? DNS_ANSWER : DNS_NODATA,
			   matching > DNS_MAX_RR ? DNS_MAX_RR : matching);
	if (a == NULL) {
		free(names);
		return NULL;
	}
	if (matching > DNS_MAX_RR)
		a->dropped = matching - DNS_MAX_RR;
	for (size_t i = 0; i < n && k < a->count; i++) {
		if (rrs[i].type != qtype || strcasecmp(rrs[i].owner, owner) != 0)
			continue;
		if (!keep_rr(msg, len, &rrs[i], &a->rr[k])) {
			a->count = k;
			dns_answer_unref(a);
			free(names);
			return failure("malformed record");
		}
		if (rrs[i].ttl < ttl)
			ttl = rrs[i].ttl;
		k++;
	}
	if (matching == 0) {
		ttl = neg_ttl;
		if (owner != qname)
			a->cname = strdup(owner);
	}
	a->ttl = (unsigned)ttl;
	free(names);
	return a;
}

struct dns_answer *dns_parse(const unsigned char *msg, size_t len,
			     const char *qname, enum dns_type qtype)
{
	struct reader r = {msg, len, HEADER_LEN, false};
	unsigned flags, qd, an, ns, rcode;
	struct raw_rr *rrs;
	struct dns_answer *a;
	size_t n = 0;

	if (len < HEADER_LEN)
		return failure("short message");
	flags = (unsigned)msg[2] << 8 | msg[3];
	qd = (unsigned)msg[4] << 8 | msg[5];
	an = (unsigned)msg[6] << 8 | msg[7];
	ns = (unsigned)msg[8] << 8 | msg[9];
	rcode = flags & 0xf;
	if (flags & 0x0200)
		return failure("truncated");
	if (rcode != 0 && rcode != RCODE_NXDOMAIN)
		return failure(rcode == 2 ? "SERVFAIL" : rcode == 5 ? "REFUSED" :
			       rcode == 1 ? "FORMERR" : "error rcode");
	for (unsigned i = 0; i < qd; i++)
		if (!skip_question(&r))
			return failure("malformed question");
	/* a record takes 11 octets at least: a larger count is a lie, not a reason to allocate */
	if (an > (len - r.pos) / 11)
		return failure("malformed answer");
	rrs = calloc(an ? an : 1, sizeof *rrs);
	if (rrs == NULL)
		return NULL;
	for (; n < an; n++)
		if (!read_rr(&r, &rrs[n])) {
			free(rrs);
			return failure("malformed answer");
		}
	if (rcode == RCODE_NXDOMAIN) {
		a = dns_answer_new(DNS_NXDOMAIN, 0);
		if (a != NULL)
			a->ttl = negative_ttl(&r, ns);
	} else {
		struct reader auth = r;

		a = collect(msg, len, rrs, n, qname, qtype, negative_ttl(&auth, ns));
	}
	free(rrs);
	return a;
}

void dns_reverse_name(const struct netaddr *a, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;

	if (a->family == AF_INET) {
		snprintf(buf, len, "%u.%u.%u.%u.in-addr.arpa", a->bytes[3], a->bytes[2],
			 a->bytes[1], a->bytes[0]);
		return;
	}
	for (int i = 15; i >= 0 && o + 4 < len; i--) {
		buf[o++] = hex[a->bytes[i] & 15];
		buf[o++] = '.';
		buf[o++] = hex[a->bytes[i] >> 4];
		buf[o++] = '.';
	}
	snprintf(buf + o, len - o, "ip6.arpa");
}
