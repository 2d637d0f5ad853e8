/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * judge.c -- gather facts, find the route, evaluate: see judge.h.
 */
#include "autoconfig.h"

#include <string.h>
#include <syslog.h>

#include "core/helodns.h"
#include "core/iprev.h"
#include "daemon/judge.h"
#include "core/logline.h"
#include "daemon/log.h"
#include "core/names.h"
#include "daemon/probe.h"

/* A fact a failed lookup left open: asked again at the next decision. */
static bool helo_dns_open(const struct helo_dns_facts *h)
{
	return h->exists == TRI_TEMP || h->matches_client == TRI_TEMP;
}

/*
 * Once per session (the HELO facts again after a new HELO), unless a
 * lookup failed temporarily: then the next decision, with its own deadline,
 * asks again, so that one hiccup does not defer every later transaction of
 * a long session.
 */
static void gather_dns_facts(struct session *s, struct resolver *r)
{
	struct session_facts *f = &s->facts;

	if (!s->iprev_gathered && s->iprev_from_mta) {
		/* the MTA's confirmed name, taken at connect: nothing to ask */
		f->iprev = &s->iprev;
		s->iprev_gathered = true;
	} else if (!s->iprev_gathered || s->iprev.result == IPREV_TEMPERROR) {
		const char *helo = f->helo_seen && f->helo.cls == HELO_FQDN ? f->helo.name : NULL;

		iprev_gather_helo(r, &f->client, helo, (size_t)s->cfg->ptr_max_names, &s->iprev);
		f->iprev = &s->iprev;
		s->iprev_gathered = true;
		if (s->iprev.total > s->iprev.count)
			log_msg(LOG_INFO, "%s: client %s has %zu PTR names; checked %zu, the HELO's first",
				s->id, s->client_text, s->iprev.total, s->iprev.count);
	}
	if ((!s->helo_dns_gathered || helo_dns_open(&f->helo_dns)) && f->helo_seen &&
	    f->helo.cls == HELO_FQDN) {
		s->helo_dns_from_mta = !policy_helo_claims_ours(&s->cfg->policy, f, NULL) &&
				       helodns_from_mta(f->helo.name, session_mta_name(s), &f->helo_dns);
		if (!s->helo_dns_from_mta)
			helodns_gather(r, f->helo.name, &f->client, &f->helo_dns);
		f->have_helo_dns = true;
		s->helo_dns_gathered = true;
	}
}

/*
 * The MTA's word stood for the HELO name's addresses, but the name claims
 * to be this recipient's exchanger or domain: helo_impersonation, which may
 * refuse, reads DNS's answer only (the MTA's may come from its /etc/hosts).
 */
static void helo_dns_for_claim(struct session *s, struct resolver *r, const struct rcpt_facts *rf)
{
	struct session_facts *f = &s->facts;

	if (!s->helo_dns_from_mta || !policy_helo_claims_ours(&s->cfg->policy, f, rf))
		return;
	helodns_gather(r, f->helo.name, &f->client, &f->helo_dns);
	s->helo_dns_from_mta = false;
}

static void strip_brackets(const char *in, char *out, size_t len)
{
	size_t n = strlen(in);

	if (n >= 2 && in[0] == '<' && in[n - 1] == '>') {
		in++;
		n -= 2;
	}
	if (n >= len)
		n = len - 1;
	memcpy(out, in, n);
	out[n] = '\0';
}

static enum action action_of(const struct session *s, enum check_id c)
{
	return s->cfg->policy.checks[c].action;
}

/* Is a better exchanger up?  The TCP probe of backup_primary_up, shared and cached. */
static void probe_primary(const struct session *s, struct judgement *j)
{
	const struct config *cfg = s->cfg;
	struct probe_settings ps = {cfg->mx_probe_port, cfg->mx_probe_timeout_ms, cfg->mx_probe_ttl};

	j->rf.primary_up = probe_better_exchanger_up(&j->mx, j->route.our_pref, &ps);
}

/* The recipient's MX route, with a note of a null MX listed beside real ones. */
static void classify_route(const struct session *s, struct judgement *j)
{
	if (j->mx.null_mx && j->mx.count > 0) {
		char domain[4 * DNS_NAME_MAX + 1];     /* as the peer wrote it: escaped */

		logline_escape(j->rf.domain, DNS_NAME_MAX, domain, sizeof domain);
		log_msg(LOG_INFO, "%s: %s lists a null MX among other MX records; ignoring it",
			s->id, domain);
	}
	mxroute_classify(&j->mx, s->facts.have_local ? &s->facts.local : NULL,
			 &s->cfg->policy.local_addresses, &j->route);
	j->route_known = true;
	j->rf.route_uncertain = mxroute_uncertain(&j->route);
}

/*
 * Is a call-ahead worth making?  Not for an exempt client, nor for a
 * recipient another check refuses anyway (a dry run judges everything,
 * so it asks).
 */
static bool verification_wanted(struct session *s, struct judgement *j,
				const struct relay_host *relay)
{
	if (action_of(s, CHECK_RCPT_UNVERIFIED) == ACTION_OFF ||
	    !verify_applies(j->route.kind, relay != NULL) || j->rf.address == NULL ||
	    j->rf.domain == NULL || j->rf.domain[0] == '\0')
		return false;
	policy_evaluate(&s->cfg->policy, &s->facts, &j->rf, &j->verdict);
	return j->verdict.kind != VERDICT_EXEMPT && j->verdict.kind != VERDICT_REJECT &&
	       j->verdict.kind != VERDICT_TEMPFAIL;
}

/*
 * On a backup route the better exchangers are asked, from the address the
 * client reached; on a primary route, a relayed domain's inner store,
 * from whatever address the kernel picks for it.
 */
static void verify_recipient(const struct session *s, bool live, const struct relay_host *relay,
			     struct judgement *j)
{
	bool backup = j->route.kind == ROUTE_BACKUP;
	struct verifier_request rq = {
		.cfg = s->cfg, .address = j->rf.address, .domain = j->rf.domain, .mx = &j->mx,
		.our_pref = j->route.our_pref, .helo = s->facts.mta_name,
		.source = backup && s->facts.have_local ? &s->facts.local : NULL,
		.relay = backup ? NULL : relay, .cache_only = !live,
	};

	verifier_check(&rq, &j->verify);
	j->verified = true;
	j->rf.verify = &j->verify.outcome;
	verify_format(&j->verify.outcome, j->verify_text, sizeof j->verify_text);
	stats_count_verify(j->verify.outcome.result, j->verify.outcome.cached);
}

/*
 * The route of the recipient; on a backup route, whether a better
 * exchanger is up (when backup_primary_up is on) and, with
 * rcpt_unverified on, what it says of the recipient.  A call-ahead's
 * connect answers the first question too, so the TCP probe comes first
 * only when backup_primary_up could refuse, which makes a call-ahead moot
 * while the primary is up.
 */
static void find_route(struct session *s, bool live, struct judgement *j)
{
	bool via_backup, probed = false;
	const struct relay_host *relay;

	if (j->rf.mx == NULL)
		return;
	classify_route(s, j);
	relay = j->route.kind == ROUTE_PRIMARY ?
		relay_host_of(&s->cfg->verify_relay_hosts, j->rf.domain) : NULL;
	via_backup = j->route.kind == ROUTE_BACKUP &&
		     action_of(s, CHECK_BACKUP_PRIMARY_UP) != ACTION_OFF;
	j->rf.via_backup = via_backup;
	if (via_backup && action_of(s, CHECK_BACKUP_PRIMARY_UP) >= ACTION_TEMPFAIL) {
		probe_primary(s, j);
		probed = true;
	}
	if (verification_wanted(s, j, relay))
		verify_recipient(s, live, relay, j);
	if (via_backup && !probed) {
		if (j->verified && j->verify.primary_up)
			j->rf.primary_up = j->verify.exchanger;
		else
			probe_primary(s, j);
	}
	if (via_backup)
		j->route.primary_probe = j->rf.primary_up ? ROUTE_PROBE_UP : ROUTE_PROBE_DOWN;
	mxroute_format(&j->route, j->route_text, sizeof j->route_text);
}

void judge_opts(struct session *s, struct resolver *r, const char *rcpt, bool live_verify,
		struct judgement *out)
{
	memset(out, 0, sizeof *out);
	if (rcpt != NULL) {
		strip_brackets(rcpt, out->address, sizeof out->address);
		out->rf.address = out->address;
		out->rf.domain = address_domain(out->address);
	}
	if (r != NULL) {
		gather_dns_facts(s, r);
		if (out->rf.domain != NULL && out->rf.domain[0] != '\0') {
			mxhosts_gather(r, out->rf.domain, &out->mx);
			out->rf.mx = &out->mx;
		}
		helo_dns_for_claim(s, r, &out->rf);
	}
	find_route(s, live_verify, out);
	policy_evaluate(&s->cfg->policy, &s->facts, rcpt ? &out->rf : NULL, &out->verdict);
}

void judge(struct session *s, struct resolver *r, const char *rcpt, struct judgement *out)
{
	judge_opts(s, r, rcpt, true, out);
}

enum stats_route judgement_stats_route(const struct judgement *j)
{
	if (!j->route_known)
		return STATS_ROUTE_NOT_LOOKED_UP;
	switch (j->route.kind) {
	case ROUTE_PRIMARY: return STATS_ROUTE_PRIMARY;
	case ROUTE_BACKUP: return STATS_ROUTE_BACKUP;
	case ROUTE_NONE: return STATS_ROUTE_NONE;
	case ROUTE_NULLMX: return STATS_ROUTE_NULLMX;
	case ROUTE_UNKNOWN: break;
	}
	return STATS_ROUTE_UNKNOWN;
}
