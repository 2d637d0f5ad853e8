/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * options.h -- the option table and what reads a value into a struct
 * config: each option's name, type, default, whether a reload can change
 * it, and its one line of help.  The parser (config.c), -n, reloads and
 * tests/conf-documented.sh all read this one table.
 */
#ifndef MXP_OPTIONS_H
#define MXP_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>

#include "core/policy.h"

struct config;
struct relay_hosts;

enum opt_type {
	OPT_STRING, OPT_PATH, OPT_GROUP, OPT_INT, OPT_BOOL, OPT_MODE, OPT_SOCKET, OPT_ENUM,
	OPT_CIDRS, OPT_HELO_ALLOW, OPT_DOMAINS, OPT_LOCAL_ADDRS,
	OPT_RECIPIENTS, OPT_SERVERS, OPT_ACTION, OPT_REPLY, OPT_SENDER, OPT_RELAY_HOSTS
};

/* The general options, in the order -n prints them. */
enum option_id {
	OPTION_SOCKET, OPTION_SOCKET_MODE, OPTION_SOCKET_GROUP,
	OPTION_DNS_SERVERS, OPTION_DNS_TIMEOUT_MS, OPTION_DNS_TRIES, OPTION_DNS_CACHE_SIZE,
	OPTION_DECISION_TIMEOUT_MS, OPTION_DNS_MIN_TTL, OPTION_DNS_MAX_TTL,
	OPTION_PTR_MAX_NAMES, OPTION_IPREV_FROM_MTA, OPTION_LOCAL_NAMES, OPTION_LOCAL_ADDRESSES,
	OPTION_ALLOW_CLIENTS, OPTION_ALLOW_HELO, OPTION_ALLOW_PTR, OPTION_ALLOW_RECIPIENTS,
	OPTION_ALLOW_AUTHENTICATED, OPTION_ALLOW_BACKUP_CLIENTS,
	OPTION_MX_PROBE_PORT, OPTION_MX_PROBE_TIMEOUT_MS, OPTION_MX_PROBE_TTL,
	OPTION_ALLOW_MX_PEERS,
	OPTION_VERIFY_SENDER, OPTION_VERIFY_TIMEOUT_MS, OPTION_VERIFY_MAX_PROBES,
	OPTION_VERIFY_POSITIVE_TTL, OPTION_VERIFY_NEGATIVE_TTL, OPTION_VERIFY_DOMAIN_TTL,
	OPTION_VERIFY_STALE_MAX, OPTION_VERIFY_TEMPFAIL_UNKNOWN,
	OPTION_VERIFY_TEMPFAIL_UNAVAILABLE, OPTION_VERIFY_CACHE_DIR, OPTION_VERIFY_CACHE_SIZE,
	OPTION_VERIFY_RELAY_HOSTS,
	OPTION_ENFORCE_AT, OPTION_DRY_RUN, OPTION_AUTHSERV_ID,
	OPTION_AUTHENTICATION_RESULTS,
	OPTION_ON_INTERNAL_ERROR, OPTION_STATS_FILE, OPTION_STATS_INTERVAL,
	OPTION_LOG_FACILITY, OPTION_LOG_LEVEL,
	GENERAL_OPTION_COUNT
};

/* After the general options, each check has two: its action, then its reply. */
enum { OPTION_COUNT = GENERAL_OPTION_COUNT + 2 * CHECK_COUNT };

static inline int option_action_of(enum check_id c)
{
	return GENERAL_OPTION_COUNT + 2 * (int)c;
}

static inline int option_reply_of(enum check_id c)
{
	return option_action_of(c) + 1;
}

struct option_def {
	const char *name;
	enum opt_type type;
	const char *def;        /* default, in config-file syntax */
	bool reloadable;        /* false: a changed value needs a restart */
	const char *help;       /* one line, for the documentation */
	int check;              /* OPT_ACTION, OPT_REPLY: the check (enum check_id); else -1 */
	long min, max;          /* OPT_INT range */
	const char *const *choices;  /* OPT_ENUM words, NULL-terminated */
	const int *codes;       /* OPT_ENUM: value stored per word (else its index) */
};

/*
 * Where an option's value lives in a struct config, as a pointer of the
 * field's own type; kind says which member of the union is set.
 */
enum field_kind {
	FIELD_NONE,             /* no such option */
	FIELD_STRING, FIELD_INT, FIELD_BOOL, FIELD_MODE, FIELD_STAGE,
	FIELD_CIDRS, FIELD_NAMES, FIELD_HELO_ALLOW, FIELD_LOCAL_ADDRS, FIELD_RECIPIENTS,
	FIELD_ACTION, FIELD_REPLY, FIELD_RELAY_HOSTS
};

struct option_field {
	enum field_kind kind;
	union {
		char **string;
		int *integer;
		bool *flag;
		unsigned *mode;
		enum enforce_stage *stage;
		struct cidrset *cidrs;
		struct namelist *names;
		struct {
			struct cidrset *clients;
			struct namelist *names;
		} helo;                 /* allow_helo: networks or domains */
		struct local_addresses *local;
		struct {
			char ***items;
			size_t *count;
		} recipients;
		enum action *action;
		struct reply *reply;
		struct relay_hosts *relays;
	} to;
};

/*
 * Room for a reason that has to be formatted ("'10.0.0.0/33': prefix
 * length out of range"): each parser keeps its own, so that two threads
 * parsing at once never share one.
 */
struct option_error {
	char text[300];
};

/* Every option, the per-check ones included; NULL-terminated. */
const struct option_def *config_options(void);
/* The index of an option in that table, or -1 for an unknown name. */
int option_index(const char *name);
/* Where option id lives in cfg; kind FIELD_NONE for an id out of range. */
struct option_field option_field(struct config *cfg, int id);
/*
 * Applies a value to option id of cfg; returns NULL or the reason it
 * failed, a constant or err->text.
 */
const char *option_apply(struct config *cfg, int id, const char *v, struct option_error *err);
/* Frees what the options of cfg own (strings, lists), not cfg itself. */
void options_clear(struct config *cfg);

#endif
