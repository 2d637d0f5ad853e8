/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * names.c -- whole-label domain matching and recipient patterns.
 */
#include "autoconfig.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/names.h"

static size_t trimmed_len(const char *s)
{
	size_t len = strlen(s);

	if (len > 1 && s[len - 1] == '.')
		len--;
	return len;
}

bool name_equal(const char *a, const char *b)
{
	size_t la = trimmed_len(a), lb = trimmed_len(b);

	return la == lb && la > 0 && strncasecmp(a, b, la) == 0;
}

bool name_within(const char *name, const char *parent)
{
	size_t ln = trimmed_len(name), lp = trimmed_len(parent);

	if (lp == 0 || ln < lp)
		return false;
	if (strncasecmp(name + ln - lp, parent, lp) != 0)
		return false;
	return ln == lp || name[ln - lp - 1] == '.';
}

void name_normalise(const char *name, char *out, size_t size)
{
	size_t len = trimmed_len(name);

	if (size == 0)
		return;
	if (len >= size)
		len = size - 1;
	for (size_t i = 0; i < len; i++)
		out[i] = (char)tolower((unsigned char)name[i]);
	out[len] = '\0';
}

bool namelist_add(struct namelist *list, const char *name)
{
	size_t len = trimmed_len(name);
	char **grown = realloc(list->items, (list->count + 1) * sizeof *grown);
	char *copy;

	if (grown == NULL)
		return false;
	list->items = grown;
	copy = malloc(len + 1);
	if (copy == NULL)
		return false;
	for (size_t i = 0; i < len; i++)
		copy[i] = (char)tolower((unsigned char)name[i]);
	copy[len] = '\0';
	list->items[list->count++] = copy;
	return true;
}

bool namelist_has_equal(const struct namelist *list, const char *name)
{
	for (size_t i = 0; i < list->count; i++)
		if (name_equal(list->items[i], name))
			return true;
	return false;
}

bool namelist_has_parent_of(const struct namelist *list, const char *name)
{
	for (size_t i = 0; i < list->count; i++)
		if (name_within(name, list->items[i]))
			return true;
	return false;
}

void namelist_free(struct namelist *list)
{
	for (size_t i = 0; i < list->count; i++)
		free(list->items[i]);
	free(list->items);
	list->items = NULL;
	list->count = 0;
}

bool recipient_pattern_valid(const char *pattern, const char **why)
{
	const char *at = strchr(pattern, '@');

	if (at == NULL) {
		*why = "recipient pattern needs an '@' (postmaster@, user@example.com or @example.com)";
		return false;
	}
	if (strchr(at + 1, '@') != NULL) {
		*why = "recipient pattern has more than one '@'";
		return false;
	}
	if (at == pattern && at[1] == '\0') {
		*why = "recipient pattern '@' alone would match every recipient";
		return false;
	}
	return true;
}

const char *address_domain(const char *address)
{
	const char *at = strrchr(address, '@');

	return at ? at + 1 : "";
}

bool recipient_matches(const char *pattern, const char *address)
{
	const char *pat = strchr(pattern, '@');
	const char *addr = strrchr(address, '@');
	size_t plocal = (size_t)(pat - pattern);

	if (pat == NULL || addr == NULL)
		return false;
	if (plocal > 0 && (plocal != (size_t)(addr - address) ||
			   strncasecmp(pattern, address, plocal) != 0))
		return false;
	if (pat[1] != '\0' && !name_equal(pat + 1, addr + 1))
		return false;
	return true;
}
