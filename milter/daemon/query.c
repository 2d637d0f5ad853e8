/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * query.c -- the query mode; see query.h.  A DNS recorder sits between the
 * checks and the engine, so every answer the checks read is printed as
 * evidence, in the order they first read them: an answer that two checks
 * read (the HELO name's A record is both iprev's and helodns's) is printed
 * once.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dns/dns.h"
#include "daemon/judge.h"
#include "daemon/verifier.h"
#include "core/explain.h"
#include "core/logline.h"
#include "daemon/log.h"
#include "daemon/query.h"
#include "daemon/session.h"
#include "core/tristate.h"

/* Answers kept to print each once; past that, every answer is printed. */
#define PRINTED_MAX 256

struct recorder {
	struct resolver base;
	struct timespec deadline;
	size_t nprinted;
	char *printed[PRINTED_MAX];     /* the answers printed, less their TTL */
};

struct recorded_lookup {
	struct dns_lookup *lookup;
	enum dns_type type;
	char name[DNS_NAME_MAX + 1];
};

static const char *type_name(enum dns_type t)
{
	switch (t) {
	case DNS_T_A: return "A";
	case DNS_T_AAAA: return "AAAA";
	case DNS_T_CNAME: return "CNAME";
	case DNS_T_SOA: return "SOA";
	case DNS_T_PTR: return "PTR";
	case DNS_T_MX: return "MX";
	}
	return "?";
}

static void *recorder_submit(UNUSED struct resolver *self, const char *name, enum dns_type type)
{
	struct recorded_lookup *r = calloc(1, sizeof *r);

	if (r == NULL)
		return NULL;
	r->lookup = dns_submit(name, type);
	r->type = type;
	snprintf(r->name, sizeof r->name, "%s", name);
	return r;
}

static void print_records(FILE *out, const struct dns_answer *a, enum dns_type type)
{
	for (size_t i = 0; i < a->count; i++) {
		char text[NETADDR_STRLEN];
		const struct dns_rr *rr = &a->rr[i];

		fputs(i ? ", " : " ", out);
		if (type == DNS_T_A || type == DNS_T_AAAA) {
			netaddr_format(&rr->addr, text, sizeof text);
			fputs(text, out);
		} else if (type == DNS_T_MX) {
			fprintf(out, "%u %s", rr->pref, rr->name[0] ? rr->name : ".");
		} else {
			fputs(rr->name ? rr->name : "?", out);
		}
	}
	if (a->dropped > 0)
		fprintf(out, " (and %zu more)", a->dropped);
}

/* "dns       A mail.example.org: 192.0.2.1": the answer, less its TTL. */
static void describe_answer(FILE *out, const struct recorded_lookup *r,
			    const struct dns_answer *a)
{
	fprintf(out, "dns       %s %s:", type_name(r->type), r->name);
	switch (a->status) {
	case DNS_ANSWER:
		print_records(out, a, r->type);
		break;
	case DNS_NXDOMAIN:
		fputs(" no such name (NXDOMAIN)", out);
		break;
	case DNS_NODATA:
		fputs(" no such record (NODATA)", out);
		break;
	case DNS_TEMPFAIL:
		fprintf(out, " temporary failure (%s)", a->why ? a->why : "unknown");
		break;
	}
	if (a->cname != NULL)
		fprintf(out, " -> CNAME %s", a->cname);
}

/*
 * Prints the answer unless the very same was printed before (its TTL
 * aside: a cached copy counts down); another answer to the same question,
 * after a failure, is printed too.
 */
static void print_answer(struct recorder *rec, const struct recorded_lookup *r,
			 const struct dns_answer *a)
{
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);

	if (m != NULL) {
		describe_answer(m, r, a);
		if (fclose(m) != 0) {
			free(text);
			text = NULL;
		}
	}
	for (size_t i = 0; text != NULL && i < rec->nprinted; i++)
		if (strcmp(rec->printed[i], text) == 0) {
			free(text);
			return;
		}
	if (text != NULL)
		fputs(text, stdout);
	else
		describe_answer(stdout, r, a);
	if (a->status != DNS_TEMPFAIL)
		printf(" (ttl %u)", a->ttl);
	putchar('\n');
	if (text != NULL && rec->nprinted < PRINTED_MAX)
		rec->printed[rec->nprinted++] = text;
	else
		free(text);
}

static void recorder_clear(struct recorder *rec)
{
	for (size_t i = 0; i < rec->nprinted; i++)
		free(rec->printed[i]);
	rec->nprinted = 0;
}

static struct dns_answer *recorder_collect(struct resolver *self, void *handle)
{
	struct recorder *rec = (struct recorder *)self;
	struct recorded_lookup *r = handle;
	struct dns_answer *a;

	if (r == NULL)
		return dns_answer_tempfail("out of memory", 0);
	a = r->lookup ? dns_collect(r->lookup, &rec->deadline)
		      : dns_answer_tempfail("out of memory", 0);
	if (a != NULL)
		print_answer(rec, r, a);
	free(r);
	return a;
}

/* ---- the report ------------------------------------------------------------- */

static const char *tri_name(enum tristate t)
{
	return t == TRI_YES ? "yes" : t == TRI_NO ? "no" : "temporary failure";
}

/* What each check looked at, in a few words. */
static void check_evidence(enum check_id c, const struct session *s, const struct judgement *j,
			   char *buf, size_t len)
{
	const struct session_facts *f = &s->facts;
	const char *ptr = s->iprev_gathered ? iprev_name(&s->iprev) : NULL;
	const char *iprev = s->iprev_gathered ? iprev_result_name(s->iprev.result) : "not looked up";

	switch (c) {
	case CHECK_HELO_MISSING:
		snprintf(buf, len, f->helo_seen ? "HELO given" : "no HELO");
		break;
	case CHECK_HELO_SYNTAX: case CHECK_HELO_BARE_IP: case CHECK_HELO_NOT_FQDN:
	case CHECK_HELO_LITERAL_MISMATCH:
		snprintf(buf, len, "HELO is %s%s%s", f->helo_seen ? helo_class_name(f->helo.cls) : "-",
			 f->helo.why ? ": " : "", f->helo.why ? f->helo.why : "");
		break;
	case CHECK_HELO_IMPERSONATION:
		snprintf(buf, len, "HELO against our name %s, local_names, local_addresses%s",
			 f->mta_name ? f->mta_name : "-",
			 j->rf.mx ? " and the recipient domain's exchangers" : "");
		break;
	case CHECK_HELO_UNKNOWN:
		snprintf(buf, len, "HELO name resolves: %s",
			 f->have_helo_dns ? tri_name(f->helo_dns.exists) : "not looked up");
		break;
	case CHECK_HELO_MISMATCH:
		snprintf(buf, len, "HELO name leads to the client: %s",
			 f->have_helo_dns ? tri_name(f->helo_dns.matches_client) : "not looked up");
		break;
	case CHECK_PTR_MISSING: case CHECK_PTR_UNCONFIRMED: case CHECK_PTR_GENERIC:
		snprintf(buf, len, "iprev=%s ptr=%s", iprev, ptr ? ptr : "-");
		break;
	case CHECK_BACKUP_PRIMARY_UP:
		snprintf(buf, len, "route=%s", j->route_text[0] ? j->route_text : "-");
		break;
	case CHECK_RCPT_UNVERIFIED:
		snprintf(buf, len, "verify=%.700s", j->verified ? j->verify_text : "- (not asked)");
		break;
	default:
		buf[0] = '\0';
	}
}

/* The check's evidence, and when it fired, why: one "why" line in an administrator's words. */
static void print_checks(const struct session *s, const struct query *q, const struct judgement *j)
{
	const struct verdict *v = &j->verdict;
	const struct rcpt_facts *rf = q->rcpt ? &j->rf : NULL;

	for (int c = 0; c < CHECK_COUNT; c++) {
		const struct check_setting *cs = &s->cfg->policy.checks[c];
		const char *result = "pass";
		char evidence[EVIDENCE_MAX];

		if (cs->action == ACTION_OFF)
			result = "off";
		else if (v->fired & (1u << c))
			result = "FIRED";
		else if (v->temperror & (1u << c))
			result = "temperror";
		check_evidence((enum check_id)c, s, j, evidence, sizeof evidence);
		printf("check     %-22s %-9s %-8s %s\n", check_name(c), result, action_name(cs->action),
		       evidence);
		if (!(v->fired & (1u << c)))
			continue;
		/* the decision line's evidence= where the policy gave one: the same words */
		if (c == CHECK_HELO_IMPERSONATION && v->evidence[0] != '\0')
			snprintf(evidence, sizeof evidence, "%s", v->evidence);
		else
			policy_explain(&s->cfg->policy, &s->facts, rf, (enum check_id)c, evidence,
				       sizeof evidence);
		printf("why       %-22s %s\n", check_name(c), evidence);
	}
}

static void print_decision_line(const struct session *s, const struct query *q,
				const struct judgement *j)
{
	char line[4096];
	struct decision_line d = {
		.queue_id = NULL,
		.session = s->id,
		.stage = q->rcpt ? "RCPT" : "MAIL",
		.client = s->client_text,
		.ptr = s->iprev_gathered ? iprev_name(&s->iprev) : NULL,
		.iprev = s->iprev_gathered ? iprev_result_name(s->iprev.result) : NULL,
		.iprev_src = session_iprev_source(s),     /* no MTA here: always "dns" */
		.helo = s->facts.helo_seen ? s->helo_raw : NULL,
		.from = s->from,
		.rcpt = q->rcpt,
		.rcpt_domain = j->rf.domain,
		.route = j->route_text[0] ? j->route_text : NULL,
		.verify = j->verified ? j->verify_text : NULL,
		.verdict = &j->verdict,
	};

	if (d.verify == NULL && q->rcpt != NULL &&
	    s->cfg->policy.checks[CHECK_RCPT_UNVERIFIED].action != ACTION_OFF)
		d.verify = "-";
	logline_format(&d, line, sizeof line);
	printf("log       %s\n", line);
}

static int exit_status(const struct verdict *v)
{
	switch (v->kind) {
	case VERDICT_REJECT: return QUERY_REJECT;
	case VERDICT_TEMPFAIL: return QUERY_TEMPFAIL;
	default: return QUERY_ACCEPT;
	}
}

/*
 * The filter's verification cache, when rcpt_unverified is on and the
 * filter has made it: never created here, so that a query run as root
 * cannot leave root's files where the service user must write.
 */
static void open_cache(const struct config *cfg, bool live)
{
	char data[4096], lock[4096], err[512];

	if (cfg->policy.checks[CHECK_RCPT_UNVERIFIED].action == ACTION_OFF ||
	    cfg->verify_cache_dir[0] == '\0')
		return;
	snprintf(data, sizeof data, "%s/data.mdb", cfg->verify_cache_dir);
	snprintf(lock, sizeof lock, "%s/lock.mdb", cfg->verify_cache_dir);
	if (access(data, R_OK) != 0 || access(lock, R_OK) != 0) {
		fprintf(stderr, "mxpolicy-milter: no verification cache in %s yet\n",
			cfg->verify_cache_dir);
		return;
	}
	/* -l keeps what it asks, as the filter would; else nothing is written */
	if (live ? !verifier_open(cfg->verify_cache_dir, (size_t)cfg->verify_cache_size << 20, err,
				  sizeof err)
		 : !verifier_open_readonly(cfg->verify_cache_dir, err, sizeof err))
		fprintf(stderr, "mxpolicy-milter: verification cache %s: %s\n",
			cfg->verify_cache_dir, err);
}

/* ---- the session the MTA would have set up -------------------------------------- */

static bool parse_address(const char *what, const char *text, struct netaddr *out)
{
	if (netaddr_parse(text, out))
		return true;
	fprintf(stderr, "mxpolicy-milter: %s '%s' is not an IP address\n", what, text);
	return false;
}

static struct session *query_session(struct config *cfg, const struct query *q)
{
	struct netaddr client, local;
	char host[DNS_NAME_MAX + 1] = "", from[1024];
	struct session *s;

	if (!parse_address("client", q->client, &client) ||
	    (q->local != NULL && !parse_address("local address", q->local, &local))) {
		config_release(cfg);
		return NULL;
	}
	s = session_new(cfg);
	if (s == NULL) {
		config_release(cfg);
		return NULL;
	}
	snprintf(s->id, sizeof s->id, "query");
	session_set_client(s, &client);
	session_set_local(s, q->local ? &local : NULL);
	/* The MTA's $j: -j, else this host's name, as Postfix's myhostname defaults to. */
	if (q->mta_name == NULL)
		gethostname(host, sizeof host - 1);
	/* as the MTA passes MAIL FROM's argument: in angle brackets */
	if (q->from == NULL || q->from[0] == '<')
		snprintf(from, sizeof from, "%s", q->from ? q->from : "<>");
	else
		snprintf(from, sizeof from, "<%s>", q->from);
	if (!session_set_mta_name(s, q->mta_name ? q->mta_name : host) ||
	    (q->helo[0] != '\0' && !session_set_helo(s, q->helo)) ||
	    !session_begin_transaction(s, from, false)) {
		session_free(s);
		return NULL;
	}
	return s;
}

/* What the query is about: the peer and this MTA as the filter would see them. */
static void print_peer(const struct session *s, const struct query *q)
{
	printf("client    %s\n", s->client_text);
	if (q->local != NULL) {
		char text[NETADDR_STRLEN];

		netaddr_format(&s->facts.local, text, sizeof text);
		printf("local     %s\n", text);
	} else {
		printf("local     - (give -a ADDRESS for the MX route)\n");
	}
	printf("mta       %s (%s)\n", s->mta_name,
	       q->mta_name ? "-j" : "this host's name; give -j NAME, the MTA's myhostname");
	printf("helo      %s (%s)\n", q->helo[0] ? s->helo_raw : "-",
	       q->helo[0] ? helo_class_name(s->facts.helo.cls) : "none");
	printf("from      %s%s\n", s->from, q->from ? "" : " (the null sender; give -m ADDRESS)");
	printf("rcpt      %s\n", q->rcpt ? q->rcpt : "- (judged as at MAIL FROM)");
}

static void print_outcome(const struct session *s, const struct query *q,
			  const struct judgement *j)
{
	if (s->iprev_gathered)
		printf("iprev     %s (%s)\n", iprev_result_name(s->iprev.result),
		       iprev_name(&s->iprev) ? iprev_name(&s->iprev) : "no PTR name");
	printf("route     %s\n", j->route_text[0] ? j->route_text : "- (not looked up)");
	if (j->verified)
		printf("verify    %s (%s)\n", j->verify_text,
		       q->verify_live ? "asked live (-l)" : "from the cache alone; -l asks the exchanger");
	print_checks(s, q, j);
	printf("verdict   %s", verdict_name(j->verdict.kind));
	if (j->verdict.exempt != NULL)
		printf(" (%s)", j->verdict.exempt);
	putchar('\n');
	if (j->verdict.reply.code[0] != '\0')
		printf("reply     %s %s %s\n", j->verdict.reply.code, j->verdict.reply.xcode,
		       j->verdict.reply.text);
	printf("authserv  %s (%s)\n", session_authserv_id(s),
	       s->cfg->authserv_id[0] ? "authserv_id" : "the MTA's name");
	print_decision_line(s, q, j);
}

int query_run(struct config *cfg, const struct dns_settings *ds, const struct query *q)
{
	struct recorder rec = {.base = {recorder_submit, recorder_collect}};
	struct judgement *j;
	struct session *s;
	bool exempt_client;
	int rc;

	log_open_stderr_only();
	log_set_level(cfg->log_level);
	s = query_session(cfg, q);
	if (s == NULL)
		return QUERY_ERROR;
	j = malloc(sizeof *j);
	dns_set_reporter(log_dns_report);
	if (j == NULL || !dns_start(ds)) {
		fprintf(stderr, "mxpolicy-milter: cannot start the DNS engine\n");
		free(j);
		session_free(s);
		return QUERY_ERROR;
	}
	print_peer(s, q);
	dns_deadline_in(&rec.deadline, cfg->decision_timeout_ms);
	/* Exempt clients are judged without DNS, as in the filter. */
	exempt_client = cidrset_contains(&cfg->policy.allow_clients, &s->facts.client);
	open_cache(cfg, q->verify_live);
	judge_opts(s, exempt_client ? NULL : &rec.base, q->rcpt, q->verify_live, j);
	print_outcome(s, q, j);
	verifier_close();
	verifier_close_store();
	rc = exit_status(&j->verdict);
	recorder_clear(&rec);
	dns_stop();
	free(j);
	session_free(s);
	return rc;
}
