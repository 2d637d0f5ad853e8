/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_cidr.c -- the address and CIDR parsers that read the config's
 * address lists.  Properties: a parsed prefix is in range, contains its own
 * address, and formats to text that parses back to the same set; a failure
 * always says why.
 */
#include "autoconfig.h"

#include <string.h>

#include "fuzz.h"
#include "core/netaddr.h"

static void check_address(const char *text)
{
	struct netaddr a, back;
	char buf[NETADDR_STRLEN];

	if (!netaddr_parse(text, &a))
		return;
	FUZZ_CHECK(a.family == AF_INET || a.family == AF_INET6);
	netaddr_format(&a, buf, sizeof buf);
	FUZZ_CHECK(netaddr_parse(buf, &back) && netaddr_equal(&a, &back));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size);
	struct cidr c, back;
	struct cidrset set = {NULL, 0};
	const char *err = NULL;
	char buf[NETADDR_STRLEN + 8];

	if (text == NULL)
		return 0;
	check_address(text);
	if (cidr_parse(text, &c, &err)) {
		FUZZ_CHECK(c.prefix <= (c.addr.family == AF_INET ? 32u : 128u));
		FUZZ_CHECK(cidr_contains(&c, &c.addr));
		cidr_format(&c, buf, sizeof buf);
		FUZZ_CHECK(cidr_parse(buf, &back, &err));
		FUZZ_CHECK(back.prefix == c.prefix && cidr_contains(&back, &c.addr) &&
			   cidr_contains(&c, &back.addr));
		FUZZ_CHECK(cidrset_add(&set, &c) && cidrset_contains(&set, &c.addr));
		cidrset_free(&set);
	} else {
		FUZZ_CHECK(err != NULL && err[0] != '\0');
	}
	free(text);
	return 0;
}
