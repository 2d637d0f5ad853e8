/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_log_escape.c -- the escaper every peer string goes through before it
 * reaches syslog, and the decision line that carries them.  Properties: the
 * output is printable ASCII without spaces, quotes or lone backslashes,
 * fits its buffer, and when nothing was cut it unescapes to exactly the
 * input.  The decision line, with the input as HELO, sender, recipient,
 * its domain, PTR name and inside the evidence, fits its buffer and holds
 * nothing but printable ASCII and spaces.  The first input byte picks the
 * cap and the output sizes, so that the cutting paths are reached.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <string.h>

#include "fuzz.h"
#include "core/logline.h"

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* Undoes logline_escape; returns the length, or -1 when the text is not its output. */
static long unescape(const char *s, char *out)
{
	long n = 0;

	while (*s) {
		if (*s == '\\') {
			int hi, lo;

			if (s[1] != 'x' || (hi = hexval(s[2])) < 0 || (lo = hexval(s[3])) < 0)
				return -1;
			out[n++] = (char)(hi << 4 | lo);
			s += 4;
		} else {
			out[n++] = *s++;
		}
	}
	return n;
}

/* The input in every peer field of a decision line of len bytes. */
static void check_decision_line(const char *in, size_t len)
{
	struct verdict v;
	char *line = malloc(len);
	struct decision_line d = {
		.queue_id = "4Xk2Lq1V", .session = "0123456789AB", .stage = "RCPT",
		.client = "192.0.2.10", .ptr = in, .iprev = "fail", .helo = in, .from = in,
		.rcpt = in, .rcpt_domain = in, .route = "backup(pref=20)", .verdict = &v,
	};

	if (line == NULL)
		return;
	memset(&v, 0, sizeof v);
	v.kind = VERDICT_REJECT;
	/* the evidence quotes the recipient domain, as helo_impersonation's does */
	snprintf(v.evidence, sizeof v.evidence, "HELO address 192.0.2.1 is this host's or an MX "
		 "host's of %s, not the client 192.0.2.10", in);
	logline_format(&d, line, len);
	FUZZ_CHECK(strlen(line) < len);
	for (const char *p = line; *p; p++)
		FUZZ_CHECK(*p >= 0x20 && *p < 0x7f);
	free(line);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t cap, outsize, inlen;
	char *in, *out, *plain;
	long n;

	if (size < 1)
		return 0;
	cap = data[0] & 0x80 ? LOGLINE_PEER_CAP : data[0];
	outsize = data[0] & 0x40 ? LOGLINE_PEER_CAP * 4 + 8 : (size_t)(data[0] & 0x3f) + 1;
	in = fuzz_string(data + 1, size - 1);
	out = malloc(outsize);
	plain = malloc(outsize + 1);
	if (in == NULL || out == NULL || plain == NULL)
		goto done;
	inlen = strlen(in);
	check_decision_line(in, outsize * 8);
	logline_escape(in, cap, out, outsize);
	FUZZ_CHECK(strlen(out) < outsize);
	for (const char *p = out; *p; p++)
		FUZZ_CHECK(*p > 0x20 && *p < 0x7f && *p != '"');
	n = unescape(out, plain);
	FUZZ_CHECK(n >= 0);
	if ((size_t)n == inlen && memcmp(plain, in, inlen) == 0 && inlen <= cap)
		goto done;              /* whole: nothing was cut */
	if (outsize < 4) {
		/* no room even for the marker */
		FUZZ_CHECK(n == 0);
	} else {
		/* cut: a prefix of the input, then the "..." marker */
		FUZZ_CHECK(n >= 3 && memcmp(plain + n - 3, "...", 3) == 0);
		FUZZ_CHECK((size_t)n - 3 < inlen && memcmp(plain, in, (size_t)n - 3) == 0);
		/* with room for every byte escaped, only the cap may cut */
		if (outsize >= cap * 4 + 8)
			FUZZ_CHECK((size_t)n - 3 == cap);
	}
done:
	free(in);
	free(out);
	free(plain);
	return 0;
}
