/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verifyconf.c -- the values of recipient verification's options that
 * are more than a number: the probe's sender and the inner stores.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/helo.h"
#include "daemon/verifyconf.h"

/* Names the offending item: the message a reader needs to find it. */
static const char *fail_item(char *err, size_t errlen, const char *item, const char *why)
{
	snprintf(err, errlen, "'%.100s': %s", item, why);
	return err;
}

static bool is_domain(const char *name)
{
	struct helo_info h;

	helo_classify(name, &h);
	return h.cls == HELO_FQDN || h.cls == HELO_SINGLE_LABEL;
}

/*
 * verify_sender: what goes between the brackets of MAIL FROM, so no
 * brackets, spaces or controls, and a domain (Postfix refuses a bare
 * local part from a remote client).
 */
const char *verifyconf_check_sender(const char *v)
{
	const char *at = strrchr(v, '@');

	if (v[0] == '\0')
		return NULL;
	for (const unsigned char *p = (const unsigned char *)v; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '<' || *p == '>')
			return "an address is written local@domain, without brackets, spaces or "
			       "non-ASCII bytes";
	if (at == NULL || at == v || !is_domain(at + 1))
		return "expected local@domain (or empty for the null sender)";
	return strlen(v) > 256 ? "longer than 256 characters" : NULL;
}

/* The address and port of "address", "address:port", "[v6]" or "[v6]:port". */
static bool parse_host_port(const char *text, struct netaddr *addr, unsigned *port)
{
	char host[NETADDR_STRLEN + 8];
	const char *colon = strrchr(text, ':'), *close = strchr(text, ']');
	size_t n = strlen(text);
	char *end;
	unsigned long p = 25;

	if (text[0] == '[' && close != NULL) {
		n = (size_t)(close - text) + 1;
		colon = close[1] == ':' ? close + 1 : NULL;
		if (close[1] != '\0' && colon == NULL)
			return false;
	} else if (colon != NULL && strchr(text, ':') == colon) {
		n = (size_t)(colon - text);
	} else {
		colon = NULL;           /* a bare IPv6 address: no port */
	}
	if (n >= sizeof host)
		return false;
	memcpy(host, text, n);
	host[n] = '\0';
	if (colon != NULL) {
		p = strtoul(colon + 1, &end, 10);
		if (colon[1] == '\0' || *end != '\0' || p < 1 || p > 65535)
			return false;
	}
	*port = (unsigned)p;
	return netaddr_parse(host, addr);
}

const char *verifyconf_add_relay_host(struct relay_hosts *rh, const char *item, char *err,
				      size_t errlen)
{
	const char *eq = strchr(item, '=');
	char domain[DNS_NAME_MAX + 1];
	struct relay_host entry;
	struct relay_host *grown;

	if (eq == NULL || eq == item || (size_t)(eq - item) > DNS_NAME_MAX)
		return fail_item(err, errlen, item, "expected domain=address or domain=address:port");
	memcpy(domain, item, (size_t)(eq - item));
	domain[eq - item] = '\0';
	if (!is_domain(domain))
		return fail_item(err, errlen, item, "not a domain name before '='");
	if (!parse_host_port(eq + 1, &entry.addr, &entry.port))
		return fail_item(err, errlen, item, "after '=', an IP address with an optional :port "
				 "(IPv6 in brackets)");
	for (size_t i = 0; i < rh->count; i++)
		if (strcasecmp(rh->items[i].domain, domain) == 0)
			return fail_item(err, errlen, item, "that domain is listed twice");
	grown = realloc(rh->items, (rh->count + 1) * sizeof *grown);
	if (grown == NULL)
		return "out of memory";
	rh->items = grown;
	if ((entry.domain = strdup(domain)) == NULL)
		return "out of memory";
	rh->items[rh->count++] = entry;
	return NULL;
}
