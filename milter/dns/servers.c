/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * servers.c -- the dns_servers syntax, as the engine hands it to c-ares:
 * name servers by address, with an optional port.  The daemon's config
 * parser and the audit tool's --dns-servers both check it here.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/netaddr.h"
#include "dns/dns.h"

static bool port_ok(const char *port)
{
	char *end;
	long p = strtol(port, &end, 10);

	return *port != '\0' && *end == '\0' && p >= 1 && p <= 65535;
}

/* The host part of one item, and where its port begins (NULL: none). */
static const char *split_item(const char *item, char *host, size_t hostlen,
			      const char **port)
{
	const char *colon = strchr(item, ':');
	size_t len;

	*port = NULL;
	if (item[0] == '[') {
		const char *close = strchr(item, ']');

		if (close == NULL)
			return "missing ']'";
		if (close[1] == ':')
			*port = close + 2;
		else if (close[1] != '\0')
			return "expected ':PORT' after ']'";
		len = (size_t)(close - item - 1);
		item++;
	} else if (colon != NULL && colon == strrchr(item, ':')) {
		/* one colon: ADDR:PORT; more: a bare IPv6 address */
		len = (size_t)(colon - item);
		*port = colon + 1;
	} else {
		len = strlen(item);
	}
	if (len >= hostlen)
		return "not an IP address";
	memcpy(host, item, len);
	host[len] = '\0';
	return NULL;
}

/* "192.0.2.1", "192.0.2.1:5353", "2001:db8::1", "[2001:db8::1]:53" */
static const char *check_item(const char *item)
{
	char host[NETADDR_STRLEN + 8];
	const char *port, *why = split_item(item, host, sizeof host, &port);
	struct netaddr a;

	if (why != NULL)
		return why;
	if (!netaddr_parse(host, &a))
		return "not an IP address (name servers are given by address)";
	if (port != NULL && !port_ok(port))
		return "port must be 1-65535";
	return NULL;
}

bool dns_servers_check(const char *list, char *why, size_t whylen)
{
	char *copy = strdup(list), *save = NULL;
	const char *bad = NULL;

	if (copy == NULL) {
		snprintf(why, whylen, "out of memory");
		return false;
	}
	for (char *tok = strtok_r(copy, ", \t", &save); tok != NULL;
	     tok = strtok_r(NULL, ", \t", &save)) {
		bad = check_item(tok);
		if (bad != NULL) {
			snprintf(why, whylen, "'%.100s': %s", tok, bad);
			break;
		}
	}
	free(copy);
	return bad == NULL;
}
