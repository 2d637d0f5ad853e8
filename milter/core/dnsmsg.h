/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dnsmsg.h -- DNS answers as the policy sees them, and the reader of
 * raw DNS messages that produces them.  The reader walks the records itself
 * because the TTLs matter for caching (RFC 2308 negative TTLs included) and
 * c-ares' parse helpers drop them.
 *
 * Three outcomes are always kept apart: an answer, a definite "no such
 * name" or "no such data", and a temporary failure.
 */
#ifndef MXP_DNSMSG_H
#define MXP_DNSMSG_H

#include <stdbool.h>
#include <stddef.h>

#include "core/netaddr.h"

enum dns_type {
	DNS_T_A = 1,
	DNS_T_CNAME = 5,
	DNS_T_SOA = 6,
	DNS_T_PTR = 12,
	DNS_T_MX = 15,
	DNS_T_AAAA = 28
};

enum dns_status {
	DNS_ANSWER,         /* records of the type asked for */
	DNS_NXDOMAIN,       /* the name does not exist */
	DNS_NODATA,         /* the name exists, without records of this type */
	DNS_TEMPFAIL        /* SERVFAIL, REFUSED, FORMERR, timeout, truncation ... */
};

/* Longest records list kept from one answer; the rest are counted only. */
#define DNS_MAX_RR 64
#define DNS_NAME_MAX 255

struct dns_rr {
	unsigned pref;              /* MX preference */
	struct netaddr addr;        /* A, AAAA */
	char *name;                 /* PTR, MX exchange ("" for the null MX) */
};

struct dns_answer {
	int refs;
	enum dns_status status;
	unsigned ttl;               /* how long it may be cached, seconds */
	char *cname;                /* a CNAME chain left dangling here: follow it */
	const char *why;            /* for DNS_TEMPFAIL: a static reason */
	size_t dropped;             /* records beyond DNS_MAX_RR */
	size_t count;
	struct dns_rr rr[];
};

/* A new answer with room for count records (names NULL, to be set). */
struct dns_answer *dns_answer_new(enum dns_status status, size_t count);
struct dns_answer *dns_answer_tempfail(const char *why, unsigned ttl);
struct dns_answer *dns_answer_ref(struct dns_answer *a);
void dns_answer_unref(struct dns_answer *a);

/*
 * Reads a DNS response to (qname, qtype).  Follows CNAMEs inside the answer
 * section; never returns NULL except when out of memory.
 */
struct dns_answer *dns_parse(const unsigned char *msg, size_t len,
			     const char *qname, enum dns_type qtype);

/* "1.2.0.192.in-addr.arpa" or the IPv6 nibble form. */
void dns_reverse_name(const struct netaddr *a, char *buf, size_t len);
const char *dns_status_name(enum dns_status s);

#endif
