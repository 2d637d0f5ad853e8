/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reply.c -- parse and render SMTP replies.
 */
#include "autoconfig.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "core/reply.h"

static bool parse_xcode(const char *s, size_t len, char cls)
{
	int part = 0;
	size_t digits = 0;

	if (len < 5 || s[0] != cls || s[1] != '.')
		return false;
	for (size_t i = 2; i < len; i++) {
		if (s[i] == '.') {
			if (digits == 0)
				return false;
			part++;
			digits = 0;
		} else if (isdigit((unsigned char)s[i]) && digits < 3) {
			digits++;
		} else {
			return false;
		}
	}
	return part == 1 && digits > 0;
}

static const char *skip_space(const char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	return s;
}

bool reply_parse(const char *in, struct reply *out, const char **why)
{
	const char *p = skip_space(in);
	const char *word;
	size_t len;

	memset(out, 0, sizeof *out);
	if (!(p[0] == '4' || p[0] == '5') || !isdigit((unsigned char)p[1]) ||
	    !isdigit((unsigned char)p[2]) || (p[3] != ' ' && p[3] != '\0')) {
		*why = "reply must start with a 4xx or 5xx code";
		return false;
	}
	memcpy(out->code, p, 3);
	p = skip_space(p + 3);
	word = p;
	len = strcspn(word, " \t");
	if (len > 0 && isdigit((unsigned char)word[0]) && word[1] == '.') {
		if (len >= sizeof out->xcode || !parse_xcode(word, len, out->code[0])) {
			*why = "enhanced status code must be X.Y.Z with the reply code's class";
			return false;
		}
		memcpy(out->xcode, word, len);
		p = skip_space(word + len);
	}
	len = strlen(p);
	while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
		len--;
	if (len == 0) {
		*why = "reply needs a text after the code";
		return false;
	}
	if (len > REPLY_TEXT_MAX) {
		*why = "reply text longer than 200 characters";
		return false;
	}
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c < 0x20 || c > 0x7e) {
			*why = "reply text must be printable ASCII";
			return false;
		}
	}
	memcpy(out->text, p, len);
	return true;
}

int reply_class(const struct reply *r)
{
	return r->code[0] ? r->code[0] - '0' : 0;
}

void reply_format(const struct reply *r, char *buf, size_t len)
{
	if (r->code[0] == '\0')
		snprintf(buf, len, "%s", "");
	else if (r->xcode[0])
		snprintf(buf, len, "%s %s %s", r->code, r->xcode, r->text);
	else
		snprintf(buf, len, "%s %s", r->code, r->text);
}

void reply_text_for_mta(const char *text, char *buf, size_t len)
{
	size_t o = 0;

	if (len == 0)
		return;
	for (const char *p = text; *p && o + 2 < len; p++) {
		unsigned char c = (unsigned char)*p;

		if (c == '%') {
			buf[o++] = '%';
			buf[o++] = '%';
		} else {
			buf[o++] = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
		}
	}
	buf[o] = '\0';
}
