/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_session.c -- the state a session keeps: the configuration snapshot
 * it pins, its id, what lasts the whole connection (client, MTA name, HELO,
 * DNS facts, prefetches) and what one transaction resets (sender, tags,
 * the headers seen, the recipients kept for the end-of-message lines),
 * and its freeing.
 */
#include "autoconfig.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "core/logline.h"
#include "daemon/config.h"
#include "daemon/session.h"
#include "unit.h"

static struct config *parse(const char *text)
{
	struct config_errors errs = {0};
	struct config *cfg = config_parse_string("test.conf", text, &errs);

	CU_ASSERT_FATAL(cfg != NULL);
	config_errors_clear(&errs);
	return cfg;
}

static struct session *new_session(void)
{
	struct session *s = session_new(parse(""));

	CU_ASSERT_FATAL(s != NULL);
	return s;
}

static void set_client(struct session *s, const char *text)
{
	struct netaddr a;

	CU_ASSERT_FATAL(netaddr_parse(text, &a));
	session_set_client(s, &a);
}

/*
 * The session holds the snapshot it started with, whatever is published
 * later, and gives its reference back when freed.
 */
static void test_new_pins_its_snapshot(void)
{
	struct config *old = parse("dry_run = yes\n"), *acquired, *watch;
	struct session *s;

	config_publish(old);
	acquired = config_acquire();
	CU_ASSERT_PTR_EQUAL(acquired, old);
	s = session_new(acquired);
	CU_ASSERT_FATAL(s != NULL);
	CU_ASSERT_PTR_EQUAL(s->cfg, old);
	CU_ASSERT_EQUAL(old->refs, 2);          /* published, and the session's (taken over) */
	watch = config_acquire();               /* ours, to see the session's go */
	config_publish(parse("dry_run = no\n"));  /* a reload */
	CU_ASSERT_EQUAL(old->refs, 2);          /* the session's and ours */
	CU_ASSERT_PTR_EQUAL(s->cfg, old);
	CU_ASSERT_TRUE(s->cfg->policy.dry_run);
	session_free(s);
	CU_ASSERT_EQUAL(old->refs, 1);
	config_release(watch);                  /* the last: valgrind sees it freed */
	config_publish(NULL);
}

static void test_new_session_knows_nothing_yet(void)
{
	struct session *s = new_session();

	CU_ASSERT_STRING_EQUAL(s->client_text, "-");
	CU_ASSERT_FALSE(s->facts.have_client);
	CU_ASSERT_FALSE(s->facts.have_local);
	CU_ASSERT_FALSE(s->facts.helo_seen);
	CU_ASSERT_FALSE(s->facts.authenticated);
	CU_ASSERT_PTR_NULL(s->facts.iprev);
	CU_ASSERT_PTR_NULL(s->facts.mta_name);
	CU_ASSERT_PTR_NULL(s->mta_name);
	CU_ASSERT_PTR_NULL(s->helo_raw);
	CU_ASSERT_PTR_NULL(s->from);
	CU_ASSERT_FALSE(s->failed);
	CU_ASSERT_FALSE(s->iprev_gathered);
	CU_ASSERT_FALSE(s->helo_dns_gathered);
	CU_ASSERT_EQUAL(s->prefetches, 0);
	CU_ASSERT_EQUAL(s->protocol, 0);
	CU_ASSERT_EQUAL(s->tagged, 0);
	session_free(s);
}

static bool is_upper_hex(const char *id)
{
	for (const char *p = id; *p; p++)
		if (!isxdigit((unsigned char)*p) || islower((unsigned char)*p))
			return false;
	return true;
}

/* 12 upper-case hex digits: 8 of a start-time part, then 4 of a counter. */
static void test_id_format(void)
{
	struct session *a = new_session(), *b = new_session();
	unsigned long ca, cb;

	CU_ASSERT_EQUAL(strlen(a->id), SESSION_ID_LEN);
	CU_ASSERT_EQUAL(SESSION_ID_LEN, 12);
	CU_ASSERT_TRUE(is_upper_hex(a->id));
	CU_ASSERT_TRUE(is_upper_hex(b->id));
	CU_ASSERT_STRING_NOT_EQUAL(a->id, b->id);
	ca = strtoul(a->id + 8, NULL, 16);
	cb = strtoul(b->id + 8, NULL, 16);
	CU_ASSERT_EQUAL(cb, (ca + 1) & 0xffff);
	if (cb != 0)                            /* the counter did not wrap */
		CU_ASSERT_EQUAL(strncmp(a->id, b->id, 8), 0);
	session_free(a);
	session_free(b);
}

#define MANY 600

/* Every session of a process has its own id (decision lines are joined on it). */
static void test_ids_are_unique(void)
{
	static char ids[MANY][SESSION_ID_LEN + 1];
	unsigned dup = 0;

	for (int i = 0; i < MANY; i++) {
		struct session *s = new_session();

		memcpy(ids[i], s->id, sizeof ids[i]);
		session_free(s);
	}
	for (int i = 0; i < MANY; i++)
		for (int k = i + 1; k < MANY; k++)
			dup += strcmp(ids[i], ids[k]) == 0;
	CU_ASSERT_EQUAL(dup, 0);
}

static void test_client_and_local_addresses(void)
{
	struct session *s = new_session();
	struct netaddr local, want;

	set_client(s, "2001:db8::10");
	CU_ASSERT_TRUE(s->facts.have_client);
	CU_ASSERT_STRING_EQUAL(s->client_text, "2001:db8::10");
	set_client(s, "192.0.2.10");
	CU_ASSERT_STRING_EQUAL(s->client_text, "192.0.2.10");
	netaddr_parse("192.0.2.10", &want);
	CU_ASSERT_TRUE(netaddr_equal(&s->facts.client, &want));
	session_set_client(s, NULL);            /* AF_UNIX: nothing to judge */
	CU_ASSERT_FALSE(s->facts.have_client);
	netaddr_parse("198.51.100.1", &local);
	session_set_local(s, &local);
	CU_ASSERT_TRUE(s->facts.have_local);
	CU_ASSERT_TRUE(netaddr_equal(&s->facts.local, &local));
	session_set_local(s, NULL);
	CU_ASSERT_FALSE(s->facts.have_local);
	session_free(s);
}

/* The facts point at the session's own copy of macro j. */
static void test_mta_name_is_copied(void)
{
	struct session *s = new_session();
	char name[] = "mx1.example.net";

	CU_ASSERT_TRUE(session_set_mta_name(s, name));
	name[0] = 'X';
	CU_ASSERT_STRING_EQUAL(s->mta_name, "mx1.example.net");
	CU_ASSERT_PTR_EQUAL(s->facts.mta_name, s->mta_name);
	CU_ASSERT_TRUE(session_set_mta_name(s, "mx2.example.net"));
	CU_ASSERT_STRING_EQUAL(s->facts.mta_name, "mx2.example.net");
	CU_ASSERT_TRUE(session_set_mta_name(s, NULL));      /* the MTA sent no j */
	CU_ASSERT_PTR_NULL(s->mta_name);
	CU_ASSERT_PTR_NULL(s->facts.mta_name);
	session_free(s);
}

/* A recipient decided with verdict kind, on no route, in example.net. */
static void note(struct session *s, const char *rcpt, enum verdict_kind kind)
{
	struct verdict v;

	memset(&v, 0, sizeof v);
	v.kind = kind;
	session_note_rcpt(s, rcpt, "example.net", "none", &v);
}

/* Dirties everything a transaction owns. */
static void dirty_transaction(struct session *s)
{
	CU_ASSERT_TRUE(session_begin_transaction(s, "<a@sender.example>", true));
	s->tagged = 1u << CHECK_HELO_UNKNOWN;
	s->forged_headers = 2;
	s->ar_seen = 3;
	s->ar_forged_count = 1;
	s->ar_forged[0] = 2;
	note(s, "<user@example.net>", VERDICT_ACCEPT);
	note(s, "<other@example.net>", VERDICT_REJECT);
	s->rcpts_unlisted = 3;
}

static void assert_transaction_clean(const struct session *s)
{
	CU_ASSERT_PTR_NULL(s->from);
	CU_ASSERT_EQUAL(s->tagged, 0);
	CU_ASSERT_EQUAL(s->forged_headers, 0);
	CU_ASSERT_EQUAL(s->ar_seen, 0);
	CU_ASSERT_EQUAL(s->ar_forged_count, 0);
	CU_ASSERT_EQUAL(s->rcpts_kept, 0);
	CU_ASSERT_EQUAL(s->rcpts_unlisted, 0);
}

/* What lasts the connection, set up once. */
static struct session *connected_session(void)
{
	struct session *s = new_session();

	set_client(s, "192.0.2.10");
	CU_ASSERT_TRUE(session_set_mta_name(s, "mx1.example.net"));
	CU_ASSERT_TRUE(session_set_helo(s, "mail.sender.example"));
	s->iprev_gathered = true;
	s->helo_dns_gathered = true;
	s->prefetches = 4;
	s->helo_prefetched = true;
	return s;
}

static void assert_connection_kept(const struct session *s)
{
	CU_ASSERT_TRUE(s->facts.have_client);
	CU_ASSERT_STRING_EQUAL(s->client_text, "192.0.2.10");
	CU_ASSERT_STRING_EQUAL(s->mta_name, "mx1.example.net");
	CU_ASSERT_TRUE(s->facts.helo_seen);
	CU_ASSERT_STRING_EQUAL(s->helo_raw, "mail.sender.example");
	CU_ASSERT_TRUE(s->iprev_gathered);
	CU_ASSERT_EQUAL(s->prefetches, 4);
	CU_ASSERT_TRUE(s->helo_prefetched);
}

/* End of message, RSET, abort: the message's state goes, the connection's stays. */
static void test_end_transaction_keeps_the_connection(void)
{
	struct session *s = connected_session();

	dirty_transaction(s);
	session_end_transaction(s);
	assert_transaction_clean(s);
	assert_connection_kept(s);
	CU_ASSERT_TRUE(s->helo_dns_gathered);
	session_end_transaction(s);             /* twice: harmless */
	assert_transaction_clean(s);
	session_free(s);
}

/* MAIL starts afresh: nothing of the last message survives into the next. */
static void test_begin_transaction_resets_the_message(void)
{
	struct session *s = connected_session();

	dirty_transaction(s);
	CU_ASSERT_TRUE(session_begin_transaction(s, "<b@sender.example>", false));
	CU_ASSERT_STRING_EQUAL(s->from, "<b@sender.example>");
	CU_ASSERT_FALSE(s->facts.authenticated);   /* per transaction, from {auth_authen} */
	CU_ASSERT_EQUAL(s->tagged, 0);
	CU_ASSERT_EQUAL(s->forged_headers, 0);
	CU_ASSERT_EQUAL(s->ar_seen, 0);
	CU_ASSERT_EQUAL(s->ar_forged_count, 0);
	assert_connection_kept(s);
	CU_ASSERT_TRUE(session_begin_transaction(s, "<>", true));
	CU_ASSERT_STRING_EQUAL(s->from, "<>");
	CU_ASSERT_TRUE(s->facts.authenticated);
	session_free(s);
}

/*
 * A new HELO (after STARTTLS, or a client that greets again) ends the
 * transaction and asks for the HELO name's facts again; the client's
 * reverse DNS and the prefetch budget stay with the connection.
 */
static void test_new_helo_starts_afresh(void)
{
	struct session *s = connected_session();

	s->facts.have_helo_dns = true;
	dirty_transaction(s);
	CU_ASSERT_TRUE(session_set_helo(s, "Other.Sender.EXAMPLE."));
	assert_transaction_clean(s);
	CU_ASSERT_STRING_EQUAL(s->helo_raw, "Other.Sender.EXAMPLE.");    /* as sent, for the log */
	CU_ASSERT_STRING_EQUAL(s->facts.helo.name, "other.sender.example");
	CU_ASSERT_EQUAL(s->facts.helo.cls, HELO_FQDN);
	CU_ASSERT_FALSE(s->facts.have_helo_dns);
	CU_ASSERT_FALSE(s->helo_dns_gathered);
	CU_ASSERT_TRUE(s->iprev_gathered);
	CU_ASSERT_EQUAL(s->prefetches, 4);
	CU_ASSERT_TRUE(s->helo_prefetched);
	CU_ASSERT_TRUE(session_set_helo(s, "[192.0.2.10]"));
	CU_ASSERT_EQUAL(s->facts.helo.cls, HELO_LITERAL);
	CU_ASSERT_TRUE(session_set_helo(s, ""));
	CU_ASSERT_TRUE(s->facts.helo_seen);     /* an empty HELO was still a HELO */
	CU_ASSERT_EQUAL(s->facts.helo.cls, HELO_BAD_SYNTAX);
	session_free(s);
}

/* Freeing mid-transaction releases everything (valgrind checks); NULL is a no-op. */
static void test_free(void)
{
	struct session *s = connected_session();

	dirty_transaction(s);
	session_free(s);
	session_free(NULL);
	CU_PASS("freed");
}

/* What each recipient's line needs is copied, the verdict's parts too. */
static void test_note_rcpt_copies(void)
{
	struct session *s = connected_session();
	char rcpt[] = "<user@example.net>", domain[] = "example.net", route[] = "primary(pref=10)";
	struct verdict v;

	memset(&v, 0, sizeof v);
	v.fired = 1u << CHECK_HELO_IMPERSONATION;
	v.action = ACTION_REJECT;
	v.kind = VERDICT_REJECT;
	v.exempt = NULL;
	CU_ASSERT_TRUE(reply_parse("550 5.7.1 No", &v.reply, &(const char *){NULL}));
	session_note_rcpt(s, rcpt, domain, route, &v);
	memset(rcpt, 'X', sizeof rcpt - 1);
	memset(domain, 'X', sizeof domain - 1);
	memset(route, 'X', sizeof route - 1);
	memset(&v, 0, sizeof v);
	session_note_rcpt(s, "<postmaster@example.net>", NULL, NULL, &v);
	CU_ASSERT_EQUAL_FATAL(s->rcpts_kept, 2);
	CU_ASSERT_STRING_EQUAL(s->rcpts[0]->rcpt, "<user@example.net>");
	CU_ASSERT_STRING_EQUAL(s->rcpts[0]->domain, "example.net");
	CU_ASSERT_STRING_EQUAL(s->rcpts[0]->route, "primary(pref=10)");
	CU_ASSERT_EQUAL(s->rcpts[0]->fired, 1u << CHECK_HELO_IMPERSONATION);
	CU_ASSERT_EQUAL(s->rcpts[0]->action, ACTION_REJECT);
	CU_ASSERT_EQUAL(s->rcpts[0]->kind, VERDICT_REJECT);
	CU_ASSERT_STRING_EQUAL(s->rcpts[0]->reply.text, "No");
	CU_ASSERT_STRING_EQUAL(s->rcpts[1]->rcpt, "<postmaster@example.net>");
	CU_ASSERT_PTR_NULL(s->rcpts[1]->domain);
	CU_ASSERT_PTR_NULL(s->rcpts[1]->route);
	CU_ASSERT_EQUAL(s->rcpts_unlisted, 0);
	session_free(s);
}

/*
 * Bounded: SESSION_RCPTS_KEPT recipients are kept, the others counted;
 * a peer's long recipient is kept as far as its line shows it.
 */
static void test_note_rcpt_bounded(void)
{
	static char huge[10001];
	struct session *s = connected_session();

	memset(huge, 'a', sizeof huge - 1);
	huge[0] = '<';
	huge[sizeof huge - 2] = '>';
	for (int i = 0; i < 1000; i++)
		note(s, huge, VERDICT_ACCEPT);
	CU_ASSERT_EQUAL(s->rcpts_kept, SESSION_RCPTS_KEPT);
	CU_ASSERT_EQUAL(s->rcpts_unlisted, 1000 - SESSION_RCPTS_KEPT);
	CU_ASSERT_TRUE(s->rcpts_room <= SESSION_RCPTS_KEPT);
	CU_ASSERT_EQUAL(strlen(s->rcpts[0]->rcpt), LOGLINE_KEEP_MAX);
	CU_ASSERT_EQUAL(s->rcpts[0]->rcpt[LOGLINE_KEEP_MAX - 1], '>');
	session_end_transaction(s);
	assert_transaction_clean(s);
	note(s, "<user@example.net>", VERDICT_ACCEPT);  /* the next message starts at 0 */
	CU_ASSERT_EQUAL(s->rcpts_kept, 1);
	CU_ASSERT_STRING_EQUAL(s->rcpts[0]->rcpt, "<user@example.net>");
	session_free(s);                        /* valgrind: nothing left */
}

int main(void)
{
	static CU_TestInfo tests[] = {
		UNIT_TEST(test_new_pins_its_snapshot),
		UNIT_TEST(test_new_session_knows_nothing_yet),
		UNIT_TEST(test_id_format),
		UNIT_TEST(test_ids_are_unique),
		UNIT_TEST(test_client_and_local_addresses),
		UNIT_TEST(test_mta_name_is_copied),
		UNIT_TEST(test_end_transaction_keeps_the_connection),
		UNIT_TEST(test_begin_transaction_resets_the_message),
		UNIT_TEST(test_new_helo_starts_afresh),
		UNIT_TEST(test_note_rcpt_copies),
		UNIT_TEST(test_note_rcpt_bounded),
		UNIT_TEST(test_free),
		CU_TEST_INFO_NULL,
	};
	static CU_SuiteInfo suites[] = {
		{"session", NULL, NULL, NULL, NULL, tests},
		CU_SUITE_INFO_NULL,
	};

	return unit_run(suites);
}
