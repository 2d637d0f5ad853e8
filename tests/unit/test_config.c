/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * test_config.c -- the option table, defaults, every kind of error with
 * its file:line, and reply/action consistency.
 */
#include "autoconfig.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "daemon/config.h"
#include "unit.h"

static struct config *parse_ok(const char *text)
{
	struct config_errors errs = {0};
	struct config *cfg = config_parse_string("test.conf", text, &errs);

	for (size_t i = 0; i < errs.count; i++)
		fprintf(stderr, "\n  unexpected: %s\n", errs.items[i]);
	CU_ASSERT_PTR_NOT_NULL(cfg);
	CU_ASSERT_EQUAL(errs.count, 0);
	config_errors_clear(&errs);
	return cfg;
}

/* Parses text that must fail with exactly this first error. */
static void parse_fails(const char *text, const char *first_error)
{
	struct config_errors errs = {0};
	struct config *cfg = config_parse_string("test.conf", text, &errs);

	CU_ASSERT_PTR_NULL(cfg);
	CU_ASSERT_TRUE(errs.count >= 1);
	if (errs.count >= 1) {
		if (strcmp(errs.items[0], first_error) != 0)
			fprintf(stderr, "\n  got  '%s'\n  want '%s'\n", errs.items[0], first_error);
		CU_ASSERT_STRING_EQUAL(errs.items[0], first_error);
	}
	config_free(cfg);
	config_errors_clear(&errs);
}

static void test_defaults(void)
{
	struct config *cfg = parse_ok("");
	const struct policy *p = &cfg->policy;
	struct netaddr lo, other;

	CU_ASSERT_STRING_EQUAL(cfg->socket, "inet:8895@127.0.0.1");
	CU_ASSERT_EQUAL(cfg->socket_mode, 0660);
	CU_ASSERT_EQUAL(cfg->dns_timeout_ms, 2000);
	CU_ASSERT_EQUAL(cfg->dns_tries, 2);
	CU_ASSERT_EQUAL(cfg->decision_timeout_ms, 10000);
	CU_ASSERT_EQUAL(cfg->on_internal_error, INTERNAL_ERROR_TEMPFAIL);
	CU_ASSERT_TRUE(cfg->iprev_from_mta);
	CU_ASSERT_TRUE(cfg->authentication_results);
	CU_ASSERT_TRUE(p->allow_authenticated);
	CU_ASSERT_FALSE(p->dry_run);
	CU_ASSERT_EQUAL(p->enforce_at, ENFORCE_AT_RCPT);
	CU_ASSERT_EQUAL(p->allow_recipients_count, 2);
	CU_ASSERT_EQUAL(p->allow_clients.count, 2);
	netaddr_parse("127.0.0.1", &lo);
	netaddr_parse("127.0.1.10", &other);
	CU_ASSERT_TRUE(cidrset_contains(&p->allow_clients, &lo));
	CU_ASSERT_FALSE(cidrset_contains(&p->allow_clients, &other));
	for (int i = 0; i < CHECK_COUNT; i++) {
		CU_ASSERT_EQUAL(p->checks[i].action, check_default_action(i));
		CU_ASSERT_EQUAL(reply_class(&p->checks[i].reply), check_default_reply(i)[0] - '0');
	}
	CU_ASSERT_STRING_EQUAL(p->checks[CHECK_HELO_NOT_FQDN].reply.code, "504");
	CU_ASSERT_STRING_EQUAL(p->checks[CHECK_HELO_MISSING].reply.code, "503");
	config_free(cfg);
}

static void test_values(void)
{
	struct config *cfg = parse_ok(
		"# a comment\n"
		"   # an indented comment\n"
		"\n"
		"socket = unix:/run/mxpolicy/mxpolicy.sock\n"
		"socket_mode=0600\n"
		"dns_servers = 127.0.0.1:5353, [::1]:53 192.0.2.53\n"
		"dns_timeout_ms = 500   # trailing comment\n"
		"local_names = mx1.example.net, Example.NET.\n"
		"local_addresses = 10.0.0.5=192.0.2.25 2001:db8::25\n"
		"allow_clients = 192.0.2.0/24, [2001:db8::]/32\n"
		"allow_helo = 198.51.100.7 legacy.example.org\n"
		"allow_recipients = postmaster@ @partner.example\n"
		"allow_authenticated = no\n"
		"enforce_at = mail\n"
		"dry_run = YES\n"
		"authserv_id = mx.example.net\n"
		"on_internal_error = accept\n"
		"log_facility = local3\n"
		"log_level = debug\n"
		"helo_not_fqdn = tag\n"
		"helo_syntax = tempfail\n"
		"helo_bare_ip_reply = 550 5.7.1 Use brackets, 100% required\n");
	const struct policy *p;

	if (cfg == NULL)
		return;
	p = &cfg->policy;
	CU_ASSERT_EQUAL(cfg->socket_mode, 0600);
	CU_ASSERT_EQUAL(cfg->dns_timeout_ms, 500);
	CU_ASSERT_EQUAL(p->local_names.count, 2);
	CU_ASSERT_STRING_EQUAL(p->local_names.items[1], "example.net");
	CU_ASSERT_EQUAL(p->local_addresses.count, 2);
	CU_ASSERT_EQUAL(p->allow_clients.count, 2);
	CU_ASSERT_EQUAL(p->allow_helo_clients.count, 1);
	CU_ASSERT_EQUAL(p->allow_helo_names.count, 1);
	CU_ASSERT_EQUAL(p->allow_recipients_count, 2);
	CU_ASSERT_FALSE(p->allow_authenticated);
	CU_ASSERT_EQUAL(p->enforce_at, ENFORCE_AT_MAIL);
	CU_ASSERT_TRUE(p->dry_run);
	CU_ASSERT_EQUAL(cfg->on_internal_error, INTERNAL_ERROR_ACCEPT);
	CU_ASSERT_EQUAL(p->checks[CHECK_HELO_NOT_FQDN].action, ACTION_TAG);
	/* tempfail without an explicit reply: the default text as a 4xx */
	CU_ASSERT_EQUAL(p->checks[CHECK_HELO_SYNTAX].action, ACTION_TEMPFAIL);
	CU_ASSERT_STRING_EQUAL(p->checks[CHECK_HELO_SYNTAX].reply.code, "450");
	CU_ASSERT_STRING_EQUAL(p->checks[CHECK_HELO_SYNTAX].reply.xcode, "4.5.2");
	CU_ASSERT_STRING_EQUAL(config_value(cfg, "helo_syntax_reply"),
			       "450 4.5.2 HELO/EHLO name is not a valid domain name or address literal");
	CU_ASSERT_STRING_EQUAL(p->checks[CHECK_HELO_BARE_IP].reply.text,
			       "Use brackets, 100% required");
	CU_ASSERT_STRING_EQUAL(config_value(cfg, "dry_run"), "YES");
	CU_ASSERT_PTR_NULL(config_value(cfg, "no_such_option"));
	config_free(cfg);
}

static void test_empty_list_clears_default(void)
{
	struct config *cfg = parse_ok("allow_clients =\nallow_recipients =\n");

	if (cfg == NULL)
		return;
	CU_ASSERT_EQUAL(cfg->policy.allow_clients.count, 0);
	CU_ASSERT_EQUAL(cfg->policy.allow_recipients_count, 0);
	config_free(cfg);
}

/* Found by fuzz_config: "name=#x" was the value "#x", "name = #x" a comment. */
static void test_comment_right_after_equals(void)
{
	struct config *tight = parse_ok("allow_recipients=#@example.org\n");
	struct config *spaced = parse_ok("allow_recipients = #@example.org\n");

	if (tight == NULL || spaced == NULL)
		return;
	CU_ASSERT_STRING_EQUAL(config_value(tight, "allow_recipients"), "");
	CU_ASSERT_STRING_EQUAL(config_value(spaced, "allow_recipients"), "");
	CU_ASSERT_EQUAL(tight->policy.allow_recipients_count, 0);
	config_free(tight);
	config_free(spaced);
}

/* Recipient verification's settings: what is read, and what is refused with its reason. */
static void test_verify_settings(void)
{
	struct config *cfg = parse_ok("rcpt_unverified = reject\n"
				      "verify_sender = probe@mx2.example.net\n"
				      "verify_relay_hosts = Example.NET=10.0.0.25, "
				      "example.org=[2001:db8::25]:2525 example.com=192.0.2.7:587\n");
	const struct relay_host *r;

	if (cfg == NULL)
		return;
	CU_ASSERT_STRING_EQUAL(cfg->verify_sender, "probe@mx2.example.net");
	CU_ASSERT_EQUAL(cfg->verify_relay_hosts.count, 3);
	r = relay_host_of(&cfg->verify_relay_hosts, "example.net");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->port, 25);
	r = relay_host_of(&cfg->verify_relay_hosts, "EXAMPLE.ORG");
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(r->port, 2525);
	CU_ASSERT_EQUAL(r->addr.family, AF_INET6);
	CU_ASSERT_EQUAL(relay_host_of(&cfg->verify_relay_hosts, "example.com")->port, 587);
	CU_ASSERT_PTR_NULL(relay_host_of(&cfg->verify_relay_hosts, "sub.example.net"));
	config_free(cfg);

	parse_fails("verify_sender = <probe@example.net>\n",
		    "test.conf:1: verify_sender: an address is written local@domain, without "
		    "brackets, spaces or non-ASCII bytes");
	parse_fails("verify_sender = probe\n",
		    "test.conf:1: verify_sender: expected local@domain (or empty for the null sender)");
	parse_fails("verify_relay_hosts = example.net\n",
		    "test.conf:1: verify_relay_hosts: 'example.net': expected domain=address or "
		    "domain=address:port");
	parse_fails("verify_relay_hosts = example.net=store.internal\n",
		    "test.conf:1: verify_relay_hosts: 'example.net=store.internal': after '=', an IP "
		    "address with an optional :port (IPv6 in brackets)");
	parse_fails("verify_relay_hosts = example.net=10.0.0.25:0\n",
		    "test.conf:1: verify_relay_hosts: 'example.net=10.0.0.25:0': after '=', an IP "
		    "address with an optional :port (IPv6 in brackets)");
	parse_fails("verify_relay_hosts = a.example=10.0.0.1 A.example=10.0.0.2\n",
		    "test.conf:1: verify_relay_hosts: 'A.example=10.0.0.2': that domain is listed twice");
	/* the one-command budget: DNS, probe and call-ahead together under 30 s */
	parse_fails("rcpt_unverified = log\ndecision_timeout_ms = 20000\nverify_timeout_ms = 9000\n",
		    "test.conf:3: decision_timeout_ms (20000) plus mx_probe_timeout_ms (1000) plus "
		    "verify_timeout_ms (9000) is 30000 ms, which reaches Postfix's default "
		    "milter_command_timeout of 30 s: lower one of them");
	cfg = parse_ok("decision_timeout_ms = 20000\nverify_timeout_ms = 9000\n");
	config_free(cfg);               /* verification off: its budget does not count */
}

static void test_errors(void)
{
	parse_fails("bogus = 1\n", "test.conf:1: unknown option 'bogus'");
	parse_fails("\n\njust words\n", "test.conf:3: expected 'name = value'");
	parse_fails("dns_timeout_ms = fast\n", "test.conf:1: dns_timeout_ms: not a whole number");
	parse_fails("dns_timeout_ms = 50\n",
		    "test.conf:1: dns_timeout_ms: must be between 100 and 30000");
	parse_fails("dns_tries = 99999999999999999999\n",
		    "test.conf:1: dns_tries: not a whole number");
	parse_fails("dry_run = maybe\n", "test.conf:1: dry_run: expected yes or no");
	parse_fails("enforce_at = data\n", "test.conf:1: enforce_at: expected one of: rcpt mail");
	parse_fails("socket = 8891\n",
		    "test.conf:1: socket: expected unix:/path, local:/path, inet:PORT@HOST or inet6:PORT@HOST");
	parse_fails("socket = inet:@127.0.0.1\n",
		    "test.conf:1: socket: inet sockets are written inet:PORT@HOST");
	parse_fails("socket_mode = 999\n",
		    "test.conf:1: socket_mode: expected an octal mode such as 0660");
	parse_fails("allow_clients = 127.0.0.1/32 10.0.0.0/33\n",
		    "test.conf:1: allow_clients: '10.0.0.0/33': prefix length out of range");
	parse_fails("allow_clients = localhost\n",
		    "test.conf:1: allow_clients: 'localhost': not an IP address");
	parse_fails("local_names = bad+name.example\n",
		    "test.conf:1: local_names: 'bad+name.example': not a domain name");
	parse_fails("local_addresses = 10.0.0.5=public\n",
		    "test.conf:1: local_addresses: '10.0.0.5=public': the public address after '=' is not an IP address");
	parse_fails("allow_recipients = postmaster\n",
		    "test.conf:1: allow_recipients: 'postmaster': recipient pattern needs an '@' (postmaster@, user@example.com or @example.com)");
	parse_fails("dns_servers = ns1.example.net\n",
		    "test.conf:1: dns_servers: 'ns1.example.net': not an IP address (name servers are given by address)");
	parse_fails("dns_servers = 127.0.0.1:0\n",
		    "test.conf:1: dns_servers: '127.0.0.1:0': port must be 1-65535");
	parse_fails("stats_file = mxpolicy.prom\n",
		    "test.conf:1: stats_file: must be an absolute path (or empty)");
	parse_fails("stats_interval = 0\n",
		    "test.conf:1: stats_interval: must be between 1 and 86400");
	parse_fails("helo_syntax = bounce\n",
		    "test.conf:1: helo_syntax: expected reject, tempfail, tag, log or off");
	parse_fails("helo_syntax_reply = 250 ok\n",
		    "test.conf:1: helo_syntax_reply: reply must start with a 4xx or 5xx code");
	parse_fails("dry_run = yes\ndry_run = no\n",
		    "test.conf:2: 'dry_run' is already set at line 1");
	parse_fails("log_facility = kern\n",
		    "test.conf:1: log_facility: expected one of: mail daemon user local0 local1 local2 local3 local4 local5 local6 local7");
}

/* socket_group must name a group: found at -n, not once the socket is open. */
static void test_socket_group(void)
{
	struct config *cfg = parse_ok("socket_group = root\n");

	if (cfg != NULL)
		CU_ASSERT_STRING_EQUAL(cfg->socket_group, "root");
	config_free(cfg);
	parse_fails("socket = unix:/run/m.sock\nsocket_group = no-such-group-here\n",
		    "test.conf:2: socket_group: 'no-such-group-here': no such group");
}

static void test_reply_action_mismatch(void)
{
	parse_fails("helo_syntax = tempfail\nhelo_syntax_reply = 550 5.7.1 no\n",
		    "test.conf:2: helo_syntax_reply: a 5xx reply does not fit action 'tempfail' (line 1)");
	parse_fails("helo_syntax_reply = 451 4.7.1 later\n",
		    "test.conf:1: helo_syntax_reply: a 4xx reply does not fit action 'reject' (line 1)");
	parse_fails("helo_syntax = tempfail\nhelo_syntax_reply = 421 4.7.0 bye\n",
		    "test.conf:2: helo_syntax_reply: 421 would close the connection; use 450 or 451");
	/* a reply for a check that only logs is kept for later, whatever its class */
	config_free(parse_ok("helo_syntax = log\nhelo_syntax_reply = 451 4.7.1 later\n"));
}

/*
 * One MTA command may wait decision_timeout_ms and then a probe: together
 * they must stay under Postfix's default milter_command_timeout (30 s).
 */
static void test_time_budget(void)
{
	parse_fails("decision_timeout_ms = 25000\nmx_probe_timeout_ms = 5000\n",
		    "test.conf:2: decision_timeout_ms (25000) plus mx_probe_timeout_ms (5000) "
		    "is 30000 ms, which reaches Postfix's default milter_command_timeout of "
		    "30 s: lower one of them");
	parse_fails("mx_probe_timeout_ms = 10000\n\ndecision_timeout_ms = 20000\n",
		    "test.conf:3: decision_timeout_ms (20000) plus mx_probe_timeout_ms (10000) "
		    "is 30000 ms, which reaches Postfix's default milter_command_timeout of "
		    "30 s: lower one of them");
	config_free(parse_ok("decision_timeout_ms = 20000\nmx_probe_timeout_ms = 9999\n"));
	config_free(parse_ok("decision_timeout_ms = 25000\n"));
}

static void test_every_error_reported(void)
{
	struct config_errors errs = {0};
	struct config *cfg = config_parse_string("x.conf",
		"bogus = 1\ndry_run = perhaps\nok_line_missing_equals\n", &errs);

	CU_ASSERT_PTR_NULL(cfg);
	CU_ASSERT_EQUAL(errs.count, 3);
	config_errors_clear(&errs);
}

/* A reply that does not parse is one error, not a second one about its class. */
static void test_bad_reply_reported_once(void)
{
	struct config_errors errs = {0};
	struct config *cfg = config_parse_string("x.conf", "helo_syntax_reply = 250 ok\n", &errs);

	CU_ASSERT_PTR_NULL(cfg);
	CU_ASSERT_EQUAL(errs.count, 1);
	for (size_t i = 1; i < errs.count; i++)
		fprintf(stderr, "\n  also: '%s'\n", errs.items[i]);
	config_errors_clear(&errs);
}

static void test_missing_file(void)
{
	struct config_errors errs = {0};
	struct config *cfg = config_load("/nonexistent/mxpolicy.conf", &errs);

	CU_ASSERT_PTR_NULL(cfg);
	CU_ASSERT_EQUAL(errs.count, 1);
	CU_ASSERT_PTR_NOT_NULL(strstr(errs.items[0], "/nonexistent/mxpolicy.conf: cannot open"));
	config_errors_clear(&errs);
}

/* A read error is not the end of the file: a directory is no empty config. */
static void test_unreadable_file(void)
{
	struct config_errors errs = {0};
	char dir[] = "/tmp/test_config.XXXXXX", want[64];
	struct config *cfg;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	cfg = config_load(dir, &errs);
	CU_ASSERT_PTR_NULL(cfg);
	CU_ASSERT_EQUAL(errs.count, 1);
	snprintf(want, sizeof want, "%s: cannot read: Is a directory", dir);
	if (errs.count == 1)
		CU_ASSERT_STRING_EQUAL(errs.items[0], want);
	config_free(cfg);
	config_errors_clear(&errs);
	rmdir(dir);
}

static void test_print_roundtrip(void)
{
	struct config *cfg = parse_ok("helo_not_fqdn = log\nallow_clients = 192.0.2.0/24\n");
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	struct config *again;
	struct config_errors errs = {0};

	config_print(cfg, out);
	fclose(out);
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "helo_not_fqdn = log\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "allow_clients = 192.0.2.0/24\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(buf, "socket = inet:8895@127.0.0.1\n"));
	/* what -n prints is itself a valid configuration */
	again = config_parse_string("printed", buf, &errs);
	CU_ASSERT_PTR_NOT_NULL(again);
	CU_ASSERT_EQUAL(errs.count, 0);
	config_free(again);
	config_free(cfg);
	free(buf);
}

/*
 * Only the socket and the verification store are read at start alone
 * (LMDB opens an environment once per process): every other option a
 * reload applies.
 */
static void test_reloadable(void)
{
	const struct option_def *o = config_options();

	for (int i = 0; o[i].name != NULL; i++) {
		bool start_only = strcmp(o[i].name, "socket") == 0 ||
				  strcmp(o[i].name, "socket_mode") == 0 ||
				  strcmp(o[i].name, "socket_group") == 0 ||
				  strcmp(o[i].name, "verify_cache_dir") == 0 ||
				  strcmp(o[i].name, "verify_cache_size") == 0;

		if (o[i].reloadable == start_only)
			fprintf(stderr, "\n  %s: reloadable is %d\n", o[i].name, o[i].reloadable);
		CU_ASSERT_NOT_EQUAL(o[i].reloadable, start_only);
	}
}

/* A reload names what changed among the options it cannot apply, and only those. */
static void test_restart_changes(void)
{
	struct config *old = parse_ok("socket_mode = 0600\n");
	struct config *fresh = parse_ok("socket = unix:/run/m.sock\nsocket_mode = 0600\n"
					"socket_group = root\ndry_run = yes\nlog_facility = local1\n"
					"stats_file = /tmp/m.prom\ndns_servers = 127.0.0.1\n");
	const char *names[OPTION_COUNT];
	size_t n;

	if (old == NULL || fresh == NULL)
		return;
	n = config_restart_changes(old, fresh, names, OPTION_COUNT);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_STRING_EQUAL(names[0], "socket");
	CU_ASSERT_STRING_EQUAL(names[1], "socket_group");
	CU_ASSERT_EQUAL(config_restart_changes(old, fresh, names, 1), 1);
	CU_ASSERT_EQUAL(config_restart_changes(fresh, fresh, names, OPTION_COUNT), 0);
	config_free(old);
	config_free(fresh);
}

/* One parser thread: the same bad file, over and over, and its own error. */
struct parser_run {
	const char *text, *want;
	int wrong;
	char got[300];          /* the first wrong error */
};

#define PARSE_ROUNDS 3000

static void *parse_repeatedly(void *arg)
{
	struct parser_run *run = arg;

	for (int i = 0; i < PARSE_ROUNDS; i++) {
		struct config_errors errs = {0};
		struct config *cfg = config_parse_string("test.conf", run->text, &errs);

		if (cfg != NULL || errs.count != 1 || strcmp(errs.items[0], run->want) != 0) {
			if (run->wrong++ == 0)
				snprintf(run->got, sizeof run->got, "%s",
					 errs.count ? errs.items[0] : "(none)");
		}
		config_free(cfg);
		config_errors_clear(&errs);
	}
	return NULL;
}

/*
 * Threads parsing at once each get their own error text: the reason is
 * kept in the parser's state, not in a static buffer they would share.
 * Two runs format a number or an item, two list an option's words.
 */
static void test_parse_reentrant(void)
{
	struct parser_run runs[] = {
		{"allow_clients = 192.0.2.0/24 10.0.0.0/33\n",
		 "test.conf:1: allow_clients: '10.0.0.0/33': prefix length out of range", 0, ""},
		{"dns_tries = 99\n", "test.conf:1: dns_tries: must be between 1 and 10", 0, ""},
		{"log_level = loud\n",
		 "test.conf:1: log_level: expected one of: err warning notice info debug", 0, ""},
		{"enforce_at = data\n", "test.conf:1: enforce_at: expected one of: rcpt mail", 0, ""},
	};
	enum { RUNS = sizeof runs / sizeof runs[0] };
	pthread_t tid[RUNS];

	for (int i = 0; i < RUNS; i++)
		CU_ASSERT_EQUAL_FATAL(pthread_create(&tid[i], NULL, parse_repeatedly, &runs[i]), 0);
	for (int i = 0; i < RUNS; i++)
		pthread_join(tid[i], NULL);
	for (int i = 0; i < RUNS; i++) {
		if (runs[i].wrong)
			fprintf(stderr, "\n  %d of %d wrong, first '%s'\n  want '%s'\n",
				runs[i].wrong, PARSE_ROUNDS, runs[i].got, runs[i].want);
		CU_ASSERT_EQUAL(runs[i].wrong, 0);
	}
}

static void test_snapshots(void)
{
	struct config *a = parse_ok(""), *b = parse_ok("dry_run = yes\n");
	struct config *held;

	config_publish(a);
	held = config_acquire();
	CU_ASSERT_PTR_EQUAL(held, a);
	config_publish(b);              /* a lives on while a session holds it */
	CU_ASSERT_FALSE(held->policy.dry_run);
	config_release(held);
	held = config_acquire();
	CU_ASSERT_TRUE(held->policy.dry_run);
	config_release(held);
	config_publish(NULL);
}

/* Every option set away from its default, one line each. */
static const char *const every_option[] = {
	"socket = unix:/run/mxp/test.sock", "socket_mode = 0600", "socket_group = root",
	"dns_servers = 127.0.0.1:5353", "dns_timeout_ms = 500", "dns_tries = 3",
	"dns_cache_size = 50", "decision_timeout_ms = 9000", "dns_min_ttl = 7",
	"dns_max_ttl = 3600", "ptr_max_names = 4", "iprev_from_mta = no",
	"local_names = mx.example.net",
	"local_addresses = 10.0.0.5=192.0.2.25", "allow_clients = 192.0.2.0/24",
	"allow_helo = 198.51.100.7 legacy.example.org", "allow_ptr = relay.example.com",
	"allow_recipients = abuse@", "allow_authenticated = no",
	"allow_backup_clients = 203.0.113.0/24 2001:db8::/32", "mx_probe_port = 2525",
	"mx_probe_timeout_ms = 700", "mx_probe_ttl = 30", "allow_mx_peers = no",
	"verify_sender = probe@backup.example.net", "verify_timeout_ms = 5000",
	"verify_max_probes = 2", "verify_positive_ttl = 86400", "verify_negative_ttl = 3600",
	"verify_domain_ttl = 7200", "verify_stale_max = 604800", "verify_tempfail_unknown = yes",
	"verify_tempfail_unavailable = yes", "verify_cache_dir = /var/lib/mxp-test",
	"verify_cache_size = 16", "verify_relay_hosts = example.net=10.0.0.25",
	"enforce_at = mail", "dry_run = yes", "authserv_id = mx.example.net",
	"authentication_results = no",
	"on_internal_error = accept", "stats_file = /var/lib/mxp.prom",
	"stats_interval = 30", "log_facility = local5", "log_level = debug",
};

_Static_assert(sizeof every_option / sizeof every_option[0] == GENERAL_OPTION_COUNT,
	       "every general option once");

/* A check's action away from its default, with a reply that fits it. */
static enum action other_action(int check)
{
	return check_default_action(check) == ACTION_REJECT ? ACTION_TEMPFAIL : ACTION_REJECT;
}

static char *every_option_text(void)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	for (size_t i = 0; i < GENERAL_OPTION_COUNT; i++)
		fprintf(out, "%s\n", every_option[i]);
	for (int c = 0; c < CHECK_COUNT; c++) {
		bool temp = other_action(c) == ACTION_TEMPFAIL;

		fprintf(out, "%s = %s\n%s_reply = %s %c.7.%d text of %s\n", check_name(c),
			action_name(other_action(c)), check_name(c), temp ? "451" : "554",
			temp ? '4' : '5', c, check_name(c));
	}
	fclose(out);
	return text;
}

/* Where a field lives, whatever its kind: two options never share one. */
static const void *field_address(struct option_field f)
{
	switch (f.kind) {
	case FIELD_STRING:      return f.to.string;
	case FIELD_INT:         return f.to.integer;
	case FIELD_BOOL:        return f.to.flag;
	case FIELD_MODE:        return f.to.mode;
	case FIELD_STAGE:       return f.to.stage;
	case FIELD_CIDRS:       return f.to.cidrs;
	case FIELD_NAMES:       return f.to.names;
	case FIELD_HELO_ALLOW:  return f.to.helo.clients;
	case FIELD_LOCAL_ADDRS: return f.to.local;
	case FIELD_RECIPIENTS:  return f.to.recipients.items;
	case FIELD_ACTION:      return f.to.action;
	case FIELD_REPLY:       return f.to.reply;
	case FIELD_RELAY_HOSTS: return f.to.relays;
	case FIELD_NONE:        break;
	}
	return NULL;
}

/* Each option is bound to a field of its own, inside the struct config. */
static void test_every_option_bound(void)
{
	struct config *cfg = parse_ok("");
	const void *seen[OPTION_COUNT];

	if (cfg == NULL)
		return;
	for (int i = 0; i < OPTION_COUNT; i++) {
		const void *at = field_address(option_field(cfg, i));

		CU_ASSERT_PTR_NOT_NULL(at);
		CU_ASSERT_TRUE((const char *)at >= (const char *)cfg &&
			       (const char *)at < (const char *)(cfg + 1));
		for (int j = 0; j < i; j++)
			CU_ASSERT_PTR_NOT_EQUAL(at, seen[j]);
		seen[i] = at;
	}
	CU_ASSERT_EQUAL(option_field(cfg, OPTION_COUNT).kind, FIELD_NONE);
	CU_ASSERT_EQUAL(option_field(cfg, -1).kind, FIELD_NONE);
	config_free(cfg);
}

static struct config *parse_every_option(void)
{
	char *text = every_option_text();
	struct config *cfg = parse_ok(text);

	free(text);
	return cfg;
}

/* Every option set away from its default: -n shows each value as written. */
static void test_every_option_value(void)
{
	struct config *cfg = parse_every_option();
	const struct option_def *o = config_options();

	if (cfg == NULL)
		return;
	for (int i = 0; i < OPTION_COUNT; i++) {
		const char *v = config_value(cfg, o[i].name);

		if (strcmp(v, o[i].def) == 0)
			fprintf(stderr, "\n  %s still has its default\n", o[i].name);
		CU_ASSERT_STRING_NOT_EQUAL(v, o[i].def);
	}
	for (int i = 0; i < GENERAL_OPTION_COUNT; i++)
		CU_ASSERT_STRING_EQUAL(config_value(cfg, o[i].name),
				       strstr(every_option[i], " = ") + 3);
	config_free(cfg);
}

/* ... and each general option's value reaches its own field. */
static void test_every_option_field(void)
{
	struct config *cfg = parse_every_option();
	const struct policy *p;
	struct netaddr a;

	if (cfg == NULL)
		return;
	p = &cfg->policy;
	CU_ASSERT_STRING_EQUAL(cfg->socket, "unix:/run/mxp/test.sock");
	CU_ASSERT_EQUAL(cfg->socket_mode, 0600);
	CU_ASSERT_STRING_EQUAL(cfg->socket_group, "root");
	CU_ASSERT_STRING_EQUAL(cfg->dns_servers, "127.0.0.1:5353");
	CU_ASSERT_EQUAL(cfg->dns_timeout_ms, 500);
	CU_ASSERT_EQUAL(cfg->dns_tries, 3);
	CU_ASSERT_EQUAL(cfg->dns_cache_size, 50);
	CU_ASSERT_EQUAL(cfg->decision_timeout_ms, 9000);
	CU_ASSERT_EQUAL(cfg->dns_min_ttl, 7);
	CU_ASSERT_EQUAL(cfg->dns_max_ttl, 3600);
	CU_ASSERT_EQUAL(cfg->ptr_max_names, 4);
	CU_ASSERT_FALSE(cfg->iprev_from_mta);
	CU_ASSERT_TRUE(p->local_names.count == 1 &&
		       namelist_has_equal(&p->local_names, "mx.example.net"));
	netaddr_parse("192.0.2.25", &a);
	CU_ASSERT_TRUE(p->local_addresses.count == 1 &&
		       netaddr_equal(&p->local_addresses.items[0].public, &a));
	netaddr_parse("192.0.2.9", &a);
	CU_ASSERT_TRUE(p->allow_clients.count == 1 && cidrset_contains(&p->allow_clients, &a));
	netaddr_parse("198.51.100.7", &a);
	CU_ASSERT_TRUE(cidrset_contains(&p->allow_helo_clients, &a));
	CU_ASSERT_TRUE(namelist_has_equal(&p->allow_helo_names, "legacy.example.org"));
	CU_ASSERT_TRUE(namelist_has_equal(&p->allow_ptr, "relay.example.com"));
	CU_ASSERT_TRUE(p->allow_recipients_count == 1 &&
		       strcmp(p->allow_recipients[0], "abuse@") == 0);
	CU_ASSERT_FALSE(p->allow_authenticated);
	netaddr_parse("2001:db8::1", &a);
	CU_ASSERT_TRUE(p->allow_backup_clients.count == 2 &&
		       cidrset_contains(&p->allow_backup_clients, &a));
	CU_ASSERT_EQUAL(cfg->mx_probe_port, 2525);
	CU_ASSERT_EQUAL(cfg->mx_probe_timeout_ms, 700);
	CU_ASSERT_EQUAL(cfg->mx_probe_ttl, 30);
	CU_ASSERT_FALSE(p->allow_mx_peers);
	CU_ASSERT_EQUAL(p->enforce_at, ENFORCE_AT_MAIL);
	CU_ASSERT_TRUE(p->dry_run);
	CU_ASSERT_STRING_EQUAL(cfg->authserv_id, "mx.example.net");
	CU_ASSERT_FALSE(cfg->authentication_results);
	CU_ASSERT_EQUAL(cfg->on_internal_error, INTERNAL_ERROR_ACCEPT);
	CU_ASSERT_STRING_EQUAL(cfg->stats_file, "/var/lib/mxp.prom");
	CU_ASSERT_EQUAL(cfg->stats_interval, 30);
	CU_ASSERT_EQUAL(cfg->log_facility, LOG_LOCAL5);
	CU_ASSERT_EQUAL(cfg->log_level, LOG_DEBUG);
	config_free(cfg);
}

/* ... and each check's action and reply reach that check's setting. */
static void test_every_check_field(void)
{
	struct config *cfg = parse_every_option();

	if (cfg == NULL)
		return;
	for (int c = 0; c < CHECK_COUNT; c++) {
		const struct check_setting *cs = &cfg->policy.checks[c];
		char want[96];

		CU_ASSERT_EQUAL(cs->action, other_action(c));
		snprintf(want, sizeof want, "text of %s", check_name(c));
		CU_ASSERT_STRING_EQUAL(cs->reply.text, want);
		CU_ASSERT_EQUAL(reply_class(&cs->reply), cs->action == ACTION_TEMPFAIL ? 4 : 5);
	}
	config_free(cfg);
}

static void test_option_table(void)
{
	const struct option_def *o = config_options();
	size_t n = 0;

	for (; o[n].name; n++) {
		/* one line each: -nn prints it as a comment above the option */
		CU_ASSERT_PTR_NOT_NULL_FATAL(o[n].help);
		CU_ASSERT_TRUE(o[n].help[0] != '\0' && strchr(o[n].help, '\n') == NULL);
	}
	CU_ASSERT_EQUAL(n, 45 + 2 * CHECK_COUNT);
}

static char *printed(const struct config *cfg, void (*print)(const struct config *, FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);

	print(cfg, out);
	fclose(out);
	return buf;
}

/* -nn: each option under its help (and the restart note), still a valid file. */
static void test_print_annotated(void)
{
	struct config *cfg = parse_ok("dry_run = yes\n"), *again;
	char *plain = printed(cfg, config_print), *annotated = printed(cfg, config_print_annotated);
	char *again_plain;
	struct config_errors errs = {0};

	CU_ASSERT_PTR_NOT_NULL(strstr(annotated, "# where to listen: unix:/path, local:/path, "
				      "inet:PORT@HOST or inet6:PORT@HOST\n"
				      "# takes effect at restart, not at reload\n"
				      "socket = inet:8895@127.0.0.1\n\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(annotated, "\n\n# refuse nothing: log would-reject and "
				      "would-tempfail, and tag the message\ndry_run = yes\n\n"));
	again = config_parse_string("annotated", annotated, &errs);
	CU_ASSERT_PTR_NOT_NULL_FATAL(again);
	again_plain = printed(again, config_print);
	CU_ASSERT_STRING_EQUAL(again_plain, plain);
	free(again_plain);
	config_free(again);
	free(annotated);
	free(plain);
	config_free(cfg);
}

int main(void)
{
	CU_TestInfo tests[] = {
		UNIT_TEST(test_defaults), UNIT_TEST(test_values),
		UNIT_TEST(test_empty_list_clears_default), UNIT_TEST(test_comment_right_after_equals),
		UNIT_TEST(test_errors), UNIT_TEST(test_verify_settings), UNIT_TEST(test_socket_group),
		UNIT_TEST(test_reply_action_mismatch), UNIT_TEST(test_time_budget),
		UNIT_TEST(test_every_error_reported), UNIT_TEST(test_bad_reply_reported_once),
		UNIT_TEST(test_missing_file), UNIT_TEST(test_unreadable_file),
		UNIT_TEST(test_print_roundtrip),
		UNIT_TEST(test_snapshots), UNIT_TEST(test_option_table), UNIT_TEST(test_print_annotated),
		UNIT_TEST(test_every_option_bound), UNIT_TEST(test_every_option_value),
		UNIT_TEST(test_every_option_field), UNIT_TEST(test_every_check_field),
		UNIT_TEST(test_parse_reentrant), UNIT_TEST(test_reloadable),
		UNIT_TEST(test_restart_changes),
		CU_TEST_INFO_NULL,
	};
	CU_SuiteInfo suites[] = {{"config", NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};

	return unit_run(suites);
}
