/*
 * options.c -- the option table, the parsers of each kind of value, and
 * how a value is stored into a struct config.
 */
#include "autoconfig.h"

#include <ctype.h>
#include <errno.h>
#include <grp.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "daemon/config.h"
#include "daemon/options.h"
#include "dns/dns.h"

#define CFG(field) offsetof(struct config, field)

/* OPT_ENUM writes an int; enforce_at is an enum stored in its place. */
_Static_assert(sizeof(enum enforce_stage) == sizeof(int), "enum is int-sized");
#define NO_RANGE 0, 0, NULL, NULL

static const char *const enforce_words[] = {"rcpt", "mail", NULL};
static const char *const internal_error_words[] = {"tempfail", "accept", NULL};
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

/* The general options; the per-check ones are appended at run time. */
static const struct option_def general_options[] = {
	{"socket", OPT_SOCKET, "inet:8891@127.0.0.1", false,
	 "where to listen: unix:/path, local:/path, inet:PORT@HOST or inet6:PORT@HOST",
	 CFG(socket), NO_RANGE},
	{"socket_mode", OPT_MODE, "0660", false,
	 "octal permissions of a unix socket", CFG(socket_mode), NO_RANGE},
	{"socket_group", OPT_GROUP, "", false,
	 "group that owns a unix socket (empty: the user's primary group)",
	 CFG(socket_group), NO_RANGE},
	{"dns_servers", OPT_SERVERS, "", true,
	 "DNS servers, ADDR or ADDR:PORT or [IPV6]:PORT (empty: /etc/resolv.conf)",
	 CFG(dns_servers), NO_RANGE},
	{"dns_timeout_ms", OPT_INT, "2000", true,
	 "first DNS retransmission timeout; it doubles on each retry round",
	 CFG(dns_timeout_ms), 100, 30000, NULL, NULL},
	{"dns_tries", OPT_INT, "2", true,
	 "DNS tries per server", CFG(dns_tries), 1, 10, NULL, NULL},
	{"dns_cache_size", OPT_INT, "10000", true,
	 "DNS answers kept in the shared cache (0 disables it)",
	 CFG(dns_cache_size), 0, 10000000, NULL, NULL},
	{"decision_timeout_ms", OPT_INT, "10000", true,
	 "the longest one decision waits for its DNS facts before it counts them as temporary failures",
	 CFG(decision_timeout_ms), 100, 25000, NULL, NULL},
	{"dns_min_ttl", OPT_INT, "5", true,
	 "shortest time an answer is cached, seconds (a temporary failure: 2 s at most)",
	 CFG(dns_min_ttl), 0, 3600, NULL, NULL},
	{"dns_max_ttl", OPT_INT, "86400", true,
	 "longest time an answer is cached, seconds", CFG(dns_max_ttl), 0, 604800, NULL, NULL},
	{"ptr_max_names", OPT_INT, "10", true,
	 "PTR names checked for forward confirmation; more are logged and ignored",
	 CFG(ptr_max_names), 1, 32, NULL, NULL},
	{"local_names", OPT_DOMAINS, "", true,
	 "this host's names and domains, for helo_impersonation",
	 CFG(policy.local_names), NO_RANGE},
	{"local_addresses", OPT_LOCAL_ADDRS, "", true,
	 "this host's addresses; PRIVATE=PUBLIC where NAT hides the public one",
	 0, NO_RANGE},
	{"allow_clients", OPT_CIDRS, "127.0.0.1/32 ::1/128", true,
	 "client addresses and networks exempt from every check",
	 CFG(policy.allow_clients), NO_RANGE},
	{"allow_helo", OPT_HELO_ALLOW, "", true,
	 "client networks, or HELO domains (with their subdomains), exempt from the helo_* checks",
	 0, NO_RANGE},
	{"allow_ptr", OPT_DOMAINS, "", true,
	 "forward-confirmed client host names (domains, with their subdomains) exempt from every check",
	 CFG(policy.allow_ptr), NO_RANGE},
	{"allow_recipients", OPT_RECIPIENTS, "postmaster@ abuse@", true,
	 "recipients never refused: local@ (any domain), user@domain, @domain",
	 0, NO_RANGE},
	{"allow_authenticated", OPT_BOOL, "yes", true,
	 "exempt SMTP-AUTH authenticated clients",
	 CFG(policy.allow_authenticated), NO_RANGE},
	{"allow_backup_clients", OPT_CIDRS, "", true,
	 "clients allowed to use a backup MX while the primary is up",
	 CFG(policy.allow_backup_clients), NO_RANGE},
	{"mx_probe_port", OPT_INT, "25", true,
	 "TCP port probed on a more-preferred MX for backup_primary_up",
	 CFG(mx_probe_port), 1, 65535, NULL, NULL},
	{"mx_probe_timeout_ms", OPT_INT, "1000", true,
	 "how long a probe may take; one that cannot complete counts as down",
	 CFG(mx_probe_timeout_ms), 50, 10000, NULL, NULL},
	{"mx_probe_ttl", OPT_INT, "60", true,
	 "seconds a probe result is kept and shared", CFG(mx_probe_ttl), 0, 3600, NULL, NULL},
	{"allow_mx_peers", OPT_BOOL, "yes", true,
	 "exempt clients that are MX hosts of the recipient domain (a backup relaying to the primary)",
	 CFG(policy.allow_mx_peers), NO_RANGE},
	{"enforce_at", OPT_ENUM, "rcpt", true,
	 "give refusals at each RCPT TO (rcpt) or at MAIL FROM (mail)",
	 CFG(policy.enforce_at), 0, 0, enforce_words, NULL},
	{"dry_run", OPT_BOOL, "no", true,
	 "log would-reject and would-tempfail instead of refusing",
	 CFG(policy.dry_run), NO_RANGE},
	{"authserv_id", OPT_STRING, "", true,
	 "name in the headers this filter adds (empty: the MTA's host name, macro j)",
	 CFG(authserv_id), NO_RANGE},
	{"on_internal_error", OPT_ENUM, "tempfail", true,
	 "what to answer when the filter itself fails: tempfail or accept",
	 CFG(on_internal_error), 0, 0, internal_error_words, NULL},
	{"stats_file", OPT_PATH, "", true,
	 "counters in the Prometheus text format, rewritten atomically every stats_interval "
	 "seconds (empty: none)", CFG(stats_file), NO_RANGE},
	{"stats_interval", OPT_INT, "60", true,
	 "seconds between two writes of stats_file", CFG(stats_interval), 1, 86400, NULL, NULL},
	{"log_facility", OPT_ENUM, "mail", true,
	 "syslog facility", CFG(log_facility), 0, 0, facility_words, facility_codes},
	{"log_level", OPT_ENUM, "info", true,
	 "lowest syslog priority logged: err, warning, notice, info (decisions) or debug",
	 CFG(log_level), 0, 0, level_words, level_codes},
};

_Static_assert(sizeof general_options / sizeof general_options[0] == GENERAL_OPTION_COUNT,
	       "GENERAL_OPTION_COUNT counts the general options");

static struct option_def all_options[OPTION_COUNT + 1];
static char check_help[2 * CHECK_COUNT][96];
static char check_reply_names[CHECK_COUNT][64];
static pthread_once_t options_once = PTHREAD_ONCE_INIT;

static void build_options(void)
{
	memcpy(all_options, general_options, sizeof general_options);
	for (int i = 0; i < CHECK_COUNT; i++) {
		struct option_def *act = &all_options[GENERAL_OPTION_COUNT + 2 * i];
		struct option_def *rep = act + 1;

		snprintf(check_help[2 * i], sizeof check_help[0],
			 "action of %s: reject, tempfail, tag, log or off", check_name(i));
		snprintf(check_help[2 * i + 1], sizeof check_help[0],
			 "reply of %s when it refuses: CODE X.Y.Z text", check_name(i));
		snprintf(check_reply_names[i], sizeof check_reply_names[0], "%s_reply",
			 check_name(i));
		*act = (struct option_def){check_name(i), OPT_ACTION,
			action_name(check_default_action(i)), true, check_help[2 * i],
			(size_t)i, NO_RANGE};
		*rep = (struct option_def){check_reply_names[i], OPT_REPLY,
			check_default_reply(i), true, check_help[2 * i + 1],
			(size_t)i, NO_RANGE};
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

	for (size_t i = 0; i < OPTION_COUNT; i++)
		if (strcmp(opts[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* ---- value parsers: each returns NULL or the reason it failed -------- */

/* Splits a list on commas and white space; calls fn for each item. */
static const char *each_item(const char *value, struct config *cfg, const void *arg,
			     const char *(*fn)(struct config *, const void *, const char *))
{
	char *copy = strdup(value), *save = NULL;
	const char *why = NULL;

	if (copy == NULL)
		return "out of memory";
	for (char *tok = strtok_r(copy, ", \t", &save); tok && !why;
	     tok = strtok_r(NULL, ", \t", &save))
		why = fn(cfg, arg, tok);
	free(copy);
	return why;
}

static char item_error[300];

/* Names the offending item: the message a reader needs to find it. */
static const char *item_fail(const char *item, const char *why)
{
	snprintf(item_error, sizeof item_error, "'%.100s': %s", item, why);
	return item_error;
}

static const char *add_cidr(struct config *cfg, const void *arg, const char *item)
{
	struct cidr c;
	const char *why;

	if (!cidr_parse(item, &c, &why))
		return item_fail(item, why);
	return cidrset_add((struct cidrset *)(void *)((char *)cfg + *(const size_t *)arg), &c)
		       ? NULL : "out of memory";
}

static bool domain_syntax_ok(const char *item)
{
	struct helo_info h;

	helo_classify(item, &h);
	return h.cls == HELO_FQDN || h.cls == HELO_SINGLE_LABEL;
}

static const char *add_domain(struct config *cfg, const void *arg, const char *item)
{
	struct namelist *list = (struct namelist *)(void *)((char *)cfg + *(const size_t *)arg);

	if (!domain_syntax_ok(item))
		return item_fail(item, "not a domain name");
	return namelist_add(list, item) ? NULL : "out of memory";
}

static const char *add_helo_allow(struct config *cfg, UNUSED const void *arg, const char *item)
{
	struct cidr c;
	const char *why;

	if (cidr_parse(item, &c, &why))
		return cidrset_add(&cfg->policy.allow_helo_clients, &c) ? NULL : "out of memory";
	if (!domain_syntax_ok(item))
		return item_fail(item, "neither an address, a network nor a domain name");
	return namelist_add(&cfg->policy.allow_helo_names, item) ? NULL : "out of memory";
}

static const char *add_local_addr(struct config *cfg, UNUSED const void *arg, const char *item)
{
	struct local_addresses *la = &cfg->policy.local_addresses;
	struct local_address entry;
	const char *eq = strchr(item, '=');
	char left[NETADDR_STRLEN + 8];
	size_t llen = eq ? (size_t)(eq - item) : strlen(item);
	struct local_address *grown;

	if (llen >= sizeof left)
		return item_fail(item, "not an IP address");
	memcpy(left, item, llen);
	left[llen] = '\0';
	if (!netaddr_parse(left, &entry.local))
		return item_fail(item, "not an IP address");
	entry.public = entry.local;
	if (eq && !netaddr_parse(eq + 1, &entry.public))
		return item_fail(item, "the public address after '=' is not an IP address");
	grown = realloc(la->items, (la->count + 1) * sizeof *grown);
	if (grown == NULL)
		return "out of memory";
	la->items = grown;
	la->items[la->count++] = entry;
	return NULL;
}

static const char *add_recipient(struct config *cfg, UNUSED const void *arg, const char *item)
{
	struct policy *pol = &cfg->policy;
	const char *why;
	char **grown;

	if (!recipient_pattern_valid(item, &why))
		return item_fail(item, why);
	grown = realloc(pol->allow_recipients, (pol->allow_recipients_count + 1) * sizeof *grown);
	if (grown == NULL)
		return "out of memory";
	pol->allow_recipients = grown;
	grown[pol->allow_recipients_count] = strdup(item);
	if (grown[pol->allow_recipients_count] == NULL)
		return "out of memory";
	pol->allow_recipients_count++;
	return NULL;
}

static const char *parse_int_value(const struct option_def *o, const char *v, int *out)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(v, &end, 10);
	if (*v == '\0' || *end != '\0' || errno != 0)
		return "not a whole number";
	if (n < o->min || n > o->max) {
		snprintf(item_error, sizeof item_error, "must be between %ld and %ld",
			 o->min, o->max);
		return item_error;
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

static const char *parse_enum_value(const struct option_def *o, const char *v, int *out)
{
	static char why[200];
	size_t o_len = 0;

	for (int i = 0; o->choices[i]; i++)
		if (strcasecmp(v, o->choices[i]) == 0) {
			*out = o->codes ? o->codes[i] : i;
			return NULL;
		}
	o_len = (size_t)snprintf(why, sizeof why, "expected one of:");
	for (int i = 0; o->choices[i] && o_len < sizeof why; i++)
		o_len += (size_t)snprintf(why + o_len, sizeof why - o_len, " %s", o->choices[i]);
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
static const char *check_group(const char *v)
{
	char buf[16384];
	struct group gr, *found = NULL;
	int err;

	if (v[0] == '\0')
		return NULL;
	err = getgrnam_r(v, &gr, buf, sizeof buf, &found);
	if (found != NULL)
		return NULL;
	if (err != 0 && err != ENOENT && err != ESRCH) {
		snprintf(item_error, sizeof item_error, "cannot look up group '%.100s': %s",
			 v, strerror(err));
		return item_error;
	}
	return item_fail(v, "no such group");
}

static const char *set_string(char **field, const char *v)
{
	char *copy = strdup(v);

	if (copy == NULL)
		return "out of memory";
	free(*field);
	*field = copy;
	return NULL;
}

/* The kinds of value; see options.h. */
const char *option_apply(struct config *cfg, const struct option_def *o, const char *v)
{
	void *field = (char *)cfg + o->offset;

	switch (o->type) {
	case OPT_STRING:
		return set_string(field, v);
	case OPT_PATH:
		if (v[0] != '\0' && v[0] != '/')
			return "must be an absolute path (or empty)";
		return set_string(field, v);
	case OPT_GROUP: {
		const char *why = check_group(v);
		return why ? why : set_string(field, v);
	}
	case OPT_SOCKET: {
		const char *why = parse_socket_value(v);
		return why ? why : set_string(field, v);
	}
	case OPT_SERVERS:
		if (!dns_servers_check(v, item_error, sizeof item_error))
			return item_error;
		return set_string(field, v);
	case OPT_INT:
		return parse_int_value(o, v, field);
	case OPT_BOOL:
		return parse_bool_value(v, field);
	case OPT_MODE:
		return parse_mode_value(v, field);
	case OPT_ENUM:
		return parse_enum_value(o, v, field);
	case OPT_CIDRS:
		cidrset_free(field);
		return each_item(v, cfg, &o->offset, add_cidr);
	case OPT_DOMAINS:
		namelist_free(field);
		return each_item(v, cfg, &o->offset, add_domain);
	case OPT_HELO_ALLOW:
		cidrset_free(&cfg->policy.allow_helo_clients);
		namelist_free(&cfg->policy.allow_helo_names);
		return each_item(v, cfg, NULL, add_helo_allow);
	case OPT_LOCAL_ADDRS:
		free(cfg->policy.local_addresses.items);
		cfg->policy.local_addresses.items = NULL;
		cfg->policy.local_addresses.count = 0;
		return each_item(v, cfg, NULL, add_local_addr);
	case OPT_RECIPIENTS:
		for (size_t i = 0; i < cfg->policy.allow_recipients_count; i++)
			free(cfg->policy.allow_recipients[i]);
		cfg->policy.allow_recipients_count = 0;
		return each_item(v, cfg, NULL, add_recipient);
	case OPT_ACTION: {
		enum action a;

		if (!action_parse(v, &a))
			return "expected reject, tempfail, tag, log or off";
		cfg->policy.checks[o->offset].action = a;
		return NULL;
	}
	case OPT_REPLY: {
		const char *why;

		return reply_parse(v, &cfg->policy.checks[o->offset].reply, &why) ? NULL : why;
	}
	}
	return "unsupported option type";
}
