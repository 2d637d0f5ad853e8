/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * authres.c -- the Authentication-Results grammar of RFC 8601 section 2.2,
 * read from a header value, and the removal rule of section 5.
 *
 *   authres-payload = [CFWS] authserv-id [ CFWS authres-version ]
 *                     ( no-result / 1*resinfo ) [CFWS]
 *   resinfo         = [CFWS] ";" methodspec [ CFWS reasonspec ]
 *                     [ CFWS 1*propspec ]
 *   methodspec      = [CFWS] method [CFWS] "=" [CFWS] result
 *   method          = Keyword [ [CFWS] "/" [CFWS] method-version ]
 *   propspec        = ptype [CFWS] "." [CFWS] property [CFWS] "=" pvalue
 *
 * CFWS is RFC 5322's: white space, folded lines and comments, which nest.
 * Two liberties, both common in real headers: a trailing ";" ends the
 * value, and a pvalue is read as quoted strings and runs of anything but
 * white space, parentheses and ";" (base64 "header.b=a+/B", IPv6 literals).
 */
#include "autoconfig.h"

#include <string.h>

#include "core/authres.h"

/* ---- characters, ASCII only whatever the locale -------------------------- */

static char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ldh(char c)
{
	return is_digit(c) || (lower(c) >= 'a' && lower(c) <= 'z') || c == '-';
}

static bool is_wsp(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* RFC 2045's token characters; 8-bit bytes too (RFC 8616's UTF-8 ids). */
static bool is_token_char(char c)
{
	unsigned char u = (unsigned char)c;

	return u > 0x20 && u != 0x7f && strchr("()<>@,;:\\\"/[]?=", c) == NULL;
}

static bool ascii_equal_n(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]) || a[i] == '\0')
			return false;
	return true;
}

/* ---- lexical pieces, on a bare pointer --------------------------------- */

/* A comment at *p, nested; false (and *p unmoved) when it does not end. */
static bool skip_comment(const char **pp)
{
	const char *p = *pp;
	size_t depth = 0;

	do {
		if (*p == '\0' || (*p == '\\' && p[1] == '\0'))
			return false;
		if (*p == '\\')
			p++;
		else if (*p == '(')
			depth++;
		else if (*p == ')')
			depth--;
		p++;
	} while (depth > 0);
	*pp = p;
	return true;
}

/* CFWS; false at a comment that does not end.  *any: whether there was some. */
static bool skip_cfws(const char **pp, bool *any)
{
	const char *start = *pp;

	for (;;) {
		if (is_wsp(**pp))
			(*pp)++;
		else if (**pp != '(' || !skip_comment(pp))
			break;
	}
	if (any != NULL)
		*any = *pp != start;
	return **pp != '(';
}

/* ---- the reader: each piece moves rd->p past itself, or breaks --------- */

static bool broken(struct authres_reader *rd)
{
	rd->broken = true;
	return false;
}

static bool cfws(struct authres_reader *rd, bool *any)
{
	return skip_cfws(&rd->p, any) || broken(rd);
}

static bool expect(struct authres_reader *rd, char c)
{
	if (*rd->p != c)
		return broken(rd);
	rd->p++;
	return true;
}

/* A Keyword (RFC 5321 Ldh-str), lower-cased into out. */
static bool keyword(struct authres_reader *rd, char *out)
{
	size_t n = 0;

	while (is_ldh(rd->p[n]))
		n++;
	if (n == 0 || n > AUTHRES_KEYWORD_MAX || rd->p[n - 1] == '-')
		return broken(rd);
	for (size_t i = 0; i < n; i++)
		out[i] = lower(rd->p[i]);
	out[n] = '\0';
	rd->p += n;
	return true;
}

/* 1*DIGIT, at most 9 of them. */
static bool number(struct authres_reader *rd, long *out)
{
	long v = 0;
	size_t n = 0;

	for (; is_digit(rd->p[n]); n++) {
		if (n == 9)
			return broken(rd);
		v = v * 10 + (rd->p[n] - '0');
	}
	if (n == 0)
		return broken(rd);
	rd->p += n;
	*out = v;
	return true;
}

/* A quoted-string, its text unquoted and unfolded into out (cap bytes) unless NULL. */
static bool quoted_string(struct authres_reader *rd, char *out, size_t cap)
{
	const char *p = rd->p + 1;
	size_t n = 0;

	for (; *p != '"'; p++) {
		char c = *p;

		if (c == '\0' || (c == '\\' && p[1] == '\0'))
			return broken(rd);
		if (c == '\\')
			c = *++p;
		else if (c == '\r' || c == '\n')
			continue;
		if (out != NULL && n == cap)
			return broken(rd);
		if (out != NULL)
			out[n++] = c;
	}
	if (out != NULL)
		out[n] = '\0';
	rd->p = p + 1;
	return true;
}

/* A value (RFC 2045: token / quoted-string) into out (cap bytes) unless NULL. */
static bool value(struct authres_reader *rd, char *out, size_t cap)
{
	size_t n = 0;

	if (*rd->p == '"')
		return quoted_string(rd, out, cap);
	while (is_token_char(rd->p[n]))
		n++;
	if (n == 0 || (out != NULL && n > cap))
		return broken(rd);
	if (out != NULL) {
		memcpy(out, rd->p, n);
		out[n] = '\0';
	}
	rd->p += n;
	return true;
}

/* A pvalue, read leniently: quoted strings and runs of anything but CFWS and ";". */
static bool pvalue(struct authres_reader *rd)
{
	const char *start = rd->p;

	for (;;) {
		if (*rd->p == '"') {
			if (!quoted_string(rd, NULL, 0))
				return false;
		} else if (*rd->p != '\0' && !is_wsp(*rd->p) && strchr("();", *rd->p) == NULL) {
			rd->p++;
		} else {
			break;
		}
	}
	return rd->p != start || broken(rd);
}

/* A reasonspec (first only) or a propspec, after the result. */
static bool property(struct authres_reader *rd, bool first)
{
	char ptype[AUTHRES_KEYWORD_MAX + 1], name[AUTHRES_KEYWORD_MAX + 1];

	if (!keyword(rd, ptype) || !cfws(rd, NULL))
		return false;
	if (first && strcmp(ptype, "reason") == 0 && *rd->p == '=') {
		rd->p++;
		return cfws(rd, NULL) && value(rd, NULL, 0);
	}
	return expect(rd, '.') && cfws(rd, NULL) && keyword(rd, name) && cfws(rd, NULL) &&
	       expect(rd, '=') && cfws(rd, NULL) && pvalue(rd);
}

/* Everything after the result, up to the next ";" or the end. */
static bool properties(struct authres_reader *rd)
{
	bool gap, first = true;

	for (;;) {
		if (!cfws(rd, &gap))
			return false;
		if (*rd->p == ';' || *rd->p == '\0')
			return true;
		if (!gap || !property(rd, first))
			return broken(rd);
		first = false;
	}
}

static bool methodspec(struct authres_reader *rd, struct authres_result *out)
{
	out->method_version = -1;
	if (!keyword(rd, out->method) || !cfws(rd, NULL))
		return false;
	if (*rd->p == '/') {
		rd->p++;
		if (!cfws(rd, NULL) || !number(rd, &out->method_version) || !cfws(rd, NULL))
			return false;
	}
	return expect(rd, '=') && cfws(rd, NULL) && keyword(rd, out->result);
}

/* At p: "none" and nothing after it, the no-result form. */
static bool at_no_result(const char *p)
{
	if (!ascii_equal_n(p, "none", 4) || is_ldh(p[4]))
		return false;
	p += 4;
	return skip_cfws(&p, NULL) && *p == '\0';
}

void authres_begin(struct authres_reader *rd, const char *v)
{
	bool gap;

	memset(rd, 0, sizeof *rd);
	rd->p = v;
	rd->version = -1;
	if (!cfws(rd, NULL) || !value(rd, rd->id, AUTHRES_ID_MAX)) {
		rd->id[0] = '\0';
		return;
	}
	rd->have_id = true;
	if (cfws(rd, &gap) && gap && is_digit(*rd->p) && number(rd, &rd->version))
		cfws(rd, NULL);
}

bool authres_next(struct authres_reader *rd, struct authres_result *out)
{
	if (!rd->have_id || rd->broken || rd->done)
		return false;
	if (*rd->p == '\0') {
		/* a bare id says nothing, not even "none" */
		if (rd->results == 0 && !rd->no_result)
			return broken(rd);
		rd->done = true;
		return false;
	}
	if (!expect(rd, ';') || !cfws(rd, NULL))
		return false;
	if (rd->results > 0 && *rd->p == '\0') {
		rd->done = true;        /* a trailing ";" */
		return false;
	}
	if (rd->results == 0 && at_no_result(rd->p)) {
		rd->no_result = rd->done = true;
		rd->p += strlen(rd->p);
		return false;
	}
	if (!methodspec(rd, out) || !properties(rd))
		return false;
	rd->results++;
	return true;
}

bool authres_id_equal(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);

	if (na > 1 && a[na - 1] == '.')
		na--;
	if (nb > 1 && b[nb - 1] == '.')
		nb--;
	return na == nb && ascii_equal_n(a, b, na);
}

/* ---- the removal rule -------------------------------------------------- */

/* Is *at where a careless reader may see a word start (not inside a name or value)? */
static bool word_starts(const char *value, const char *at)
{
	return at == value || is_wsp(at[-1]) || strchr(";(),\"", at[-1]) != NULL;
}

/*
 * How far past a method's name "=" is looked for.  Bounded, so that a
 * value of nothing but "iprev(" costs a fixed amount per name rather than
 * a walk to its end for each (quadratic: seconds for a 100 kB header).
 */
#define LOOKAHEAD 512

/* "[CFWS] [/ [CFWS] digits [CFWS]] =" at p: the rest of a methodspec's left side. */
static bool method_continues(const char *p)
{
	char window[LOOKAHEAD + 1];
	const char *q = window;
	size_t n = strnlen(p, LOOKAHEAD);

	memcpy(window, p, n);
	window[n] = '\0';
	if (!skip_cfws(&q, NULL))
		return false;
	if (*q == '/') {
		q++;
		if (!skip_cfws(&q, NULL))
			return false;
		while (is_digit(*q))
			q++;
		if (!skip_cfws(&q, NULL))
			return false;
	}
	return *q == '=';
}

/* The method's name followed by "=" anywhere: what some reader may take for its result. */
static bool method_named(const char *value, const char *method)
{
	size_t n = strlen(method);

	for (const char *p = value; *p != '\0'; p++)
		if (ascii_equal_n(p, method, n) && word_starts(value, p) && method_continues(p + n))
			return true;
	return false;
}

/* Our id as a whole token anywhere: for a value whose id cannot be read. */
static bool id_mentioned(const char *value, const char *id)
{
	size_t n = strlen(id);

	if (n == 0)
		return false;
	for (const char *p = value; *p != '\0'; p++) {
		const char *end = p + n;

		if (!ascii_equal_n(p, id, n) || (p > value && is_token_char(p[-1])))
			continue;
		if (*end == '.' && id[n - 1] != '.')
			end++;
		if (!is_token_char(*end))
			return true;
	}
	return false;
}

bool authres_claims(const char *value, const char *id, const char *method)
{
	struct authres_reader rd;
	struct authres_result r;

	authres_begin(&rd, value);
	if (rd.have_id ? !authres_id_equal(rd.id, id) : !id_mentioned(value, id))
		return false;
	while (authres_next(&rd, &r))
		if (strlen(r.method) == strlen(method) && ascii_equal_n(r.method, method, strlen(method)))
			return true;
	return method_named(value, method);
}
