/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * helo.c -- RFC 5321 section 4.1.2/4.1.3 HELO argument classification.
 */
#include "autoconfig.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "core/helo.h"

#define LABEL_MAX 63

static bool is_let_dig(unsigned char c)
{
	return c < 0x80 && isalnum(c);
}

/*
 * An underscore is outside RFC 5321's sub-domain, but Windows names hosts
 * with it (mail_gw.example.com) and Postfix's reject_invalid_helo_hostname
 * accepts it: taken like a letter, so that such a name is a domain that the
 * other checks still judge, never a reason for a permanent refusal.
 */
static bool is_label_char(unsigned char c)
{
	return is_let_dig(c) || c == '_';
}

/* Checks one label; on failure sets *why. */
static bool label_ok(const char *s, size_t len, const char **why)
{
	if (len == 0) {
		*why = "empty label";
		return false;
	}
	if (len > LABEL_MAX) {
		*why = "label longer than 63 octets";
		return false;
	}
	if (!is_label_char((unsigned char)s[0]) || !is_label_char((unsigned char)s[len - 1])) {
		*why = "label must start and end with a letter or digit";
		return false;
	}
	for (size_t i = 1; i + 1 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (!is_label_char(c) && c != '-') {
			*why = "invalid character in label";
			return false;
		}
	}
	return true;
}

static bool all_digits(const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return len > 0;
}

/* Walks the labels of a domain of given length; counts them into *labels. */
static bool domain_ok(const char *s, size_t len, int *labels, const char **why)
{
	size_t start = 0;
	const char *last = s;
	size_t lastlen = 0;

	*labels = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && s[i] != '.')
			continue;
		if (!label_ok(s + start, i - start, why))
			return false;
		last = s + start;
		lastlen = i - start;
		(*labels)++;
		start = i + 1;
	}
	if (all_digits(last, lastlen)) {
		*why = "numeric top-level label";
		return false;
	}
	return true;
}

static void classify_literal(const char *in, size_t len, struct helo_info *out)
{
	const char *body = in + 1;
	size_t blen = len - 2;

	if (blen > 5 && strncasecmp(body, "IPv6:", 5) == 0) {
		/* RFC 5321 4.1.3: an IPv6 address must follow the tag, not [IPv6:192.0.2.1] */
		if (memchr(body + 5, ':', blen - 5) != NULL && netaddr_parse(in, &out->addr)) {
			out->cls = HELO_LITERAL;
			return;
		}
		out->why = "invalid IPv6 address literal";
		return;
	}
	if (netaddr_parse_ipv4_snum(body, blen, &out->addr)) {
		out->cls = HELO_LITERAL;
		return;
	}
	if (memchr(body, ':', blen) != NULL)
		out->why = "address literal without a known tag";
	else
		out->why = "invalid IPv4 address literal";
}

static bool looks_like_ip(const char *s, size_t len, struct netaddr *addr)
{
	char buf[NETADDR_STRLEN + 1];

	if (netaddr_parse_ipv4_snum(s, len, addr))
		return true;
	/* the tag belongs inside brackets: a bare "IPv6:..." is no address */
	if (len >= sizeof buf || memchr(s, ':', len) == NULL ||
	    (len >= 5 && strncasecmp(s, "IPv6:", 5) == 0))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	return netaddr_parse(buf, addr);
}

void helo_classify(const char *helo, struct helo_info *out)
{
	size_t len = helo ? strlen(helo) : 0;
	int labels;

	memset(out, 0, sizeof *out);
	out->cls = HELO_BAD_SYNTAX;
	if (len == 0) {
		out->why = "empty";
		return;
	}
	if (helo[0] == '[') {
		if (len < 3 || helo[len - 1] != ']') {
			out->why = "unterminated address literal";
			return;
		}
		classify_literal(helo, len, out);
		return;
	}
	if (looks_like_ip(helo, len, &out->addr)) {
		out->cls = HELO_BARE_IP;
		return;
	}
	/* One trailing dot names the root: tolerate it, and only one. */
	if (len > 1 && helo[len - 1] == '.')
		len--;
	if (len > HELO_NAME_MAX) {
		out->why = "longer than 255 octets";
		return;
	}
	if (!domain_ok(helo, len, &labels, &out->why))
		return;
	for (size_t i = 0; i < len; i++)
		out->name[i] = (char)tolower((unsigned char)helo[i]);
	out->name[len] = '\0';
	out->why = NULL;
	out->cls = labels >= 2 ? HELO_FQDN : HELO_SINGLE_LABEL;
}

const char *helo_class_name(enum helo_class cls)
{
	switch (cls) {
	case HELO_FQDN:
		return "fqdn";
	case HELO_SINGLE_LABEL:
		return "single-label";
	case HELO_BARE_IP:
		return "bare-ip";
	case HELO_LITERAL:
		return "literal";
	case HELO_BAD_SYNTAX:
		break;
	}
	return "bad-syntax";
}
