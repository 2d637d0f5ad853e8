/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * callbacks.c -- the xxfi_* callbacks: gather facts from the MTA into the
 * session, ask the policy for a verdict, and answer.  No decision is made
 * here; see policy.c.
 */
#include "autoconfig.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "daemon/callbacks.h"
#include "dns/dns.h"
#include "core/authres.h"
#include "core/helodns.h"
#include "core/logline.h"
#include "daemon/log.h"
#include "daemon/mta.h"
#include "daemon/judge.h"
#include "core/names.h"
#include "daemon/session.h"
#include "daemon/stats.h"

#define POLICY_HEADER "X-MX-Policy"
#define AR_HEADER "Authentication-Results"

/*
 * Macros per stage.  A list set here replaces the MTA's own for that stage,
 * so each names everything the filter reads there.  At connect, what the
 * MTA found of the client's name ({client_resolve}, {client_name},
 * Postfix's {client_ptr}): see mta_iprev.  At DATA, the queue id of the
 * lines written when the message is accepted there.
 */
static const char connect_macros[] = "j {daemon_name} {daemon_addr} {if_addr} {client_addr} "
				     "{client_resolve} {client_name} {client_ptr}";
static const char helo_macros[] = "{tls_version}";
static const char mail_macros[] = "i {auth_authen} {mail_addr}";
static const char rcpt_macros[] = "i {rcpt_addr}";
static const char data_macros[] = "i";
static const char eom_macros[] = "i";

static const struct reply internal_error_reply = {
	"451", "4.3.0", "Temporary local problem, try again later"
};

/* ---- DNS through the engine, bounded by each decision's deadline -------- */

/*
 * The resolver of one decision (one MTA command): every wait ends by
 * *deadline, decision_timeout_ms from the start of this decision, so what
 * is missing then is a temporary failure, never a Postfix milter timeout.
 * One deadline per decision, not per session: a client that keeps its
 * connection past a TTL gets the expired answers asked again, not
 * "deadline" for each of them.
 */
static struct resolver *engine_decision_resolver(struct dns_resolver *r,
						 struct timespec *deadline, long timeout_ms)
{
	dns_deadline_in(deadline, timeout_ms);
	dns_resolver_init(r, deadline);
	return &r->base;
}

struct callbacks_dns callbacks_dns = {engine_decision_resolver, dns_prefetch};

/* NULL: this session's decisions ask no DNS. */
static struct resolver *decision_resolver(const struct session *s, struct dns_resolver *r,
					  struct timespec *deadline)
{
	const struct session_facts *f = &s->facts;

	/* Exempt clients (local submission) never wait for DNS. */
	if (!f->have_client || cidrset_contains(&s->cfg->policy.allow_clients, &f->client))
		return NULL;
	return callbacks_dns.decision(r, deadline, s->cfg->decision_timeout_ms);
}

/*
 * Lookups a session starts without waiting for them: the client's PTR at
 * connect, and the first HELO name's A, AAAA and MX.  At most
 * SESSION_PREFETCHES (session.h), whatever the client sends: a thousand
 * EHLOs with new names would otherwise put three thousand questions in
 * flight.  A later HELO name is asked at the decision, which waits for it.
 */
static void session_prefetch(struct session *s, const char *name, enum dns_type type)
{
	if (s->prefetches >= SESSION_PREFETCHES)
		return;
	s->prefetches++;
	callbacks_dns.prefetch(name, type);
}

static struct session *get_session(SMFICTX *ctx)
{
	return mta_getpriv(ctx);
}

/* Creates the session on first use (negotiate, or connect for old MTAs). */
static struct session *ensure_session(SMFICTX *ctx)
{
	struct session *s = get_session(ctx);
	struct config *cfg;

	if (s != NULL)
		return s;
	cfg = config_acquire();
	s = cfg ? session_new(cfg) : NULL;
	if (s == NULL) {
		config_release(cfg);
		log_msg(LOG_ERR, "cannot create a session: out of memory");
		return NULL;
	}
	stats_count_session();
	mta_setpriv(ctx, s);
	return s;
}

/* What to return from a step that needs no answer from us. */
static sfsistat no_answer(const struct session *s, unsigned long nr_flag)
{
	return s != NULL && (s->protocol & nr_flag) ? SMFIS_NOREPLY : SMFIS_CONTINUE;
}

static sfsistat mxp_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
			      UNUSED unsigned long f2, UNUSED unsigned long f3, unsigned long *pf0,
			      unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	struct session *s = ensure_session(ctx);
	unsigned long want = MXP_PROTO_SKIP | MXP_PROTO_NOREPLY;

	/* MAIL needs an answer only when refusals are given there. */
	if (s != NULL && s->cfg->policy.enforce_at == ENFORCE_AT_RCPT)
		want |= SMFIP_NR_MAIL;
	*pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_SETSYMLIST);
	*pf1 = f1 & want;
	*pf2 = 0;
	*pf3 = 0;
	if (s != NULL)
		s->protocol = *pf1;
	if (*pf0 & SMFIF_SETSYMLIST) {
		mta_setsymlist(ctx, SMFIM_CONNECT, connect_macros);
		mta_setsymlist(ctx, SMFIM_HELO, helo_macros);
		mta_setsymlist(ctx, SMFIM_ENVFROM, mail_macros);
		mta_setsymlist(ctx, SMFIM_ENVRCPT, rcpt_macros);
		mta_setsymlist(ctx, SMFIM_DATA, data_macros);
		mta_setsymlist(ctx, SMFIM_EOM, eom_macros);
	}
	return SMFIS_CONTINUE;
}

/*
 * The local address the client reached: Sendmail's {if_addr} is the real
 * one; Postfix's {daemon_addr} is the listener's, useless when that is a
 * wildcard.
 */
static bool local_address(SMFICTX *ctx, struct netaddr *out)
{
	static const char *const macros[] = {"{if_addr}", "{daemon_addr}"};

	for (size_t i = 0; i < 2; i++) {
		const char *v = mta_getsymval(ctx, macros[i]);

		if (v != NULL && netaddr_parse(v, out) && !netaddr_is_unspecified(out))
			return true;
	}
	return false;
}

/*
 * Once per process: name the fix when the MTA gives no usable local
 * address, or a private one that local_addresses does not map (NAT), since
 * routes then cannot be known.
 */
static void warn_about_local_address(const struct session *s)
{
	static int warned_missing, warned_private;
	const struct local_addresses *map = &s->cfg->policy.local_addresses;

	if (!s->facts.have_local) {
		if (!__atomic_exchange_n(&warned_missing, 1, __ATOMIC_RELAXED))
			log_msg(LOG_WARNING, "the MTA sent neither {if_addr} nor a specific "
				"{daemon_addr}: MX routes are unknown.  Postfix: listen on specific "
				"addresses and keep {daemon_addr} in milter_connect_macros; "
				"Sendmail: add {if_addr} to confMILTER_MACROS_CONNECT");
		return;
	}
	if (!netaddr_is_private(&s->facts.local))
		return;
	for (size_t i = 0; i < map->count; i++)
		if (netaddr_equal(&map->items[i].local, &s->facts.local) &&
		    !netaddr_equal(&map->items[i].public, &s->facts.local))
			return;
	if (!__atomic_exchange_n(&warned_private, 1, __ATOMIC_RELAXED)) {
		char text[NETADDR_STRLEN];

		netaddr_format(&s->facts.local, text, sizeof text);
		log_msg(LOG_WARNING, "local address %s is private and local_addresses maps it "
			"to no public address: behind NAT, add local_addresses = %s=PUBLIC", text, text);
	}
}

/*
 * The MTA has resolved the client's PTR and forward-confirmed its first
 * name before calling us (Postfix always, Sendmail unless told not to):
 * when that settles the PTR checks (iprev_from_mta), its answer stands and
 * the filter asks no PTR or forward question.  Only for the address the
 * MTA speaks of: a {client_addr} that is another one is not believed.
 * The MTA's word may come from its /etc/hosts or from an XCLIENT peer:
 * iprev_from_mta = no is for hosts where that word is not DNS's.
 */
static bool mta_iprev(SMFICTX *ctx, struct session *s)
{
	const char *addr_text = mta_getsymval(ctx, "{client_addr}");
	struct netaddr said;

	if (!s->cfg->iprev_from_mta)
		return false;
	if (addr_text != NULL && (!netaddr_parse(addr_text, &said) ||
				  !netaddr_equal(&said, &s->facts.client)))
		return false;
	return iprev_from_mta(mta_getsymval(ctx, "{client_resolve}"),
			      mta_getsymval(ctx, "{client_name}"), &s->facts.client,
			      &s->cfg->policy.allow_ptr, &s->iprev);
}

static sfsistat mxp_connect(SMFICTX *ctx, UNUSED char *hostname, _SOCK_ADDR *hostaddr)
{
	struct session *s = ensure_session(ctx);
	struct netaddr addr;

	if (s == NULL)
		return SMFIS_CONTINUE;
	/* NULL or AF_UNIX: a local submission with no address to judge. */
	session_set_client(s, netaddr_from_sockaddr(hostaddr, &addr) ? &addr : NULL);
	if (s->facts.have_client)
		s->iprev_from_mta = mta_iprev(ctx, s);
	if (s->facts.have_client && !s->iprev_from_mta) {
		char rname[DNS_NAME_MAX + 1];

		/* Ask at once: the answer (and its forward lookups) will be needed. */
		dns_reverse_name(&s->facts.client, rname, sizeof rname);
		session_prefetch(s, rname, DNS_T_PTR);
	}
	session_set_local(s, local_address(ctx, &addr) ? &addr : NULL);
	if (s->facts.have_client)
		warn_about_local_address(s);
	if (!session_set_mta_name(s, mta_getsymval(ctx, "j")))
		s->failed = true;
	return no_answer(s, SMFIP_NR_CONN);
}

/*
 * The first FQDN HELO's A, AAAA and MX, at once (session_prefetch); none
 * for the MTA's confirmed name, whose facts it found already
 * (helodns_from_mta), unless the name claims to be ours.
 */
static void helo_prefetch(struct session *s)
{
	const char *name = s->facts.helo.name;

	if (s->facts.helo.cls != HELO_FQDN || s->helo_prefetched)
		return;
	s->helo_prefetched = true;
	if (helodns_is_mta_name(name, session_mta_name(s)) &&
	    !policy_helo_claims_ours(&s->cfg->policy, &s->facts, NULL))
		return;
	session_prefetch(s, name, DNS_T_A);
	session_prefetch(s, name, DNS_T_AAAA);
	session_prefetch(s, name, DNS_T_MX);
}

static sfsistat mxp_helo(SMFICTX *ctx, char *helohost)
{
	struct session *s = get_session(ctx);

	if (s != NULL && !session_set_helo(s, helohost ? helohost : ""))
		s->failed = true;
	if (s != NULL)
		helo_prefetch(s);
	return no_answer(s, SMFIP_NR_HELO);
}

/* verify= on each RCPT decision while rcpt_unverified is on: "-" where it did not ask. */
static const char *decision_verify(const struct session *s, const char *rcpt,
				   const struct judgement *j)
{
	if (j != NULL && j->verified)
		return j->verify_text;
	if (rcpt != NULL && s->cfg->policy.checks[CHECK_RCPT_UNVERIFIED].action != ACTION_OFF)
		return "-";
	return NULL;
}

static void log_decision(SMFICTX *ctx, const struct session *s, const char *stage,
			 const char *rcpt, const struct judgement *j, const struct verdict *v)
{
	const char *domain = j ? j->rf.domain : NULL;
	const char *route = j && j->route_text[0] ? j->route_text : NULL;
	int priority = v->kind == VERDICT_REJECT || v->kind == VERDICT_TEMPFAIL ? LOG_NOTICE
										 : LOG_INFO;
	char line[4096];
	struct decision_line d;

	if (!log_enabled(priority))
		return;                 /* under log_level: not even formatted */
	d = (struct decision_line){
		.queue_id = mta_getsymval(ctx, "i"),
		.session = s->id,
		.stage = stage,
		.client = s->facts.have_client ? s->client_text : NULL,
		.ptr = s->iprev_gathered ? iprev_name(&s->iprev) : NULL,
		.iprev = s->iprev_gathered ? iprev_result_name(s->iprev.result) : NULL,
		.iprev_src = session_iprev_source(s),
		.helo = s->facts.helo_seen ? s->helo_raw : NULL,
		.from = s->from,
		.rcpt = rcpt,
		.rcpt_domain = domain,
		.route = route,
		.verify = decision_verify(s, rcpt, j),
		.verdict = v,
	};
	logline_format(&d, line, sizeof line);
	log_line(priority, line);
}

/* The verdict for a session whose state could not be kept. */
static void internal_verdict(const struct config *cfg, struct verdict *v)
{
	memset(v, 0, sizeof *v);
	v->decisive = -1;
	v->kind = VERDICT_ACCEPT;
	if (cfg == NULL || cfg->on_internal_error == INTERNAL_ERROR_TEMPFAIL) {
		v->kind = VERDICT_TEMPFAIL;
		v->reply = internal_error_reply;
	}
}

static sfsistat answer(SMFICTX *ctx, struct session *s, const struct verdict *v)
{
	if (v->kind != VERDICT_REJECT && v->kind != VERDICT_TEMPFAIL) {
		s->tagged |= v->tagged;
		return SMFIS_CONTINUE;
	}
	if (!mta_setreply(ctx, &v->reply))
		log_msg(LOG_WARNING, "%s: the MTA refused reply \"%s %s\"; it gives its own",
			s->id, v->reply.code, v->reply.xcode);
	return v->kind == VERDICT_REJECT ? SMFIS_REJECT : SMFIS_TEMPFAIL;
}

/*
 * The working storage of a decision (some 8 kB, most of it the recipient
 * domain's exchangers): one per libmilter thread, made at its first
 * decision and freed when it ends.  On the stack, each new thread took a
 * page fault for every page of it; with each session, 1,000 sessions held
 * open would keep 1,000 of them.
 */
static pthread_key_t judgement_key;
static bool judgement_key_made;
static pthread_once_t judgement_key_once = PTHREAD_ONCE_INIT;

static void judgement_key_make(void)
{
	judgement_key_made = pthread_key_create(&judgement_key, free) == 0;
}

static struct judgement *thread_judgement(void)
{
	struct judgement *j;

	pthread_once(&judgement_key_once, judgement_key_make);
	if (!judgement_key_made)
		return NULL;
	j = pthread_getspecific(judgement_key);
	if (j == NULL && (j = malloc(sizeof *j)) != NULL &&
	    pthread_setspecific(judgement_key, j) != 0) {
		free(j);
		j = NULL;
	}
	return j;
}

/* Judges the session, for one recipient or (rcpt NULL) at MAIL. */
static sfsistat decide(SMFICTX *ctx, struct session *s, const char *stage, const char *rcpt)
{
	struct dns_resolver r;
	struct timespec deadline;
	struct judgement *j = thread_judgement();
	const char *route;

	if (j == NULL) {
		struct verdict v;

		log_msg(LOG_ERR, "%s: no memory to judge the session", s->id);
		internal_verdict(s->cfg, &v);
		if (rcpt != NULL)
			session_note_rcpt(s, rcpt, NULL, NULL, &v);
		return answer(ctx, s, &v);
	}
	judge(s, s->failed ? NULL : decision_resolver(s, &r, &deadline), rcpt, j);
	if (s->failed)
		internal_verdict(s->cfg, &j->verdict);
	route = j->route_text[0] ? j->route_text : NULL;
	stats_count_decision(&j->verdict, judgement_stats_route(j));
	log_decision(ctx, s, stage, rcpt, j, &j->verdict);
	if (rcpt != NULL)
		session_note_rcpt(s, rcpt, j->rf.domain, route, &j->verdict);
	return answer(ctx, s, &j->verdict);
}

/* No session at all (out of memory): answer per the current configuration. */
static sfsistat decide_without_session(void)
{
	struct config *cfg = config_acquire();
	bool accept = cfg && cfg->on_internal_error == INTERNAL_ERROR_ACCEPT;

	config_release(cfg);
	log_msg(LOG_ERR, "NOQUEUE: no session state; %s", accept ? "accepting" : "tempfail");
	return accept ? SMFIS_CONTINUE : SMFIS_TEMPFAIL;
}

static sfsistat mxp_envfrom(SMFICTX *ctx, char **argv)
{
	struct session *s = get_session(ctx);
	const char *auth;

	if (s == NULL)
		return decide_without_session();
	auth = mta_getsymval(ctx, "{auth_authen}");
	if (!session_begin_transaction(s, argv[0], auth != NULL && auth[0] != '\0'))
		s->failed = true;
	if (s->cfg->policy.enforce_at == ENFORCE_AT_MAIL)
		return decide(ctx, s, "MAIL", NULL);
	return no_answer(s, SMFIP_NR_MAIL);
}

static sfsistat mxp_envrcpt(SMFICTX *ctx, char **argv)
{
	struct session *s = get_session(ctx);

	if (s == NULL)
		return decide_without_session();
	return decide(ctx, s, "RCPT", argv[0]);
}

static sfsistat mxp_header(SMFICTX *ctx, char *name, char *value)
{
	struct session *s = get_session(ctx);

	if (s == NULL)
		return SMFIS_CONTINUE;
	if (strcasecmp(name, POLICY_HEADER) == 0)
		s->forged_headers++;
	else if (s->cfg->authentication_results && strcasecmp(name, AR_HEADER) == 0) {
		s->ar_seen++;
		/* only a forged iprev result under our id: OpenDKIM's dkim=pass stays */
		if (authres_claims(value, session_authserv_id(s), "iprev")) {
			if (s->ar_forged_count < AR_HEADERS_MAX)
				s->ar_forged[s->ar_forged_count++] = s->ar_seen;
			else
				s->ar_forged_overflow = true;
		}
	}
	return no_answer(s, SMFIP_NR_HDR);
}

/* RFC 8601: "Authentication-Results: id; iprev=pass policy.iprev=addr (name)" */
static void add_iprev_header(SMFICTX *ctx, const struct session *s, const char *id)
{
	char value[DNS_NAME_MAX + 200];
	const char *name;

	if (!s->iprev_gathered)
		return;
	name = iprev_name(&s->iprev);
	if (name != NULL)
		snprintf(value, sizeof value, "%s;\n\tiprev=%s policy.iprev=%s (%s)", id,
			 iprev_result_name(s->iprev.result), s->client_text, name);
	else
		snprintf(value, sizeof value, "%s;\n\tiprev=%s policy.iprev=%s", id,
			 iprev_result_name(s->iprev.result), s->client_text);
	if (!mta_insheader(ctx, 0, AR_HEADER, value))
		log_msg(LOG_WARNING, "%s: cannot add the %s header", s->id, AR_HEADER);
}

/*
 * Removes what came from outside claiming to be ours, last first so that
 * the indexes hold: every X-MX-Policy, and each Authentication-Results
 * with an iprev result under our id (never another filter's results under
 * the same id: OpenDKIM's and OpenDMARC's default id is ours too).  Then
 * adds ours.  With authentication_results off the filter neither adds an
 * Authentication-Results header nor removes one: removing forged ones is
 * then another filter's job (OpenDKIM's RemoveARAll, Postfix
 * header_checks), as it is where OpenDKIM runs with RemoveARAll.
 */
static void rewrite_headers(SMFICTX *ctx, struct session *s)
{
	const char *id = session_authserv_id(s);
	char checks[512], value[700];

	for (unsigned i = s->forged_headers; i >= 1; i--)
		if (!mta_delheader(ctx, POLICY_HEADER, (int)i))
			log_msg(LOG_WARNING, "%s: cannot remove a forged %s header",
				s->id, POLICY_HEADER);
	for (unsigned i = s->ar_forged_count; i >= 1; i--)
		if (!mta_delheader(ctx, AR_HEADER, (int)s->ar_forged[i - 1]))
			log_msg(LOG_WARNING, "%s: cannot remove a forged %s header", s->id, AR_HEADER);
	if (s->cfg->authentication_results)
		add_iprev_header(ctx, s, id);
	if (s->tagged == 0)
		return;
	checks_format(s->tagged, checks, sizeof checks);
	snprintf(value, sizeof value, "%s; checks=%s%s", id ? id : "localhost", checks,
		 s->cfg->policy.dry_run ? "; dry-run" : "");
	if (!mta_insheader(ctx, 0, POLICY_HEADER, value))
		log_msg(LOG_WARNING, "%s: cannot add the %s header", s->id, POLICY_HEADER);
}

/*
 * When the message is done with (stage EOM, or DATA when accepted there),
 * one line per recipient decided in the transaction, refused ones too,
 * under the MTA's queue id: Postfix gives i only from the first accepted
 * RCPT on, so the decision lines of a queued message may say NOQUEUE, and
 * these join ours to its lines by queue id.  No id (an MTA that does not
 * send i here): no lines.
 */
static void log_recipients(SMFICTX *ctx, const struct session *s, const char *stage)
{
	const char *queue_id = mta_getsymval(ctx, "i");
	char line[4096];

	if (queue_id == NULL || queue_id[0] == '\0' || !log_enabled(LOG_INFO))
		return;
	for (unsigned i = 0; i < s->rcpts_kept; i++) {
		const struct session_rcpt *r = s->rcpts[i];
		struct eom_line e = {
			.queue_id = queue_id,
			.stage = stage,
			.session = s->id,
			.client = s->facts.have_client ? s->client_text : NULL,
			.helo = s->facts.helo_seen ? s->helo_raw : NULL,
			.from = s->from,
			.rcpt = r->rcpt,
			.rcpt_domain = r->domain,
			.route = r->route,
			.fired = r->fired,
			.action = r->action,
			.kind = r->kind,
			.exempt = r->exempt,
			.reply = &r->reply,
		};

		logline_format_eom(&e, line, sizeof line);
		log_line(LOG_INFO, line);
	}
	if (s->rcpts_unlisted > 0) {
		logline_format_eom_unlisted(queue_id, s->id, stage, s->rcpts_unlisted, line,
					    sizeof line);
		log_line(LOG_INFO, line);
	}
}

/*
 * Nothing to decide at DATA: every recipient has been judged.  The end of
 * the message is needed only to change headers: with authentication_results
 * off and no check tagging, there is nothing to change, and accepting here
 * spares the MTA the milter's end-of-message stage (Postfix then no longer
 * hands the milter connection to cleanup: BENCHMARKS.md).  Headers are not
 * seen then, so a forged X-MX-Policy stays in such a message: it can only
 * make it look worse.  Otherwise the reply is there for the MTA
 * (callbacks.h).
 */
static sfsistat mxp_data(SMFICTX *ctx)
{
	struct session *s = get_session(ctx);

	if (s == NULL || s->cfg->authentication_results || s->tagged != 0)
		return SMFIS_CONTINUE;
	log_recipients(ctx, s, "DATA");
	session_end_transaction(s);
	return SMFIS_ACCEPT;
}

/*
 * More forged iprev claims under our id than can be indexed for removal:
 * one left in would be believed downstream, and no honest message carries
 * dozens of them, so the message is refused rather than passed on.
 */
static sfsistat refuse_overflow(SMFICTX *ctx, struct session *s)
{
	static const struct reply too_many = {
		"550", "5.7.1", "Too many forged Authentication-Results headers"
	};
	const char *qid = mta_getsymval(ctx, "i");

	log_msg(LOG_NOTICE, "%s: session=%s stage=EOM verdict=reject reason=\"more than %d "
		"forged %s headers with iprev under our authserv-id\"",
		qid && qid[0] ? qid : "NOQUEUE", s->id, AR_HEADERS_MAX, AR_HEADER);
	if (!mta_setreply(ctx, &too_many))
		log_msg(LOG_WARNING, "%s: the MTA refused reply \"550 5.7.1\"", s->id);
	session_end_transaction(s);
	return SMFIS_REJECT;
}

static sfsistat mxp_eom(SMFICTX *ctx)
{
	struct session *s = get_session(ctx);

	if (s == NULL)
		return SMFIS_CONTINUE;
	if (s->ar_forged_overflow && !s->cfg->policy.dry_run)
		return refuse_overflow(ctx, s);
	rewrite_headers(ctx, s);
	log_recipients(ctx, s, "EOM");
	session_end_transaction(s);
	return SMFIS_CONTINUE;
}

static sfsistat mxp_abort(SMFICTX *ctx)
{
	struct session *s = get_session(ctx);

	if (s != NULL)
		session_end_transaction(s);
	return SMFIS_CONTINUE;
}

static sfsistat mxp_close(SMFICTX *ctx)
{
	struct session *s = get_session(ctx);

	mta_setpriv(ctx, NULL);
	session_free(s);
	return SMFIS_CONTINUE;
}

struct smfiDesc mxp_filter = {
	.xxfi_name = (char *)"mxpolicy-milter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_SETSYMLIST,
	.xxfi_connect = mxp_connect,
	.xxfi_helo = mxp_helo,
	.xxfi_envfrom = mxp_envfrom,
	.xxfi_envrcpt = mxp_envrcpt,
	.xxfi_header = mxp_header,
	.xxfi_eoh = NULL,
	.xxfi_body = NULL,
	.xxfi_eom = mxp_eom,
	.xxfi_abort = mxp_abort,
	.xxfi_close = mxp_close,
	.xxfi_unknown = NULL,
	.xxfi_data = mxp_data,
	.xxfi_negotiate = mxp_negotiate,
};
