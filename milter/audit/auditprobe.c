/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auditprobe.c -- probe identities, SMTP replies and the bypass
 * verdict; see auditprobe.h.
 */
#include "autoconfig.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "audit/auditprobe.h"

const char *probe_kind_name(enum probe_kind k)
{
	switch (k) {
	case PROBE_BENIGN: return "benign";
	case PROBE_NOT_FQDN: return "non-fqdn-helo";
	case PROBE_BARE_IP: return "bare-ip-helo";
	case PROBE_FOREIGN_LITERAL: return "foreign-literal-helo";
	case PROBE_IMPERSONATION: return "impersonation-helo";
	case PROBE_KINDS: break;
	}
	return "?";
}

const char *probe_kind_words(enum probe_kind k)
{
	switch (k) {
	case PROBE_BENIGN: return "the benign identity";
	case PROBE_NOT_FQDN: return "a non-FQDN HELO";
	case PROBE_BARE_IP: return "a bare-IP HELO";
	case PROBE_FOREIGN_LITERAL: return "an address-literal HELO that is not the client's address";
	case PROBE_IMPERSONATION: return "a HELO impersonating";
	case PROBE_KINDS: break;
	}
	return "?";
}

/*
 * TEST-NET addresses (RFC 5737, RFC 3849) for the foreign literal: never
 * the prober's own, unless the prober sits on that very address.
 */
static void foreign_literal(const struct netaddr *local, char *buf, size_t len)
{
	struct netaddr a;
	const char *v4[2] = {"192.0.2.1", "192.0.2.2"}, *v6[2] = {"2001:db8::1", "2001:db8::2"};
	const char **pick = local->family == AF_INET6 ? v6 : v4;
	int i = 0;

	if (netaddr_parse(pick[0], &a) && netaddr_equal(&a, local))
		i = 1;
	snprintf(buf, len, local->family == AF_INET6 ? "[IPv6:%s]" : "[%s]", pick[i]);
}

void probe_helo(enum probe_kind k, const char *benign, const struct netaddr *local,
		const char *domain, char *buf, size_t len)
{
	switch (k) {
	case PROBE_BENIGN:
		snprintf(buf, len, "%s", benign);
		return;
	case PROBE_NOT_FQDN:
		snprintf(buf, len, "%s", PROBE_SINGLE_LABEL);
		return;
	case PROBE_BARE_IP:
		netaddr_format(local, buf, len);
		return;
	case PROBE_FOREIGN_LITERAL:
		foreign_literal(local, buf, len);
		return;
	case PROBE_IMPERSONATION:
	case PROBE_KINDS:
		snprintf(buf, len, "%s", domain);
		return;
	}
}

const char *probe_stage_name(enum probe_stage s)
{
	switch (s) {
	case STAGE_CONNECT: return "CONNECT";
	case STAGE_HELO: return "HELO";
	case STAGE_MAIL: return "MAIL";
	case STAGE_RCPT: return "RCPT";
	}
	return "?";
}

const char *probe_outcome_name(enum probe_outcome o)
{
	switch (o) {
	case OUTCOME_ACCEPTED: return "accepted";
	case OUTCOME_REFUSED: return "refused";
	case OUTCOME_DEFERRED: return "deferred";
	case OUTCOME_ERROR: return "error";
	case OUTCOME_UNREACHABLE: return "unreachable";
	case OUTCOME_NOT_RUN: return "not-run";
	}
	return "?";
}

enum probe_outcome probe_outcome_of(int code)
{
	if (code >= 200 && code < 400)
		return OUTCOME_ACCEPTED;
	if (code >= 400 && code < 500)
		return OUTCOME_DEFERRED;
	if (code >= 500 && code < 600)
		return OUTCOME_REFUSED;
	return OUTCOME_ERROR;
}

/* ---- SMTP replies ---------------------------------------------------------- */

void smtp_reply_init(struct smtp_reply *r)
{
	memset(r, 0, sizeof *r);
}

static bool reply_malformed(struct smtp_reply *r)
{
	r->malformed = true;
	r->done = true;
	return true;
}

/*
 * RFC 5321 4.2: "NNN-text" continues, "NNN text" or "NNN" ends; every
 * line carries the same code.
 */
bool smtp_reply_feed(struct smtp_reply *r, const char *line, size_t len)
{
	int code;

	if (r->done)
		return true;
	if (len < 3 || !isdigit((unsigned char)line[0]) || !isdigit((unsigned char)line[1]) ||
	    !isdigit((unsigned char)line[2]) || line[0] < '2' || line[0] > '5' ||
	    (len > 3 && line[3] != ' ' && line[3] != '-'))
		return reply_malformed(r);
	code = (line[0] - '0') * 100 + (line[1] - '0') * 10 + (line[2] - '0');
	if (r->lines > 0 && code != r->code)
		return reply_malformed(r);
	if (r->lines == 0) {
		size_t n = len > 4 ? len - 4 : 0;

		if (n >= sizeof r->text)
			n = sizeof r->text - 1;
		if (n > 0)
			memcpy(r->text, line + 4, n);
		r->text[n] = '\0';
	}
	r->code = code;
	if (++r->lines > SMTP_REPLY_MAX_LINES)
		return reply_malformed(r);
	if (len == 3 || line[3] == ' ')
		r->done = true;
	return r->done;
}

/* ---- the verdict ------------------------------------------------------------- */

const char *audit_exit_name(enum audit_exit e)
{
	switch (e) {
	case AUDIT_EXIT_OK: return "OK";
	case AUDIT_EXIT_WARNING: return "WARNING";
	case AUDIT_EXIT_CRITICAL: return "CRITICAL";
	case AUDIT_EXIT_UNKNOWN: break;
	}
	return "UNKNOWN";
}

unsigned audit_reference_pref(const struct audit_route *routes, size_t n)
{
	unsigned low = ~0u;

	for (size_t i = 0; i < n; i++)
		if (routes[i].pref < low)
			low = routes[i].pref;
	return low;
}

static bool refuses(const struct probe_result *r)
{
	return r->outcome == OUTCOME_REFUSED || r->outcome == OUTCOME_DEFERRED;
}

/* A reference route refusing probe k. */
static bool reference_refuses(const struct audit_route *r, unsigned low, enum probe_kind k)
{
	return r->pref == low && refuses(&r->results[k]);
}

bool audit_reference_refuses_any(const struct audit_route *routes, size_t n)
{
	unsigned low = audit_reference_pref(routes, n);

	for (size_t i = 0; i < n; i++)
		for (int k = PROBE_BENIGN + 1; k < PROBE_KINDS; k++)
			if (routes[i].pref == low && refuses(&routes[i].results[k]))
				return true;
	return false;
}

size_t audit_find_bypasses(const struct audit_route *routes, size_t n,
			   struct bypass *out, size_t max)
{
	unsigned low = audit_reference_pref(routes, n);
	size_t found = 0;

	for (int k = 0; k < PROBE_KINDS; k++) {
		size_t ref;

		for (ref = 0; ref < n; ref++)
			if (reference_refuses(&routes[ref], low, (enum probe_kind)k))
				break;
		if (ref == n)
			continue;
		for (size_t w = 0; w < n; w++) {
			if (routes[w].results[k].outcome != OUTCOME_ACCEPTED)
				continue;
			if (found < max)
				out[found] = (struct bypass){w, ref, (enum probe_kind)k};
			found++;
		}
	}
	return found;
}

void bypass_format(const struct audit_route *routes, const struct bypass *b,
		   const char *domain, char *buf, size_t len)
{
	const struct audit_route *w = &routes[b->weak], *r = &routes[b->reference];
	char wa[NETADDR_STRLEN], ra[NETADDR_STRLEN];

	netaddr_format(&w->addr, wa, sizeof wa);
	netaddr_format(&r->addr, ra, sizeof ra);
	snprintf(buf, len, "%s (pref %u) accepts %s%s%s that %s (pref %u) refuses: "
		 "%s route is a bypass (%s vs %s)",
		 w->name, w->pref, probe_kind_words(b->kind),
		 b->kind == PROBE_IMPERSONATION ? " " : "",
		 b->kind == PROBE_IMPERSONATION ? domain : "",
		 r->name, r->pref, w->pref > r->pref ? "backup" : "equal-preference", wa, ra);
}

bool audit_incomplete(const struct audit_route *routes, size_t n, char *why, size_t len)
{
	if (n == 0) {
		snprintf(why, len, "no exchanger address to probe");
		return true;
	}
	for (size_t i = 0; i < n; i++)
		for (int k = 0; k < PROBE_KINDS; k++) {
			const struct probe_result *p = &routes[i].results[k];
			char a[NETADDR_STRLEN];

			if (p->outcome != OUTCOME_ERROR && p->outcome != OUTCOME_UNREACHABLE &&
			    p->outcome != OUTCOME_NOT_RUN)
				continue;
			netaddr_format(&routes[i].addr, a, sizeof a);
			if (p->outcome == OUTCOME_UNREACHABLE)
				snprintf(why, len, "%s [%s] is unreachable (%s): its probes could "
					 "not run", routes[i].name, a, p->text);
			else
				snprintf(why, len, "the %s probe of %s [%s] could not run: %s",
					 probe_kind_name((enum probe_kind)k), routes[i].name, a,
					 p->text);
			return true;
		}
	return false;
}

bool audit_reference_refuses_benign(const struct audit_route *routes, size_t n,
				    char *why, size_t len)
{
	unsigned low = audit_reference_pref(routes, n);
	bool benign_ok = false, refused = false, deferred = false;

	for (size_t i = 0; i < n; i++) {
		const struct probe_result *b = &routes[i].results[PROBE_BENIGN];

		if (routes[i].pref != low)
			continue;
		benign_ok |= b->outcome == OUTCOME_ACCEPTED;
		refused |= refuses(b);
		deferred |= b->outcome == OUTCOME_DEFERRED;
	}
	if (!refused || benign_ok)
		return false;
	snprintf(why, len, "the most preferred exchanger refuses the benign identity too, so "
		 "its refusals of the other probes say little: check --rcpt, --from and the "
		 "prober's reverse DNS (or give --helo)%s",
		 deferred ? "; a 4xx may be greylisting: run the audit again later" : "");
	return true;
}
