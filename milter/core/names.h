/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * names.h -- domain names and recipient patterns, matched on whole
 * labels and without regard to case ("evil-example.com" is not within
 * "example.com"; "mx.Example.COM." is).
 */
#ifndef MXP_NAMES_H
#define MXP_NAMES_H

#include <stdbool.h>
#include <stddef.h>

struct namelist {
	char **items;       /* lower-case, without a trailing dot */
	size_t count;
};

/* Equal as domain names: case-insensitive, one trailing dot ignored. */
bool name_equal(const char *a, const char *b);
/* name is parent or one of its subdomains. */
bool name_within(const char *name, const char *parent);

/* name in lower case without its trailing dot, cut to fit out. */
void name_normalise(const char *name, char *out, size_t size);

bool namelist_add(struct namelist *list, const char *name);
bool namelist_has_equal(const struct namelist *list, const char *name);
bool namelist_has_parent_of(const struct namelist *list, const char *name);
void namelist_free(struct namelist *list);

/*
 * Recipient patterns: "postmaster@" (that local part at any domain),
 * "user@example.com" (that address), "@example.com" (any address at that
 * domain).  Local parts compare case-insensitively, like Postfix does.
 */
bool recipient_pattern_valid(const char *pattern, const char **why);
bool recipient_matches(const char *pattern, const char *address);

/* The domain of an address, "" when there is none; not copied. */
const char *address_domain(const char *address);

#endif
