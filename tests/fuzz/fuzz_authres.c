/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_authres.c -- Authentication-Results values as any client may send
 * them, read by authres.c and judged by the removal rule.  Properties:
 * reading stays inside the value and ends broken or done, never both;
 * every method and result read is a lower-case Keyword within its cap;
 * a whole reading, written out again in canonical form, reads the same;
 * the rule ignores ASCII case; it removes every value whose reading has
 * an iprev result under the id read, and every value with a readable id
 * once "; iprev=pass" is appended to it (a forged claim survives no
 * syntax before it); and it never removes a value without "iprev" in it.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/authres.h"
#include "fuzz.h"

#define RESULTS_KEPT 64

struct reading {
	struct authres_reader rd;
	size_t count;                   /* results read, all of them */
	struct authres_result r[RESULTS_KEPT];     /* the first ones */
	bool iprev;                     /* one of them is iprev */
};

static bool is_keyword(const char *k)
{
	size_t n = strlen(k);

	if (n == 0 || n > AUTHRES_KEYWORD_MAX || k[n - 1] == '-')
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') || (k[i] >= '0' && k[i] <= '9') || k[i] == '-'))
			return false;
	return true;
}

static void read_all(const char *value, struct reading *out)
{
	struct authres_result r;
	size_t len = strlen(value);

	memset(out, 0, sizeof *out);
	authres_begin(&out->rd, value);
	FUZZ_CHECK(strlen(out->rd.id) <= AUTHRES_ID_MAX);
	FUZZ_CHECK(out->rd.have_id || out->rd.id[0] == '\0');
	while (authres_next(&out->rd, &r)) {
		FUZZ_CHECK(is_keyword(r.method) && is_keyword(r.result));
		FUZZ_CHECK(r.method_version >= -1 && r.method_version <= 999999999);
		out->iprev |= strcmp(r.method, "iprev") == 0;
		if (out->count < RESULTS_KEPT)
			out->r[out->count] = r;
		out->count++;
		FUZZ_CHECK(out->count <= len);
	}
	FUZZ_CHECK(out->rd.p >= value && out->rd.p <= value + len);
	FUZZ_CHECK(!(out->rd.broken && out->rd.done));
	FUZZ_CHECK(!out->rd.have_id || out->rd.broken || out->rd.done);
	FUZZ_CHECK(out->count == out->rd.results);
	FUZZ_CHECK(!out->rd.no_result || (out->count == 0 && out->rd.done));
}

/* A whole reading written as "ID[ V]; m[/v]=r; ..." reads back the same. */
static void check_canonical(const struct reading *a)
{
	static char text[8 * AUTHRES_ID_MAX + RESULTS_KEPT * (2 * AUTHRES_KEYWORD_MAX + 20)];
	struct reading *b = malloc(sizeof *b);
	size_t n = 0;

	if (b == NULL)
		return;
	text[n++] = '"';
	for (const char *p = a->rd.id; *p; p++) {
		if (*p == '"' || *p == '\\')
			text[n++] = '\\';
		text[n++] = *p;
	}
	text[n++] = '"';
	if (a->rd.version >= 0)
		n += (size_t)sprintf(text + n, " %ld", a->rd.version);
	if (a->rd.no_result)
		n += (size_t)sprintf(text + n, "; none");
	for (size_t i = 0; i < a->count; i++) {
		n += (size_t)sprintf(text + n, "; %s", a->r[i].method);
		if (a->r[i].method_version >= 0)
			n += (size_t)sprintf(text + n, "/%ld", a->r[i].method_version);
		n += (size_t)sprintf(text + n, "=%s", a->r[i].result);
	}
	text[n] = '\0';
	read_all(text, b);
	FUZZ_CHECK(b->rd.done && b->rd.have_id);
	FUZZ_CHECK(strcmp(b->rd.id, a->rd.id) == 0 && b->rd.version == a->rd.version);
	FUZZ_CHECK(b->rd.no_result == a->rd.no_result && b->count == a->count);
	for (size_t i = 0; i < a->count; i++) {
		FUZZ_CHECK(strcmp(b->r[i].method, a->r[i].method) == 0);
		FUZZ_CHECK(strcmp(b->r[i].result, a->r[i].result) == 0);
		FUZZ_CHECK(b->r[i].method_version == a->r[i].method_version);
	}
	free(b);
}

static bool mentions_iprev(const char *s)
{
	for (; *s; s++)
		if (strncasecmp(s, "iprev", 5) == 0)
			return true;
	return false;
}

static void check_rule(const char *value, const struct reading *a)
{
	size_t len = strlen(value);
	char *upper = malloc(len + 1), *forged = malloc(len + sizeof "; iprev=pass");
	const char *id = a->rd.have_id ? a->rd.id : "mx1.example.net";
	bool removed = authres_claims(value, id, "iprev");

	if (upper == NULL || forged == NULL)
		goto done;
	for (size_t i = 0; i <= len; i++)
		upper[i] = value[i] >= 'a' && value[i] <= 'z' ? (char)(value[i] - 32) : value[i];
	FUZZ_CHECK(authres_claims(upper, id, "iprev") == removed);
	if (!mentions_iprev(value)) {
		FUZZ_CHECK(!removed);
		FUZZ_CHECK(!authres_claims(value, "mx1.example.net", "iprev"));
	}
	if (a->rd.have_id && a->iprev)
		FUZZ_CHECK(removed);
	if (a->rd.have_id) {
		memcpy(forged, value, len);
		memcpy(forged + len, "; iprev=pass", sizeof "; iprev=pass");
		FUZZ_CHECK(authres_claims(forged, id, "iprev"));
	}
done:
	free(upper);
	free(forged);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *value = fuzz_string(data, size);
	struct reading *a = malloc(sizeof *a);

	if (value != NULL && a != NULL) {
		read_all(value, a);
		if (a->rd.done && a->count <= RESULTS_KEPT)
			check_canonical(a);
		check_rule(value, a);
	}
	free(value);
	free(a);
	return 0;
}
