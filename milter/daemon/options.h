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

enum opt_type {
	OPT_STRING, OPT_PATH, OPT_GROUP, OPT_INT, OPT_BOOL, OPT_MODE, OPT_SOCKET, OPT_ENUM,
	OPT_CIDRS, OPT_HELO_ALLOW, OPT_DOMAINS, OPT_LOCAL_ADDRS,
	OPT_RECIPIENTS, OPT_SERVERS, OPT_ACTION, OPT_REPLY
};

struct option_def {
	const char *name;
	enum opt_type type;
	const char *def;        /* default, in config-file syntax */
	bool reloadable;        /* false: a changed value needs a restart */
	const char *help;       /* one line, for the documentation */
	size_t offset;          /* where the value lives in struct config */
	long min, max;          /* OPT_INT range */
	const char *const *choices;  /* OPT_ENUM words, NULL-terminated */
	const int *codes;       /* OPT_ENUM: value stored per word (else its index) */
};

/* The general options come first; then each check's action and reply. */
#define GENERAL_OPTION_COUNT 31
#define OPTION_COUNT (GENERAL_OPTION_COUNT + 2 * CHECK_COUNT)

/* Every option, the per-check ones included; NULL-terminated. */
const struct option_def *config_options(void);
/* The index of an option in that table, or -1 for an unknown name. */
int option_index(const char *name);
/* Applies one option's value to cfg; returns NULL or the reason it failed. */
const char *option_apply(struct config *cfg, const struct option_def *o, const char *v);

#endif
