/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * explain.c -- why each check fired; see explain.h.  The words follow the
 * checks in policy.c: what each one read is what it names.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "core/explain.h"
#include "core/names.h"

/* The client's address as text, "unknown" without one. */
static void client_text(const struct session_facts *s, char *buf, size_t len)
{
	if (s->have_client)
		netaddr_format(&s->client, buf, len);
	else
		snprintf(buf, len, "unknown");
}

/* An address as an RFC 5321 literal: "[192.0.2.7]", "[IPv6:2001:db8::7]". */
static void literal_text(const struct netaddr *a, char *buf, size_t len)
{
	char text[NETADDR_STRLEN];

	netaddr_format(a, text, sizeof text);
	snprintf(buf, len, a->family == AF_INET6 ? "[IPv6:%s]" : "[%s]", text);
}

static void explain_helo_form(const struct session_facts *s, enum check_id c,
			      char *buf, size_t len)
{
	char literal[NETADDR_STRLEN + 8], addr[NETADDR_STRLEN];

	switch (c) {
	case CHECK_HELO_MISSING:
		snprintf(buf, len, "the client sent MAIL FROM without HELO or EHLO");
		return;
	case CHECK_HELO_SYNTAX:
		snprintf(buf, len, "the HELO is not a valid domain name or address literal: %s",
			 s->helo.why ? s->helo.why : "bad syntax");
		return;
	case CHECK_HELO_BARE_IP:
		literal_text(&s->helo.addr, literal, sizeof literal);
		netaddr_format(&s->helo.addr, addr, sizeof addr);
		snprintf(buf, len, "HELO %s is an address without brackets: RFC 5321 writes it %s",
			 addr, literal);
		return;
	case CHECK_HELO_NOT_FQDN:
		snprintf(buf, len, "HELO %s is a single label, not a fully-qualified domain name",
			 s->helo.name);
		return;
	case CHECK_HELO_LITERAL_MISMATCH:
		literal_text(&s->helo.addr, literal, sizeof literal);
		client_text(s, addr, sizeof addr);
		snprintf(buf, len, "HELO %s is not the client's address %s", literal, addr);
		return;
	default:
		return;
	}
}

static void explain_helo_dns(const struct session_facts *s, enum check_id c,
			     char *buf, size_t len)
{
	char client[NETADDR_STRLEN];

	client_text(s, client, sizeof client);
	if (c == CHECK_HELO_UNKNOWN)
		snprintf(buf, len, "HELO %s does not exist in DNS: it has no A, AAAA or MX record",
			 s->helo.name);
	else
		snprintf(buf, len, "HELO %s exists, but none of its %s records is the client's "
			 "address %s", s->helo.name,
			 s->have_client && s->client.family == AF_INET6 ? "AAAA" : "A", client);
}

static void explain_ptr(const struct session_facts *s, enum check_id c, char *buf, size_t len)
{
	const struct iprev_facts *f = s->iprev;
	const char *name = f != NULL ? iprev_name(f) : NULL;
	char client[NETADDR_STRLEN];

	client_text(s, client, sizeof client);
	if (c == CHECK_PTR_MISSING || name == NULL) {
		snprintf(buf, len, "the client %s has no reverse DNS (no PTR record): its "
			 "operator should add one; a sender of ours: list it in allow_clients", client);
	} else if (c == CHECK_PTR_UNCONFIRMED) {
		const char *type = s->client.family == AF_INET6 ? "AAAA" : "A";

		if (f->count > 1)
			snprintf(buf, len, "none of the %zu PTR names of the client %s (%s first) "
				 "resolves back to it: the %s records of one must list %s",
				 f->count, client, name, type, client);
		else
			snprintf(buf, len, "the PTR name %s of the client %s does not resolve back "
				 "to it: its %s records must list %s", name, client, type, client);
	} else {
		snprintf(buf, len, "the client's name %s looks dynamic or residential (an access "
			 "network's word, or its address, in the host part): such hosts should "
			 "send through their provider's relay; a server of ours: list its name "
			 "in allow_ptr", name);
	}
}

static void explain_backup(const struct rcpt_facts *r, char *buf, size_t len)
{
	const char *primary = r != NULL && r->primary_up != NULL ? r->primary_up : "-";
	unsigned pref = 0;

	for (size_t i = 0; r != NULL && r->mx != NULL && i < r->mx->count; i++)
		if (name_equal(r->mx->hosts[i].name, primary)) {
			pref = r->mx->hosts[i].pref;
			break;
		}
	snprintf(buf, len, "this is a backup route of %s, and %s (pref %u), a more preferred "
		 "exchanger, accepts connections: the client should deliver there; a relay of "
		 "ours that must use the backup: list it in allow_backup_clients",
		 r != NULL && r->domain != NULL ? r->domain : "-", primary, pref);
}

static void explain_unverified(const struct rcpt_facts *r, char *buf, size_t len)
{
	const struct verify_outcome *o = r != NULL ? r->verify : NULL;
	char text[REPLY_TEXT_MAX + 1] = "";
	size_t n = 0;

	/* the primary's words, as the reply quotes them: controls as '?', '"' as '\'' */
	for (const char *p = o != NULL ? o->primary_text : NULL; p && *p && n < REPLY_TEXT_MAX; p++)
		text[n++] = *p == '"' ? '\'' :
			    (unsigned char)*p < 0x20 || (unsigned char)*p > 0x7e ? '?' : *p;
	text[n] = '\0';
	snprintf(buf, len, "%s, a more preferred exchanger of %s, refused %s%s: \"%s\"; the "
		 "primary answers for its recipients: a new mailbox there is accepted once "
		 "verify_negative_ttl has passed", o != NULL && o->exchanger ? o->exchanger : "-",
		 r != NULL && r->domain ? r->domain : "-",
		 r != NULL && r->address ? r->address : "the recipient",
		 o != NULL && o->cached ? " (answer kept in the cache)" : "", text);
}

void policy_explain(const struct policy *pol, const struct session_facts *s,
		    const struct rcpt_facts *r, enum check_id c, char *buf, size_t len)
{
	if (len == 0)
		return;
	buf[0] = '\0';
	switch (c) {
	case CHECK_HELO_MISSING:
	case CHECK_HELO_SYNTAX:
	case CHECK_HELO_BARE_IP:
	case CHECK_HELO_NOT_FQDN:
	case CHECK_HELO_LITERAL_MISMATCH:
		explain_helo_form(s, c, buf, len);
		return;
	case CHECK_HELO_IMPERSONATION:
		policy_explain_impersonation(pol, s, r, buf, len);
		return;
	case CHECK_HELO_UNKNOWN:
	case CHECK_HELO_MISMATCH:
		explain_helo_dns(s, c, buf, len);
		return;
	case CHECK_PTR_MISSING:
	case CHECK_PTR_UNCONFIRMED:
	case CHECK_PTR_GENERIC:
		explain_ptr(s, c, buf, len);
		return;
	case CHECK_BACKUP_PRIMARY_UP:
		explain_backup(r, buf, len);
		return;
	case CHECK_RCPT_UNVERIFIED:
		explain_unverified(r, buf, len);
		return;
	case CHECK_COUNT:
		break;
	}
}
