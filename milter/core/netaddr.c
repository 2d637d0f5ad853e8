/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netaddr.c -- addresses and CIDRs: inet_pton in, binary prefix matching.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/netaddr.h"

static const unsigned char v4mapped_prefix[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* ::ffff:a.b.c.d is an IPv4 client that reached an IPv6 socket. */
static void normalise(struct netaddr *a)
{
	if (a->family == AF_INET6 &&
	    memcmp(a->bytes, v4mapped_prefix, sizeof v4mapped_prefix) == 0) {
		memmove(a->bytes, a->bytes + 12, 4);
		memset(a->bytes + 4, 0, 12);
		a->family = AF_INET;
	}
}

bool netaddr_parse_ipv4_snum(const char *text, size_t len, struct netaddr *out)
{
	size_t i = 0;

	memset(out, 0, sizeof *out);
	for (int part = 0; part < 4; part++) {
		unsigned value = 0;
		size_t digits = 0;

		if (part > 0) {
			if (i >= len || text[i] != '.')
				return false;
			i++;
		}
		while (i < len && isdigit((unsigned char)text[i]) && digits < 4) {
			value = value * 10 + (unsigned)(text[i] - '0');
			i++;
			digits++;
		}
		if (digits == 0 || digits > 3 || value > 255)
			return false;
		out->bytes[part] = (unsigned char)value;
	}
	if (i != len)
		return false;
	out->family = AF_INET;
	return true;
}

bool netaddr_parse(const char *text, struct netaddr *out)
{
	char buf[NETADDR_STRLEN + 8];
	size_t len = strlen(text);

	if (len >= 2 && text[0] == '[' && text[len - 1] == ']') {
		text++;
		len -= 2;
	}
	if (len > 5 && strncasecmp(text, "IPv6:", 5) == 0) {
		text += 5;
		len -= 5;
	}
	if (len == 0 || len >= sizeof buf)
		return false;
	memcpy(buf, text, len);
	buf[len] = '\0';

	memset(out, 0, sizeof *out);
	if (inet_pton(AF_INET, buf, out->bytes) == 1) {
		out->family = AF_INET;
		return true;
	}
	if (inet_pton(AF_INET6, buf, out->bytes) == 1) {
		out->family = AF_INET6;
		normalise(out);
		return true;
	}
	return false;
}

bool netaddr_from_sockaddr(const struct sockaddr *sa, struct netaddr *out)
{
	memset(out, 0, sizeof *out);
	if (sa == NULL)
		return false;
	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)(const void *)sa;

		out->family = AF_INET;
		memcpy(out->bytes, &sin->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)(const void *)sa;

		out->family = AF_INET6;
		memcpy(out->bytes, &sin6->sin6_addr, 16);
		normalise(out);
		return true;
	}
	return false;
}

socklen_t netaddr_to_sockaddr(const struct netaddr *a, unsigned port,
			      struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof *ss);
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)(void *)ss;

		sin6->sin6_family = AF_INET6;
		sin6->sin6_port = htons((uint16_t)port);
		memcpy(&sin6->sin6_addr, a->bytes, 16);
		return sizeof *sin6;
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)(void *)ss;

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)port);
		memcpy(&sin->sin_addr, a->bytes, 4);
		return sizeof *sin;
	}
}

bool netaddr_equal(const struct netaddr *a, const struct netaddr *b)
{
	if (a->family != b->family)
		return false;
	return memcmp(a->bytes, b->bytes, a->family == AF_INET ? 4 : 16) == 0;
}

void netaddr_format(const struct netaddr *a, char *buf, size_t len)
{
	if (len == 0)
		return;
	if (inet_ntop(a->family, a->bytes, buf, (socklen_t)len) == NULL)
		snprintf(buf, len, "?");
}

bool netaddr_is_unspecified(const struct netaddr *a)
{
	static const unsigned char zero[16];

	return memcmp(a->bytes, zero, a->family == AF_INET ? 4 : 16) == 0;
}

bool netaddr_is_private(const struct netaddr *a)
{
	const unsigned char *b = a->bytes;

	if (a->family == AF_INET)
		return b[0] == 10 ||
		       (b[0] == 172 && (b[1] & 0xf0) == 16) ||
		       (b[0] == 192 && b[1] == 168) ||
		       (b[0] == 100 && (b[1] & 0xc0) == 64);
	return (b[0] & 0xfe) == 0xfc;
}

bool cidr_parse(const char *text, struct cidr *out, const char **err)
{
	char buf[NETADDR_STRLEN + 16];
	const char *slash = strchr(text, '/');
	size_t alen = slash ? (size_t)(slash - text) : strlen(text);
	unsigned maxbits;

	if (alen == 0 || alen >= sizeof buf) {
		*err = "not an IP address";
		return false;
	}
	memcpy(buf, text, alen);
	buf[alen] = '\0';
	/* "[2001:db8::]/32" is how Postfix writes IPv6 networks; accept it. */
	if (!netaddr_parse(buf, &out->addr)) {
		*err = "not an IP address";
		return false;
	}
	/* Written in IPv6 form (even IPv4-mapped): the prefix counts 128 bits. */
	maxbits = strchr(buf, ':') ? 128 : 32;
	out->prefix = out->addr.family == AF_INET ? 32 : 128;
	if (slash) {
		char *end;
		long p;

		if (!isdigit((unsigned char)slash[1])) {
			*err = "prefix length is not a number";
			return false;
		}
		p = strtol(slash + 1, &end, 10);
		if (*end != '\0' || p < 0 || (unsigned long)p > maxbits) {
			*err = "prefix length out of range";
			return false;
		}
		out->prefix = (unsigned)p;
		/* An IPv4-mapped network given in IPv6 form: keep its IPv4 part. */
		if (out->addr.family == AF_INET && maxbits == 128) {
			if (p < 96) {
				*err = "prefix length out of range";
				return false;
			}
			out->prefix = (unsigned)p - 96;
		}
	}
	return true;
}

bool cidr_contains(const struct cidr *c, const struct netaddr *a)
{
	unsigned full, rest;

	if (c->addr.family != a->family)
		return false;
	full = c->prefix / 8;
	rest = c->prefix % 8;
	if (memcmp(c->addr.bytes, a->bytes, full) != 0)
		return false;
	if (rest == 0)
		return true;
	unsigned char mask = (unsigned char)(0xff << (8 - rest));
	return (c->addr.bytes[full] & mask) == (a->bytes[full] & mask);
}

void cidr_format(const struct cidr *c, char *buf, size_t len)
{
	char addr[NETADDR_STRLEN];

	netaddr_format(&c->addr, addr, sizeof addr);
	snprintf(buf, len, "%s/%u", addr, c->prefix);
}

bool cidrset_add(struct cidrset *set, const struct cidr *c)
{
	struct cidr *grown = realloc(set->items, (set->count + 1) * sizeof *grown);

	if (grown == NULL)
		return false;
	set->items = grown;
	set->items[set->count++] = *c;
	return true;
}

bool cidrset_contains(const struct cidrset *set, const struct netaddr *a)
{
	for (size_t i = 0; i < set->count; i++)
		if (cidr_contains(&set->items[i], a))
			return true;
	return false;
}

void cidrset_free(struct cidrset *set)
{
	free(set->items);
	set->items = NULL;
	set->count = 0;
}
