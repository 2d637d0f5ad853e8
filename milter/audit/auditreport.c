/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auditreport.c -- the table and the JSON of mxpolicy-audit; see
 * auditreport.h.
 */
#include "autoconfig.h"

#include <string.h>

#include "audit/auditreport.h"

/* The answer to the audit's question; the exit status adds the DNS findings. */
static const char *result_word(const struct audit_run *run)
{
	if (run->bypasses_total > 0)
		return "bypass";
	return run->incomplete ? "incomplete" : "no-bypass";
}

static const char *status_word(enum dns_status s)
{
	switch (s) {
	case DNS_ANSWER: return "answer";
	case DNS_NXDOMAIN: return "nxdomain";
	case DNS_NODATA: return "nodata";
	case DNS_TEMPFAIL: return "tempfail";
	}
	return "?";
}

/* "250 RCPT", "error CONNECT", "unreachable", "-" */
static void cell(const struct probe_result *p, char *buf, size_t len)
{
	if (p->outcome == OUTCOME_NOT_RUN)
		snprintf(buf, len, "-");
	else if (p->outcome == OUTCOME_UNREACHABLE)
		snprintf(buf, len, "unreachable");
	else if (p->outcome == OUTCOME_ERROR && p->code == 0)
		snprintf(buf, len, "error %s", probe_stage_name(p->stage));
	else
		snprintf(buf, len, "%d %s", p->code, probe_stage_name(p->stage));
}

/* ---- the table ---------------------------------------------------------------- */

/*
 * Peer text for a terminal: bytes outside printable ASCII, and '\\', as
 * \xHH (spaces kept, unlike the log's escaping), at most cap bytes.
 */
void text_escape(const char *in, size_t cap, char *out, size_t outsize)
{
	size_t o = 0;

	for (size_t i = 0; in[i] && i < cap && o + 5 < outsize; i++) {
		unsigned char c = (unsigned char)in[i];

		if (c < 0x20 || c >= 0x7f || c == '\\')
			o += (size_t)snprintf(out + o, outsize - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	out[o] = '\0';
}

static void text_zone(FILE *out, const struct audit_run *run)
{
	const struct audit_zone *z = run->zone;

	if (z->mx_status == DNS_ANSWER)
		fprintf(out, "\nMX RRset of %s (TTL %u)\n", z->domain, z->mx_ttl);
	else if (z->implicit)
		fprintf(out, "\nNo MX RRset for %s: implicit MX\n", z->domain);
	else
		fprintf(out, "\nMX of %s: %s\n", z->domain, status_word(z->mx_status));
	for (size_t i = 0; i < z->count; i++) {
		const struct audit_exchanger *x = &z->mx[i];
		char addrs[512] = "", a[NETADDR_STRLEN];
		size_t used = 0;

		for (size_t k = 0; k < x->a.count + x->aaaa.count; k++) {
			netaddr_format(k < x->a.count ? &x->a.addr[k] : &x->aaaa.addr[k - x->a.count],
				       a, sizeof a);
			if (used < sizeof addrs)
				used += (size_t)snprintf(addrs + used, sizeof addrs - used, "%s%s",
							 k ? " " : "", a);
		}
		fprintf(out, "  %5u %-32s %s\n", x->pref, x->null_mx ? "." : x->name,
			x->null_mx ? "(null MX)" : addrs[0] ? addrs : "(no address)");
	}
}

static void text_lint(FILE *out, const struct lint_report *l)
{
	fprintf(out, "\nDNS findings\n");
	if (l->count == 0)
		fprintf(out, "  none\n");
	for (size_t i = 0; i < l->count; i++) {
		const struct lint_finding *f = &l->items[i];
		char subject[DNS_NAME_MAX * 4 + 8];

		text_escape(f->subject, DNS_NAME_MAX, subject, sizeof subject);
		fprintf(out, "  %-7s %-22s %s: %s [%s]\n", lint_severity_name(f->severity),
			f->code, subject, f->text, f->ref);
	}
	if (l->dropped > 0)
		fprintf(out, "  ... and %zu more\n", l->dropped);
}

static void text_matrix(FILE *out, const struct audit_run *run)
{
	int wname = (int)strlen("exchanger"), waddr = (int)strlen("address"), wcell[PROBE_KINDS];
	char c[64], a[NETADDR_STRLEN];

	for (int k = 0; k < PROBE_KINDS; k++)
		wcell[k] = (int)strlen(probe_kind_name((enum probe_kind)k));
	for (size_t i = 0; i < run->nroutes; i++) {
		if ((int)strlen(run->routes[i].name) > wname)
			wname = (int)strlen(run->routes[i].name);
		netaddr_format(&run->routes[i].addr, a, sizeof a);
		if ((int)strlen(a) > waddr)
			waddr = (int)strlen(a);
		for (int k = 0; k < PROBE_KINDS; k++) {
			cell(&run->routes[i].results[k], c, sizeof c);
			if ((int)strlen(c) > wcell[k])
				wcell[k] = (int)strlen(c);
		}
	}
	fprintf(out, "\nProbes (reply code and stage; a 2xx at RCPT means accepted)\n");
	fprintf(out, "  %-*s %5s %-*s", wname, "exchanger", "pref", waddr, "address");
	for (int k = 0; k < PROBE_KINDS; k++)
		fprintf(out, " %-*s", k + 1 < PROBE_KINDS ? wcell[k] : 0,
			probe_kind_name((enum probe_kind)k));
	fputc('\n', out);
	for (size_t i = 0; i < run->nroutes; i++) {
		const struct audit_route *r = &run->routes[i];

		netaddr_format(&r->addr, a, sizeof a);
		fprintf(out, "  %-*s %5u %-*s", wname, r->name, r->pref, waddr, a);
		for (int k = 0; k < PROBE_KINDS; k++) {
			cell(&r->results[k], c, sizeof c);
			fprintf(out, " %-*s", k + 1 < PROBE_KINDS ? wcell[k] : 0, c);
		}
		fputc('\n', out);
	}
}

static void text_replies(FILE *out, const struct audit_run *run)
{
	fprintf(out, "\nReplies\n");
	for (size_t i = 0; i < run->nroutes; i++) {
		const struct audit_route *r = &run->routes[i];
		char a[NETADDR_STRLEN], helo[DNS_NAME_MAX * 4 + 8], text[PROBE_TEXT_MAX * 4 + 8];

		netaddr_format(&r->addr, a, sizeof a);
		for (int k = 0; k < PROBE_KINDS; k++) {
			const struct probe_result *p = &r->results[k];

			if (p->outcome == OUTCOME_NOT_RUN)
				continue;
			text_escape(p->helo, DNS_NAME_MAX, helo, sizeof helo);
			text_escape(p->text, PROBE_TEXT_MAX, text, sizeof text);
			fprintf(out, "  %s [%s] %s (HELO %s): %s at %s: ", r->name, a,
				probe_kind_name((enum probe_kind)k), helo,
				probe_outcome_name(p->outcome), probe_stage_name(p->stage));
			if (p->code)
				fprintf(out, "%d %s\n", p->code, text);
			else
				fprintf(out, "%s\n", text);
		}
	}
}

void audit_report_text(FILE *out, const struct audit_run *run)
{
	char rcpt[1024], helo[DNS_NAME_MAX * 4 + 8], note[512];
	/* no bypass, and every probe ran */
	bool complete = run->exit == AUDIT_EXIT_OK || run->exit == AUDIT_EXIT_WARNING;

	text_escape(run->rcpt, 256, rcpt, sizeof rcpt);
	text_escape(run->benign_helo ? run->benign_helo : "", DNS_NAME_MAX, helo, sizeof helo);
	fprintf(out, "mxpolicy-audit: %s, recipient %s, port %u\n", run->domain, rcpt, run->port);
	if (run->benign_helo)
		fprintf(out, "benign identity: HELO %s (%s)\n", helo, run->benign_source);
	text_zone(out, run);
	text_lint(out, run->lint);
	if (run->nroutes > 0) {
		text_matrix(out, run);
		text_replies(out, run);
	}
	fprintf(out, "\nVerdict\n");
	for (size_t i = 0; i < run->nbypasses; i++) {
		char line[1024];

		bypass_format(run->routes, &run->bypasses[i], run->domain, line, sizeof line);
		fprintf(out, "  BYPASS: %s\n", line);
	}
	if (run->bypasses_total > run->nbypasses)
		fprintf(out, "  ... and %zu more\n", run->bypasses_total - run->nbypasses);
	if (run->incomplete)
		fprintf(out, "  INCOMPLETE: %s\n", run->incomplete);
	if (audit_reference_refuses_benign(run->routes, run->nroutes, note, sizeof note))
		fprintf(out, "  NOTE: %s\n", note);
	if (complete && run->nroutes > 0 && !audit_reference_refuses_any(run->routes, run->nroutes))
		fprintf(out, "  NOTE: the most preferred exchanger refuses none of the probes: "
			"there is no policy to compare (is the recipient exempt from it?)\n");
	else if (complete && run->nroutes > 0)
		fprintf(out, "  every route refuses what the most preferred exchanger refuses\n");
	if (run->exit == AUDIT_EXIT_WARNING)
		fprintf(out, "result: %s (WARNING: %zu DNS findings of severity warning or "
			"error)\n", result_word(run), lint_to_act_on(run->lint));
	else
		fprintf(out, "result: %s (%s)\n", result_word(run), audit_exit_name(run->exit));
}

/* ---- JSON ----------------------------------------------------------------------- */

void json_string(FILE *out, const char *s)
{
	fputc('"', out);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(out, "\\%c", *p);
		else if (*p < 0x20 || *p >= 0x7f)
			fprintf(out, "\\u%04x", *p);    /* bytes as Latin-1: valid whatever came */
		else
			fputc(*p, out);
	}
	fputc('"', out);
}

static void json_key(FILE *out, const char *key, const char *value, bool comma)
{
	json_string(out, key);
	fputc(':', out);
	if (value)
		json_string(out, value);
	else
		fputs("null", out);
	if (comma)
		fputc(',', out);
}

static void json_addrs(FILE *out, const char *key, const struct audit_addrs *a)
{
	char text[NETADDR_STRLEN];

	fprintf(out, "\"%s\":{\"status\":\"%s\",\"ttl\":%u,\"addresses\":[", key,
		status_word(a->status), a->ttl);
	for (size_t i = 0; i < a->count; i++) {
		netaddr_format(&a->addr[i], text, sizeof text);
		fprintf(out, "%s\"%s\"", i ? "," : "", text);
	}
	fputs("]}", out);
}

static void json_zone(FILE *out, const struct audit_zone *z)
{
	fprintf(out, "\"mx\":{\"status\":\"%s\",\"ttl\":%u,\"implicit\":%s,\"exchangers\":[",
		status_word(z->mx_status), z->mx_ttl, z->implicit ? "true" : "false");
	for (size_t i = 0; i < z->count; i++) {
		const struct audit_exchanger *x = &z->mx[i];

		fprintf(out, "%s{\"pref\":%u,", i ? "," : "", x->pref);
		json_key(out, "name", x->null_mx ? "." : x->name, true);
		fprintf(out, "\"null_mx\":%s,", x->null_mx ? "true" : "false");
		json_key(out, "cname", x->alias ? x->alias_of : NULL, true);
		json_addrs(out, "a", &x->a);
		fputc(',', out);
		json_addrs(out, "aaaa", &x->aaaa);
		fputc('}', out);
	}
	fputs("]},", out);
}

static void json_lint(FILE *out, const struct lint_report *l)
{
	fputs("\"dns_findings\":[", out);
	for (size_t i = 0; i < l->count; i++) {
		const struct lint_finding *f = &l->items[i];

		fputs(i ? ",{" : "{", out);
		json_key(out, "severity", lint_severity_name(f->severity), true);
		json_key(out, "code", f->code, true);
		json_key(out, "subject", f->subject, true);
		json_key(out, "ref", f->ref, true);
		json_key(out, "text", f->text, false);
		fputc('}', out);
	}
	fputs("],", out);
}

static void json_probes(FILE *out, const struct audit_run *run)
{
	bool first = true;

	fputs("\"probes\":[", out);
	for (size_t i = 0; i < run->nroutes; i++) {
		const struct audit_route *r = &run->routes[i];
		char a[NETADDR_STRLEN];

		netaddr_format(&r->addr, a, sizeof a);
		for (int k = 0; k < PROBE_KINDS; k++) {
			const struct probe_result *p = &r->results[k];

			fputs(first ? "{" : ",{", out);
			first = false;
			json_key(out, "exchanger", r->name, true);
			fprintf(out, "\"pref\":%u,", r->pref);
			json_key(out, "address", a, true);
			json_key(out, "probe", probe_kind_name((enum probe_kind)k), true);
			json_key(out, "helo", p->outcome == OUTCOME_NOT_RUN ? NULL : p->helo, true);
			json_key(out, "outcome", probe_outcome_name(p->outcome), true);
			json_key(out, "stage", p->outcome == OUTCOME_NOT_RUN ? NULL
				 : probe_stage_name(p->stage), true);
			fprintf(out, "\"code\":%d,", p->code);
			json_key(out, "reply", p->text, false);
			fputc('}', out);
		}
	}
	fputs("],", out);
}

static void json_bypasses(FILE *out, const struct audit_run *run)
{
	fputs("\"bypasses\":[", out);
	for (size_t i = 0; i < run->nbypasses; i++) {
		const struct bypass *b = &run->bypasses[i];
		const struct audit_route *w = &run->routes[b->weak], *r = &run->routes[b->reference];
		char line[1024], wa[NETADDR_STRLEN], ra[NETADDR_STRLEN];

		bypass_format(run->routes, b, run->domain, line, sizeof line);
		netaddr_format(&w->addr, wa, sizeof wa);
		netaddr_format(&r->addr, ra, sizeof ra);
		fputs(i ? ",{" : "{", out);
		json_key(out, "probe", probe_kind_name(b->kind), true);
		json_key(out, "exchanger", w->name, true);
		fprintf(out, "\"pref\":%u,", w->pref);
		json_key(out, "address", wa, true);
		json_key(out, "reference", r->name, true);
		fprintf(out, "\"reference_pref\":%u,", r->pref);
		json_key(out, "reference_address", ra, true);
		json_key(out, "text", line, false);
		fputc('}', out);
	}
	fputs("],", out);
}

void audit_report_json(FILE *out, const struct audit_run *run)
{
	char note[512];

	fputc('{', out);
	json_key(out, "domain", run->domain, true);
	json_key(out, "rcpt", run->rcpt, true);
	json_key(out, "from", run->from, true);
	fprintf(out, "\"port\":%u,", run->port);
	json_key(out, "benign_helo", run->benign_helo, true);
	json_key(out, "benign_source", run->benign_source, true);
	json_zone(out, run->zone);
	json_lint(out, run->lint);
	json_probes(out, run);
	json_bypasses(out, run);
	json_key(out, "incomplete", run->incomplete, true);
	json_key(out, "note", audit_reference_refuses_benign(run->routes, run->nroutes, note,
							     sizeof note) ? note : NULL, true);
	json_key(out, "result", result_word(run), true);
	json_key(out, "status", audit_exit_name(run->exit), true);
	fprintf(out, "\"exit\":%d}\n", (int)run->exit);
}
