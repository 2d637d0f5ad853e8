/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * config.c -- the "key = value" file parser, the checks that span several
 * options, and the published snapshot.
 */
#include "autoconfig.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "daemon/config.h"
#include "daemon/options.h"

/* ---- errors ---------------------------------------------------------- */

static void add_error(struct config_errors *errs, const char *file, unsigned line,
		      const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void add_error(struct config_errors *errs, const char *file, unsigned line,
		      const char *fmt, ...)
{
	char msg[512], full[1024];
	va_list ap;
	char **grown;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (line > 0)
		snprintf(full, sizeof full, "%s:%u: %s", file, line, msg);
	else
		snprintf(full, sizeof full, "%s: %s", file, msg);
	grown = realloc(errs->items, (errs->count + 1) * sizeof *grown);
	if (grown == NULL)
		return;
	errs->items = grown;
	errs->items[errs->count] = strdup(full);
	if (errs->items[errs->count] != NULL)
		errs->count++;
}

void config_errors_clear(struct config_errors *errs)
{
	for (size_t i = 0; i < errs->count; i++)
		free(errs->items[i]);
	free(errs->items);
	errs->items = NULL;
	errs->count = 0;
}

/* ---- the file -------------------------------------------------------- */

/* One parse's own state: nothing a second parse at the same time shares. */
struct parse_state {
	const char *file;
	unsigned *line_of;          /* per option: where it was set, 0 = default */
	struct config_errors *errs;
	struct option_error why;    /* the reason of the line being read */
};

static char *trim(char *s)
{
	char *end;

	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/*
 * A '#' at the start of a line, after white space, or right after the '='
 * begins a comment: so "name=#x" and "name = #x" mean the same (an empty
 * value), and a value printed by -n reads back as itself.
 */
static void strip_comment(char *s)
{
	for (char *p = s; *p; p++)
		if (*p == '#' && (p == s || isspace((unsigned char)p[-1]) || p[-1] == '=')) {
			*p = '\0';
			return;
		}
}

static bool store_value(struct config *cfg, int idx, const char *v)
{
	char *copy = strdup(v);

	if (copy == NULL)
		return false;
	free(cfg->values[idx]);
	cfg->values[idx] = copy;
	return true;
}

static void parse_line(struct config *cfg, struct parse_state *st, char *line, unsigned lineno)
{
	char *eq, *key, *value;
	const char *why;
	int idx;

	strip_comment(line);
	line = trim(line);
	if (*line == '\0')
		return;
	eq = strchr(line, '=');
	if (eq == NULL) {
		add_error(st->errs, st->file, lineno, "expected 'name = value'");
		return;
	}
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	idx = option_index(key);
	if (idx < 0) {
		add_error(st->errs, st->file, lineno, "unknown option '%.80s'", key);
		return;
	}
	if (st->line_of[idx] != 0) {
		add_error(st->errs, st->file, lineno, "'%s' is already set at line %u",
			  key, st->line_of[idx]);
		return;
	}
	st->line_of[idx] = lineno;
	why = option_apply(cfg, idx, value, &st->why);
	if (why != NULL)
		add_error(st->errs, st->file, lineno, "%s: %s", key, why);
	else if (!store_value(cfg, idx, value))
		add_error(st->errs, st->file, lineno, "out of memory");
}

/*
 * A check set to tempfail keeps its default text with a 4xx code, one set
 * to reject a 5xx, unless the operator wrote a reply; an operator's reply
 * must fit the action.
 */
static void finish_replies(struct config *cfg, struct parse_state *st)
{
	for (int i = 0; i < CHECK_COUNT; i++) {
		struct check_setting *cs = &cfg->policy.checks[i];
		int act_idx = option_action_of(i), rep_idx = option_reply_of(i);
		char want = cs->action == ACTION_TEMPFAIL ? '4' : '5';
		unsigned rep_line = st->line_of[rep_idx];

		/* a reply its own line could not parse is empty, and already reported */
		if (cs->reply.code[0] == '\0')
			continue;
		if (strcmp(cs->reply.code, "421") == 0) {
			add_error(st->errs, st->file, rep_line,
				  "%s_reply: 421 would close the connection; use 450 or 451",
				  check_name(i));
			continue;
		}
		if (cs->action != ACTION_REJECT && cs->action != ACTION_TEMPFAIL)
			continue;
		if (cs->reply.code[0] == want)
			continue;
		if (rep_line == 0) {
			/* 501 has no 4xx twin: a 4xx default is 450, a 5xx one 550 */
			memcpy(cs->reply.code, want == '4' ? "450" : "550", 4);
			if (cs->reply.xcode[0])
				cs->reply.xcode[0] = want;
			char text[300];
			reply_format(&cs->reply, text, sizeof text);
			store_value(cfg, rep_idx, text);
			continue;
		}
		add_error(st->errs, st->file, rep_line,
			  "%s_reply: a %cxx reply does not fit action '%s' (line %u)",
			  check_name(i), cs->reply.code[0], action_name(cs->action),
			  st->line_of[act_idx] ? st->line_of[act_idx] : rep_line);
	}
}

/*
 * One MTA command can wait decision_timeout_ms for the DNS facts, then
 * mx_probe_timeout_ms for the probe of a more-preferred exchanger, and,
 * with rcpt_unverified on, verify_timeout_ms for the call-ahead.  When
 * that reaches Postfix's default milter_command_timeout (30 s), Postfix
 * gives up first and applies milter_default_action: the verdict is no
 * longer the filter's own.
 */
#define MTA_COMMAND_TIMEOUT_MS 30000

static unsigned latest_line(const struct parse_state *st, const int *ids, size_t n)
{
	unsigned line = 0;

	for (size_t i = 0; i < n; i++)
		if (st->line_of[ids[i]] > line)
			line = st->line_of[ids[i]];
	return line;
}

static void check_time_budget(const struct config *cfg, struct parse_state *st)
{
	static const int ids[] = {
		OPTION_DECISION_TIMEOUT_MS, OPTION_MX_PROBE_TIMEOUT_MS, OPTION_VERIFY_TIMEOUT_MS,
		GENERAL_OPTION_COUNT + 2 * CHECK_RCPT_UNVERIFIED,
	};
	bool verifying = cfg->policy.checks[CHECK_RCPT_UNVERIFIED].action != ACTION_OFF;
	long worst = (long)cfg->decision_timeout_ms + cfg->mx_probe_timeout_ms +
		     (verifying ? cfg->verify_timeout_ms : 0);

	if (worst < MTA_COMMAND_TIMEOUT_MS)
		return;
	if (verifying)
		add_error(st->errs, st->file, latest_line(st, ids, 4),
			  "decision_timeout_ms (%d) plus mx_probe_timeout_ms (%d) plus "
			  "verify_timeout_ms (%d) is %ld ms, which reaches Postfix's default "
			  "milter_command_timeout of %d s: lower one of them",
			  cfg->decision_timeout_ms, cfg->mx_probe_timeout_ms,
			  cfg->verify_timeout_ms, worst, MTA_COMMAND_TIMEOUT_MS / 1000);
	else
		add_error(st->errs, st->file, latest_line(st, ids, 2),
			  "decision_timeout_ms (%d) plus mx_probe_timeout_ms (%d) is %ld ms, "
			  "which reaches Postfix's default milter_command_timeout of %d s: "
			  "lower one of them", cfg->decision_timeout_ms, cfg->mx_probe_timeout_ms,
			  worst, MTA_COMMAND_TIMEOUT_MS / 1000);
}

const struct relay_host *relay_host_of(const struct relay_hosts *hosts, const char *domain)
{
	for (size_t i = 0; domain != NULL && i < hosts->count; i++)
		if (strcasecmp(hosts->items[i].domain, domain) == 0)
			return &hosts->items[i];
	return NULL;
}

static struct config *config_new(void)
{
	struct config *cfg = calloc(1, sizeof *cfg);

	if (cfg == NULL)
		return NULL;
	cfg->values = calloc(OPTION_COUNT, sizeof *cfg->values);
	if (cfg->values == NULL) {
		free(cfg);
		return NULL;
	}
	cfg->refs = 1;
	return cfg;
}

static bool apply_defaults(struct config *cfg, struct config_errors *errs)
{
	const struct option_def *opts = config_options();
	struct option_error err;

	for (int i = 0; i < OPTION_COUNT; i++) {
		const char *why = option_apply(cfg, i, opts[i].def, &err);

		if (why != NULL || !store_value(cfg, i, opts[i].def)) {
			add_error(errs, "(defaults)", 0, "%s: %s", opts[i].name,
				  why ? why : "out of memory");
			return false;
		}
	}
	return true;
}

static struct config *parse_lines(const char *name, FILE *in, struct config_errors *errs)
{
	struct config *cfg = config_new();
	unsigned line_of[OPTION_COUNT] = {0};
	struct parse_state st = {name, line_of, errs, {""}};
	size_t before = errs->count;
	char *line = NULL;
	size_t cap = 0;
	unsigned lineno = 0;

	if (cfg == NULL || !apply_defaults(cfg, errs)) {
		config_free(cfg);
		return NULL;
	}
	cfg->path = strdup(name);
	while (getline(&line, &cap, in) >= 0)
		parse_line(cfg, &st, line, ++lineno);
	/* getline says -1 at the end and on an error alike (a directory: EISDIR) */
	if (ferror(in))
		add_error(errs, name, lineno ? lineno + 1 : 0, "cannot read: %s",
			  strerror(errno ? errno : EIO));
	free(line);
	finish_replies(cfg, &st);
	check_time_budget(cfg, &st);
	if (errs->count > before || cfg->path == NULL) {
		config_free(cfg);
		return NULL;
	}
	return cfg;
}

struct config *config_load(const char *path, struct config_errors *errs)
{
	FILE *in = fopen(path, "r");
	struct config *cfg;

	if (in == NULL) {
		add_error(errs, path, 0, "cannot open: %s", strerror(errno));
		return NULL;
	}
	cfg = parse_lines(path, in, errs);
	fclose(in);
	return cfg;
}

struct config *config_parse_string(const char *name, const char *text,
				   struct config_errors *errs)
{
	FILE *in = fmemopen((void *)(uintptr_t)text, strlen(text), "r");
	struct config *cfg;

	if (in == NULL) {
		add_error(errs, name, 0, "cannot read: %s", strerror(errno));
		return NULL;
	}
	cfg = parse_lines(name, in, errs);
	fclose(in);
	return cfg;
}

void config_free(struct config *cfg)
{
	if (cfg == NULL)
		return;
	free(cfg->path);
	options_clear(cfg);
	if (cfg->values)
		for (size_t i = 0; i < OPTION_COUNT; i++)
			free(cfg->values[i]);
	free(cfg->values);
	free(cfg);
}

void config_print(const struct config *cfg, FILE *out)
{
	const struct option_def *opts = config_options();

	for (size_t i = 0; i < OPTION_COUNT; i++)
		fprintf(out, "%s = %s\n", opts[i].name, cfg->values[i]);
}

void config_print_annotated(const struct config *cfg, FILE *out)
{
	const struct option_def *opts = config_options();

	for (size_t i = 0; i < OPTION_COUNT; i++) {
		fprintf(out, "%s# %s\n", i ? "\n" : "", opts[i].help);
		if (!opts[i].reloadable)
			fprintf(out, "# takes effect at restart, not at reload\n");
		fprintf(out, "%s = %s\n", opts[i].name, cfg->values[i]);
	}
}

const char *config_value(const struct config *cfg, const char *name)
{
	int idx = option_index(name);

	return idx < 0 ? NULL : cfg->values[idx];
}

/*
 * What a reload cannot change is what only the start reads: the socket
 * is opened, and its mode and group set, once, as root.
 */
size_t config_restart_changes(const struct config *old, const struct config *fresh,
			      const char **names, size_t max)
{
	const struct option_def *opts = config_options();
	size_t n = 0;

	for (int i = 0; i < OPTION_COUNT && n < max; i++)
		if (!opts[i].reloadable && strcmp(old->values[i], fresh->values[i]) != 0)
			names[n++] = opts[i].name;
	return n;
}

/* ---- snapshots ------------------------------------------------------- */

static pthread_mutex_t current_lock = PTHREAD_MUTEX_INITIALIZER;
static struct config *current;

void config_publish(struct config *cfg)
{
	struct config *old;

	pthread_mutex_lock(&current_lock);
	old = current;
	current = cfg;
	pthread_mutex_unlock(&current_lock);
	config_release(old);
}

struct config *config_acquire(void)
{
	struct config *cfg;

	pthread_mutex_lock(&current_lock);
	cfg = current;
	if (cfg != NULL)
		__atomic_add_fetch(&cfg->refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&current_lock);
	return cfg;
}

void config_release(struct config *cfg)
{
	if (cfg != NULL && __atomic_sub_fetch(&cfg->refs, 1, __ATOMIC_ACQ_REL) == 0)
		config_free(cfg);
}
