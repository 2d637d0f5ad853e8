/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * netaddr.h -- IPv4 and IPv6 addresses and CIDR sets, parsed with inet_pton
 * and compared in binary.  IPv4-mapped IPv6 addresses are normalised to IPv4
 * so that "::ffff:192.0.2.1" and "192.0.2.1" are the same client.
 */
#ifndef MXP_NETADDR_H
#define MXP_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>

/* Longest text form of an address, IPv6 with embedded IPv4 included. */
#define NETADDR_STRLEN 46

struct netaddr {
	int family;                 /* AF_INET or AF_INET6 */
	unsigned char bytes[16];    /* network order; IPv4 uses the first 4 */
};

struct cidr {
	struct netaddr addr;
	unsigned prefix;            /* 0..32 or 0..128 */
};

struct cidrset {
	struct cidr *items;
	size_t count;
};

/* A local address, and the public one it stands for behind NAT. */
struct local_address {
	struct netaddr local;
	struct netaddr public;     /* == local when there is no mapping */
};

struct local_addresses {
	struct local_address *items;
	size_t count;
};

/* Plain address, optionally in [brackets] or with an "IPv6:" tag (any case). */
bool netaddr_parse(const char *text, struct netaddr *out);
bool netaddr_from_sockaddr(const struct sockaddr *sa, struct netaddr *out);
/* The other way, with a port: fills *ss and returns its length. */
socklen_t netaddr_to_sockaddr(const struct netaddr *a, unsigned port,
			      struct sockaddr_storage *ss);
bool netaddr_equal(const struct netaddr *a, const struct netaddr *b);
void netaddr_format(const struct netaddr *a, char *buf, size_t len);
/* 0.0.0.0 or :: -- a listener bound to every address, not a real one. */
bool netaddr_is_unspecified(const struct netaddr *a);
/* RFC 1918, RFC 6598 shared space and IPv6 unique-local: a sign of NAT. */
bool netaddr_is_private(const struct netaddr *a);

/* An RFC 5321 IPv4 literal: four Snum of 1-3 digits, leading zeros allowed. */
bool netaddr_parse_ipv4_snum(const char *text, size_t len, struct netaddr *out);

/* "addr" or "addr/prefix"; on failure *err says why. */
bool cidr_parse(const char *text, struct cidr *out, const char **err);
bool cidr_contains(const struct cidr *c, const struct netaddr *a);
void cidr_format(const struct cidr *c, char *buf, size_t len);

bool cidrset_add(struct cidrset *set, const struct cidr *c);
bool cidrset_contains(const struct cidrset *set, const struct netaddr *a);
void cidrset_free(struct cidrset *set);

#endif
