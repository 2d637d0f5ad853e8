/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config.h -- a loaded configuration, read from the option table of
 * options.h.  A loaded configuration is an immutable snapshot: each
 * session holds a reference to the one it started with, and a reload
 * publishes a new snapshot only when it parsed and validated completely.
 */
#ifndef MXP_CONFIG_H
#define MXP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/policy.h"
#include "daemon/options.h"

/* verify_relay_hosts: a domain relayed on to an inner mail store, and that store. */
struct relay_host {
	char *domain;
	struct netaddr addr;
	unsigned port;
};

struct relay_hosts {
	struct relay_host *items;
	size_t count;
};

/* The inner store that verifies domain on a primary route, or NULL. */
const struct relay_host *relay_host_of(const struct relay_hosts *hosts, const char *domain);

struct config {
	char *path;
	char *socket;
	unsigned socket_mode;
	char *socket_group;
	char *dns_servers;      /* "host[:port]" list, c-ares csv syntax */
	int dns_timeout_ms;
	int dns_tries;
	int dns_cache_size;
	int decision_timeout_ms;
	int dns_min_ttl;
	int dns_max_ttl;
	int ptr_max_names;
	bool iprev_from_mta;            /* the MTA's confirmed client name is the iprev pass */
	int mx_probe_port;
	int mx_probe_timeout_ms;
	int mx_probe_ttl;
	char *verify_sender;    /* "" for the null sender */
	int verify_timeout_ms;
	int verify_max_probes;
	int verify_positive_ttl;
	int verify_negative_ttl;
	int verify_domain_ttl;
	int verify_stale_max;
	char *verify_cache_dir; /* "" for none */
	int verify_cache_size;  /* MiB */
	struct relay_hosts verify_relay_hosts;
	char *authserv_id;
	bool authentication_results;    /* add ours, remove forged ones; no: accept at DATA */
	char *stats_file;       /* "" for none */
	int stats_interval;     /* seconds between writes of stats_file */
	int on_internal_error;  /* INTERNAL_ERROR_TEMPFAIL or _ACCEPT */
	int log_facility;       /* syslog facility code */
	int log_level;          /* syslog priority threshold */
	struct policy policy;
	char **values;          /* the effective value text of each option */
	int refs;
};

enum { INTERNAL_ERROR_TEMPFAIL, INTERNAL_ERROR_ACCEPT };

struct config_errors {
	char **items;           /* "file:line: reason" */
	size_t count;
};

/*
 * Reads and validates a file.  Returns NULL and fills errs (every error,
 * not only the first) when anything is wrong.
 */
struct config *config_load(const char *path, struct config_errors *errs);
/* The same from a string, for tests; name is used in error messages. */
struct config *config_parse_string(const char *name, const char *text,
				   struct config_errors *errs);
void config_free(struct config *cfg);
void config_errors_clear(struct config_errors *errs);

/* Writes every option as "name = value", the way -n shows them. */
void config_print(const struct config *cfg, FILE *out);
/*
 * The same, each option with its line of help as a comment above it and a
 * second comment when a reload cannot change it (-n -n); still a valid
 * configuration.
 */
void config_print_annotated(const struct config *cfg, FILE *out);
/* The effective text of an option, or NULL for an unknown name. */
const char *config_value(const struct config *cfg, const char *name);

/*
 * The options a reload cannot apply (reloadable false in the table) whose
 * value differs between old and fresh, in table order: at most max names
 * into names; returns how many.
 */
size_t config_restart_changes(const struct config *old, const struct config *fresh,
			      const char **names, size_t max);

/* Snapshots: publish replaces the current one; acquire/release count users. */
void config_publish(struct config *cfg);
struct config *config_acquire(void);
void config_release(struct config *cfg);

#endif
