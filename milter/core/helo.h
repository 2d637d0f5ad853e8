/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * helo.h -- classify a HELO/EHLO argument by RFC 5321 syntax.
 *
 * Decisions (see tests/unit/test_helo.c for the table):
 *  - one trailing dot is tolerated and stripped ("mail.example.com.");
 *  - labels follow RFC 5321 sub-domain: letters, digits and inner hyphens,
 *    at most 63 octets each, 255 octets in all; an underscore counts as a
 *    letter (Windows host names; Postfix accepts it too), so "mail_gw.example.com"
 *    is a domain for the other checks to judge;
 *  - a name whose last label is all digits and that is not an IPv4 address
 *    is a syntax error (no top-level domain is numeric, RFC 3696 section 2);
 *  - IPv4 literals are RFC 5321 Snum: leading zeros allowed, compared
 *    numerically ([127.000.001.010] is 127.0.1.10);
 *  - the "IPv6:" tag is matched case-insensitively; an IPv6 address without
 *    the tag inside brackets is a syntax error, and so is an IPv4 address
 *    after the tag ([IPv6:192.0.2.1]); the address itself is parsed
 *    as RFC 4291 text, so a "::" standing for a single group (which RFC
 *    5321's grammar forbids) is tolerated, since stacks emit it;
 *  - other General-address-literal tags are a syntax error: none is
 *    registered, so no client can own such an address.
 */
#ifndef MXP_HELO_H
#define MXP_HELO_H

#include "core/netaddr.h"

#define HELO_NAME_MAX 255

enum helo_class {
	HELO_FQDN,          /* syntactically valid domain with two or more labels */
	HELO_SINGLE_LABEL,  /* valid syntax, but one label: "localhost", "WIN-8DKQ3J2" */
	HELO_BARE_IP,       /* an IPv4 or IPv6 address without brackets */
	HELO_LITERAL,       /* [IPv4] or [IPv6:...] */
	HELO_BAD_SYNTAX     /* anything else, empty included */
};

struct helo_info {
	enum helo_class cls;
	/* lower-cased domain without the trailing dot (FQDN, SINGLE_LABEL) */
	char name[HELO_NAME_MAX + 1];
	/* the address for BARE_IP and LITERAL */
	struct netaddr addr;
	/* for BAD_SYNTAX: a short reason for the log */
	const char *why;
};

void helo_classify(const char *helo, struct helo_info *out);
const char *helo_class_name(enum helo_class cls);

#endif
