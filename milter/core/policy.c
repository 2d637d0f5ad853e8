/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * policy.c -- every check, the exemptions and the precedence
 * exempt > reject > tempfail > temporary DNS error > tag > log.
 *
 * One rule runs through it: a check whose outcome hangs on a lookup that
 * failed temporarily is a temporary error, never fired; an exemption that
 * hangs on one is unknown, and an unknown exemption can only turn a
 * refusal into a deferral (451 4.4.3), never the other way round.
 */
#include "autoconfig.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "core/explain.h"
#include "core/policy.h"
#include "core/tristate.h"

typedef enum check_result (*check_fn)(const struct policy *pol,
				      const struct session_facts *s,
				      const struct rcpt_facts *r);

struct check_def {
	const char *name;
	enum action action;
	const char *reply;
	bool is_helo;           /* skipped for allow_helo */
	check_fn run;
};

/* The reply given when a check with a temporary DNS failure would refuse. */
static const struct reply dns_temperror_reply = {
	"451", "4.4.3", "Temporary DNS failure, try again later"
};

static enum check_result helo_missing(UNUSED const struct policy *pol,
				      const struct session_facts *s,
				      UNUSED const struct rcpt_facts *r)
{
	return s->helo_seen ? RESULT_NONE : RESULT_FAIL;
}

static enum check_result helo_is(const struct session_facts *s, enum helo_class cls)
{
	return s->helo_seen && s->helo.cls == cls ? RESULT_FAIL : RESULT_NONE;
}

static enum check_result helo_syntax(UNUSED const struct policy *pol,
				     const struct session_facts *s,
				     UNUSED const struct rcpt_facts *r)
{
	return helo_is(s, HELO_BAD_SYNTAX);
}

static enum check_result helo_bare_ip(UNUSED const struct policy *pol,
				      const struct session_facts *s,
				      UNUSED const struct rcpt_facts *r)
{
	return helo_is(s, HELO_BARE_IP);
}

static enum check_result helo_not_fqdn(UNUSED const struct policy *pol,
				       const struct session_facts *s,
				       UNUSED const struct rcpt_facts *r)
{
	return helo_is(s, HELO_SINGLE_LABEL);
}

static bool is_our_address(const struct policy *pol, const struct session_facts *s,
			   const struct netaddr *a)
{
	const struct local_addresses *la = &pol->local_addresses;

	if (s->have_local && netaddr_equal(&s->local, a))
		return true;
	for (size_t i = 0; i < la->count; i++)
		if (netaddr_equal(&la->items[i].local, a) ||
		    netaddr_equal(&la->items[i].public, a))
			return true;
	return false;
}

/* How a HELO name claims to be us; CLAIM_UNKNOWN: the exchangers could not be had. */
enum claim {
	CLAIM_NONE,
	CLAIM_MTA_NAME,
	CLAIM_LOCAL_NAME,
	CLAIM_RCPT_DOMAIN,
	CLAIM_MX_HOST,
	CLAIM_UNKNOWN
};

/* The recipient's claims first: an MX host's addresses are what the evidence shows. */
static enum claim name_claim(const struct policy *pol, const struct session_facts *s,
			     const struct rcpt_facts *r, const char *name)
{
	bool have_domain = r != NULL && r->domain != NULL && r->domain[0] != '\0';

	if (have_domain && name_equal(r->domain, name))
		return CLAIM_RCPT_DOMAIN;
	if (have_domain && r->mx != NULL && mxhosts_has_name(r->mx, name))
		return CLAIM_MX_HOST;
	if (s->mta_name && name_equal(s->mta_name, name))
		return CLAIM_MTA_NAME;
	if (namelist_has_equal(&pol->local_names, name))
		return CLAIM_LOCAL_NAME;
	/*
	 * The exchangers are unknown: a name in the recipient domain (where MX
	 * hosts are usually named) may be one of them.  Elsewhere, not guessed:
	 * treating every HELO as a possible MX host would defer all mail while
	 * the recipient domain's MX lookup fails.
	 */
	if (have_domain && r->mx != NULL && r->mx->status == TRI_TEMP &&
	    name_within(name, r->domain))
		return CLAIM_UNKNOWN;
	return CLAIM_NONE;
}

bool policy_helo_claims_ours(const struct policy *pol, const struct session_facts *s,
			     const struct rcpt_facts *r)
{
	return s->helo_seen && (s->helo.cls == HELO_FQDN || s->helo.cls == HELO_SINGLE_LABEL) &&
	       name_claim(pol, s, r, s->helo.name) != CLAIM_NONE;
}

/*
 * The client is an address of the name it gave: an honest name, ours or
 * not.  TRI_TEMP when the lookup that would tell failed.
 */
static enum tristate helo_is_client(const struct session_facts *s)
{
	return s->have_helo_dns ? s->helo_dns.matches_client : TRI_NO;
}

static enum check_result helo_name_impersonation(const struct policy *pol,
						 const struct session_facts *s,
						 const struct rcpt_facts *r)
{
	enum claim c = name_claim(pol, s, r, s->helo.name);
	enum tristate honest = helo_is_client(s);

	if (c == CLAIM_NONE || honest == TRI_YES)
		return RESULT_NONE;
	/* ours, but a failed lookup may yet show it is the client's own name */
	return c == CLAIM_UNKNOWN || honest == TRI_TEMP ? RESULT_TEMPERROR : RESULT_FAIL;
}

static enum check_result helo_literal_impersonation(const struct policy *pol,
						    const struct session_facts *s,
						    const struct rcpt_facts *r)
{
	const struct netaddr *a = &s->helo.addr;

	/* A host that names its own address is honest, even if it is ours. */
	if (s->have_client && netaddr_equal(&s->client, a))
		return RESULT_NONE;
	if (is_our_address(pol, s, a))
		return RESULT_FAIL;
	/* the address of one of the recipient domain's exchangers */
	if (r == NULL || r->mx == NULL)
		return RESULT_NONE;
	if (mxhosts_has_addr(r->mx, a))
		return RESULT_FAIL;
	return mxhosts_may_have(r->mx, a->family, UINT_MAX) ? RESULT_TEMPERROR : RESULT_NONE;
}

static enum check_result helo_impersonation(const struct policy *pol,
					    const struct session_facts *s,
					    const struct rcpt_facts *r)
{
	if (!s->helo_seen)
		return RESULT_NONE;
	switch (s->helo.cls) {
	case HELO_FQDN:
	case HELO_SINGLE_LABEL:
		return helo_name_impersonation(pol, s, r);
	case HELO_LITERAL:
	case HELO_BARE_IP:
		return helo_literal_impersonation(pol, s, r);
	case HELO_BAD_SYNTAX:
		break;
	}
	return RESULT_NONE;
}

static enum check_result helo_literal_mismatch(UNUSED const struct policy *pol,
					       const struct session_facts *s,
					       UNUSED const struct rcpt_facts *r)
{
	if (!s->helo_seen || s->helo.cls != HELO_LITERAL || !s->have_client)
		return RESULT_NONE;
	return netaddr_equal(&s->client, &s->helo.addr) ? RESULT_NONE : RESULT_FAIL;
}

static enum check_result tri_result(enum tristate t, enum tristate fail_when)
{
	if (t == TRI_TEMP)
		return RESULT_TEMPERROR;
	return t == fail_when ? RESULT_FAIL : RESULT_NONE;
}

static bool helo_has_name(const struct session_facts *s)
{
	return s->helo_seen && s->helo.cls == HELO_FQDN && s->have_helo_dns;
}

static enum check_result helo_unknown(UNUSED const struct policy *pol,
				      const struct session_facts *s,
				      UNUSED const struct rcpt_facts *r)
{
	return helo_has_name(s) ? tri_result(s->helo_dns.exists, TRI_NO) : RESULT_NONE;
}

/* Only for names that exist: a name that does not is helo_unknown's. */
static enum check_result helo_mismatch(UNUSED const struct policy *pol,
				       const struct session_facts *s,
				       UNUSED const struct rcpt_facts *r)
{
	if (!helo_has_name(s) || s->helo_dns.exists == TRI_NO)
		return RESULT_NONE;
	if (s->helo_dns.exists == TRI_TEMP)
		return RESULT_TEMPERROR;
	return tri_result(s->helo_dns.matches_client, TRI_NO);
}

/* The PTR lookup itself failed: no PTR-based check has its evidence. */
static bool ptr_lookup_failed(const struct iprev_facts *f)
{
	return f->result == IPREV_TEMPERROR && f->count == 0;
}

static enum check_result ptr_missing(UNUSED const struct policy *pol,
				     const struct session_facts *s,
				     UNUSED const struct rcpt_facts *r)
{
	if (s->iprev == NULL)
		return RESULT_NONE;
	if (ptr_lookup_failed(s->iprev))
		return RESULT_TEMPERROR;
	return s->iprev->result == IPREV_PERMERROR ? RESULT_FAIL : RESULT_NONE;
}

static enum check_result ptr_unconfirmed(UNUSED const struct policy *pol,
					 const struct session_facts *s,
					 UNUSED const struct rcpt_facts *r)
{
	if (s->iprev == NULL)
		return RESULT_NONE;
	if (s->iprev->result == IPREV_TEMPERROR)
		return RESULT_TEMPERROR;
	return s->iprev->result == IPREV_FAIL ? RESULT_FAIL : RESULT_NONE;
}

/*
 * Is the client's name generic?  With names that resolve back, it is when
 * every one of them looks generic (the RRset's order, which servers rotate,
 * does not matter); a name whose forward lookup failed may yet be one of
 * them.  With none confirmed, the first PTR name is read, or any name whose
 * lookup failed.
 */
static enum check_result generic_names(const struct session_facts *s)
{
	const struct iprev_facts *f = s->iprev;
	bool confirmed = f->confirmed >= 0, some = false, all = true;

	for (size_t i = 0; i < f->count; i++) {
		bool candidate = f->forward[i] == FORWARD_TEMP ||
				 (confirmed ? f->forward[i] == FORWARD_YES : i == 0);
		bool generic;

		if (!candidate)
			continue;
		generic = ptr_name_looks_generic(f->names[i], &s->client);
		/* a confirmed name that is not generic settles it */
		if (!generic && f->forward[i] == FORWARD_YES)
			return RESULT_NONE;
		some |= generic;
		all &= generic;
	}
	if (!some)
		return RESULT_NONE;
	return all ? RESULT_FAIL : RESULT_TEMPERROR;
}

static enum check_result ptr_generic(UNUSED const struct policy *pol,
				     const struct session_facts *s,
				     UNUSED const struct rcpt_facts *r)
{
	if (s->iprev == NULL)
		return RESULT_NONE;
	if (ptr_lookup_failed(s->iprev))
		return RESULT_TEMPERROR;
	return generic_names(s);
}

/* A backup used while a better exchanger is up: the bypass this filter closes. */
static enum check_result backup_primary_up(const struct policy *pol,
					   const struct session_facts *s,
					   const struct rcpt_facts *r)
{
	if (r == NULL)
		return RESULT_NONE;
	if (s->have_client && cidrset_contains(&pol->allow_backup_clients, &s->client))
		return RESULT_NONE;
	/* a failed lookup left the route open: it may be a backup with the primary up */
	if (r->route_uncertain && (r->primary_up != NULL || !r->via_backup))
		return RESULT_TEMPERROR;
	return r->via_backup && r->primary_up != NULL ? RESULT_FAIL : RESULT_NONE;
}

/*
 * What a better exchanger said of the recipient (verify.h): only its
 * refusal of the address fires, and only while it is fresh.  What it could not prove is a temporary
 * error only where the operator chose to defer it, and then the deferral
 * is verification's own (choose_answer), not a DNS one.
 */
static enum check_result rcpt_unverified(const struct policy *pol,
					 UNUSED const struct session_facts *s,
					 const struct rcpt_facts *r)
{
	if (r == NULL || r->verify == NULL)
		return RESULT_NONE;
	switch (r->verify->result) {
	case VERIFY_FAIL:
		/*
		 * A refusal past verify_negative_ttl, used because the primary is
		 * down, is no proof: the mailbox may exist by now.  It defers.
		 */
		return r->verify->stale ? RESULT_TEMPERROR : RESULT_FAIL;
	case VERIFY_UNKNOWN:
		return pol->verify_defer_unknown ? RESULT_TEMPERROR : RESULT_NONE;
	case VERIFY_UNAVAILABLE:
		return pol->verify_defer_unavailable ? RESULT_TEMPERROR : RESULT_NONE;
	case VERIFY_PASS:
	case VERIFY_CATCHALL:
		break;
	}
	return RESULT_NONE;
}

static const struct check_def checks[] = {
	[CHECK_HELO_MISSING] = {"helo_missing", ACTION_REJECT,
		"503 5.5.1 Send HELO or EHLO first", true, helo_missing},
	[CHECK_HELO_SYNTAX] = {"helo_syntax", ACTION_REJECT,
		"501 5.5.2 HELO/EHLO name is not a valid domain name or address literal",
		true, helo_syntax},
	[CHECK_HELO_BARE_IP] = {"helo_bare_ip", ACTION_REJECT,
		"501 5.5.2 HELO/EHLO address must be written as a literal in brackets",
		true, helo_bare_ip},
	[CHECK_HELO_NOT_FQDN] = {"helo_not_fqdn", ACTION_REJECT,
		"504 5.5.2 HELO/EHLO name must be a fully-qualified domain name",
		true, helo_not_fqdn},
	[CHECK_HELO_IMPERSONATION] = {"helo_impersonation", ACTION_REJECT,
		"550 5.7.1 HELO/EHLO name claims to be this host or domain",
		true, helo_impersonation},
	[CHECK_HELO_LITERAL_MISMATCH] = {"helo_literal_mismatch", ACTION_REJECT,
		"550 5.7.1 HELO/EHLO address literal is not your address",
		true, helo_literal_mismatch},
	[CHECK_HELO_UNKNOWN] = {"helo_unknown", ACTION_TAG,
		"550 5.7.1 HELO/EHLO name does not resolve", true, helo_unknown},
	[CHECK_HELO_MISMATCH] = {"helo_mismatch", ACTION_LOG,
		"550 5.7.1 HELO/EHLO name does not resolve to your address", true, helo_mismatch},
	[CHECK_PTR_MISSING] = {"ptr_missing", ACTION_TEMPFAIL,
		"450 4.7.25 Client host has no reverse DNS (PTR) record", false, ptr_missing},
	[CHECK_PTR_UNCONFIRMED] = {"ptr_unconfirmed", ACTION_TAG,
		"550 5.7.25 Client host reverse DNS name does not resolve to its address",
		false, ptr_unconfirmed},
	[CHECK_PTR_GENERIC] = {"ptr_generic", ACTION_TAG,
		"550 5.7.25 Client host name looks dynamic; send through your provider's relay",
		false, ptr_generic},
	[CHECK_BACKUP_PRIMARY_UP] = {"backup_primary_up", ACTION_LOG,
		"451 4.7.1 Please deliver to the primary MX", false, backup_primary_up},
	[CHECK_RCPT_UNVERIFIED] = {"rcpt_unverified", ACTION_OFF,
		"550 5.1.1 Recipient address rejected by the primary mail server", false,
		rcpt_unverified},
};
_Static_assert(sizeof checks / sizeof checks[0] == CHECK_COUNT, "a check without its entry");

const char *check_name(enum check_id id)
{
	return checks[id].name;
}

enum action check_default_action(enum check_id id)
{
	return checks[id].action;
}

const char *check_default_reply(enum check_id id)
{
	return checks[id].reply;
}

static const char *const action_names[] = {
	[ACTION_OFF] = "off", [ACTION_LOG] = "log", [ACTION_TAG] = "tag",
	[ACTION_TEMPFAIL] = "tempfail", [ACTION_REJECT] = "reject",
};
_Static_assert(sizeof action_names / sizeof action_names[0] == ACTION_COUNT,
	       "an action without its name");

const char *action_name(enum action a)
{
	return action_names[a];
}

bool action_parse(const char *text, enum action *out)
{
	for (size_t i = 0; i < sizeof action_names / sizeof action_names[0]; i++)
		if (strcmp(text, action_names[i]) == 0) {
			*out = (enum action)i;
			return true;
		}
	return false;
}

const char *verdict_name(enum verdict_kind k)
{
	static const char *const names[] = {
		[VERDICT_ACCEPT] = "accept", [VERDICT_REJECT] = "reject",
		[VERDICT_TEMPFAIL] = "tempfail", [VERDICT_EXEMPT] = "exempt",
		[VERDICT_WOULD_REJECT] = "would-reject",
		[VERDICT_WOULD_TEMPFAIL] = "would-tempfail",
	};
	_Static_assert(sizeof names / sizeof names[0] == VERDICT_COUNT, "a verdict without its name");

	return names[k];
}

/*
 * The exemptions, in order.  Each answers yes, no, or TRI_TEMP when the
 * lookup it hangs on failed: an exemption that might have applied.
 */
static enum tristate by_allow_clients(const struct policy *pol, const struct session_facts *s,
				      UNUSED const struct rcpt_facts *r)
{
	return s->have_client && cidrset_contains(&pol->allow_clients, &s->client) ? TRI_YES
										     : TRI_NO;
}

static enum tristate by_authentication(const struct policy *pol,
				       const struct session_facts *s,
				       UNUSED const struct rcpt_facts *r)
{
	return pol->allow_authenticated && s->authenticated ? TRI_YES : TRI_NO;
}

/*
 * allow_ptr trusts a name only once it is forward-confirmed: any confirmed
 * name will do, whatever the order of the RRset.
 */
static enum tristate by_allow_ptr(const struct policy *pol, const struct session_facts *s,
				  UNUSED const struct rcpt_facts *r)
{
	const struct iprev_facts *f = s->iprev;
	enum tristate t = TRI_NO;

	if (f == NULL || pol->allow_ptr.count == 0)
		return TRI_NO;
	if (f->result == IPREV_TEMPERROR && f->count == 0)
		return TRI_TEMP;        /* the PTR lookup itself failed: any name */
	for (size_t i = 0; i < f->count; i++) {
		if (f->forward[i] == FORWARD_NO ||
		    !namelist_has_parent_of(&pol->allow_ptr, f->names[i]))
			continue;
		if (f->forward[i] == FORWARD_YES)
			return TRI_YES;
		t = TRI_TEMP;
	}
	return t;
}

/* Our own backup relaying to us, or we to it: an MX host of the domain. */
static enum tristate by_mx_peer(const struct policy *pol, const struct session_facts *s,
				const struct rcpt_facts *r)
{
	if (!pol->allow_mx_peers || r == NULL || r->mx == NULL || !s->have_client)
		return TRI_NO;
	if (mxhosts_has_addr(r->mx, &s->client))
		return TRI_YES;
	return mxhosts_may_have(r->mx, s->client.family, UINT_MAX) ? TRI_TEMP : TRI_NO;
}

static enum tristate by_allow_recipients(const struct policy *pol,
					 UNUSED const struct session_facts *s,
					 const struct rcpt_facts *r)
{
	if (r == NULL || r->address == NULL)
		return TRI_NO;
	for (size_t i = 0; i < pol->allow_recipients_count; i++)
		if (recipient_matches(pol->allow_recipients[i], r->address))
			return TRI_YES;
	return TRI_NO;
}

static const struct {
	const char *name;
	enum tristate (*applies)(const struct policy *, const struct session_facts *,
				 const struct rcpt_facts *);
} exemptions[] = {
	{"allow_clients", by_allow_clients},
	{"authenticated", by_authentication},
	{"allow_ptr", by_allow_ptr},
	{"allow_mx_peers", by_mx_peer},
	{"allow_recipients", by_allow_recipients},
};

/* The exemption that applies; else, in *unknown, the first that may have. */
static const char *exemption(const struct policy *pol, const struct session_facts *s,
			     const struct rcpt_facts *r, const char **unknown)
{
	*unknown = NULL;
	for (size_t i = 0; i < sizeof exemptions / sizeof exemptions[0]; i++) {
		enum tristate t = exemptions[i].applies(pol, s, r);

		if (t == TRI_YES)
			return exemptions[i].name;
		if (t == TRI_TEMP && *unknown == NULL)
			*unknown = exemptions[i].name;
	}
	return NULL;
}

static bool helo_allowed(const struct policy *pol, const struct session_facts *s)
{
	if (s->have_client && cidrset_contains(&pol->allow_helo_clients, &s->client))
		return true;
	return s->helo_seen && s->helo.name[0] &&
	       namelist_has_parent_of(&pol->allow_helo_names, s->helo.name);
}

/* The first fired check, in table order, whose action is a. */
static int first_with_action(const struct policy *pol, unsigned mask, enum action a)
{
	for (int i = 0; i < CHECK_COUNT; i++)
		if ((mask & (1u << i)) && pol->checks[i].action == a)
			return i;
	return -1;
}

static void run_checks(const struct policy *pol, const struct session_facts *s,
		       const struct rcpt_facts *r, struct verdict *v)
{
	bool skip_helo = helo_allowed(pol, s);

	for (int i = 0; i < CHECK_COUNT; i++) {
		enum check_result res;

		if (pol->checks[i].action == ACTION_OFF || (skip_helo && checks[i].is_helo))
			continue;
		res = checks[i].run(pol, s, r);
		if (res == RESULT_FAIL) {
			v->fired |= 1u << i;
			if (pol->checks[i].action > v->action)
				v->action = pol->checks[i].action;
		} else if (res == RESULT_TEMPERROR) {
			v->temperror |= 1u << i;
		}
	}
}

/* A temporary failure matters only where the check could have refused. */
static bool temperror_refuses(const struct policy *pol, unsigned mask)
{
	for (int i = 0; i < CHECK_COUNT; i++)
		if ((mask & (1u << i)) && pol->checks[i].action >= ACTION_TEMPFAIL)
			return true;
	return false;
}

/* "Please deliver to the primary MX (mx1.example.net)" */
static void name_the_primary(struct reply *reply, const char *name)
{
	size_t len = strlen(reply->text);

	if (len + strlen(name) + 3 <= REPLY_TEXT_MAX)
		snprintf(reply->text + len, sizeof reply->text - len, " (%s)", name);
}

/*
 * The deferral of temporary errors: verification's own when it alone
 * defers (the DNS was fine, the primary could not say), else the DNS one.
 */
static struct reply temperror_reply(const struct policy *pol, unsigned mask,
				    const struct rcpt_facts *r)
{
	unsigned verify_bit = 1u << CHECK_RCPT_UNVERIFIED;
	const struct reply *own;

	if ((mask & verify_bit) && !temperror_refuses(pol, mask & ~verify_bit) &&
	    (own = verify_deferral_reply(r->verify->result)) != NULL)
		return *own;
	return dns_temperror_reply;
}

/* The decisive check's reply, with what the evidence adds to it. */
static void decisive_reply(const struct policy *pol, const struct rcpt_facts *r,
			   struct verdict *v)
{
	v->reply = pol->checks[v->decisive].reply;
	if (v->decisive == CHECK_BACKUP_PRIMARY_UP)
		name_the_primary(&v->reply, r->primary_up);
	else if (v->decisive == CHECK_RCPT_UNVERIFIED)
		verify_refusal_reply(&pol->checks[v->decisive].reply, r->verify->primary_text,
				     &v->reply);
}

static void choose_answer(const struct policy *pol, const struct rcpt_facts *r,
			  struct verdict *v)
{
	if (v->action == ACTION_REJECT || v->action == ACTION_TEMPFAIL) {
		v->decisive = first_with_action(pol, v->fired, v->action);
		decisive_reply(pol, r, v);
		v->kind = v->action == ACTION_REJECT ? VERDICT_REJECT : VERDICT_TEMPFAIL;
	} else if (temperror_refuses(pol, v->temperror)) {
		v->reply = temperror_reply(pol, v->temperror, r);
		v->kind = VERDICT_TEMPFAIL;
	}
	/* An exemption that may have applied: defer what would be refused, never refuse. */
	if (v->exempt_unknown != NULL && v->kind != VERDICT_ACCEPT) {
		v->reply = dns_temperror_reply;
		v->kind = VERDICT_TEMPFAIL;
	}
	/* In a dry run nothing is refused; the header shows what would have been. */
	for (int i = 0; i < CHECK_COUNT; i++) {
		enum action a = pol->checks[i].action;

		if ((v->fired & (1u << i)) &&
		    (a == ACTION_TAG || (pol->dry_run && a >= ACTION_TEMPFAIL)))
			v->tagged |= 1u << i;
	}
	if (pol->dry_run && v->kind != VERDICT_ACCEPT)
		v->kind = v->kind == VERDICT_REJECT ? VERDICT_WOULD_REJECT
						    : VERDICT_WOULD_TEMPFAIL;
}

/*
 * "; its addresses: 192.0.2.1,2001:db8::1" of exchanger host, last in the
 * evidence and cut with "..." when they do not all fit.
 */
static void append_addresses(const struct mx_hosts *mx, size_t host, char *buf, size_t len)
{
	const char *sep = "; its addresses: ";
	size_t o = strlen(buf);

	for (size_t i = 0; i < mx->naddrs; i++) {
		char text[NETADDR_STRLEN];
		int n;

		if (mx->addr_host[i] != host)
			continue;
		netaddr_format(&mx->addrs[i], text, sizeof text);
		n = snprintf(buf + o, len - o, "%s%s", sep, text);
		if (n < 0 || (size_t)n >= len - o) {
			/* no room: end on "..." in place of the address that did not fit */
			if (len - o > 4)
				snprintf(buf + o, len - o, "%s", *sep == ',' ? ",..." : "...");
			return;
		}
		o += (size_t)n;
		sep = ",";
	}
	if (*sep == ';')                /* none listed */
		snprintf(buf + o, len - o, "; it has no address");
}

static size_t mx_host_index(const struct mx_hosts *mx, const char *name)
{
	size_t i = 0;

	while (i < mx->count && !name_equal(mx->hosts[i].name, name))
		i++;
	return i;
}

/*
 * What helo_impersonation saw, for the decision line: the identity the HELO
 * claimed, the addresses it has and the client's, and the setting that
 * exempts a relay of ours that sends from another address (NAT, a second
 * interface, IPv6 source address selection).
 */
void policy_explain_impersonation(const struct policy *pol, const struct session_facts *s,
				  const struct rcpt_facts *r, char *buf, size_t len)
{
	static const char *const claimed[] = {
		[CLAIM_MTA_NAME] = "this MTA's name", [CLAIM_LOCAL_NAME] = "in local_names",
		[CLAIM_RCPT_DOMAIN] = "the recipient domain", [CLAIM_MX_HOST] = "an MX host of",
	};
	char client[NETADDR_STRLEN] = "unknown", helo[NETADDR_STRLEN];
	size_t o;

	enum claim c = CLAIM_NONE;

	if (s->have_client)
		netaddr_format(&s->client, client, sizeof client);
	if (s->helo.cls == HELO_LITERAL || s->helo.cls == HELO_BARE_IP) {
		netaddr_format(&s->helo.addr, helo, sizeof helo);
		snprintf(buf, len, "HELO address %s is this host's or an MX host's of %s, "
			 "not the client %s", helo, r && r->domain ? r->domain : "-", client);
	} else {
		c = name_claim(pol, s, r, s->helo.name);
		snprintf(buf, len, "HELO %s is %s%s%s, not the client %s", s->helo.name,
			 c < CLAIM_UNKNOWN ? claimed[c] : "ours", c == CLAIM_MX_HOST ? " " : "",
			 c == CLAIM_MX_HOST ? r->domain : "", client);
	}
	o = strlen(buf);
	snprintf(buf + o, len - o, "; a relay of ours: list its address in allow_clients");
	if (c == CLAIM_MX_HOST)
		append_addresses(r->mx, mx_host_index(r->mx, s->helo.name), buf, len);
}

void policy_evaluate(const struct policy *pol, const struct session_facts *s,
		     const struct rcpt_facts *r, struct verdict *out)
{
	memset(out, 0, sizeof *out);
	out->decisive = -1;
	out->kind = VERDICT_ACCEPT;
	run_checks(pol, s, r, out);
	out->exempt = exemption(pol, s, r, &out->exempt_unknown);
	if (out->exempt != NULL) {
		out->kind = VERDICT_EXEMPT;
		return;
	}
	choose_answer(pol, r, out);
	if (out->fired & (1u << CHECK_HELO_IMPERSONATION))
		policy_explain_impersonation(pol, s, r, out->evidence, sizeof out->evidence);
}

void checks_format(unsigned mask, char *buf, size_t len)
{
	size_t o = 0;

	if (len == 0)
		return;
	buf[0] = '\0';
	for (int i = 0; i < CHECK_COUNT; i++) {
		if (!(mask & (1u << i)))
			continue;
		int n = snprintf(buf + o, len - o, "%s%s", o ? "," : "", checks[i].name);
		if (n < 0 || (size_t)n >= len - o)
			break;
		o += (size_t)n;
	}
	if (o == 0)
		snprintf(buf, len, "-");
}
