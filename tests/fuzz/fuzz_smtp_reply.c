/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_smtp_reply.c -- what mxpolicy-audit reads from SMTP servers it does
 * not control: the reply reader, then the escapers the reply text goes
 * through before it is printed.  The input is split into lines at '\n'.
 * Properties: a complete reply has one code, 200-599, on every line; no
 * reply is longer than SMTP_REPLY_MAX_LINES; the text is the first line's
 * after the code, cut to fit; the table's escaping is printable ASCII
 * whose backslashes all start \xHH; the JSON string is printable ASCII
 * whose escapes are all valid JSON escapes.
 */
#include "autoconfig.h"

#include <ctype.h>
#include <string.h>

#include "audit/auditprobe.h"
#include "audit/auditreport.h"
#include "fuzz.h"

static void check_text_escape(const char *text)
{
	char out[PROBE_TEXT_MAX * 4 + 8];

	text_escape(text, PROBE_TEXT_MAX, out, sizeof out);
	FUZZ_CHECK(strlen(out) < sizeof out);
	for (const char *p = out; *p; p++) {
		FUZZ_CHECK(*p >= 0x20 && *p < 0x7f);
		if (*p == '\\') {
			FUZZ_CHECK(p[1] == 'x' && isxdigit((unsigned char)p[2]) &&
				   isxdigit((unsigned char)p[3]));
			p += 3;
		}
	}
}

static void check_json_string(const char *text)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return;
	json_string(f, text);
	fclose(f);
	FUZZ_CHECK(len >= 2 && buf[0] == '"' && buf[len - 1] == '"');
	for (size_t i = 1; i + 1 < len; i++) {
		FUZZ_CHECK(buf[i] >= 0x20 && buf[i] < 0x7f);
		FUZZ_CHECK(buf[i] != '"');
		if (buf[i] != '\\')
			continue;
		FUZZ_CHECK(i + 2 < len);
		if (buf[i + 1] == 'u') {
			FUZZ_CHECK(i + 6 < len);
			for (int k = 2; k < 6; k++)
				FUZZ_CHECK(isxdigit((unsigned char)buf[i + k]));
			i += 5;
		} else {
			FUZZ_CHECK(buf[i + 1] == '"' || buf[i + 1] == '\\');
			i++;
		}
	}
	free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data, *end = in + size;
	const char *first = NULL;
	size_t first_len = 0;
	struct smtp_reply r;
	bool done = false;
	int fed = 0;

	smtp_reply_init(&r);
	while (in < end && !done) {
		const char *nl = memchr(in, '\n', (size_t)(end - in));
		size_t len = (size_t)((nl ? nl : end) - in);

		if (first == NULL) {
			first = in;
			first_len = len;
		}
		done = smtp_reply_feed(&r, in, len);
		fed++;
		if (!r.malformed && len >= 3)
			FUZZ_CHECK(memcmp(in, first, 3) == 0);
		in += len + (nl != NULL);
	}
	FUZZ_CHECK(r.lines <= SMTP_REPLY_MAX_LINES + 1);
	FUZZ_CHECK(strlen(r.text) < PROBE_TEXT_MAX);
	if (done && !r.malformed) {
		FUZZ_CHECK(r.code >= 200 && r.code <= 599);
		FUZZ_CHECK(r.lines == fed);
		/* the text: the first line after "NNN ", cut at the cap (or a NUL) */
		if (first_len > 4)
			FUZZ_CHECK(strncmp(r.text, first + 4, strlen(r.text)) == 0);
		else
			FUZZ_CHECK(r.text[0] == '\0');
	}
	check_text_escape(r.text);
	check_json_string(r.text);
	return 0;
}
