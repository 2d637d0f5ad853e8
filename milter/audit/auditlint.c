/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auditlint.c -- findings about a domain's MX RRset; see auditlint.h.
 */
#include "autoconfig.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "audit/auditlint.h"
#include "core/helo.h"
#include "core/names.h"

static void add(struct lint_report *out, enum lint_severity sev, const char *code,
		const char *ref, const char *subject, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void add(struct lint_report *out, enum lint_severity sev, const char *code,
		const char *ref, const char *subject, const char *fmt, ...)
{
	struct lint_finding *f;
	va_list ap;

	if (out->count == LINT_MAX) {
		out->dropped++;
		return;
	}
	f = &out->items[out->count++];
	f->severity = sev;
	f->code = code;
	f->ref = ref;
	snprintf(f->subject, sizeof f->subject, "%s", subject);
	va_start(ap, fmt);
	vsnprintf(f->text, sizeof f->text, fmt, ap);
	va_end(ap);
}

const char *lint_severity_name(enum lint_severity s)
{
	switch (s) {
	case LINT_INFO: return "info";
	case LINT_WARNING: return "warning";
	case LINT_ERROR: return "error";
	}
	return "?";
}

size_t lint_to_act_on(const struct lint_report *l)
{
	size_t n = 0;

	for (size_t i = 0; i < l->count; i++)
		n += l->items[i].severity >= LINT_WARNING;
	return n;
}

static void lint_ttl(struct lint_report *out, const char *subject, const char *what,
		     unsigned ttl)
{
	if (ttl < AUDIT_TTL_SHORT)
		add(out, LINT_WARNING, "ttl-short", "RFC 1912 2.2", subject,
		    "%s TTL is %u s: resolvers ask again every few minutes, and a short "
		    "outage of the name servers makes mail to the domain defer sooner", what, ttl);
	else if (ttl > AUDIT_TTL_LONG)
		add(out, LINT_WARNING, "ttl-long", "RFC 1912 2.2", subject,
		    "%s TTL is %u s (over a week): a change of exchangers takes that long "
		    "to reach every sender", what, ttl);
}

/* ---- the RRset as a whole ------------------------------------------------ */

static bool has_real_exchanger(const struct audit_zone *z)
{
	for (size_t i = 0; i < z->count; i++)
		if (!z->mx[i].null_mx)
			return true;
	return false;
}

static void lint_null_mx(const struct audit_zone *z, struct lint_report *out)
{
	bool null_mx = false;

	for (size_t i = 0; i < z->count; i++) {
		if (!z->mx[i].null_mx)
			continue;
		null_mx = true;
		if (z->mx[i].pref != 0)
			add(out, LINT_WARNING, "mx-null-pref", "RFC 7505 3", z->domain,
			    "the null MX has preference %u; it should be 0", z->mx[i].pref);
	}
	if (!null_mx)
		return;
	if (has_real_exchanger(z))
		add(out, LINT_ERROR, "mx-null-mixed", "RFC 7505 3", z->domain,
		    "a null MX (\"MX 0 .\") next to other MX records: a domain that accepts "
		    "no mail must publish the null MX alone, and senders may bounce mail "
		    "that the other exchangers would take");
	else
		add(out, LINT_INFO, "mx-null", "RFC 7505", z->domain,
		    "null MX: the domain declares that it accepts no mail; there is no route to audit");
}

static void lint_rrset(const struct audit_zone *z, struct lint_report *out)
{
	switch (z->mx_status) {
	case DNS_TEMPFAIL:
		add(out, LINT_ERROR, "mx-tempfail", "RFC 2308 7", z->domain,
		    "the MX question failed temporarily (%s): senders queue and retry, "
		    "and the audit cannot go on", z->mx_why ? z->mx_why : "no answer");
		return;
	case DNS_NXDOMAIN:
		add(out, LINT_ERROR, "domain-nxdomain", "RFC 5321 5.1", z->domain,
		    "the domain does not exist (NXDOMAIN): mail to it bounces");
		return;
	case DNS_NODATA:
		add(out, LINT_WARNING, "mx-implicit", "RFC 5321 5.1", z->domain,
		    "no MX records: senders fall back to the domain's own address "
		    "(implicit MX); publish an MX RRset, or a null MX if it takes no mail");
		break;
	case DNS_ANSWER:
		lint_ttl(out, z->domain, "the MX RRset's", z->mx_ttl);
		break;
	}
	if (z->dropped > 0)
		add(out, LINT_INFO, "mx-many", "RFC 5321 5.1", z->domain,
		    "%zu MX records beyond the first %d were not examined",
		    z->dropped, AUDIT_MX_MAX);
	lint_null_mx(z, out);
}

/* ---- each exchanger ---------------------------------------------------- */

/* Lints the name itself; false when it is no host name at all. */
static bool lint_name(const struct audit_exchanger *x, struct lint_report *out)
{
	struct helo_info h;
	struct netaddr a;

	if (netaddr_parse(x->name, &a)) {
		add(out, LINT_ERROR, "mx-ip-literal", "RFC 1035 3.3.9", x->name,
		    "the exchanger is an IP address, not a host name: senders look it up "
		    "as a name and, finding no address, skip it or bounce");
		return false;
	}
	helo_classify(x->name, &h);
	/* the HELO classifier tolerates what clients send; an MX name is held to RFC 5321 */
	if (h.cls != HELO_BAD_SYNTAX && strchr(x->name, '_') != NULL)
		h = (struct helo_info){.cls = HELO_BAD_SYNTAX, .why = "underscore in a label"};
	if (h.cls == HELO_BAD_SYNTAX) {
		add(out, LINT_ERROR, "mx-name-syntax", "RFC 5321 2.3.5", x->name,
		    "not a valid host name (%s)", h.why ? h.why : "syntax");
		return false;
	}
	if (h.cls == HELO_SINGLE_LABEL)
		add(out, LINT_WARNING, "mx-single-label", "RFC 5321 2.3.5", x->name,
		    "a single-label exchanger name: senders resolve it, if at all, "
		    "relative to their own search list");
	return true;
}

static const char *status_words(enum dns_status s)
{
	return s == DNS_NXDOMAIN ? "the name does not exist" : "no A or AAAA record";
}

static void lint_addresses(const struct audit_zone *z, const struct audit_exchanger *x,
			   struct lint_report *out)
{
	const struct audit_addrs *a = &x->a, *aaaa = &x->aaaa;

	if (a->status == DNS_TEMPFAIL || aaaa->status == DNS_TEMPFAIL || x->alias_temp)
		add(out, LINT_WARNING, "mx-lookup-tempfail", "RFC 2308 7", x->name,
		    "a question about the exchanger failed temporarily (%s): not fully checked",
		    a->status == DNS_TEMPFAIL && a->why ? a->why
		    : aaaa->status == DNS_TEMPFAIL && aaaa->why ? aaaa->why : "no answer");
	if (a->count + aaaa->count == 0 && a->status != DNS_TEMPFAIL &&
	    aaaa->status != DNS_TEMPFAIL)
		add(out, LINT_ERROR, z->implicit ? "mx-implicit-no-address" : "mx-no-address",
		    "RFC 5321 5.1", x->name, "%s: %s",
		    z->implicit ? "no MX and no address, the domain cannot receive mail"
				: "senders skip this exchanger",
		    a->status == DNS_NXDOMAIN ? status_words(DNS_NXDOMAIN)
					      : status_words(DNS_NODATA));
	if (a->count > 0)
		lint_ttl(out, x->name, "the A RRset's", a->ttl);
	if (aaaa->count > 0)
		lint_ttl(out, x->name, "the AAAA RRset's", aaaa->ttl);
}

static void lint_alias(const struct audit_exchanger *x, struct lint_report *out)
{
	if (x->alias)
		add(out, LINT_ERROR, "mx-cname", "RFC 2181 10.3", x->name,
		    "the exchanger is an alias (CNAME) of %s: an MX must name the host "
		    "itself; some senders refuse to follow the alias, and the name the "
		    "host greets with will not match", x->alias_of[0] ? x->alias_of : "another name");
}

/* Same name listed before: one finding at its second listing, true then. */
static bool lint_duplicate(const struct audit_zone *z, size_t i, struct lint_report *out)
{
	const struct audit_exchanger *x = &z->mx[i];

	for (size_t j = 0; j < i; j++) {
		if (z->mx[j].null_mx || strcmp(z->mx[j].name, x->name) != 0)
			continue;
		if (z->mx[j].pref == x->pref)
			add(out, LINT_WARNING, "mx-duplicate", "RFC 2181 5", x->name,
			    "listed twice at preference %u", x->pref);
		else
			add(out, LINT_WARNING, "mx-duplicate", "RFC 5321 5.1", x->name,
			    "listed at preferences %u and %u: senders try it at the more "
			    "preferred one only, so it backs nothing up", z->mx[j].pref, x->pref);
		return true;
	}
	return false;
}

static bool shares(const struct audit_addrs *p, const struct audit_addrs *q,
		   struct netaddr *which)
{
	for (size_t i = 0; i < p->count; i++)
		for (size_t k = 0; k < q->count; k++)
			if (netaddr_equal(&p->addr[i], &q->addr[k])) {
				*which = p->addr[i];
				return true;
			}
	return false;
}

static void lint_shared_address(const struct audit_zone *z, size_t i, struct lint_report *out)
{
	const struct audit_exchanger *x = &z->mx[i];

	for (size_t j = 0; j < i; j++) {
		const struct audit_exchanger *y = &z->mx[j];
		struct netaddr a;
		char text[NETADDR_STRLEN];

		if (y->null_mx || strcmp(y->name, x->name) == 0)
			continue;
		if (shares(&x->a, &y->a, &a) || shares(&x->aaaa, &y->aaaa, &a)) {
			netaddr_format(&a, text, sizeof text);
			add(out, LINT_INFO, "mx-shared-address", "RFC 5321 5.1", x->name,
			    "has address %s, as %s does: one host under two names, "
			    "which backs nothing up", text, y->name);
			return;
		}
	}
}

/* ---- third-party backups --------------------------------------------- */

static unsigned lowest_pref(const struct audit_zone *z)
{
	unsigned low = ~0u;

	for (size_t i = 0; i < z->count; i++)
		if (!z->mx[i].null_mx && z->mx[i].pref < low)
			low = z->mx[i].pref;
	return low;
}

/*
 * A backup whose registrable domain is neither the domain's nor that of
 * a most-preferred exchanger: someone else runs it, with their policy.
 */
static void lint_third_party(const struct audit_zone *z, registrable_fn registrable,
			     void *ctx, struct lint_report *out)
{
	char own[DNS_NAME_MAX + 1], theirs[DNS_NAME_MAX + 1], primary[DNS_NAME_MAX + 1];
	unsigned low = lowest_pref(z);

	if (registrable == NULL || registrable(ctx, z->domain, own, sizeof own) == NULL)
		return;
	for (size_t i = 0; i < z->count; i++) {
		const struct audit_exchanger *x = &z->mx[i];
		bool same_as_primary = false;

		if (x->null_mx || x->pref == low ||
		    registrable(ctx, x->name, theirs, sizeof theirs) == NULL ||
		    strcmp(theirs, own) == 0)
			continue;
		for (size_t j = 0; j < z->count && !same_as_primary; j++)
			same_as_primary = !z->mx[j].null_mx && z->mx[j].pref == low &&
				registrable(ctx, z->mx[j].name, primary, sizeof primary) != NULL &&
				strcmp(primary, theirs) == 0;
		if (!same_as_primary)
			add(out, LINT_WARNING, "mx-third-party-backup", "RFC 5321 5.1", x->name,
			    "backup exchanger (pref %u) in %s, not %s: a third party runs it; "
			    "unless it enforces your policy it is the bypass this audit looks for",
			    x->pref, theirs, own);
	}
}

void audit_lint(const struct audit_zone *z, registrable_fn registrable, void *ctx,
		struct lint_report *out)
{
	memset(out, 0, sizeof *out);
	lint_rrset(z, out);
	if (z->mx_status != DNS_ANSWER && z->mx_status != DNS_NODATA)
		return;
	for (size_t i = 0; i < z->count; i++) {
		const struct audit_exchanger *x = &z->mx[i];

		if (x->null_mx)
			continue;
		if (lint_duplicate(z, i, out) || (!z->implicit && !lint_name(x, out)))
			continue;
		lint_alias(x, out);
		lint_addresses(z, x, out);
		lint_shared_address(z, i, out);
	}
	lint_third_party(z, registrable, ctx, out);
}
