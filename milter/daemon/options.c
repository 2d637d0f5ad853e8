/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * options.c -- the option table, the parsers of each kind of value, and
 * the one function that says where each option lives in a struct config.
 */
#include "autoconfig.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>

#include "daemon/config.h"
#include "daemon/options.h"
#include "daemon/verifyconf.h"
#include "dns/dns.h"

#define NOT_A_CHECK (-1)
#define PLAIN NOT_A_CHECK, 0, 0, NULL, NULL
#define RANGE(lo, hi) NOT_A_CHECK, (lo), (hi), NULL, NULL
#define WORDS(words, codes) NOT_A_CHECK, 0, 0, (words), (codes)

/* A word's index is the value stored: the words follow their enums' order. */
static const char *const enforce_words[] = {
	[ENFORCE_AT_RCPT] = "rcpt", [ENFORCE_AT_MAIL] = "mail", NULL
};
_Static_assert(sizeof enforce_words / sizeof enforce_words[0] == ENFORCE_AT_MAIL + 2,
	       "a word for every enforce_at stage");
static const char *const internal_error_words[] = {
	[INTERNAL_ERROR_TEMPFAIL] = "tempfail", [INTERNAL_ERROR_ACCEPT] = "accept", NULL
};
_Static_assert(sizeof internal_error_words / sizeof internal_error_words[0] ==
	       INTERNAL_ERROR_ACCEPT + 2, "a word for every on_internal_error value");
static const char *const facility_words[] = {
	"mail", "daemon", "user", "local0", "local1", "local2", "local3",
	"local4", "local5", "local6", "local7", NULL
};
static const int facility_codes[] = {
	LOG_MAIL, LOG_DAEMON, LOG_USER, LOG_LOCAL0, LOG_LOCAL1, LOG_LOCAL2,
	LOG_LOCAL3, LOG_LOCAL4, LOG_LOCAL5, LOG_LOCAL6, LOG_LOCAL7
};
static const char *const level_words[] = {
	"err", "warning", "notice", "info", "debug", NULL
};
static const int level_codes[] = {LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG};

/* A code per word: the words end in NULL, the codes do not. */
_Static_assert(sizeof facility_words / sizeof facility_words[0] ==
	       sizeof facility_codes / sizeof facility_codes[0] + 1, "a code per facility");
_Static_assert(sizeof level_words / sizeof level_words[0] ==
	       sizeof level_codes / sizeof level_codes[0] + 1, "a code per level");

/*
 * The general options, by enum option_id; the per-check ones follow at run
 * time.  reloadable is false only for what main.c reads once, at start:
 * the socket, opened as root before privileges are dropped, with its mode
 * and group.  Everything else is read from the snapshot a session or the
 * signal thread holds, or handed again to log_open and dns_reconfigure at
 * each reload.
 */
static const struct option_def general_options[] = {
	[OPTION_SOCKET] = {"socket", OPT_SOCKET, "inet:8895@127.0.0.1", false,
		"where to listen: unix:/path, local:/path, inet:PORT@HOST or inet6:PORT@HOST",
		PLAIN},
	[OPTION_SOCKET_MODE] = {"socket_mode", OPT_MODE, "0660", false,
		"octal permissions of a unix socket", PLAIN},
	[OPTION_SOCKET_GROUP] = {"socket_group", OPT_GROUP, "", false,
		"group that owns a unix socket (empty: the user's primary group)", PLAIN},
	[OPTION_DNS_SERVERS] = {"dns_servers", OPT_SERVERS, "", true,
		"name servers by address, with an optional port: 127.0.0.1, 127.0.0.1:5353, "
		"[::1]:53 (empty: /etc/resolv.conf)", PLAIN},
	[OPTION_DNS_TIMEOUT_MS] = {"dns_timeout_ms", OPT_INT, "2000", true,
		"first retransmission timeout, in milliseconds; it doubles on each retry round",
		RANGE(100, 30000)},
	[OPTION_DNS_TRIES] = {"dns_tries", OPT_INT, "2", true,
		"tries per server", RANGE(1, 10)},
	[OPTION_DNS_CACHE_SIZE] = {"dns_cache_size", OPT_INT, "10000", true,
		"answers kept in the shared cache; 0 disables caching", RANGE(0, 10000000)},
	[OPTION_DECISION_TIMEOUT_MS] = {"decision_timeout_ms", OPT_INT, "10000", true,
		"the longest one decision (one MAIL or RCPT command) waits for its DNS facts; "
		"what is still missing then counts as a temporary failure", RANGE(100, 25000)},
	[OPTION_DNS_MIN_TTL] = {"dns_min_ttl", OPT_INT, "5", true,
		"shortest time an answer is cached, in seconds; a temporary failure is kept "
		"2 seconds at most", RANGE(0, 3600)},
	[OPTION_DNS_MAX_TTL] = {"dns_max_ttl", OPT_INT, "86400", true,
		"longest time an answer is cached, in seconds", RANGE(0, 604800)},
	[OPTION_PTR_MAX_NAMES] = {"ptr_max_names", OPT_INT, "10", true,
		"PTR names checked for forward confirmation; more are logged and ignored",
		RANGE(1, 32)},
	[OPTION_IPREV_FROM_MTA] = {"iprev_from_mta", OPT_BOOL, "yes", true,
		"take the client name the MTA forward-confirmed ({client_resolve} OK) as the "
		"iprev pass and ask no PTR question; no: always look the client up", PLAIN},
	[OPTION_LOCAL_NAMES] = {"local_names", OPT_DOMAINS, "", true,
		"this host's names and domains, for helo_impersonation", PLAIN},
	[OPTION_LOCAL_ADDRESSES] = {"local_addresses", OPT_LOCAL_ADDRS, "", true,
		"this host's addresses; PRIVATE=PUBLIC where NAT hides the public one", PLAIN},
	[OPTION_ALLOW_CLIENTS] = {"allow_clients", OPT_CIDRS, "127.0.0.1/32 ::1/128", true,
		"client addresses and networks exempt from every check", PLAIN},
	[OPTION_ALLOW_HELO] = {"allow_helo", OPT_HELO_ALLOW, "", true,
		"client addresses or networks, or HELO domains with their subdomains, exempt "
		"from the helo_* checks", PLAIN},
	[OPTION_ALLOW_PTR] = {"allow_ptr", OPT_DOMAINS, "", true,
		"forward-confirmed client host names (domains, with their subdomains) exempt "
		"from every check", PLAIN},
	[OPTION_ALLOW_RECIPIENTS] = {"allow_recipients", OPT_RECIPIENTS, "postmaster@ abuse@", true,
		"recipients never refused: local@ (any domain), user@domain, @domain", PLAIN},
	[OPTION_ALLOW_AUTHENTICATED] = {"allow_authenticated", OPT_BOOL, "yes", true,
		"exempt clients that authenticated with SMTP AUTH", PLAIN},
	[OPTION_ALLOW_BACKUP_CLIENTS] = {"allow_backup_clients", OPT_CIDRS, "", true,
		"clients allowed to use a backup MX while a more-preferred one is up", PLAIN},
	[OPTION_MX_PROBE_PORT] = {"mx_probe_port", OPT_INT, "25", true,
		"TCP port probed on more-preferred exchangers for backup_primary_up",
		RANGE(1, 65535)},
	[OPTION_MX_PROBE_TIMEOUT_MS] = {"mx_probe_timeout_ms", OPT_INT, "1000", true,
		"how long a probe may take, in milliseconds; one that cannot complete counts "
		"as down", RANGE(50, 10000)},
	[OPTION_MX_PROBE_TTL] = {"mx_probe_ttl", OPT_INT, "60", true,
		"seconds a probe result is kept and shared by all sessions", RANGE(0, 3600)},
	[OPTION_ALLOW_MX_PEERS] = {"allow_mx_peers", OPT_BOOL, "yes", true,
		"exempt clients that are MX hosts of the recipient's domain (a backup relaying "
		"to the primary)", PLAIN},
	[OPTION_VERIFY_SENDER] = {"verify_sender", OPT_SENDER, "", true,
		"MAIL FROM address of rcpt_unverified's probes, local@domain (empty: the null "
		"sender)", PLAIN},
	[OPTION_VERIFY_TIMEOUT_MS] = {"verify_timeout_ms", OPT_INT, "8000", true,
		"the longest one recipient's verification takes, probe connect and replies "
		"included; then it is unknown", RANGE(100, 25000)},
	[OPTION_VERIFY_MAX_PROBES] = {"verify_max_probes", OPT_INT, "4", true,
		"probe connections open at once to one exchanger; more wait for one to be free",
		RANGE(1, 100)},
	[OPTION_VERIFY_POSITIVE_TTL] = {"verify_positive_ttl", OPT_INT, "604800", true,
		"seconds an accepted recipient is kept (0: not kept)", RANGE(0, 31536000)},
	[OPTION_VERIFY_NEGATIVE_TTL] = {"verify_negative_ttl", OPT_INT, "14400", true,
		"seconds a refused recipient is kept (0: not kept)", RANGE(0, 31536000)},
	[OPTION_VERIFY_DOMAIN_TTL] = {"verify_domain_ttl", OPT_INT, "86400", true,
		"seconds a domain's catch-all test is kept", RANGE(0, 31536000)},
	[OPTION_VERIFY_STALE_MAX] = {"verify_stale_max", OPT_INT, "2592000", true,
		"while no better exchanger is up, answers up to this many seconds old still "
		"decide", RANGE(0, 31536000)},
	[OPTION_VERIFY_TEMPFAIL_UNKNOWN] = {"verify_tempfail_unknown", OPT_BOOL, "no", true,
		"defer a recipient the probe could not verify (4xx, silence) instead of accepting "
		"it", PLAIN},
	[OPTION_VERIFY_TEMPFAIL_UNAVAILABLE] = {"verify_tempfail_unavailable", OPT_BOOL, "no",
		true, "defer an unknown recipient while no better exchanger is up instead of "
		"accepting it", PLAIN},
	[OPTION_VERIFY_CACHE_DIR] = {"verify_cache_dir", OPT_PATH, "/var/lib/mxpolicy-milter",
		false, "directory of the verification cache, kept across restarts (empty: "
		"answers are not kept)", PLAIN},
	[OPTION_VERIFY_CACHE_SIZE] = {"verify_cache_size", OPT_INT, "64", false,
		"largest size of the verification cache, in MiB", RANGE(1, 65536)},
	[OPTION_VERIFY_RELAY_HOSTS] = {"verify_relay_hosts", OPT_RELAY_HOSTS, "", true,
		"domains this primary relays on to an inner mail store, verified there: "
		"domain=address or domain=address:port (IPv6 in brackets)", PLAIN},
	[OPTION_ENFORCE_AT] = {"enforce_at", OPT_ENUM, "rcpt", true,
		"give refusals at each RCPT TO (rcpt) or at MAIL FROM (mail)",
		WORDS(enforce_words, NULL)},
	[OPTION_DRY_RUN] = {"dry_run", OPT_BOOL, "no", true,
		"refuse nothing: log would-reject and would-tempfail, and tag the message", PLAIN},
	[OPTION_AUTHSERV_ID] = {"authserv_id", OPT_STRING, "", true,
		"the name in the headers this filter adds (empty: the MTA's host name, macro j)",
		PLAIN},
	[OPTION_AUTHENTICATION_RESULTS] = {"authentication_results", OPT_BOOL, "yes", true,
		"add an Authentication-Results header with the iprev result and remove forged "
		"ones; no: neither, and a message that no check tags is accepted at DATA",
		PLAIN},
	[OPTION_ON_INTERNAL_ERROR] = {"on_internal_error", OPT_ENUM, "tempfail", true,
		"what to answer when the filter itself fails: tempfail or accept",
		WORDS(internal_error_words, NULL)},
	[OPTION_STATS_FILE] = {"stats_file", OPT_PATH, "", true,
		"counters in the Prometheus text format, rewritten atomically every "
		"stats_interval seconds and at stop (empty: none)", PLAIN},
	[OPTION_STATS_INTERVAL] = {"stats_interval", OPT_INT, "60", true,
		"seconds between two writes of stats_file", RANGE(1, 86400)},
	[OPTION_LOG_FACILITY] = {"log_facility", OPT_ENUM, "mail", true,
		"syslog facility: mail, daemon, user, local0..local7",
		WORDS(facility_words, facility_codes)},
	[OPTION_LOG_LEVEL] = {"log_level", OPT_ENUM, "info", true,
		"lowest syslog priority logged: err, warning, notice, info (decisions) or debug",
		WORDS(level_words, level_codes)},
};

_Static_assert(sizeof general_options / sizeof general_options[0] == GENERAL_OPTION_COUNT,
	       "an entry per enum option_id");

/* What each check finds: the help of its action option. */
static const char *const check_help[] = {
	[CHECK_HELO_MISSING] = "no HELO or EHLO before MAIL FROM",
	[CHECK_HELO_SYNTAX] = "not an RFC 5321 domain or address literal",
	[CHECK_HELO_BARE_IP] = "an IP address without brackets",
	[CHECK_HELO_NOT_FQDN] = "a single label such as localhost",
	[CHECK_HELO_IMPERSONATION] =
		"one of our names or addresses, or the recipient domain's or its MX hosts'",
	[CHECK_HELO_LITERAL_MISMATCH] = "an address literal that is not the client's address",
	[CHECK_HELO_UNKNOWN] = "the HELO name has no A, AAAA or MX record",
	[CHECK_HELO_MISMATCH] = "the HELO name exists but none of its addresses is the client",
	[CHECK_PTR_MISSING] = "the client's address has no PTR record",
	[CHECK_PTR_UNCONFIRMED] = "no PTR name resolves back to the client",
	[CHECK_PTR_GENERIC] = "the PTR name looks dynamic or residential",
	[CHECK_BACKUP_PRIMARY_UP] =
		"the route is backup while a more-preferred exchanger accepts connections",
	[CHECK_RCPT_UNVERIFIED] =
		"on a backup route, a more-preferred exchanger refuses the recipient when asked",
};

_Static_assert(sizeof check_help / sizeof check_help[0] == CHECK_COUNT, "help for every check");

/* The same for every check's reply option. */
static const char reply_help[] = "the reply when the check refuses: CODE X.Y.Z text";

static struct option_def all_options[OPTION_COUNT + 1];
static char check_reply_names[CHECK_COUNT][64];
static pthread_once_t options_once = PTHREAD_ONCE_INIT;

/*
 * Each check's option names come from check_name(), so the "_reply" ones
 * are made once, here, and only read afterwards.
 */
static void build_options(void)
{
	memcpy(all_options, general_options, sizeof general_options);
	for (int i = 0; i < CHECK_COUNT; i++) {
		snprintf(check_reply_names[i], sizeof check_reply_names[0], "%s_reply",
			 check_name(i));
		all_options[option_action_of(i)] = (struct option_def){check_name(i),
			OPT_ACTION, action_name(check_default_action(i)), true, check_help[i],
			i, 0, 0, NULL, NULL};
		all_options[option_reply_of(i)] = (struct option_def){check_reply_names[i],
			OPT_REPLY, check_default_reply(i), true, reply_help,
			i, 0, 0, NULL, NULL};
	}
}

const struct option_def *config_options(void)
{
	pthread_once(&options_once, build_options);
	return all_options;
}

int option_index(const char *name)
{
	const struct option_def *opts = config_options();

	for (int i = 0; i < OPTION_COUNT; i++)
		if (strcmp(opts[i].name, name) == 0)
			return i;
	return -1;
}

/* ---- where each option lives ----------------------------------------- */

/*
 * One constructor per kind of field, each taking that field's own pointer
 * type, so a field is bound only as what it is (an int as an int).  That
 * the kind is the one its option's type expects is checked where the
 * value is applied (field_fits), and for every option by test_config.
 */
#define FIELD(name, member, type, kind_)                                     \
	static struct option_field name(type p)                              \
	{                                                                     \
		return (struct option_field){.kind = (kind_), .to.member = p}; \
	}
FIELD(string_field, string, char **, FIELD_STRING)
FIELD(int_field, integer, int *, FIELD_INT)
FIELD(bool_field, flag, bool *, FIELD_BOOL)
FIELD(mode_field, mode, unsigned *, FIELD_MODE)
FIELD(stage_field, stage, enum enforce_stage *, FIELD_STAGE)
FIELD(cidrs_field, cidrs, struct cidrset *, FIELD_CIDRS)
FIELD(names_field, names, struct namelist *, FIELD_NAMES)
FIELD(local_field, local, struct local_addresses *, FIELD_LOCAL_ADDRS)
FIELD(action_field, action, enum action *, FIELD_ACTION)
FIELD(reply_field, reply, struct reply *, FIELD_REPLY)
FIELD(relays_field, relays, struct relay_hosts *, FIELD_RELAY_HOSTS)
#undef FIELD

static struct option_field helo_field(struct cidrset *clients, struct namelist *names)
{
	return (struct option_field){.kind = FIELD_HELO_ALLOW,
				     .to.helo = {clients, names}};
}

static struct option_field recipients_field(char ***items, size_t *count)
{
	return (struct option_field){.kind = FIELD_RECIPIENTS,
				     .to.recipients = {items, count}};
}

/* A check's two options, its action and its reply: the table says which check. */
static struct option_field check_field(struct policy *p, int id)
{
	const struct option_def *o = &config_options()[id];
	struct check_setting *cs = &p->checks[o->check];

	return o->type == OPT_ACTION ? action_field(&cs->action) : reply_field(&cs->reply);
}

/*
 * The one place that names the fields of struct config.  The switch has
 * no default, so that -Wswitch names a general option left out.
 */
struct option_field option_field(struct config *cfg, int id)
{
	struct policy *p = &cfg->policy;

	if (id >= GENERAL_OPTION_COUNT && id < OPTION_COUNT)
		return check_field(p, id);
	switch ((enum option_id)id) {
	case OPTION_SOCKET:              return string_field(&cfg->socket);
	case OPTION_SOCKET_MODE:         return mode_field(&cfg->socket_mode);
	case OPTION_SOCKET_GROUP:        return string_field(&cfg->socket_group);
	case OPTION_DNS_SERVERS:         return string_field(&cfg->dns_servers);
	case OPTION_DNS_TIMEOUT_MS:      return int_field(&cfg->dns_timeout_ms);
	case OPTION_DNS_TRIES:           return int_field(&cfg->dns_tries);
	case OPTION_DNS_CACHE_SIZE:      return int_field(&cfg->dns_cache_size);
	case OPTION_DECISION_TIMEOUT_MS: return int_field(&cfg->decision_timeout_ms);
	case OPTION_DNS_MIN_TTL:         return int_field(&cfg->dns_min_ttl);
	case OPTION_DNS_MAX_TTL:         return int_field(&cfg->dns_max_ttl);
	case OPTION_PTR_MAX_NAMES:       return int_field(&cfg->ptr_max_names);
	case OPTION_LOCAL_NAMES:         return names_field(&p->local_names);
	case OPTION_LOCAL_ADDRESSES:     return local_field(&p->local_addresses);
	case OPTION_ALLOW_CLIENTS:       return cidrs_field(&p->allow_clients);
	case OPTION_ALLOW_HELO:
		return helo_field(&p->allow_helo_clients, &p->allow_helo_names);
	case OPTION_ALLOW_PTR:           return names_field(&p->allow_ptr);
	case OPTION_ALLOW_RECIPIENTS:
		return recipients_field(&p->allow_recipients, &p->allow_recipients_count);
	case OPTION_ALLOW_AUTHENTICATED: return bool_field(&p->allow_authenticated);
	case OPTION_ALLOW_BACKUP_CLIENTS: return cidrs_field(&p->allow_backup_clients);
	case OPTION_MX_PROBE_PORT:       return int_field(&cfg->mx_probe_port);
	case OPTION_MX_PROBE_TIMEOUT_MS: return int_field(&cfg->mx_probe_timeout_ms);
	case OPTION_MX_PROBE_TTL:        return int_field(&cfg->mx_probe_ttl);
	case OPTION_ALLOW_MX_PEERS:      return bool_field(&p->allow_mx_peers);
	case OPTION_VERIFY_SENDER:       return string_field(&cfg->verify_sender);
	case OPTION_VERIFY_TIMEOUT_MS:   return int_field(&cfg->verify_timeout_ms);
	case OPTION_VERIFY_MAX_PROBES:   return int_field(&cfg->verify_max_probes);
	case OPTION_VERIFY_POSITIVE_TTL: return int_field(&cfg->verify_positive_ttl);
	case OPTION_VERIFY_NEGATIVE_TTL: return int_field(&cfg->verify_negative_ttl);
	case OPTION_VERIFY_DOMAIN_TTL:   return int_field(&cfg->verify_domain_ttl);
	case OPTION_VERIFY_STALE_MAX:    return int_field(&cfg->verify_stale_max);
	case OPTION_VERIFY_TEMPFAIL_UNKNOWN: return bool_field(&p->verify_defer_unknown);
	case OPTION_VERIFY_TEMPFAIL_UNAVAILABLE: return bool_field(&p->verify_defer_unavailable);
	case OPTION_VERIFY_CACHE_DIR:    return string_field(&cfg->verify_cache_dir);
	case OPTION_VERIFY_CACHE_SIZE:   return int_field(&cfg->verify_cache_size);
	case OPTION_VERIFY_RELAY_HOSTS:  return relays_field(&cfg->verify_relay_hosts);
	case OPTION_ENFORCE_AT:          return stage_field(&p->enforce_at);
	case OPTION_DRY_RUN:             return bool_field(&p->dry_run);
	case OPTION_AUTHSERV_ID:         return string_field(&cfg->authserv_id);
	case OPTION_AUTHENTICATION_RESULTS: return bool_field(&cfg->authentication_results);
	case OPTION_IPREV_FROM_MTA:      return bool_field(&cfg->iprev_from_mta);
	case OPTION_ON_INTERNAL_ERROR:   return int_field(&cfg->on_internal_error);
	case OPTION_STATS_FILE:          return string_field(&cfg->stats_file);
	case OPTION_STATS_INTERVAL:      return int_field(&cfg->stats_interval);
	case OPTION_LOG_FACILITY:        return int_field(&cfg->log_facility);
	case OPTION_LOG_LEVEL:           return int_field(&cfg->log_level);
	case GENERAL_OPTION_COUNT:       break;
	}
	return (struct option_field){.kind = FIELD_NONE};
}

/* Which kinds of field can hold a value of each type. */
static bool field_fits(enum opt_type type, enum field_kind kind)
{
	switch (type) {
	case OPT_STRING: case OPT_PATH: case OPT_GROUP: case OPT_SOCKET: case OPT_SERVERS:
	case OPT_SENDER:
		return kind == FIELD_STRING;
	case OPT_INT:        return kind == FIELD_INT;
	case OPT_BOOL:       return kind == FIELD_BOOL;
	case OPT_MODE:       return kind == FIELD_MODE;
	case OPT_ENUM:       return kind == FIELD_INT || kind == FIELD_STAGE;
	case OPT_CIDRS:      return kind == FIELD_CIDRS;
	case OPT_DOMAINS:    return kind == FIELD_NAMES;
	case OPT_HELO_ALLOW: return kind == FIELD_HELO_ALLOW;
	case OPT_LOCAL_ADDRS: return kind == FIELD_LOCAL_ADDRS;
	case OPT_RECIPIENTS: return kind == FIELD_RECIPIENTS;
	case OPT_ACTION:     return kind == FIELD_ACTION;
	case OPT_REPLY:      return kind == FIELD_REPLY;
	case OPT_RELAY_HOSTS: return kind == FIELD_RELAY_HOSTS;
	}
	return false;
}

/* Empties a field: what a list option does before it reads its items. */
static void field_clear(struct option_field f)
{
	switch (f.kind) {
	case FIELD_STRING:
		free(*f.to.string);
		*f.to.string = NULL;
		break;
	case FIELD_CIDRS:
		cidrset_free(f.to.cidrs);
		break;
	case FIELD_NAMES:
		namelist_free(f.to.names);
		break;
	case FIELD_HELO_ALLOW:
		cidrset_free(f.to.helo.clients);
		namelist_free(f.to.helo.names);
		break;
	case FIELD_LOCAL_ADDRS:
		free(f.to.local->items);
		f.to.local->items = NULL;
		f.to.local->count = 0;
		break;
	case FIELD_RECIPIENTS:
		for (size_t i = 0; i < *f.to.recipients.count; i++)
			free((*f.to.recipients.items)[i]);
		free(*f.to.recipients.items);
		*f.to.recipients.items = NULL;
		*f.to.recipients.count = 0;
		break;
	case FIELD_RELAY_HOSTS:
		for (size_t i = 0; i < f.to.relays->count; i++)
			free(f.to.relays->items[i].domain);
		free(f.to.relays->items);
		f.to.relays->items = NULL;
		f.to.relays->count = 0;
		break;
	case FIELD_NONE: case FIELD_INT: case FIELD_BOOL: case FIELD_MODE: case FIELD_STAGE:
	case FIELD_ACTION: case FIELD_REPLY:
		break;
	}
}

void options_clear(struct config *cfg)
{
	for (int i = 0; i < OPTION_COUNT; i++)
		field_clear(option_field(cfg, i));
}

/* ---- value parsers: each returns NULL or the reason it failed -------- */

/* Names the offending item: the message a reader needs to find it. */
static const char *item_fail(struct option_error *err, const char *item, const char *why)
{
	snprintf(err->text, sizeof err->text, "'%.100s': %s", item, why);
	return err->text;
}

/* The items of a list: split on commas and white space. */
struct items {
	char *copy, *save;
	bool first;
};

static bool items_open(struct items *it, const char *value)
{
	*it = (struct items){strdup(value), NULL, true};
	return it->copy != NULL;
}

static const char *items_next(struct items *it)
{
	char *tok = strtok_r(it->first ? it->copy : NULL, ", \t", &it->save);

	it->first = false;
	return tok;
}

static void items_close(struct items *it)
{
	free(it->copy);
}

static const char *add_cidr(struct cidrset *set, const char *item, struct option_error *err)
{
	struct cidr c;
	const char *why;

	if (!cidr_parse(item, &c, &why))
		return item_fail(err, item, why);
	return cidrset_add(set, &c) ? NULL : "out of memory";
}

static bool domain_syntax_ok(const char *item)
{
	struct helo_info h;

	helo_classify(item, &h);
	return h.cls == HELO_FQDN || h.cls == HELO_SINGLE_LABEL;
}

static const char *add_domain(struct namelist *list, const char *item,
			      struct option_error *err)
{
	if (!domain_syntax_ok(item))
		return item_fail(err, item, "not a domain name");
	return namelist_add(list, item) ? NULL : "out of memory";
}

/* allow_helo: an address or network, else a domain. */
static const char *add_helo_allow(struct cidrset *clients, struct namelist *names,
				  const char *item, struct option_error *err)
{
	struct cidr c;
	const char *why;

	if (cidr_parse(item, &c, &why))
		return cidrset_add(clients, &c) ? NULL : "out of memory";
	if (!domain_syntax_ok(item))
		return item_fail(err, item, "neither an address, a network nor a domain name");
	return namelist_add(names, item) ? NULL : "out of memory";
}

/* ADDR, or PRIVATE=PUBLIC behind NAT. */
static const char *add_local_addr(struct local_addresses *la, const char *item,
				  struct option_error *err)
{
	struct local_address entry;
	const char *eq = strchr(item, '=');
	char left[NETADDR_STRLEN + 8];
	size_t llen = eq ? (size_t)(eq - item) : strlen(item);
	struct local_address *grown;

	if (llen >= sizeof left)
		return item_fail(err, item, "not an IP address");
	memcpy(left, item, llen);
	left[llen] = '\0';
	if (!netaddr_parse(left, &entry.local))
		return item_fail(err, item, "not an IP address");
	entry.public = entry.local;
	if (eq && !netaddr_parse(eq + 1, &entry.public))
		return item_fail(err, item, "the public address after '=' is not an IP address");
	grown = realloc(la->items, (la->count + 1) * sizeof *grown);
	if (grown == NULL)
		return "out of memory";
	la->items = grown;
	la->items[la->count++] = entry;
	return NULL;
}

static const char *add_recipient(char ***items, size_t *count, const char *item,
				 struct option_error *err)
{
	const char *why;
	char **grown;

	if (!recipient_pattern_valid(item, &why))
		return item_fail(err, item, why);
	grown = realloc(*items, (*count + 1) * sizeof *grown);
	if (grown == NULL)
		return "out of memory";
	*items = grown;
	grown[*count] = strdup(item);
	if (grown[*count] == NULL)
		return "out of memory";
	(*count)++;
	return NULL;
}

/* A list replaces what was there (the default), item by item. */
static const char *set_list(struct option_field f, const char *v, struct option_error *err)
{
	struct items it;
	const char *item, *why = NULL;

	field_clear(f);
	if (!items_open(&it, v))
		return "out of memory";
	while (why == NULL && (item = items_next(&it)) != NULL) {
		switch (f.kind) {
		case FIELD_CIDRS:       why = add_cidr(f.to.cidrs, item, err); break;
		case FIELD_NAMES:       why = add_domain(f.to.names, item, err); break;
		case FIELD_HELO_ALLOW:
			why = add_helo_allow(f.to.helo.clients, f.to.helo.names, item, err);
			break;
		case FIELD_LOCAL_ADDRS: why = add_local_addr(f.to.local, item, err); break;
		case FIELD_RELAY_HOSTS: why = verifyconf_add_relay_host(f.to.relays, item, err->text,
							    sizeof err->text); break;
		case FIELD_RECIPIENTS:
			why = add_recipient(f.to.recipients.items, f.to.recipients.count, item,
					    err);
			break;
		default:                why = "not a list"; break;
		}
	}
	items_close(&it);
	return why;
}

static const char *parse_int_value(const struct option_def *o, const char *v, int *out,
				   struct option_error *err)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0)
		return "not a whole number";
	if (n < o->min || n > o->max) {
		snprintf(err->text, sizeof err->text, "must be between %ld and %ld",
			 o->min, o->max);
		return err->text;
	}
	*out = (int)n;
	return NULL;
}

static const char *parse_bool_value(const char *v, bool *out)
{
	static const char *const yes[] = {"yes", "true", "on", "1"};
	static const char *const no[] = {"no", "false", "off", "0"};

	for (size_t i = 0; i < 4; i++) {
		if (strcasecmp(v, yes[i]) == 0) {
			*out = true;
			return NULL;
		}
		if (strcasecmp(v, no[i]) == 0) {
			*out = false;
			return NULL;
		}
	}
	return "expected yes or no";
}

/* One of the option's words; stores its code (or its index). */
static const char *parse_enum_value(const struct option_def *o, const char *v,
				    struct option_field f, struct option_error *err)
{
	char *why = err->text;
	size_t o_len = 0;

	for (int i = 0; o->choices[i]; i++)
		if (strcasecmp(v, o->choices[i]) == 0) {
			int code = o->codes ? o->codes[i] : i;

			if (f.kind == FIELD_STAGE)
				*f.to.stage = (enum enforce_stage)code;
			else
				*f.to.integer = code;
			return NULL;
		}
	o_len = (size_t)snprintf(why, sizeof err->text, "expected one of:");
	for (int i = 0; o->choices[i] && o_len < sizeof err->text; i++)
		o_len += (size_t)snprintf(why + o_len, sizeof err->text - o_len, " %s",
					  o->choices[i]);
	return why;
}

static const char *parse_socket_value(const char *v)
{
	static const char *const prefixes[] = {"unix:", "local:", "inet:", "inet6:"};

	for (size_t i = 0; i < 4; i++) {
		size_t n = strlen(prefixes[i]);

		if (strncmp(v, prefixes[i], n) != 0)
			continue;
		if (v[n] == '\0')
			return "nothing after the socket type";
		if (i >= 2 && !isdigit((unsigned char)v[n]))
			return "inet sockets are written inet:PORT@HOST";
		return NULL;
	}
	return "expected unix:/path, local:/path, inet:PORT@HOST or inet6:PORT@HOST";
}

static const char *parse_mode_value(const char *v, unsigned *out)
{
	char *end;
	unsigned long m = strtoul(v, &end, 8);

	if (*v == '\0' || *end != '\0' || m > 0777)
		return "expected an octal mode such as 0660";
	*out = (unsigned)m;
	return NULL;
}

/*
 * A group that does not exist is an error here, with file:line, rather
 * than at start, after the socket is open (and never at -n).
 */
static const char *check_group(const char *v, struct option_error *err)
{
	char buf[16384];
	struct group gr, *found = NULL;
	int rc;

	if (v[0] == '\0')
		return NULL;
	rc = getgrnam_r(v, &gr, buf, sizeof buf, &found);
	if (found != NULL)
		return NULL;
	if (rc != 0 && rc != ENOENT && rc != ESRCH) {
		snprintf(err->text, sizeof err->text, "cannot look up group '%.100s': %s",
			 v, strerror(rc));
		return err->text;
	}
	return item_fail(err, v, "no such group");
}

/* The text options: each kind is checked, then the text kept as written. */
static const char *set_text(const struct option_def *o, char **field, const char *v,
			    struct option_error *err)
{
	const char *why = NULL;
	char *copy;

	if (o->type == OPT_PATH && v[0] != '\0' && v[0] != '/')
		why = "must be an absolute path (or empty)";
	else if (o->type == OPT_GROUP)
		why = check_group(v, err);
	else if (o->type == OPT_SOCKET)
		why = parse_socket_value(v);
	else if (o->type == OPT_SENDER)
		why = verifyconf_check_sender(v);
	else if (o->type == OPT_SERVERS && !dns_servers_check(v, err->text, sizeof err->text))
		why = err->text;
	if (why != NULL)
		return why;
	copy = strdup(v);
	if (copy == NULL)
		return "out of memory";
	free(*field);
	*field = copy;
	return NULL;
}

const char *option_apply(struct config *cfg, int id, const char *v, struct option_error *err)
{
	const struct option_def *o = &config_options()[id];
	struct option_field f = option_field(cfg, id);
	const char *why;

	if (!field_fits(o->type, f.kind))
		return "the option table and the fields of struct config disagree";
	switch (o->type) {
	case OPT_STRING: case OPT_PATH: case OPT_GROUP: case OPT_SOCKET: case OPT_SERVERS:
	case OPT_SENDER:
		return set_text(o, f.to.string, v, err);
	case OPT_INT:
		return parse_int_value(o, v, f.to.integer, err);
	case OPT_BOOL:
		return parse_bool_value(v, f.to.flag);
	case OPT_MODE:
		return parse_mode_value(v, f.to.mode);
	case OPT_ENUM:
		return parse_enum_value(o, v, f, err);
	case OPT_CIDRS: case OPT_DOMAINS: case OPT_HELO_ALLOW: case OPT_LOCAL_ADDRS:
	case OPT_RECIPIENTS: case OPT_RELAY_HOSTS:
		return set_list(f, v, err);
	case OPT_ACTION:
		return action_parse(v, f.to.action) ? NULL
			: "expected reject, tempfail, tag, log or off";
	case OPT_REPLY:
		return reply_parse(v, f.to.reply, &why) ? NULL : why;
	}
	return "unsupported option type";
}
