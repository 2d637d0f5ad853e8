/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * audit.c -- mxpolicy-audit: proves from outside, the way a spammer would
 * look for the weak route, that every MX route of a domain enforces the
 * same policy.  It lints the MX RRset, then opens SMTP to every address of
 * every exchanger and runs a few probe sessions that stop before DATA,
 * and reports a route that accepts at RCPT what the most preferred
 * exchanger refuses.  The pieces: auditzone (DNS facts), auditlint,
 * auditprobe (identities, replies, verdict), auditsmtp (the sessions),
 * auditreport (table, JSON).
 */
#include "autoconfig.h"

#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <libpsl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "audit/auditlint.h"
#include "audit/auditprobe.h"
#include "audit/auditreport.h"
#include "audit/auditsmtp.h"
#include "audit/auditzone.h"
#include "dns/dns.h"
#include "core/helo.h"
#include "core/iprev.h"
#include "core/names.h"


struct audit_opts {
	const char *domain_arg;
	char domain[DNS_NAME_MAX + 1];
	const char *rcpt;
	const char *from;
	const char *helo;
	unsigned port;
	struct netaddr source[2];       /* [0] IPv4, [1] IPv6 */
	bool have_source[2];
	const char *dns_servers;
	int timeout_ms;
	long interval_ms;
	bool json;
	bool only4, only6;
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: mxpolicy-audit --rcpt ADDRESS [--port N] [--source ADDR]\n"
		"                      [--dns-servers LIST] [--timeout S] [--json] DOMAIN\n"
		"  --rcpt ADDRESS      a real recipient at DOMAIN (postmaster@ and abuse@\n"
		"                      are usually exempt from the policy: use another)\n"
		"  --port N            SMTP port of the exchangers (default 25)\n"
		"  --source ADDR       local address of the probes; once per address family\n"
		"  --dns-servers LIST  name servers in the milter's dns_servers syntax\n"
		"                      (default: /etc/resolv.conf)\n"
		"  --timeout S         seconds to wait for a connection, a reply or a DNS\n"
		"                      answer (default 30)\n"
		"  --json              one JSON object instead of the table\n"
		"  --from ADDRESS      envelope sender of the probes (default: <>, a bounce)\n"
		"  --helo NAME         the benign identity (default: the forward-confirmed\n"
		"                      reverse DNS name of the probes' source address)\n"
		"  --interval S        seconds between two probe sessions (default 1)\n"
		"  -4, -6              probe only IPv4 or only IPv6 addresses\n"
		"  -V, --version       print the version and exit\n"
		"  -h, --help          print this help and exit\n"
		"exit (as a monitoring plugin): 0 OK, 1 WARNING: DNS findings, 2 CRITICAL:\n"
		"  a bypass, 3 UNKNOWN: a probe could not run, or a usage error\n");
}

static int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("mxpolicy-audit: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(mxpolicy-audit --help lists the options)\n", stderr);
	return AUDIT_EXIT_UNKNOWN;
}

/* An address as SMTP carries it: no spaces, controls or angle brackets. */
static bool mailbox_ok(const char *s, bool may_be_empty)
{
	size_t n = strlen(s);

	if (n == 0)
		return may_be_empty;
	if (n > 254 || strchr(s, '@') == NULL || s[0] == '@' || s[n - 1] == '@')
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p <= ' ' || *p >= 0x7f || *p == '<' || *p == '>')
			return false;
	return true;
}

static bool parse_seconds(const char *text, double min, double max, long *ms)
{
	char *end;
	double v;

	errno = 0;
	v = strtod(text, &end);
	if (*text == '\0' || *end != '\0' || errno != 0 || v < min || v > max)
		return false;
	*ms = (long)(v * 1000.0 + 0.5);
	return true;
}

/* --dns-servers: the same syntax, and the same reasons, as dns_servers. */
static bool servers_ok(const char *list)
{
	char why[256];

	if (dns_servers_check(list, why, sizeof why))
		return true;
	fprintf(stderr, "mxpolicy-audit: --dns-servers: %s\n", why);
	return false;
}

/* The engine's own trouble, on stderr like every message of this tool. */
static void dns_to_stderr(UNUSED enum dns_report_level level, const char *text)
{
	fprintf(stderr, "mxpolicy-audit: %s\n", text);
}

static int add_source(struct audit_opts *o, const char *text)
{
	struct netaddr a;
	int f;

	if (!netaddr_parse(text, &a) || netaddr_is_unspecified(&a))
		return usage_error("--source: '%s' is not an IP address", text);
	f = a.family == AF_INET6;
	if (o->have_source[f])
		return usage_error("--source: one address per family ('%s' is the second)", text);
	o->source[f] = a;
	o->have_source[f] = true;
	return 0;
}

static int check_operands(struct audit_opts *o)
{
	struct helo_info h = {.cls = HELO_BAD_SYNTAX};

	if (o->rcpt == NULL)
		return usage_error("%s", "--rcpt ADDRESS is required");
	if (!mailbox_ok(o->rcpt, false))
		return usage_error("--rcpt: '%s' is not a mail address", o->rcpt);
	if (strncasecmp(o->rcpt, "postmaster@", 11) == 0 || strncasecmp(o->rcpt, "abuse@", 6) == 0)
		fprintf(stderr, "mxpolicy-audit: warning: %s is usually exempt from the policy "
			"(allow_recipients): every probe may be accepted; give a real mailbox\n",
			o->rcpt);
	if (strcmp(o->from, "<>") == 0)
		o->from = "";
	if (!mailbox_ok(o->from, true))
		return usage_error("--from: '%s' is not a mail address", o->from);
	if (o->helo != NULL) {
		helo_classify(o->helo, &h);
		if (h.cls != HELO_FQDN && h.cls != HELO_LITERAL)
			return usage_error("--helo: '%s' is neither a host name nor an address literal",
					   o->helo);
	}
	if (o->dns_servers != NULL && !servers_ok(o->dns_servers))
		return usage_error("%s", "--dns-servers: see above");
	helo_classify(o->domain_arg, &h);
	if (h.cls != HELO_FQDN)
		return usage_error("'%s' is not a domain name", o->domain_arg);
	snprintf(o->domain, sizeof o->domain, "%s", h.name);
	if (!name_within(address_domain(o->rcpt), o->domain))
		fprintf(stderr, "mxpolicy-audit: warning: %s is not at %s: its exchangers may "
			"refuse to relay for it, and the audit then proves nothing\n",
			o->rcpt, o->domain);
	return 0;
}

enum { AOPT_RCPT = 256, AOPT_FROM, AOPT_HELO, AOPT_PORT, AOPT_SOURCE, AOPT_SERVERS,
       AOPT_TIMEOUT, AOPT_INTERVAL, AOPT_JSON };

static const struct option long_options[] = {
	{"rcpt", required_argument, NULL, AOPT_RCPT},
	{"from", required_argument, NULL, AOPT_FROM},
	{"helo", required_argument, NULL, AOPT_HELO},
	{"port", required_argument, NULL, AOPT_PORT},
	{"source", required_argument, NULL, AOPT_SOURCE},
	{"dns-servers", required_argument, NULL, AOPT_SERVERS},
	{"timeout", required_argument, NULL, AOPT_TIMEOUT},
	{"interval", required_argument, NULL, AOPT_INTERVAL},
	{"json", no_argument, NULL, AOPT_JSON},
	{"version", no_argument, NULL, 'V'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

static int parse_option(struct audit_opts *o, int c, const char *arg)
{
	long ms;
	char *end;

	switch (c) {
	case AOPT_RCPT: o->rcpt = arg; return 0;
	case AOPT_FROM: o->from = arg; return 0;
	case AOPT_HELO: o->helo = arg; return 0;
	case AOPT_SERVERS: o->dns_servers = arg; return 0;
	case AOPT_JSON: o->json = true; return 0;
	case '4': o->only4 = true; return 0;
	case '6': o->only6 = true; return 0;
	case AOPT_SOURCE: return add_source(o, arg);
	case AOPT_PORT:
		errno = 0;
		ms = strtol(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || errno || ms < 1 || ms > 65535)
			return usage_error("--port: '%s' is not a port (1-65535)", arg);
		o->port = (unsigned)ms;
		return 0;
	case AOPT_TIMEOUT:
		if (!parse_seconds(arg, 0.1, 600, &ms))
			return usage_error("--timeout: '%s' is not a number of seconds (0.1-600)", arg);
		o->timeout_ms = (int)ms;
		return 0;
	case AOPT_INTERVAL:
		if (!parse_seconds(arg, 0, 60, &ms))
			return usage_error("--interval: '%s' is not a number of seconds (0-60)", arg);
		o->interval_ms = ms;
		return 0;
	case 'V':
		printf("mxpolicy-audit %s\n", PACKAGE_VERSION);
		exit(0);
	case 'h':
		usage(stdout);
		exit(0);
	default:
		fputs("(mxpolicy-audit --help lists the options)\n", stderr);
		return AUDIT_EXIT_UNKNOWN;
	}
}

static int parse_args(int argc, char **argv, struct audit_opts *o)
{
	int c, rc;

	if (argc < 2) {
		usage(stderr);
		return AUDIT_EXIT_UNKNOWN;
	}
	while ((c = getopt_long(argc, argv, "46Vh", long_options, NULL)) != -1)
		if ((rc = parse_option(o, c, optarg)) != 0)
			return rc;
	if (argc - optind != 1)
		return usage_error("%s", argc == optind ? "which DOMAIN?" : "one DOMAIN only");
	if (o->only4 && o->only6)
		return usage_error("%s", "-4 and -6 exclude each other");
	o->domain_arg = argv[optind];
	return check_operands(o);
}

/* ---- DNS through the engine ------------------------------------------------------ */

/* The Public Suffix List's registrable domain; none when no list could be read. */
static const char *psl_registrable(void *ctx, const char *name, char *buf, size_t len)
{
	char lower[DNS_NAME_MAX + 1];
	const char *r;

	if (ctx == NULL)
		return NULL;
	name_normalise(name, lower, sizeof lower);
	r = psl_registrable_domain(ctx, lower);
	if (r == NULL)
		return NULL;
	snprintf(buf, len, "%s", r);
	return buf;
}

/* ---- routes and identities ------------------------------------------------------- */

static bool family_wanted(const struct audit_opts *o, int family)
{
	return family == AF_INET6 ? !o->only4 : !o->only6;
}

static bool listed_before(const struct audit_zone *z, size_t i)
{
	for (size_t j = 0; j < z->count; j++)
		if (j != i && !z->mx[j].null_mx && strcmp(z->mx[j].name, z->mx[i].name) == 0 &&
		    (z->mx[j].pref < z->mx[i].pref || (z->mx[j].pref == z->mx[i].pref && j < i)))
			return true;
	return false;
}

static void add_routes(const struct audit_opts *o, const struct audit_exchanger *x,
		       struct audit_route *routes, size_t *n)
{
	for (size_t k = 0; k < x->a.count + x->aaaa.count; k++) {
		const struct netaddr *a = k < x->a.count ? &x->a.addr[k]
							  : &x->aaaa.addr[k - x->a.count];
		struct audit_route *r;

		if (!family_wanted(o, a->family))
			continue;
		r = &routes[(*n)++];
		memset(r, 0, sizeof *r);
		snprintf(r->name, sizeof r->name, "%s", x->name);
		r->pref = x->pref;
		r->addr = *a;
	}
}

static int by_pref(const void *a, const void *b)
{
	const struct audit_route *p = a, *q = b;

	if (p->pref != q->pref)
		return p->pref < q->pref ? -1 : 1;
	return strcmp(p->name, q->name);
}

/* One route per address of every exchanger, most preferred first. */
static struct audit_route *build_routes(const struct audit_opts *o, const struct audit_zone *z,
					size_t *n)
{
	struct audit_route *routes = calloc(AUDIT_MX_MAX * AUDIT_ADDRS_MAX * 2 + 1, sizeof *routes);

	*n = 0;
	if (routes == NULL)
		return NULL;
	for (size_t i = 0; i < z->count; i++)
		if (!z->mx[i].null_mx && !listed_before(z, i))
			add_routes(o, &z->mx[i], routes, n);
	qsort(routes, *n, sizeof *routes, by_pref);
	return routes;
}

struct identity {
	bool known;
	struct netaddr local;
	char helo[DNS_NAME_MAX + 8];
	char source[160];
};

/*
 * The benign identity of a local address: --helo, else the address's
 * forward-confirmed reverse DNS name (what a well-run sender greets with),
 * else the system's host name, else the address literal.
 */
static void choose_identity(const struct audit_opts *o, struct identity *id, int timeout_ms)
{
	struct timespec deadline;
	struct dns_resolver r;
	struct iprev_facts f;
	struct helo_info h = {.cls = HELO_BAD_SYNTAX};
	char local[NETADDR_STRLEN], host[256];
	struct addrinfo hints = {.ai_flags = AI_CANONNAME}, *ai = NULL;

	netaddr_format(&id->local, local, sizeof local);
	if (o->helo != NULL) {
		snprintf(id->helo, sizeof id->helo, "%s", o->helo);
		snprintf(id->source, sizeof id->source, "given with --helo");
		return;
	}
	dns_deadline_in(&deadline, timeout_ms);
	dns_resolver_init(&r, &deadline);
	iprev_gather(&r.base, &id->local, 8, &f);
	if (f.result == IPREV_PASS)
		helo_classify(f.names[f.confirmed], &h);
	/* "localhost" confirms itself on many hosts, and is no benign greeting */
	if (f.result == IPREV_PASS && h.cls == HELO_FQDN) {
		snprintf(id->helo, sizeof id->helo, "%s", f.names[f.confirmed]);
		snprintf(id->source, sizeof id->source, "forward-confirmed reverse DNS of %s", local);
		return;
	}
	if (gethostname(host, sizeof host) == 0 && getaddrinfo(host, NULL, &hints, &ai) == 0 &&
	    ai->ai_canonname != NULL && strchr(ai->ai_canonname, '.') != NULL) {
		snprintf(id->helo, sizeof id->helo, "%s", ai->ai_canonname);
		snprintf(id->source, sizeof id->source, "the system's host name; %s has no "
			 "forward-confirmed reverse DNS, so it may be refused", local);
	} else {
		snprintf(id->helo, sizeof id->helo,
			 id->local.family == AF_INET6 ? "[IPv6:%s]" : "[%s]", local);
		snprintf(id->source, sizeof id->source, "the address literal; %s has no "
			 "forward-confirmed reverse DNS, so it may be refused", local);
	}
	if (ai)
		freeaddrinfo(ai);
}

static struct identity *identity_for(const struct audit_opts *o, struct identity ids[2],
				     const struct audit_route *r)
{
	int f = r->addr.family == AF_INET6;
	struct identity *id = &ids[f];

	if (!id->known) {
		if (!smtp_local_address(&r->addr, o->port, o->have_source[f] ? &o->source[f] : NULL,
					&id->local))
			return NULL;
		choose_identity(o, id, o->timeout_ms);
		id->known = true;
	}
	return id;
}

/* ---- probing ------------------------------------------------------------------------ */

static void pause_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static void not_run(struct audit_route *r, const char *why)
{
	for (int k = 0; k < PROBE_KINDS; k++) {
		r->results[k].outcome = OUTCOME_NOT_RUN;
		snprintf(r->results[k].text, sizeof r->results[k].text, "%s", why);
	}
}

static void skip_rest(struct audit_route *r, int from)
{
	for (int k = from; k < PROBE_KINDS; k++) {
		r->results[k].outcome = OUTCOME_NOT_RUN;
		snprintf(r->results[k].text, sizeof r->results[k].text,
			 "not run: the %s probe could not connect", probe_kind_name((enum probe_kind)(from - 1)));
	}
}

/* Another exchanger on the same address is the same server: asked once. */
static bool probed_before(struct audit_route *routes, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (netaddr_equal(&routes[j].addr, &routes[i].addr)) {
			memcpy(routes[i].results, routes[j].results, sizeof routes[i].results);
			return true;
		}
	return false;
}

static void probe_route(const struct audit_opts *o, const struct identity *id,
			struct audit_route *r, bool *first)
{
	for (int k = 0; k < PROBE_KINDS; k++) {
		char helo[DNS_NAME_MAX + 8];
		struct smtp_probe p = {&r->addr, o->port,
				       o->have_source[id->local.family == AF_INET6] ? &id->local : NULL,
				       helo, o->from, o->rcpt, o->timeout_ms};

		probe_helo((enum probe_kind)k, id->helo, &id->local, o->domain, helo, sizeof helo);
		if (!*first && o->interval_ms > 0)
			pause_ms(o->interval_ms);
		*first = false;
		smtp_probe_run(&p, &r->results[k]);
		/* a server that cannot be reached, or never greets, will not for the next */
		if ((r->results[k].outcome == OUTCOME_ERROR ||
		     r->results[k].outcome == OUTCOME_UNREACHABLE) &&
		    r->results[k].stage == STAGE_CONNECT) {
			skip_rest(r, k + 1);
			return;
		}
	}
}

static void probe_all(const struct audit_opts *o, struct audit_route *routes, size_t n,
		      struct identity ids[2])
{
	bool first = true;

	for (size_t i = 0; i < n; i++) {
		struct identity *id;

		if (probed_before(routes, i))
			continue;
		id = identity_for(o, ids, &routes[i]);
		if (id == NULL)
			not_run(&routes[i], "no local address reaches it");
		else
			probe_route(o, id, &routes[i], &first);
	}
}

/* ---- the run ------------------------------------------------------------------------- */

static bool only_null_mx(const struct audit_zone *z)
{
	if (z->mx_status != DNS_ANSWER)
		return false;
	for (size_t i = 0; i < z->count; i++)
		if (!z->mx[i].null_mx)
			return false;
	return true;
}

/* DNS that leaves the audit unable to see every route. */
static const char *dns_incomplete(const struct audit_zone *z, char *why, size_t len)
{
	if (z->mx_status == DNS_TEMPFAIL) {
		snprintf(why, len, "the MX question failed temporarily (%s)",
			 z->mx_why ? z->mx_why : "no answer");
		return why;
	}
	if (z->mx_status == DNS_NXDOMAIN) {
		snprintf(why, len, "%s does not exist", z->domain);
		return why;
	}
	for (size_t i = 0; i < z->count; i++)
		if (z->mx[i].a.status == DNS_TEMPFAIL || z->mx[i].aaaa.status == DNS_TEMPFAIL) {
			snprintf(why, len, "the addresses of %s could not be resolved (%s)",
				 z->mx[i].name, z->mx[i].a.status == DNS_TEMPFAIL && z->mx[i].a.why
				 ? z->mx[i].a.why : z->mx[i].aaaa.why ? z->mx[i].aaaa.why : "no answer");
			return why;
		}
	return NULL;
}

/* The exit status: see enum audit_exit for the order. */
static void conclude(struct audit_run *run, const struct audit_zone *z, char *why, size_t len)
{
	if (run->bypasses_total > 0) {
		run->exit = AUDIT_EXIT_CRITICAL;
	} else if (!only_null_mx(z) &&
		   ((run->incomplete = dns_incomplete(z, why, len)) != NULL ||
		    (audit_incomplete(run->routes, run->nroutes, why, len) &&
		     (run->incomplete = why) != NULL))) {
		run->exit = AUDIT_EXIT_UNKNOWN;
	} else if (lint_to_act_on(run->lint) > 0) {
		run->exit = AUDIT_EXIT_WARNING;
	} else {
		run->exit = AUDIT_EXIT_OK;
	}
}

static int audit(const struct audit_opts *o)
{
	struct dns_settings ds = {o->dns_servers ? o->dns_servers : "", 
				  o->timeout_ms < 2000 ? o->timeout_ms : 2000, 3, 4096, 0, 86400};
	struct timespec deadline;
	struct dns_resolver r;
	static struct audit_zone zone;
	static struct lint_report lint;
	struct bypass bypasses[AUDIT_BYPASS_MAX];
	struct identity ids[2] = {{0}};
	struct audit_route *routes;
	struct audit_run run = {0};
	psl_ctx_t *psl;
	char why[512];
	size_t n;

	dns_set_reporter(dns_to_stderr);
	if (!dns_start(&ds)) {
		fprintf(stderr, "mxpolicy-audit: cannot start the DNS resolver\n");
		return AUDIT_EXIT_UNKNOWN;
	}
	dns_deadline_in(&deadline, o->timeout_ms);
	dns_resolver_init(&r, &deadline);
	audit_zone_gather(&r.base, o->domain, &zone);
	psl = psl_latest(NULL);
	audit_lint(&zone, psl_registrable, psl, &lint);
	psl_free(psl);
	routes = build_routes(o, &zone, &n);
	if (routes == NULL) {
		dns_stop();
		fprintf(stderr, "mxpolicy-audit: out of memory\n");
		return AUDIT_EXIT_UNKNOWN;
	}
	probe_all(o, routes, n, ids);
	run = (struct audit_run){o->domain, o->rcpt, o->from, o->port,
				 ids[0].known ? ids[0].helo : ids[1].known ? ids[1].helo : NULL,
				 ids[0].known ? ids[0].source : ids[1].source,
				 &zone, &lint, routes, n, bypasses, 0, 0, AUDIT_EXIT_OK, NULL};
	run.bypasses_total = audit_find_bypasses(routes, n, bypasses, AUDIT_BYPASS_MAX);
	run.nbypasses = run.bypasses_total < AUDIT_BYPASS_MAX ? run.bypasses_total
							      : AUDIT_BYPASS_MAX;
	conclude(&run, &zone, why, sizeof why);
	if (o->json)
		audit_report_json(stdout, &run);
	else
		audit_report_text(stdout, &run);
	fflush(stdout);
	free(routes);
	dns_stop();
	return run.exit;
}

int main(int argc, char **argv)
{
	struct audit_opts o = {.from = "", .port = 25, .timeout_ms = 30000, .interval_ms = 1000};
	int rc = parse_args(argc, argv, &o);

	if (rc != 0)
		return rc;
	return audit(&o);
}
