/*
 * policy.c -- PURE: every check, the exemptions and the precedence
 * exempt > reject > tempfail > temporary DNS error > tag > log.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "policy.h"

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

static bool is_our_name(const struct policy *pol, const struct session_facts *s,
			const struct rcpt_facts *r, const char *name)
{
	if (s->mta_name && name_equal(s->mta_name, name))
		return true;
	if (namelist_has_equal(&pol->local_names, name))
		return true;
	if (r == NULL)
		return false;
	if (r->domain && r->domain[0] && name_equal(r->domain, name))
		return true;
	return r->mx != NULL && mx_hosts_has_name(r->mx, name);
}

/* The client is an address of the name it gave: an honest name, ours or not. */
static bool helo_is_client(const struct session_facts *s)
{
	return s->have_helo_dns && s->helo_dns.matches_client == TRI_YES;
}

static enum check_result helo_impersonation(const struct policy *pol,
					    const struct session_facts *s,
					    const struct rcpt_facts *r)
{
	const struct helo_info *h = &s->helo;

	if (!s->helo_seen)
		return RESULT_NONE;
	switch (h->cls) {
	case HELO_FQDN:
	case HELO_SINGLE_LABEL:
		if (!is_our_name(pol, s, r, h->name) || helo_is_client(s))
			return RESULT_NONE;
		return RESULT_FAIL;
	case HELO_LITERAL:
	case HELO_BARE_IP:
		/* A host that names its own address is honest, even if it is ours. */
		if (s->have_client && netaddr_equal(&s->client, &h->addr))
			return RESULT_NONE;
		if (is_our_address(pol, s, &h->addr))
			return RESULT_FAIL;
		/* the address of one of the recipient domain's exchangers */
		return r && r->mx && mx_hosts_has_addr(r->mx, &h->addr) ? RESULT_FAIL : RESULT_NONE;
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

static enum check_result ptr_generic(UNUSED const struct policy *pol,
				     const struct session_facts *s,
				     UNUSED const struct rcpt_facts *r)
{
	const char *name;

	if (s->iprev == NULL)
		return RESULT_NONE;
	if (ptr_lookup_failed(s->iprev))
		return RESULT_TEMPERROR;
	name = iprev_name(s->iprev);
	return name && ptr_name_looks_generic(name, &s->client) ? RESULT_FAIL : RESULT_NONE;
}

/* A backup used while a better exchanger is up: the bypass this filter closes. */
static enum check_result backup_primary_up(const struct policy *pol,
					   const struct session_facts *s,
					   const struct rcpt_facts *r)
{
	if (r == NULL || !r->via_backup || r->primary_up == NULL)
		return RESULT_NONE;
	if (s->have_client && cidrset_contains(&pol->allow_backup_clients, &s->client))
		return RESULT_NONE;
	return RESULT_FAIL;
}

static const struct check_def checks[CHECK_COUNT] = {
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
};

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
	return names[k];
}

static const char *exemption(const struct policy *pol, const struct session_facts *s,
			     const struct rcpt_facts *r)
{
	if (s->have_client && cidrset_contains(&pol->allow_clients, &s->client))
		return "allow_clients";
	if (pol->allow_authenticated && s->authenticated)
		return "authenticated";
	/* allow_ptr trusts a name only once it is forward-confirmed */
	if (s->iprev && s->iprev->confirmed >= 0 &&
	    namelist_has_parent_of(&pol->allow_ptr, s->iprev->names[s->iprev->confirmed]))
		return "allow_ptr";
	/* our own backup relaying to us, or we to it: an MX host of the domain */
	if (pol->allow_mx_peers && r != NULL && r->mx != NULL && s->have_client &&
	    mx_hosts_has_addr(r->mx, &s->client))
		return "allow_mx_peers";
	if (r != NULL && r->address != NULL)
		for (size_t i = 0; i < pol->allow_recipients_count; i++)
			if (recipient_matches(pol->allow_recipients[i], r->address))
				return "allow_recipients";
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

static void choose_answer(const struct policy *pol, const struct rcpt_facts *r,
			  struct verdict *v)
{
	if (v->action == ACTION_REJECT || v->action == ACTION_TEMPFAIL) {
		v->decisive = first_with_action(pol, v->fired, v->action);
		v->reply = pol->checks[v->decisive].reply;
		if (v->decisive == CHECK_BACKUP_PRIMARY_UP)
			name_the_primary(&v->reply, r->primary_up);
		v->kind = v->action == ACTION_REJECT ? VERDICT_REJECT : VERDICT_TEMPFAIL;
	} else if (temperror_refuses(pol, v->temperror)) {
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

void policy_evaluate(const struct policy *pol, const struct session_facts *s,
		     const struct rcpt_facts *r, struct verdict *out)
{
	memset(out, 0, sizeof *out);
	out->decisive = -1;
	out->kind = VERDICT_ACCEPT;
	run_checks(pol, s, r, out);
	out->exempt = exemption(pol, s, r);
	if (out->exempt != NULL) {
		out->kind = VERDICT_EXEMPT;
		return;
	}
	choose_answer(pol, r, out);
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
