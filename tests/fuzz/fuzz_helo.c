/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_helo.c -- the HELO classifier on any argument.  Properties: a name
 * comes out lower-case, within RFC 5321's 255 octets, and classifies the same
 * again; an address (bare or literal) formats and parses back to itself.
 */
#include "autoconfig.h"

#include <ctype.h>
#include <string.h>

#include "fuzz.h"
#include "core/helo.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size);
	struct helo_info info, again;
	char buf[NETADDR_STRLEN];
	struct netaddr back;

	if (text == NULL)
		return 0;
	helo_classify(text, &info);
	FUZZ_CHECK(helo_class_name(info.cls) != NULL);
	switch (info.cls) {
	case HELO_FQDN:
	case HELO_SINGLE_LABEL:
		FUZZ_CHECK(info.name[0] != '\0' && strlen(info.name) <= HELO_NAME_MAX);
		for (const char *p = info.name; *p; p++)
			FUZZ_CHECK(!isupper((unsigned char)*p));
		helo_classify(info.name, &again);
		FUZZ_CHECK(again.cls == info.cls && strcmp(again.name, info.name) == 0);
		break;
	case HELO_BARE_IP:
	case HELO_LITERAL:
		netaddr_format(&info.addr, buf, sizeof buf);
		FUZZ_CHECK(netaddr_parse(buf, &back) && netaddr_equal(&back, &info.addr));
		break;
	case HELO_BAD_SYNTAX:
		FUZZ_CHECK(info.why != NULL);
		break;
	}
	free(text);
	return 0;
}
