/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_callbacks.c -- whole milter sessions through the xxfi_* callbacks,
 * with the MTA faked (fake_mta.c: macros from a table, replies and header
 * changes recorded) and DNS answered from a table through callbacks_dns:
 * what is negotiated, the SMFIS_* answers and replies at MAIL and RCPT,
 * dry runs, temporary DNS failures, the headers rewritten at end of
 * message, and what a long session keeps from one message to the next.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/callbacks.h"
#include "daemon/config.h"
#include "daemon/log.h"
#include "daemon/session.h"
#include "daemon/stats.h"
#include "fake_mta.h"
#include "fake_resolver.h"
#include "unit.h"

#define CLIENT "192.0.2.10"
#define REVERSE "10.2.0.192.in-addr.arpa"
#define HONEST "mail.sender.example"
#define IMPOSTOR "mx2.example.net"      /* another MX host of the recipient domain */
#define UNKNOWN_HELO "ghost.sender.example"  /* NXDOMAIN: helo_unknown tags */
#define MTA_NAME "mx1.example.net"
#define QUEUE_ID "4QxYz1abcD"
#define AR "Authentication-Results"
#define XMP "X-MX-Policy"
#define OFFERED_ACTIONS (SMFIF_ADDHDRS | SMFIF_CHGBODY | SMFIF_CHGHDRS | SMFIF_SETSYMLIST)
#define OFFERED_STEPS 0x001fffffUL      /* every SMFIP_ step flag, as Postfix offers */

static const struct fake_row zone[] = {
	{REVERSE, DNS_T_PTR, DNS_ANSWER, {HONEST}, NULL},
	{HONEST, DNS_T_A, DNS_ANSWER, {CLIENT}, NULL},
	{"example.net", DNS_T_MX, DNS_ANSWER, {"10 mx1.example.net", "20 mx2.example.net"}, NULL},
	{"mx1.example.net", DNS_T_A, DNS_ANSWER, {"198.51.100.1"}, NULL},
	{"mx2.example.net", DNS_T_A, DNS_ANSWER, {"198.51.100.2"}, NULL},
	{NULL, 0, 0, {NULL}, NULL},
};

/* Postfix's connect macros on a listener at our primary MX address, and the queue id. */
static const struct fake_macro postfix[] = {
	{"j", MTA_NAME}, {"{daemon_addr}", "198.51.100.1"}, {"i", QUEUE_ID}, {NULL, NULL},
};
static const struct fake_macro postfix_auth[] = {
	{"j", MTA_NAME}, {"{daemon_addr}", "198.51.100.1"}, {"i", QUEUE_ID},
	{"{auth_authen}", "alice"}, {NULL, NULL},
};

/* ---- the fakes: MTA, DNS through callbacks_dns ------------------------------- */

#define TABLE_MAX 32
#define PREFETCH_LOG 16

static struct fake_mta mta;
static struct fake_row table[TABLE_MAX];
static struct fake_resolver resolver;
static unsigned decisions_asked;        /* resolvers handed to decisions */
static long decision_timeout;
static struct {
	char name[DNS_NAME_MAX + 1];
	enum dns_type type;
} prefetched[PREFETCH_LOG];
static unsigned nprefetched;

static struct resolver *table_decision(UNUSED struct dns_resolver *engine,
				       UNUSED struct timespec *deadline, long timeout_ms)
{
	decisions_asked++;
	decision_timeout = timeout_ms;
	return &resolver.base;
}

static void table_prefetch(const char *name, enum dns_type type)
{
	if (nprefetched < PREFETCH_LOG) {
		snprintf(prefetched[nprefetched].name, sizeof prefetched[0].name, "%s", name);
		prefetched[nprefetched].type = type;
	}
	nprefetched++;
}

/* The zone, with overrides answering first; counters start again. */
static void zone_with(const struct fake_row *overrides)
{
	size_t n = 0;

	for (const struct fake_row *r = overrides; r && r->name; r++)
		table[n++] = *r;
	for (const struct fake_row *r = zone; r->name; r++) {
		CU_ASSERT_FATAL(n + 1 < TABLE_MAX);
		table[n++] = *r;
	}
	table[n] = (struct fake_row){NULL, 0, 0, {NULL}, NULL};
	resolver = fake_resolver(table);
}

/* ---- driving the callbacks -------------------------------------------------- */

static SMFICTX *ctx(void)
{
	return fake_mta_ctx(&mta);
}

static struct session *session(void)
{
	return mta.priv;
}

/* A new configuration and MTA connection, nothing sent yet. */
static void start(const char *conf, const struct fake_macro *macros)
{
	struct config_errors errs = {0};
	struct config *cfg = config_parse_string("test.conf", conf, &errs);

	for (size_t i = 0; i < errs.count; i++)
		fprintf(stderr, "\n  unexpected: %s\n", errs.items[i]);
	config_errors_clear(&errs);
	CU_ASSERT_FATAL(cfg != NULL);
	config_publish(cfg);
	fake_mta_init(&mta, macros);
	zone_with(NULL);
	decisions_asked = 0;
	nprefetched = 0;
}

static sfsistat negotiate(unsigned long actions, unsigned long *got_actions,
			  unsigned long *got_steps)
{
	unsigned long f2, f3;

	return mxp_filter.xxfi_negotiate(ctx(), actions, OFFERED_STEPS, 0, 0, got_actions,
					 got_steps, &f2, &f3);
}

static sfsistat connect_from(const char *addr)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};

	CU_ASSERT_FATAL(inet_pton(AF_INET, addr, &sin.sin_addr) == 1);
	return mxp_filter.xxfi_connect(ctx(), (char *)"client.host", (struct sockaddr *)&sin);
}

static sfsistat helo(const char *name)
{
	char buf[300];

	snprintf(buf, sizeof buf, "%s", name);
	return mxp_filter.xxfi_helo(ctx(), buf);
}

/* MAIL or RCPT with one address argument. */
static sfsistat envelope(sfsistat (*step)(SMFICTX *, char **), const char *address)
{
	char buf[300], *argv[] = {buf, NULL};

	snprintf(buf, sizeof buf, "%s", address);
	return step(ctx(), argv);
}

#define MAIL(a) envelope(mxp_filter.xxfi_envfrom, a)
#define RCPT(a) envelope(mxp_filter.xxfi_envrcpt, a)

static sfsistat header(const char *name, const char *value)
{
	char n[64], v[300];

	snprintf(n, sizeof n, "%s", name);
	snprintf(v, sizeof v, "%s", value);
	return mxp_filter.xxfi_header(ctx(), n, v);
}

/* A Postfix connection from CLIENT, after negotiation and HELO. */
static void open_session(const char *conf, const char *helo_name)
{
	unsigned long actions, steps;

	start(conf, postfix);
	CU_ASSERT_EQUAL(negotiate(OFFERED_ACTIONS, &actions, &steps), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL(connect_from(CLIENT), SMFIS_NOREPLY);
	CU_ASSERT_EQUAL(helo(helo_name), SMFIS_NOREPLY);
}

static void close_session(void)
{
	CU_ASSERT_EQUAL(mxp_filter.xxfi_close(ctx()), SMFIS_CONTINUE);
	CU_ASSERT_PTR_NULL(mta.priv);
	config_publish(NULL);
}

static void assert_reply(const char *code, const char *xcode, const char *text)
{
	CU_ASSERT_EQUAL(mta.replies, 1);
	CU_ASSERT_STRING_EQUAL(mta.reply.code, code);
	CU_ASSERT_STRING_EQUAL(mta.reply.xcode, xcode);
	if (text != NULL)
		CU_ASSERT_STRING_EQUAL(mta.reply.text, text);
}

#define IMPERSONATION_TEXT "HELO/EHLO name claims to be this host or domain"

/* ---- negotiation and the steps answered without a reply ------------------- */

/* Header changes and macro lists are asked for; MAIL needs no reply at enforce_at = rcpt. */
static void test_negotiate_asks_what_the_filter_needs(void)
{
	unsigned long actions, steps;

	start("", postfix);
	CU_ASSERT_EQUAL(negotiate(OFFERED_ACTIONS, &actions, &steps), SMFIS_CONTINUE);
	CU_ASSERT_PTR_NOT_NULL_FATAL(session());    /* made at negotiation */
	CU_ASSERT_EQUAL(actions, SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_SETSYMLIST);
	CU_ASSERT_EQUAL(steps, MXP_PROTO_SKIP | MXP_PROTO_NOREPLY | SMFIP_NR_MAIL);
	CU_ASSERT_FALSE(steps & (SMFIP_NR_RCPT | SMFIP_NR_DATA | SMFIP_NODATA));
	CU_ASSERT_EQUAL(session()->protocol, steps);
	CU_ASSERT_PTR_NOT_NULL(strstr(mta.symlist[SMFIM_CONNECT], "{daemon_addr}"));
	CU_ASSERT_PTR_NOT_NULL(strstr(mta.symlist[SMFIM_CONNECT], "{if_addr}"));
	CU_ASSERT_EQUAL(strncmp(mta.symlist[SMFIM_CONNECT], "j ", 2), 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(mta.symlist[SMFIM_ENVFROM], "{auth_authen}"));
	CU_ASSERT_EQUAL(strncmp(mta.symlist[SMFIM_ENVRCPT], "i ", 2), 0);
	CU_ASSERT_STRING_EQUAL(mta.symlist[SMFIM_EOM], "i");
	CU_ASSERT_STRING_EQUAL(mta.symlist[SMFIM_DATA], "i");     /* for lines written there */
	for (const char *const *m = (const char *const[]){"{client_addr}", "{client_resolve}",
							 "{client_name}", "{client_ptr}", NULL}; *m; m++)
		CU_ASSERT_PTR_NOT_NULL(strstr(mta.symlist[SMFIM_CONNECT], *m));
	close_session();

	/* without the header the steps are the same: which message ends at DATA is not known yet */
	start("authentication_results = no\n", postfix);
	negotiate(OFFERED_ACTIONS, &actions, &steps);
	CU_ASSERT_EQUAL(actions, SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_SETSYMLIST);
	CU_ASSERT_EQUAL(steps, MXP_PROTO_SKIP | MXP_PROTO_NOREPLY | SMFIP_NR_MAIL);
	close_session();

	/* refusals at MAIL need a reply there; an MTA without SETSYMLIST gets no lists */
	start("enforce_at = mail\n", postfix);
	negotiate(SMFIF_ADDHDRS | SMFIF_CHGHDRS, &actions, &steps);
	CU_ASSERT_EQUAL(actions, SMFIF_ADDHDRS | SMFIF_CHGHDRS);
	CU_ASSERT_FALSE(steps & SMFIP_NR_MAIL);
	CU_ASSERT_STRING_EQUAL(mta.symlist[SMFIM_CONNECT], "");
	close_session();
}

/* Negotiated no-reply steps get SMFIS_NOREPLY; an MTA that never negotiates, CONTINUE. */
static void test_no_reply_steps(void)
{
	open_session("", HONEST);                   /* connect and HELO: NOREPLY */
	CU_ASSERT_EQUAL(MAIL("<a@sender.example>"), SMFIS_NOREPLY);
	CU_ASSERT_EQUAL(header("Subject", "hi"), SMFIS_NOREPLY);
	CU_ASSERT_EQUAL(mxp_filter.xxfi_data(ctx()), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL(decisions_asked, 0);        /* nothing decided at MAIL */
	close_session();

	start("", postfix);                         /* an old MTA: no negotiation */
	CU_ASSERT_EQUAL(connect_from(CLIENT), SMFIS_CONTINUE);
	CU_ASSERT_PTR_NOT_NULL(session());          /* made at connect */
	CU_ASSERT_EQUAL(helo(HONEST), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL(MAIL("<a@sender.example>"), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL(RCPT("<user@example.net>"), SMFIS_CONTINUE);
	close_session();
}

/* The session holds its configuration reference until close, then frees itself. */
static void test_close_releases_the_session(void)
{
	struct config *cfg;

	start("", postfix);
	cfg = config_acquire();
	CU_ASSERT_EQUAL(cfg->refs, 2);              /* published, and ours */
	connect_from(CLIENT);
	CU_ASSERT_PTR_EQUAL(session()->cfg, cfg);
	CU_ASSERT_EQUAL(cfg->refs, 3);
	CU_ASSERT_EQUAL(mxp_filter.xxfi_close(ctx()), SMFIS_CONTINUE);
	CU_ASSERT_PTR_NULL(mta.priv);
	CU_ASSERT_EQUAL(cfg->refs, 2);
	CU_ASSERT_EQUAL(mxp_filter.xxfi_close(ctx()), SMFIS_CONTINUE);  /* no session: fine */
	config_release(cfg);
	config_publish(NULL);
}

/* {if_addr} (Sendmail) wins over {daemon_addr}; a wildcard listener's is no address. */
static void test_local_address_from_macros(void)
{
	static const struct fake_macro sendmail[] = {
		{"{daemon_addr}", "198.51.100.1"}, {"{if_addr}", "198.51.100.2"}, {NULL, NULL},
	};
	static const struct fake_macro wildcard[] = {{"{daemon_addr}", "0.0.0.0"}, {NULL, NULL}};
	struct netaddr want;

	start("", sendmail);
	connect_from(CLIENT);
	netaddr_parse("198.51.100.2", &want);
	CU_ASSERT_TRUE(session()->facts.have_local);
	CU_ASSERT_TRUE(netaddr_equal(&session()->facts.local, &want));
	CU_ASSERT_PTR_NULL(session()->mta_name);    /* no j */
	close_session();
	start("", wildcard);
	connect_from(CLIENT);
	CU_ASSERT_FALSE(session()->facts.have_local);
	close_session();
}

/* ---- decisions at RCPT and MAIL -------------------------------------------- */

static void test_honest_session_accepted(void)
{
	struct stats_snapshot st;

	stats_reset();
	open_session("decision_timeout_ms = 1234\n", HONEST);
	CU_ASSERT_EQUAL(MAIL("<a@sender.example>"), SMFIS_NOREPLY);
	CU_ASSERT_EQUAL(RCPT("<user@example.net>"), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL(mta.replies, 0);
	CU_ASSERT_EQUAL(decisions_asked, 1);
	CU_ASSERT_EQUAL(decision_timeout, 1234);    /* each decision's deadline */
	stats_take(&st);
	CU_ASSERT_EQUAL(st.sessions, 1);
	CU_ASSERT_EQUAL(st.verdicts[VERDICT_ACCEPT], 1);
	CU_ASSERT_EQUAL(st.routes[STATS_ROUTE_PRIMARY], 1);
	close_session();
}

/* At enforce_at = rcpt, the refusal comes at RCPT with the check's reply. */
static void test_refused_at_rcpt(void)
{
	open_session("", IMPOSTOR);
	CU_ASSERT_EQUAL(MAIL("<a@sender.example>"), SMFIS_NOREPLY);
	CU_ASSERT_EQUAL(mta.replies, 0);
	CU_ASSERT_EQUAL(RCPT("<user@example.net>"), SMFIS_REJECT);
	assert_reply("550", "5.7.1", IMPERSONATION_TEXT);
	fake_mta_forget(&mta);
	CU_ASSERT_EQUAL(RCPT("<postmaster@example.net>"), SMFIS_CONTINUE);  /* exempt */
	CU_ASSERT_EQUAL(mta.replies, 0);
	close_session();
}

/* At enforce_at = mail, a HELO naming this MTA is refused at MAIL already. */
static void test_refused_at_mail(void)
{
	unsigned long actions, steps;

	start("enforce_at = mail\n", postfix);
	negotiate(OFFERED_ACTIONS, &actions, &steps);
	connect_from(CLIENT);
	helo(MTA_NAME);
	CU_ASSERT_EQUAL(MAIL("<a@sender.example>"), SMFIS_REJECT);
	assert_reply("550", "5.7.1", IMPERSONATION_TEXT);
	CU_ASSERT_EQUAL(decisions_asked, 1);
	close_session();

	open_session("", MTA_NAME);                 /* the same HELO at enforce_at = rcpt */
	CU_ASSERT_EQUAL(MAIL("<a@sender.example>"), SMFIS_NOREPLY);
	CU_ASSERT_EQUAL(mta.replies, 0);
	CU_ASSERT_EQUAL(RCPT("<user@example.net>"), SMFIS_REJECT);
	assert_reply("550", "5.7.1", IMPERSONATION_TEXT);
	close_session();
}

/* A dry run refuses nothing, at MAIL or RCPT; the header says what would have been. */
static void test_dry_run_never_refuses(void)
{
	const struct fake_header *h;

	open_session("dry_run = yes\n", IMPOSTOR);
	CU_ASSERT_EQUAL(MAIL("<a@sender.example>"), SMFIS_NOREPLY);
	CU_ASSERT_EQUAL(RCPT("<user@example.net>"), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL(mta.replies, 0);
	CU_ASSERT_EQUAL(mxp_filter.xxfi_eom(ctx()), SMFIS_CONTINUE);
	h = fake_mta_inserted(&mta, XMP);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_STRING_EQUAL(h->value, MTA_NAME "; checks=helo_impersonation; dry-run");
	close_session();

	start("dry_run = yes\nenforce_at = mail\n", postfix);
	connect_from(CLIENT);
	helo(MTA_NAME);
	CU_ASSERT_EQUAL(MAIL("<a@sender.example>"), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL(mta.replies, 0);
	close_session();
}

/* A SERVFAIL defers (451 4.4.3) where a real answer could refuse; never a 5xx. */
static void test_dns_failure_defers(void)
{
	static const struct fake_row ptr_fails[] = {
		{REVERSE, DNS_T_PTR, DNS_TEMPFAIL, {NULL}, NULL}, {NULL, 0, 0, {NULL}, NULL},
	};
	static const struct fake_row mx_fails[] = {
		{"example.net", DNS_T_MX, DNS_TEMPFAIL, {NULL}, NULL}, {NULL, 0, 0, {NULL}, NULL},
	};

	open_session("", HONEST);
	zone_with(ptr_fails);
	MAIL("<a@sender.example>");
	CU_ASSERT_EQUAL(RCPT("<user@example.net>"), SMFIS_TEMPFAIL);
	assert_reply("451", "4.4.3", NULL);
	close_session();

	open_session("", IMPOSTOR);                 /* refused when the MX answers */
	zone_with(mx_fails);
	MAIL("<a@sender.example>");
	CU_ASSERT_EQUAL(RCPT("<user@example.net>"), SMFIS_TEMPFAIL);
	assert_reply("451", "4.4.3", NULL);
	close_session();
}

/* SMTP AUTH exempts, per transaction: {auth_authen} is read at each MAIL. */
static void test_authenticated_sender_exempt(void)
{
	open_session("", IMPOSTOR);
	mta.macros = postfix_auth;
	MAIL("<alice@sender.example>");
	CU_ASSERT_EQUAL(RCPT("<user@example.net>"), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL(mta.replies, 0);
	mta.macros = postfix;
	MAIL("<mallory@sender.example>");
	CU_ASSERT_EQUAL(RCPT("<user@example.net>"), SMFIS_REJECT);
	close_session();
}

/* An exempt client (allow_clients) or one with no address gets no DNS at all. */
static void test_exempt_and_local_clients_ask_no_dns(void)
{
	start("", postfix);
	connect_from("127.0.0.1");
	helo(IMPOSTOR);
	MAIL("<a@sender.example>");
	CU_ASSERT_EQUAL(RCPT("<user@example.net>"), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL(decisions_asked, 0);
	CU_ASSERT_EQUAL(resolver.submitted, 0);
	mxp_filter.xxfi_eom(ctx());
	CU_ASSERT_PTR_NULL(fake_mta_inserted(&mta, AR));    /* no iprev to report */
	close_session();

	start("", postfix);                         /* AF_UNIX: no address at all */
	CU_ASSERT_EQUAL(mxp_filter.xxfi_connect(ctx(), (char *)"localhost", NULL),
			SMFIS_CONTINUE);
	CU_ASSERT_FALSE(session()->facts.have_client);
	helo(HONEST);
	MAIL("<a@sender.example>");
	CU_ASSERT_EQUAL(RCPT("<user@example.net>"), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL(decisions_asked, 0);
	CU_ASSERT_EQUAL(resolver.submitted, 0);
	close_session();
}

/* Without session state (out of memory), MAIL and RCPT answer per on_internal_error. */
static void test_no_session_answers_per_on_internal_error(void)
{
	start("", postfix);                         /* nothing made the session */
	CU_ASSERT_EQUAL(MAIL("<a@sender.example>"), SMFIS_TEMPFAIL);
	CU_ASSERT_EQUAL(RCPT("<user@example.net>"), SMFIS_TEMPFAIL);
	CU_ASSERT_EQUAL(helo(HONEST), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL(header(XMP, "x"), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL(mxp_filter.xxfi_eom(ctx()), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL(mxp_filter.xxfi_abort(ctx()), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL(mta.ninserted + mta.ndeleted, 0);
	close_session();
	start("on_internal_error = accept\n", postfix);
	CU_ASSERT_EQUAL(MAIL("<a@sender.example>"), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL(RCPT("<user@example.net>"), SMFIS_CONTINUE);
	close_session();
}

/* An MTA that refuses our reply text still gets the refusal (it gives its own reply). */
static void test_refused_reply_still_refuses(void)
{
	open_session("", IMPOSTOR);
	mta.refuse_replies = true;
	MAIL("<a@sender.example>");
	CU_ASSERT_EQUAL(RCPT("<user@example.net>"), SMFIS_REJECT);
	CU_ASSERT_EQUAL(mta.replies, 1);
	close_session();
}

/* ---- prefetches ------------------------------------------------------------ */

/* The client's PTR at connect, the first FQDN HELO's A/AAAA/MX, then nothing more. */
static void test_prefetch_budget(void)
{
	start("", postfix);
	connect_from(CLIENT);
	CU_ASSERT_EQUAL_FATAL(nprefetched, 1);
	CU_ASSERT_STRING_EQUAL(prefetched[0].name, REVERSE);
	CU_ASSERT_EQUAL(prefetched[0].type, DNS_T_PTR);
	helo("localhost");                          /* not a name to look up */
	CU_ASSERT_EQUAL(nprefetched, 1);
	helo("Mail.Sender.Example.");
	CU_ASSERT_EQUAL_FATAL(nprefetched, 4);
	for (unsigned i = 1; i < 4; i++)
		CU_ASSERT_STRING_EQUAL(prefetched[i].name, HONEST);
	CU_ASSERT_EQUAL(prefetched[1].type, DNS_T_A);
	CU_ASSERT_EQUAL(prefetched[2].type, DNS_T_AAAA);
	CU_ASSERT_EQUAL(prefetched[3].type, DNS_T_MX);
	for (int i = 0; i < 1000; i++) {            /* a client cycling through names */
		char name[64];

		snprintf(name, sizeof name, "host%d.sender.example", i);
		helo(name);
	}
	CU_ASSERT_EQUAL(nprefetched, SESSION_PREFETCHES);
	CU_ASSERT_EQUAL(resolver.submitted, 0);     /* prefetches are not decisions */
	close_session();
}

/* Only the first FQDN HELO is prefetched, even with the budget left by a client without PTR. */
static void test_later_helo_not_prefetched(void)
{
	start("", postfix);
	mxp_filter.xxfi_connect(ctx(), (char *)"localhost", NULL);
	CU_ASSERT_EQUAL(nprefetched, 0);            /* no address: no PTR */
	helo(HONEST);
	helo("other.sender.example");
	CU_ASSERT_FATAL(nprefetched <= PREFETCH_LOG);
	for (unsigned i = 0; i < nprefetched; i++)
		CU_ASSERT_STRING_NOT_EQUAL(prefetched[i].name, "other.sender.example");
	close_session();
}

/* ---- headers at end of message --------------------------------------------- */

/*
 * Feeds the message's headers: two forged X-MX-Policy, and seven A-R of
 * which three claim iprev under our id (#1, #4, #7) and go, interleaved
 * with others' results under our id, another id and a longer one, kept.
 */
static void forged_headers(const char *id)
{
	char ar[7][160];

	snprintf(ar[0], sizeof ar[0], "%s; iprev=pass policy.iprev=192.0.2.99", id);
	snprintf(ar[1], sizeof ar[1], "%s;\n\tdkim=pass (2048-bit key; unprotected) "
		 "header.d=sender.example header.b=Xy7LmN2q", id);     /* OpenDKIM's */
	snprintf(ar[2], sizeof ar[2], "other.example; iprev=pass");
	snprintf(ar[3], sizeof ar[3], "\t%s;\n\tIPREV/1=pass", id);         /* folded */
	snprintf(ar[4], sizeof ar[4], "%sx; iprev=pass", id);          /* a longer id */
	snprintf(ar[5], sizeof ar[5], "%s; dmarc=pass (p=none dis=none) header.from=sender.example",
		 id);                                                   /* OpenDMARC's */
	snprintf(ar[6], sizeof ar[6], "%s; spf=pass smtp.mailfrom=sender.example (x;) iprev=pass",
		 id);                                                   /* hidden past a ';' */
	header(XMP, "forged; checks=-");
	header(AR, ar[0]);
	header(AR, ar[1]);
	header("Received", "from somewhere");
	header(AR, ar[2]);
	header(XMP, "forged again");
	header(AR, ar[3]);
	header(AR, ar[4]);
	header(AR, ar[5]);
	header(AR, ar[6]);
}

/* The A-R indexes removed, last first, as forged_headers() sends them. */
static void assert_forged_ar_removed(void)
{
	static const int want[] = {7, 4, 1};

	CU_ASSERT_EQUAL_FATAL(mta.ndeleted, 2 + 3);
	for (size_t i = 0; i < 3; i++) {
		CU_ASSERT_STRING_EQUAL(mta.deleted[2 + i].name, AR);
		CU_ASSERT_EQUAL(mta.deleted[2 + i].index, want[i]);
	}
}

/* Forged headers under our names go, last first; others' are kept; our iprev result is added. */
static void test_eom_rewrites_headers(void)
{
	const struct fake_header *h;

	open_session("", HONEST);
	MAIL("<a@sender.example>");
	RCPT("<user@example.net>");
	forged_headers(MTA_NAME);
	CU_ASSERT_EQUAL(mxp_filter.xxfi_eom(ctx()), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL_FATAL(mta.ndeleted, 5);
	CU_ASSERT_STRING_EQUAL(mta.deleted[0].name, XMP);
	CU_ASSERT_EQUAL(mta.deleted[0].index, 2);
	CU_ASSERT_STRING_EQUAL(mta.deleted[1].name, XMP);
	CU_ASSERT_EQUAL(mta.deleted[1].index, 1);
	assert_forged_ar_removed();
	CU_ASSERT_EQUAL(mta.ninserted, 1);          /* nothing tagged: no X-MX-Policy */
	h = fake_mta_inserted(&mta, AR);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_EQUAL(h->index, 0);
	CU_ASSERT_STRING_EQUAL(h->value, MTA_NAME ";\n\tiprev=pass policy.iprev=" CLIENT
				" (" HONEST ")");
	close_session();
}

/* Listed after OpenDKIM, under its (and our) default id: its dkim=pass reaches OpenDMARC. */
static void test_eom_keeps_other_filters_results(void)
{
	open_session("", HONEST);
	MAIL("<a@sender.example>");
	RCPT("<user@example.net>");
	header(AR, MTA_NAME "; dkim=pass header.d=sender.example header.b=Xy7LmN2q");
	header(AR, MTA_NAME "; spf=pass smtp.mailfrom=sender.example");
	header(AR, MTA_NAME "; dmarc=pass (p=reject dis=none) header.from=sender.example");
	header(AR, MTA_NAME "; arc=none smtp.remote-ip=" CLIENT);
	header(AR, "other.example; iprev=pass");
	mxp_filter.xxfi_eom(ctx());
	CU_ASSERT_EQUAL(mta.ndeleted, 0);
	CU_ASSERT_PTR_NOT_NULL(fake_mta_inserted(&mta, AR));
	close_session();
}

/* As many forged iprev claims as are indexed: every one of them goes. */
static void test_eom_removes_up_to_cap(void)
{
	open_session("", HONEST);
	MAIL("<a@sender.example>");
	RCPT("<user@example.net>");
	for (int i = 0; i < AR_HEADERS_MAX; i++)
		header(AR, MTA_NAME "; iprev=pass");
	CU_ASSERT_EQUAL(mxp_filter.xxfi_eom(ctx()), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL_FATAL(mta.ndeleted, AR_HEADERS_MAX);
	CU_ASSERT_EQUAL(mta.deleted[0].index, AR_HEADERS_MAX);
	CU_ASSERT_EQUAL(mta.deleted[AR_HEADERS_MAX - 1].index, 1);
	close_session();
}

/* One more than can be removed: the message is refused, none passes on. */
static void test_eom_refuses_past_cap(void)
{
	open_session("", HONEST);
	MAIL("<a@sender.example>");
	RCPT("<user@example.net>");
	for (int i = 0; i < AR_HEADERS_MAX + 1; i++)
		header(AR, MTA_NAME "; iprev=pass");
	CU_ASSERT_EQUAL(mxp_filter.xxfi_eom(ctx()), SMFIS_REJECT);
	CU_ASSERT_STRING_EQUAL(mta.reply.code, "550");
	CU_ASSERT_STRING_EQUAL(mta.reply.xcode, "5.7.1");
	/* the next transaction starts clean */
	MAIL("<a@sender.example>");
	RCPT("<user@example.net>");
	header(AR, MTA_NAME "; iprev=pass");
	CU_ASSERT_EQUAL(mxp_filter.xxfi_eom(ctx()), SMFIS_CONTINUE);
	close_session();
}

/* A tagging check names itself in X-MX-Policy; authserv_id names the headers. */
static void test_eom_tags_under_authserv_id(void)
{
	const struct fake_header *h;

	open_session("authserv_id = auth.example\n", UNKNOWN_HELO);
	MAIL("<a@sender.example>");
	CU_ASSERT_EQUAL(RCPT("<user@example.net>"), SMFIS_CONTINUE);
	forged_headers("auth.example");
	mxp_filter.xxfi_eom(ctx());
	assert_forged_ar_removed();
	h = fake_mta_inserted(&mta, XMP);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_EQUAL(h->index, 0);
	CU_ASSERT_STRING_EQUAL(h->value, "auth.example; checks=helo_unknown");
	h = fake_mta_inserted(&mta, AR);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_EQUAL(strncmp(h->value, "auth.example;\n\tiprev=pass ", 26), 0);
	close_session();

	start("", NULL);                            /* neither authserv_id nor j */
	connect_from(CLIENT);
	helo(UNKNOWN_HELO);
	MAIL("<a@sender.example>");
	RCPT("<user@example.net>");
	mxp_filter.xxfi_eom(ctx());
	h = fake_mta_inserted(&mta, XMP);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_STRING_EQUAL(h->value, "localhost; checks=helo_unknown");
	close_session();
}

/* ---- a long session: what one message leaves to the next ---------------- */

/* The tag of one message is not carried into the next one's header. */
static void test_tags_last_one_message(void)
{
	open_session("", UNKNOWN_HELO);
	MAIL("<a@sender.example>");
	RCPT("<user@example.net>");
	mxp_filter.xxfi_eom(ctx());
	CU_ASSERT_PTR_NOT_NULL(fake_mta_inserted(&mta, XMP));
	CU_ASSERT_EQUAL(session()->tagged, 0);      /* the message is over */
	CU_ASSERT_PTR_NULL(session()->from);
	fake_mta_forget(&mta);
	MAIL("<b@sender.example>");
	CU_ASSERT_EQUAL(RCPT("<postmaster@example.net>"), SMFIS_CONTINUE);  /* exempt: untagged */
	mxp_filter.xxfi_eom(ctx());
	CU_ASSERT_PTR_NULL(fake_mta_inserted(&mta, XMP));
	CU_ASSERT_PTR_NOT_NULL(fake_mta_inserted(&mta, AR));    /* the connection's iprev stays */
	close_session();
}

/* Headers counted in an aborted message are not removed from the next one. */
static void test_abort_forgets_the_message(void)
{
	open_session("", HONEST);
	MAIL("<a@sender.example>");
	RCPT("<user@example.net>");
	forged_headers(MTA_NAME);
	CU_ASSERT_EQUAL(mxp_filter.xxfi_abort(ctx()), SMFIS_CONTINUE);
	CU_ASSERT_PTR_NULL(session()->from);
	CU_ASSERT_EQUAL(session()->forged_headers, 0);
	CU_ASSERT_EQUAL(session()->ar_forged_count, 0);
	MAIL("<b@sender.example>");
	RCPT("<user@example.net>");
	header(AR, "other.example; dkim=pass");
	mxp_filter.xxfi_eom(ctx());
	CU_ASSERT_EQUAL(mta.ndeleted, 0);
	close_session();
}

/* A DNS failure defers one message; the next decision asks again and accepts. */
static void test_dns_failure_does_not_outlast_its_decision(void)
{
	static const struct fake_row ptr_fails[] = {
		{REVERSE, DNS_T_PTR, DNS_TEMPFAIL, {NULL}, NULL}, {NULL, 0, 0, {NULL}, NULL},
	};
	const struct fake_header *h;

	open_session("", HONEST);
	zone_with(ptr_fails);
	MAIL("<a@sender.example>");
	CU_ASSERT_EQUAL(RCPT("<user@example.net>"), SMFIS_TEMPFAIL);
	mxp_filter.xxfi_abort(ctx());
	zone_with(NULL);                            /* the server answers again */
	fake_mta_forget(&mta);
	MAIL("<a@sender.example>");
	CU_ASSERT_EQUAL(RCPT("<user@example.net>"), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL(mta.replies, 0);
	mxp_filter.xxfi_eom(ctx());
	h = fake_mta_inserted(&mta, AR);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_PTR_NOT_NULL(strstr(h->value, "iprev=pass"));
	close_session();
}

/* A client that greets again is judged on the new name, its DNS looked up anew. */
static void test_new_helo_gets_a_new_verdict(void)
{
	const struct fake_header *h;

	open_session("", IMPOSTOR);
	MAIL("<a@sender.example>");
	CU_ASSERT_EQUAL(RCPT("<user@example.net>"), SMFIS_REJECT);
	mxp_filter.xxfi_abort(ctx());
	fake_mta_forget(&mta);
	CU_ASSERT_EQUAL(helo(HONEST), SMFIS_NOREPLY);
	MAIL("<a@sender.example>");
	CU_ASSERT_EQUAL(RCPT("<user@example.net>"), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL(mta.replies, 0);
	mxp_filter.xxfi_eom(ctx());
	CU_ASSERT_PTR_NULL(fake_mta_inserted(&mta, XMP));
	fake_mta_forget(&mta);
	helo(UNKNOWN_HELO);                         /* a name that does not resolve: tagged */
	MAIL("<a@sender.example>");
	RCPT("<user@example.net>");
	mxp_filter.xxfi_eom(ctx());
	h = fake_mta_inserted(&mta, XMP);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_STRING_EQUAL(h->value, MTA_NAME "; checks=helo_unknown");
	close_session();
}

/* ---- the decision line ------------------------------------------------------ */

static char captured[65536];
static FILE *capture_file;
static int capture_saved;

/* The log's stderr sink goes to a file from here ... */
static void capture_begin(void)
{
	capture_file = tmpfile();
	CU_ASSERT_FATAL(capture_file != NULL);
	fflush(stderr);
	capture_saved = dup(2);
	CU_ASSERT_FATAL(capture_saved >= 0 && dup2(fileno(capture_file), 2) == 2);
}

/* ... to here, read back into captured. */
static void capture_end(void)
{
	size_t n;

	fflush(stderr);
	dup2(capture_saved, 2);
	close(capture_saved);
	rewind(capture_file);
	n = fread(captured, 1, sizeof captured - 1, capture_file);
	captured[n] = '\0';
	fclose(capture_file);
}

/* Runs one RCPT with its log captured. */
static sfsistat rcpt_logged(const char *address)
{
	sfsistat rc;

	capture_begin();
	rc = RCPT(address);
	capture_end();
	return rc;
}

/* Ends the message with its log captured. */
static void eom_logged(void)
{
	capture_begin();
	CU_ASSERT_EQUAL(mxp_filter.xxfi_eom(ctx()), SMFIS_CONTINUE);
	capture_end();
}

/* How many captured lines contain text. */
static unsigned lines_with(const char *text)
{
	unsigned n = 0;

	for (const char *p = captured; (p = strstr(p, text)) != NULL; p += strlen(text))
		n++;
	return n;
}

/* The refusal is logged with the queue id ({i}), the session id and the stage. */
static void test_decision_line_logged(void)
{
	char want[64];

	open_session("", IMPOSTOR);
	MAIL("<a@sender.example>");
	CU_ASSERT_EQUAL(rcpt_logged("<user@example.net>"), SMFIS_REJECT);
	snprintf(want, sizeof want, QUEUE_ID ": session=%s stage=RCPT ", session()->id);
	CU_ASSERT_PTR_NOT_NULL(strstr(captured, want));
	CU_ASSERT_PTR_NOT_NULL(strstr(captured, " checks=helo_impersonation"));
	CU_ASSERT_PTR_NOT_NULL(strstr(captured, " verdict=reject"));
	CU_ASSERT_PTR_NOT_NULL(strstr(captured, " rcpt=<user@example.net>"));
	close_session();
}

/* ---- the end-of-message lines ------------------------------------------------ */

/* Postfix: no i at RCPT before the first accepted one, the queue id at end of message. */
static const struct fake_macro postfix_no_queue_id[] = {
	{"j", MTA_NAME}, {"{daemon_addr}", "198.51.100.1"}, {NULL, NULL},
};

/* The captured line for rcpt that starts with "QUEUE_ID: session=ID stage=EOM ", or NULL. */
static const char *eom_line_for(const char *rcpt, char *line, size_t len)
{
	char start[128], key[128];
	const char *p, *end;

	snprintf(start, sizeof start, QUEUE_ID ": session=%s stage=EOM ", session()->id);
	snprintf(key, sizeof key, " rcpt=%s ", rcpt);
	for (p = captured; (p = strstr(p, start)) != NULL; p = end) {
		end = strchr(p, '\n');
		CU_ASSERT_FATAL(end != NULL);
		snprintf(line, len, "%.*s", (int)(end - p), p);
		if (strstr(line, key) != NULL)
			return line;
	}
	return NULL;
}

/* Two recipients, two lines, each under the queue id with the decision line's keys. */
static void test_eom_lines_per_recipient(void)
{
	char line[1024], want[1024];

	open_session("", HONEST);
	mta.macros = postfix_no_queue_id;
	MAIL("<a@sender.example>");
	CU_ASSERT_EQUAL(rcpt_logged("<user@example.net>"), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL(strncmp(strstr(captured, "mxpolicy-milter: ") + 17, "NOQUEUE: ", 9), 0);
	mta.macros = postfix;                       /* Postfix's i, from now on */
	CU_ASSERT_EQUAL(RCPT("<User@Example.NET>"), SMFIS_CONTINUE);
	eom_logged();
	CU_ASSERT_EQUAL(lines_with(" stage=EOM "), 2);
	CU_ASSERT_EQUAL(lines_with("mxpolicy-milter: " QUEUE_ID ": session="), 2);
	snprintf(want, sizeof want, QUEUE_ID ": session=%s stage=EOM client=" CLIENT " helo=" HONEST
		 " from=<a@sender.example> rcpt=<user@example.net> rcpt_domain=example.net "
		 "route=primary(pref=10) checks=- action=none verdict=accept", session()->id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(eom_line_for("<user@example.net>", line, sizeof line));
	CU_ASSERT_STRING_EQUAL(line, want);
	CU_ASSERT_PTR_NOT_NULL_FATAL(eom_line_for("<User@Example.NET>", line, sizeof line));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, " rcpt_domain=Example.NET route=primary(pref=10) "));
	CU_ASSERT_PTR_NULL(strstr(line, "reply="));
	CU_ASSERT_PTR_NULL(strstr(captured, "NOQUEUE"));
	CU_ASSERT_EQUAL(session()->rcpts_kept, 0);  /* the message is over */
	close_session();
}

/* A refused recipient is listed too, with its reply; an exempt one names its exemption. */
static void test_eom_lines_include_refused(void)
{
	char line[1024];

	open_session("", IMPOSTOR);
	MAIL("<a@sender.example>");
	CU_ASSERT_EQUAL(RCPT("<user@example.net>"), SMFIS_REJECT);
	CU_ASSERT_EQUAL(RCPT("<postmaster@example.net>"), SMFIS_CONTINUE);
	eom_logged();
	CU_ASSERT_EQUAL(lines_with(" stage=EOM "), 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(eom_line_for("<user@example.net>", line, sizeof line));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, " checks=helo_impersonation,helo_mismatch action=reject "
				      "verdict=reject reply=\"550 5.7.1 " IMPERSONATION_TEXT "\""));
	CU_ASSERT_PTR_NOT_NULL_FATAL(eom_line_for("<postmaster@example.net>", line, sizeof line));
	CU_ASSERT_PTR_NOT_NULL(strstr(line, " verdict=exempt exempt=allow_recipients"));
	CU_ASSERT_PTR_NULL(strstr(line, "reply="));
	close_session();
}

/* No i at end of message: no line, none invented; the next message starts empty. */
static void test_eom_lines_need_a_queue_id(void)
{
	open_session("", HONEST);
	mta.macros = postfix_no_queue_id;
	MAIL("<a@sender.example>");
	RCPT("<user@example.net>");
	eom_logged();
	CU_ASSERT_EQUAL(lines_with("stage=EOM"), 0);
	CU_ASSERT_EQUAL(captured[0], '\0');
	mta.macros = postfix;
	MAIL("<b@sender.example>");
	RCPT("<a@example.net>");
	mxp_filter.xxfi_abort(ctx());               /* RSET: this one is forgotten */
	MAIL("<c@sender.example>");
	RCPT("<b@example.net>");
	eom_logged();
	CU_ASSERT_EQUAL(lines_with(" stage=EOM "), 1);
	CU_ASSERT_EQUAL(lines_with(" rcpt=<b@example.net> "), 1);
	close_session();
}

/* Past SESSION_RCPTS_KEPT recipients, one line counts the rest. */
static void test_eom_lines_capped(void)
{
	char want[128];

	open_session("", HONEST);
	MAIL("<a@sender.example>");
	for (int i = 0; i < SESSION_RCPTS_KEPT + 7; i++) {
		char rcpt[64];

		snprintf(rcpt, sizeof rcpt, "<user%d@example.net>", i);
		RCPT(rcpt);
	}
	eom_logged();
	CU_ASSERT_EQUAL(lines_with(" stage=EOM rcpt"), 0);
	CU_ASSERT_EQUAL(lines_with(" stage=EOM client="), SESSION_RCPTS_KEPT);
	CU_ASSERT_EQUAL(lines_with(" rcpt=<user0@example.net> "), 1);
	CU_ASSERT_EQUAL(lines_with(" rcpt=<user99@example.net> "), 1);
	CU_ASSERT_EQUAL(lines_with(" rcpt=<user100@example.net> "), 0);
	snprintf(want, sizeof want, QUEUE_ID ": session=%s stage=EOM recipients_not_listed=7\n",
		 session()->id);
	CU_ASSERT_EQUAL(lines_with(want), 1);
	close_session();
}

/* ---- the MTA's own lookup of the client's name ------------------------------ */

/* Postfix's connect macros for CLIENT, whose PTR name it confirmed (or not: resolve). */
static struct fake_macro mta_said[] = {
	{"j", MTA_NAME}, {"{daemon_addr}", "198.51.100.1"}, {"i", QUEUE_ID},
	{"{client_addr}", CLIENT}, {"{client_resolve}", "OK"}, {"{client_name}", HONEST},
	{"{client_ptr}", HONEST}, {NULL, NULL},
};

static void mta_says(const char *resolve, const char *name, const char *addr)
{
	mta_said[3].value = addr;
	mta_said[4].value = resolve;
	mta_said[5].value = name;
	mta_said[6].value = HONEST;
}

/* One honest message's decision through Postfix saying that; the RCPT line captured. */
/* A session to one RCPT after the MTA's lookup (mta_says); its answer to RCPT. */
static sfsistat session_with_helo(const char *conf, const char *helo_name)
{
	unsigned long actions, steps;

	start(conf, mta_said);
	negotiate(OFFERED_ACTIONS, &actions, &steps);
	CU_ASSERT_EQUAL(connect_from(CLIENT), SMFIS_NOREPLY);
	CU_ASSERT_EQUAL(helo(helo_name), SMFIS_NOREPLY);
	MAIL("<a@sender.example>");
	return rcpt_logged("<user@example.net>");
}

static void session_after_mta(const char *conf)
{
	CU_ASSERT_EQUAL(session_with_helo(conf, HONEST), SMFIS_CONTINUE);
}

/* Confirmed by the MTA: no PTR and no forward question, iprev=pass from the MTA. */
static void test_mta_confirmed_client_asks_no_ptr(void)
{
	static const struct fake_row ptr_broken[] = {
		{REVERSE, DNS_T_PTR, DNS_TEMPFAIL, {NULL}, NULL}, {NULL, 0, 0, {NULL}, NULL},
	};
	const struct fake_header *h;
	int asked_by_dns;

	mta_says("FAIL", "unknown", CLIENT);        /* the reference: the filter's own lookup */
	session_after_mta("");
	asked_by_dns = resolver.submitted;
	CU_ASSERT_EQUAL(resolver.ptr_submitted, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(captured, " ptr=" HONEST " iprev=pass iprev_src=dns "));
	close_session();

	/* the HELO is the MTA's name: neither PTR nor its A, nor the HELO's A, AAAA, MX */
	mta_says("OK", HONEST, CLIENT);
	session_after_mta("");
	CU_ASSERT_EQUAL(nprefetched, 0);
	CU_ASSERT_EQUAL(resolver.ptr_submitted, 0);
	CU_ASSERT_EQUAL(resolver.submitted, asked_by_dns - 5);
	CU_ASSERT_PTR_NOT_NULL(strstr(captured, " ptr=" HONEST " iprev=pass iprev_src=mta "));
	CU_ASSERT_PTR_NOT_NULL(strstr(captured, " checks=- action=none verdict=accept"));
	mxp_filter.xxfi_eom(ctx());
	h = fake_mta_inserted(&mta, AR);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_STRING_EQUAL(h->value, MTA_NAME ";\n\tiprev=pass policy.iprev=" CLIENT
				" (" HONEST ")");
	close_session();

	/* a PTR that the filter could not get now is never asked: the MTA's answer stands */
	mta_says("OK", HONEST, CLIENT);
	start("", mta_said);
	zone_with(ptr_broken);
	connect_from(CLIENT);
	helo(HONEST);
	MAIL("<a@sender.example>");
	CU_ASSERT_EQUAL(rcpt_logged("<user@example.net>"), SMFIS_CONTINUE);
	CU_ASSERT_PTR_NULL(strstr(captured, "temperror="));
	CU_ASSERT_EQUAL(resolver.ptr_submitted, 0);
	close_session();
}

/* checks= and what follows of the decision line just captured. */
static void verdict_of(char *out, size_t len)
{
	const char *p = strstr(captured, " checks=");

	snprintf(out, len, "%s", p ? p : "(no decision line)");
}

/*
 * The HELO name's facts from the MTA: only when it is the name the MTA
 * confirmed, in any case and with a root dot; any other HELO is asked.
 * Each verdict is the one of the filter's own lookups.
 */
static void test_mta_name_as_helo(void)
{
	static const struct {
		const char *helo;
		unsigned prefetched;
	} cases[] = {
		{HONEST, 0}, {"MAIL.Sender.Example", 0}, {HONEST ".", 0},
		{UNKNOWN_HELO, 3}, {IMPOSTOR, 3}, {"sender.example", 3},
	};
	char by_dns[512], by_mta[512];

	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		sfsistat rc;

		mta_says("FAIL", "unknown", CLIENT);
		rc = session_with_helo("", cases[i].helo);
		verdict_of(by_dns, sizeof by_dns);
		close_session();
		mta_says("OK", HONEST, CLIENT);
		CU_ASSERT_EQUAL(session_with_helo("", cases[i].helo), rc);
		verdict_of(by_mta, sizeof by_mta);
		CU_ASSERT_EQUAL(nprefetched, cases[i].prefetched);
		CU_ASSERT_EQUAL(resolver.ptr_submitted, 0);
		if (strcmp(by_dns, by_mta) != 0)
			fprintf(stderr, "\n  HELO %s: %s against %s\n", cases[i].helo, by_mta, by_dns);
		CU_ASSERT_STRING_EQUAL(by_mta, by_dns);
		close_session();
	}
}

/*
 * The MTA's confirmation comes from its system resolver: /etc/hosts
 * ("192.0.2.10 mx2.example.net", an internal address of the backup MX),
 * or resolv.conf's search list.  DNS gives the HELO name mx2.example.net
 * only 198.51.100.2: the HELO checks must say what those DNS answers say,
 * as they did before the HELO's facts were taken from the MTA
 * (helo_impersonation, 550; helo_mismatch).
 */
static void test_mta_name_from_hosts_file_as_helo(void)
{
	sfsistat rc;

	mta_says("OK", IMPOSTOR, CLIENT);
	rc = session_with_helo("", IMPOSTOR);
	if (rc != SMFIS_REJECT)
		fprintf(stderr, "\n  HELO " IMPOSTOR " confirmed by the MTA only: %s\n", captured);
	CU_ASSERT_EQUAL(rc, SMFIS_REJECT);
	CU_ASSERT_PTR_NOT_NULL(strstr(captured, " checks=helo_impersonation,helo_mismatch "));
	close_session();
	/* this MTA's own name, confirmed by the MTA: a claim known at HELO, prefetched */
	mta_says("OK", MTA_NAME, CLIENT);
	rc = session_with_helo("", MTA_NAME);
	CU_ASSERT_EQUAL(nprefetched, 3);
	CU_ASSERT_EQUAL(rc, SMFIS_REJECT);
	close_session();
}

/* ---- the HELO shortcut for IPv6, v4-mapped and later HELOs ------------------ */

#define CLIENT6 "2001:db8::10"
#define REVERSE6 "0.1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa"

static const struct fake_row zone6[] = {
	{REVERSE6, DNS_T_PTR, DNS_ANSWER, {HONEST}, NULL},
	{HONEST, DNS_T_AAAA, DNS_ANSWER, {CLIENT6}, NULL},
	{"v6only.sender.example", DNS_T_AAAA, DNS_ANSWER, {CLIENT6}, NULL},
	{REVERSE6 "x", DNS_T_PTR, DNS_ANSWER, {"v6only.sender.example"}, NULL},
	{NULL, 0, 0, {NULL}, NULL},
};

/* A session from an IPv6 (or v4-mapped) sockaddr, the MTA's macros as set. */
static sfsistat session6(const char *addr, const char *helo_name)
{
	struct sockaddr_in6 sin6 = {.sin6_family = AF_INET6};
	unsigned long actions, steps;

	CU_ASSERT_FATAL(inet_pton(AF_INET6, addr, &sin6.sin6_addr) == 1);
	start("", mta_said);
	zone_with(zone6);
	negotiate(OFFERED_ACTIONS, &actions, &steps);
	mxp_filter.xxfi_connect(ctx(), (char *)"client.host", (struct sockaddr *)&sin6);
	helo(helo_name);
	MAIL("<a@sender.example>");
	return rcpt_logged("<user@example.net>");
}

static void probe_compare(const char *what, const char *addr, const char *macro_addr,
			  const char *name, const char *helo_name)
{
	char by_dns[512], by_mta[512];
	sfsistat rc;

	mta_says("FAIL", "unknown", macro_addr);
	rc = session6(addr, helo_name);
	verdict_of(by_dns, sizeof by_dns);
	close_session();
	mta_says("OK", name, macro_addr);
	CU_ASSERT_EQUAL(session6(addr, helo_name), rc);
	verdict_of(by_mta, sizeof by_mta);
	CU_ASSERT_PTR_NOT_NULL(strstr(captured, "iprev_src=mta"));
	if (strcmp(by_mta, by_dns) != 0)
		fprintf(stderr, "\n  %s: by dns %s\n  %s: by mta %s", what, by_dns, what, by_mta);
	CU_ASSERT_STRING_EQUAL(by_mta, by_dns);
	close_session();
}

static void test_mta_name_as_helo_ipv6(void)
{
	/* IPv6 client, its AAAA; Postfix's {client_addr} form, and Sendmail's */
	probe_compare("v6", CLIENT6, CLIENT6, HONEST, HONEST);
	probe_compare("v6 sendmail", CLIENT6, "IPv6:" CLIENT6, HONEST, HONEST);
	/* an IPv4 client on an IPv6 socket (Sendmail's IPv6:::ffff:a.b.c.d) */
	probe_compare("v4-mapped", "::ffff:" CLIENT, "IPv6:::ffff:" CLIENT, HONEST, HONEST);
	probe_compare("v4-mapped impostor", "::ffff:" CLIENT, "IPv6:::ffff:" CLIENT, HONEST,
		      IMPOSTOR);
}

/* A second HELO in one session: the shortcut for the MTA's name only, each time. */
static void test_mta_name_as_helo_second_helo(void)
{
	static const char *const helos[] = {HONEST, IMPOSTOR, HONEST, UNKNOWN_HELO, HONEST "."};
	char by_dns[5][512], by_mta[5][512];
	sfsistat rc_dns[5], rc_mta[5];
	unsigned long actions, steps;

	for (int pass = 0; pass < 2; pass++) {
		if (pass == 0)
			mta_says("FAIL", "unknown", CLIENT);
		else
			mta_says("OK", HONEST, CLIENT);
		start("", mta_said);
		negotiate(OFFERED_ACTIONS, &actions, &steps);
		connect_from(CLIENT);
		for (int i = 0; i < 5; i++) {
			helo(helos[i]);
			MAIL("<a@sender.example>");
			(pass ? rc_mta : rc_dns)[i] = rcpt_logged("<user@example.net>");
			verdict_of((pass ? by_mta : by_dns)[i], sizeof by_dns[i]);
			mxp_filter.xxfi_abort(ctx());
		}
		close_session();
	}
	for (int i = 0; i < 5; i++) {
		CU_ASSERT_EQUAL(rc_mta[i], rc_dns[i]);
		CU_ASSERT_STRING_EQUAL(by_mta[i], by_dns[i]);
	}
}

/* FAIL, FORGED, TEMP, no macros, another address, a generic name: the filter looks up. */
static void test_mta_doubt_means_lookup(void)
{
	static const struct {
		const char *resolve, *name, *addr;
	} doubts[] = {
		{"FAIL", "unknown", CLIENT}, {"FORGED", HONEST, CLIENT}, {"TEMP", "unknown", CLIENT},
		{NULL, NULL, NULL}, {"OK", "unknown", CLIENT}, {"OK", HONEST, "192.0.2.99"},
		{"OK", "192-0-2-10.dsl.sender.example", CLIENT},
	};

	for (size_t i = 0; i < sizeof doubts / sizeof doubts[0]; i++) {
		mta_says(doubts[i].resolve, doubts[i].name, doubts[i].addr);
		session_after_mta("");
		CU_ASSERT_EQUAL(resolver.ptr_submitted, 1);
		CU_ASSERT_EQUAL_FATAL(nprefetched >= 1, 1);
		CU_ASSERT_EQUAL(prefetched[0].type, DNS_T_PTR);
		if (strstr(captured, " iprev=pass iprev_src=dns ") == NULL)
			fprintf(stderr, "\n  case %zu: %s\n", i, captured);
		CU_ASSERT_PTR_NOT_NULL(strstr(captured, " iprev=pass iprev_src=dns "));
		close_session();
	}
	/* allow_ptr elsewhere: another of the client's names might be the one listed */
	mta_says("OK", HONEST, CLIENT);
	session_after_mta("allow_ptr = partner.example\n");
	CU_ASSERT_EQUAL(resolver.ptr_submitted, 1);
	close_session();
}

/* Exempt clients ask nothing and log no iprev, whatever the MTA found. */
static void test_mta_confirmed_exempt_client(void)
{
	mta_says("OK", HONEST, CLIENT);
	session_after_mta("allow_clients = " CLIENT "/32\n");
	CU_ASSERT_EQUAL(decisions_asked, 0);
	CU_ASSERT_PTR_NOT_NULL(strstr(captured, " ptr=- iprev=- iprev_src=- "));
	close_session();
}

/* iprev_from_mta = no: the MTA's OK is not taken, the client is looked up. */
static void test_iprev_from_mta_off(void)
{
	mta_says("OK", HONEST, CLIENT);
	session_after_mta("iprev_from_mta = no\n");
	CU_ASSERT_EQUAL(resolver.ptr_submitted, 1);
	CU_ASSERT_EQUAL_FATAL(nprefetched >= 1, 1);
	CU_ASSERT_EQUAL(prefetched[0].type, DNS_T_PTR);
	CU_ASSERT_PTR_NOT_NULL(strstr(captured, " ptr=" HONEST " iprev=pass iprev_src=dns "));
	close_session();
}

#define GENERIC_PTR "192-0-2-10.dyn.sender.example"

/*
 * A client with two PTR names, both forward-confirmed: HONEST first (the one
 * the MTA confirms) and a generic one, which is also its HELO name, so that
 * the filter's own lookup checks that one first.
 */
static const struct fake_row two_names[] = {
	{REVERSE, DNS_T_PTR, DNS_ANSWER, {HONEST, GENERIC_PTR}, NULL},
	{GENERIC_PTR, DNS_T_A, DNS_ANSWER, {CLIENT}, NULL},
	{NULL, 0, 0, {NULL}, NULL},
};

static void two_names_session(const char *conf, const char *resolve, const char *name)
{
	unsigned long actions, steps;

	mta_says(resolve, name, CLIENT);
	start(conf, mta_said);
	zone_with(two_names);
	negotiate(OFFERED_ACTIONS, &actions, &steps);
	connect_from(CLIENT);
	helo(GENERIC_PTR);
	MAIL("<a@sender.example>");
	CU_ASSERT_EQUAL(rcpt_logged("<user@example.net>"), SMFIS_CONTINUE);
}

static void expect_line(const char *ptr_iprev, const char *checks)
{
	if (strstr(captured, ptr_iprev) == NULL || strstr(captured, checks) == NULL)
		fprintf(stderr, "\n  want %s ... %s in: %s\n", ptr_iprev, checks, captured);
	CU_ASSERT_PTR_NOT_NULL(strstr(captured, ptr_iprev));
	CU_ASSERT_PTR_NOT_NULL(strstr(captured, checks));
}

/*
 * The MTA's pass for a client with several PTR names is the verdict of
 * checking every name: the filter's own lookup, limited by ptr_max_names
 * to the HELO's name, sees only the generic one and tags; with both names
 * checked, or with the MTA's confirmed name, nothing is tagged.  The ptr=
 * name is the MTA's with iprev_src=mta, the HELO-first one with dns.
 */
static void test_mta_pass_with_several_ptr_names(void)
{
	two_names_session("ptr_max_names = 1\n", "FAIL", "unknown");
	expect_line(" ptr=" GENERIC_PTR " iprev=pass iprev_src=dns ", " checks=ptr_generic ");
	close_session();
	two_names_session("ptr_max_names = 2\n", "FAIL", "unknown");
	expect_line(" ptr=" GENERIC_PTR " iprev=pass iprev_src=dns ", " checks=- ");
	close_session();
	two_names_session("ptr_max_names = 1\n", "OK", HONEST);
	expect_line(" ptr=" HONEST " iprev=pass iprev_src=mta ", " checks=- ");
	CU_ASSERT_EQUAL(resolver.ptr_submitted, 0);
	close_session();
	/* with iprev_from_mta = no, the filter's own lookup and its limit decide */
	two_names_session("ptr_max_names = 1\niprev_from_mta = no\n", "OK", HONEST);
	expect_line(" ptr=" GENERIC_PTR " iprev=pass iprev_src=dns ", " checks=ptr_generic ");
	close_session();
}

/* ---- authentication_results = no: the message accepted at DATA -------------- */

static sfsistat data_logged(void)
{
	sfsistat rc;

	capture_begin();
	rc = mxp_filter.xxfi_data(ctx());
	capture_end();
	return rc;
}

/* Nothing to tag and no header to add: accepted at DATA, its lines written there. */
static void test_fast_path_accepts_at_data(void)
{
	char want[256];

	open_session("authentication_results = no\n", HONEST);
	MAIL("<a@sender.example>");
	CU_ASSERT_EQUAL(RCPT("<user@example.net>"), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL(RCPT("<postmaster@example.net>"), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL(data_logged(), SMFIS_ACCEPT);
	snprintf(want, sizeof want, QUEUE_ID ": session=%s stage=DATA client=" CLIENT " helo=" HONEST
		 " from=<a@sender.example> rcpt=<user@example.net> rcpt_domain=example.net "
		 "route=primary(pref=10) checks=- action=none verdict=accept\n", session()->id);
	CU_ASSERT_EQUAL(lines_with(want), 1);
	CU_ASSERT_EQUAL(lines_with(" stage=DATA "), 2);
	CU_ASSERT_EQUAL(lines_with(" stage=EOM "), 0);
	CU_ASSERT_EQUAL(session()->rcpts_kept, 0);  /* the message is over */
	CU_ASSERT_PTR_NULL(session()->from);
	CU_ASSERT_EQUAL(mta.ninserted, 0);
	CU_ASSERT_EQUAL(mta.ndeleted, 0);
	/* the next message of the session takes the same path */
	MAIL("<b@sender.example>");
	RCPT("<user@example.net>");
	CU_ASSERT_EQUAL(mxp_filter.xxfi_data(ctx()), SMFIS_ACCEPT);
	close_session();
}

/* Past the cap, the count of the others is written at DATA too. */
static void test_fast_path_lines_capped(void)
{
	char want[128];

	open_session("authentication_results = no\n", HONEST);
	MAIL("<a@sender.example>");
	for (int i = 0; i < SESSION_RCPTS_KEPT + 3; i++) {
		char rcpt[64];

		snprintf(rcpt, sizeof rcpt, "<user%d@example.net>", i);
		RCPT(rcpt);
	}
	CU_ASSERT_EQUAL(data_logged(), SMFIS_ACCEPT);
	CU_ASSERT_EQUAL(lines_with(" stage=DATA client="), SESSION_RCPTS_KEPT);
	snprintf(want, sizeof want, QUEUE_ID ": session=%s stage=DATA recipients_not_listed=3\n",
		 session()->id);
	CU_ASSERT_EQUAL(lines_with(want), 1);
	close_session();
}

/* A tag to add: on to the end of message, which adds it, and no Authentication-Results. */
static void test_fast_path_tagged_goes_to_eom(void)
{
	const struct fake_header *h;

	open_session("authentication_results = no\n", UNKNOWN_HELO);
	MAIL("<a@sender.example>");
	CU_ASSERT_EQUAL(RCPT("<user@example.net>"), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL(data_logged(), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL(captured[0], '\0');         /* the lines wait for the end */
	forged_headers(MTA_NAME);
	eom_logged();
	CU_ASSERT_EQUAL(lines_with(" stage=EOM "), 1);
	h = fake_mta_inserted(&mta, XMP);
	CU_ASSERT_PTR_NOT_NULL_FATAL(h);
	CU_ASSERT_STRING_EQUAL(h->value, MTA_NAME "; checks=helo_unknown");
	CU_ASSERT_PTR_NULL(fake_mta_inserted(&mta, AR));
	/* the forged X-MX-Policy headers go; Authentication-Results are another filter's */
	CU_ASSERT_EQUAL_FATAL(mta.ndeleted, 2);
	CU_ASSERT_STRING_EQUAL(mta.deleted[0].name, XMP);
	CU_ASSERT_STRING_EQUAL(mta.deleted[1].name, XMP);
	close_session();

	/* a dry run tags what it would refuse: that message goes on to the end too */
	open_session("authentication_results = no\ndry_run = yes\n", IMPOSTOR);
	MAIL("<a@sender.example>");
	CU_ASSERT_EQUAL(RCPT("<user@example.net>"), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL(mxp_filter.xxfi_data(ctx()), SMFIS_CONTINUE);
	close_session();
}

/* More forged claims than can be removed: refused only when the filter guards A-R. */
static void test_fast_path_leaves_ar_alone(void)
{
	char ar[64];

	open_session("authentication_results = no\n", UNKNOWN_HELO);
	MAIL("<a@sender.example>");
	RCPT("<user@example.net>");
	mxp_filter.xxfi_data(ctx());
	snprintf(ar, sizeof ar, "%s; iprev=pass", MTA_NAME);
	for (int i = 0; i < AR_HEADERS_MAX + 5; i++)
		header(AR, ar);
	CU_ASSERT_EQUAL(mxp_filter.xxfi_eom(ctx()), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL(mta.replies, 0);
	CU_ASSERT_EQUAL(mta.ndeleted, 0);
	close_session();
}

/* With the header on (the default), DATA goes on and the end of message is as before. */
static void test_header_on_keeps_eom(void)
{
	open_session("", HONEST);
	MAIL("<a@sender.example>");
	RCPT("<user@example.net>");
	CU_ASSERT_EQUAL(data_logged(), SMFIS_CONTINUE);
	CU_ASSERT_EQUAL(captured[0], '\0');
	forged_headers(MTA_NAME);
	eom_logged();
	CU_ASSERT_EQUAL(lines_with(" stage=EOM "), 1);
	CU_ASSERT_EQUAL(lines_with(" stage=DATA "), 0);
	assert_forged_ar_removed();
	CU_ASSERT_PTR_NOT_NULL(fake_mta_inserted(&mta, AR));
	close_session();
}

int main(void)
{
	static CU_TestInfo tests[] = {
		UNIT_TEST(test_negotiate_asks_what_the_filter_needs),
		UNIT_TEST(test_no_reply_steps),
		UNIT_TEST(test_close_releases_the_session),
		UNIT_TEST(test_local_address_from_macros),
		UNIT_TEST(test_honest_session_accepted),
		UNIT_TEST(test_refused_at_rcpt),
		UNIT_TEST(test_refused_at_mail),
		UNIT_TEST(test_dry_run_never_refuses),
		UNIT_TEST(test_dns_failure_defers),
		UNIT_TEST(test_authenticated_sender_exempt),
		UNIT_TEST(test_exempt_and_local_clients_ask_no_dns),
		UNIT_TEST(test_no_session_answers_per_on_internal_error),
		UNIT_TEST(test_refused_reply_still_refuses),
		UNIT_TEST(test_prefetch_budget),
		UNIT_TEST(test_later_helo_not_prefetched),
		UNIT_TEST(test_eom_rewrites_headers),
		UNIT_TEST(test_eom_keeps_other_filters_results),
		UNIT_TEST(test_eom_removes_up_to_cap),
		UNIT_TEST(test_eom_refuses_past_cap),
		UNIT_TEST(test_eom_tags_under_authserv_id),
		UNIT_TEST(test_tags_last_one_message),
		UNIT_TEST(test_abort_forgets_the_message),
		UNIT_TEST(test_dns_failure_does_not_outlast_its_decision),
		UNIT_TEST(test_new_helo_gets_a_new_verdict),
		UNIT_TEST(test_decision_line_logged),
		UNIT_TEST(test_eom_lines_per_recipient),
		UNIT_TEST(test_eom_lines_include_refused),
		UNIT_TEST(test_eom_lines_need_a_queue_id),
		UNIT_TEST(test_eom_lines_capped),
		UNIT_TEST(test_mta_confirmed_client_asks_no_ptr),
		UNIT_TEST(test_mta_name_as_helo),
		UNIT_TEST(test_mta_name_from_hosts_file_as_helo),
		UNIT_TEST(test_mta_name_as_helo_ipv6),
		UNIT_TEST(test_mta_name_as_helo_second_helo),
		UNIT_TEST(test_mta_doubt_means_lookup),
		UNIT_TEST(test_mta_confirmed_exempt_client),
		UNIT_TEST(test_iprev_from_mta_off),
		UNIT_TEST(test_mta_pass_with_several_ptr_names),
		UNIT_TEST(test_fast_path_accepts_at_data),
		UNIT_TEST(test_fast_path_lines_capped),
		UNIT_TEST(test_fast_path_tagged_goes_to_eom),
		UNIT_TEST(test_fast_path_leaves_ar_alone),
		UNIT_TEST(test_header_on_keeps_eom),
		CU_TEST_INFO_NULL,
	};
	static CU_SuiteInfo suites[] = {
		{"callbacks", NULL, NULL, NULL, NULL, tests},
		CU_SUITE_INFO_NULL,
	};

	log_open_stderr_only();
	callbacks_dns.decision = table_decision;
	callbacks_dns.prefetch = table_prefetch;
	return unit_run(suites);
}
