/*
 * iprev.c -- PURE: PTR names, their forward confirmation, generic names.
 */
#include "autoconfig.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "iprev.h"

const char *iprev_result_name(enum iprev_result r)
{
	static const char *const names[] = {
		[IPREV_NONE] = "none", [IPREV_PASS] = "pass", [IPREV_FAIL] = "fail",
		[IPREV_TEMPERROR] = "temperror", [IPREV_PERMERROR] = "permerror",
	};
	return names[r];
}

const char *iprev_name(const struct iprev_facts *f)
{
	if (f->confirmed >= 0)
		return f->names[f->confirmed];
	return f->count > 0 ? f->names[0] : NULL;
}

static bool answer_has(const struct dns_answer *a, const struct netaddr *addr)
{
	for (size_t i = 0; a->status == DNS_ANSWER && i < a->count; i++)
		if (netaddr_equal(&a->rr[i].addr, addr))
			return true;
	return false;
}

/* Every forward lookup is submitted before any is collected: in parallel. */
static void confirm(struct resolver *r, const struct netaddr *client, struct iprev_facts *f)
{
	enum dns_type type = client->family == AF_INET ? DNS_T_A : DNS_T_AAAA;
	void *handles[PTR_NAMES_LIMIT];
	bool temp = false;

	for (size_t i = 0; i < f->count; i++)
		handles[i] = r->submit(r, f->names[i], type);
	for (size_t i = 0; i < f->count; i++) {
		struct dns_answer *a = resolver_collect_chain(r, handles[i], type);

		if (f->confirmed < 0 && answer_has(a, client))
			f->confirmed = (int)i;
		if (a->status == DNS_TEMPFAIL) {
			temp = true;
			f->why = a->why;
		}
		dns_answer_unref(a);
	}
	if (f->confirmed >= 0)
		f->result = IPREV_PASS;
	else
		f->result = temp ? IPREV_TEMPERROR : IPREV_FAIL;
}

void iprev_gather(struct resolver *r, const struct netaddr *client, size_t max_names,
		  struct iprev_facts *out)
{
	char rname[DNS_NAME_MAX + 1];
	struct dns_answer *ptr;

	memset(out, 0, sizeof *out);
	out->confirmed = -1;
	if (max_names > PTR_NAMES_LIMIT)
		max_names = PTR_NAMES_LIMIT;
	dns_reverse_name(client, rname, sizeof rname);
	ptr = resolver_collect_chain(r, r->submit(r, rname, DNS_T_PTR), DNS_T_PTR);
	if (ptr->status == DNS_TEMPFAIL) {
		out->result = IPREV_TEMPERROR;
		out->why = ptr->why;
	} else if (ptr->status != DNS_ANSWER) {
		out->result = IPREV_PERMERROR;
	} else {
		out->total = ptr->count + ptr->dropped;
		for (size_t i = 0; i < ptr->count && out->count < max_names; i++)
			if (ptr->rr[i].name[0] != '\0')
				snprintf(out->names[out->count++], DNS_NAME_MAX + 1, "%s",
					 ptr->rr[i].name);
		if (out->count == 0)
			out->result = IPREV_PERMERROR;
		else
			confirm(r, client, out);
	}
	dns_answer_unref(ptr);
}

/* ---- generic names -------------------------------------------------------- */

static const char *const generic_tokens[] = {
	"dsl", "adsl", "vdsl", "xdsl", "sdsl", "dyn", "dynamic", "dynip", "dip",
	"pool", "dhcp", "ppp", "pppoe", "cable", "dialup", "dial", "dialin",
	"client", "clients", "customer", "cust", "broadband", "bb", "residential",
	"res", "home", "user", "users", "subscriber", "cpe", "modem", "wireless",
	"wifi", "lte", "mobile", "ftth", "fttx", "catv", "nat", NULL
};

static bool is_generic_token(const char *tok, size_t len)
{
	/* "pool123", "dhcp2": digits around a token do not hide it */
	while (len > 0 && isdigit((unsigned char)tok[len - 1]))
		len--;
	while (len > 0 && isdigit((unsigned char)*tok)) {
		tok++;
		len--;
	}
	for (int i = 0; generic_tokens[i]; i++)
		if (strlen(generic_tokens[i]) == len && strncmp(generic_tokens[i], tok, len) == 0)
			return true;
	return false;
}

/* The length of the host part: everything but the last two labels. */
static size_t host_part(const char *name)
{
	const char *last = strrchr(name, '.');

	if (last == NULL)
		return 0;
	while (last > name && last[-1] != '.')
		last--;
	return last > name ? (size_t)(last - name - 1) : 0;
}

static bool has_generic_token(const char *name, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t start = i;

		while (i < len && isalnum((unsigned char)name[i]))
			i++;
		if (i > start && is_generic_token(name + start, i - start))
			return true;
		i++;
	}
	return false;
}

/* The numbers in the host part, in order. */
static size_t numbers(const char *name, size_t len, unsigned long *out, size_t max)
{
	size_t n = 0, i = 0;

	while (i < len && n < max) {
		if (!isdigit((unsigned char)name[i])) {
			i++;
			continue;
		}
		unsigned long v = 0;
		size_t digits = 0;

		while (i < len && isdigit((unsigned char)name[i])) {
			if (digits < 12)
				v = v * 10 + (unsigned long)(name[i] - '0');
			digits++;
			i++;
		}
		out[n++] = digits <= 3 ? v : 1000;   /* longer runs are read below */
	}
	return n;
}

static bool embeds_ipv4(const char *name, size_t len, const unsigned char *b)
{
	unsigned long nums[64];
	size_t n = numbers(name, len, nums, 64);
	char host[DNS_NAME_MAX + 1], form[16];

	for (size_t i = 0; i + 4 <= n; i++) {
		bool fwd = true, rev = true;

		for (int k = 0; k < 4; k++) {
			fwd = fwd && nums[i + k] == b[k];
			rev = rev && nums[i + k] == b[3 - k];
		}
		if (fwd || rev)
			return true;
	}
	memcpy(host, name, len);
	host[len] = '\0';
	snprintf(form, sizeof form, "%03u%03u%03u%03u", b[0], b[1], b[2], b[3]);
	if (strstr(host, form))
		return true;
	snprintf(form, sizeof form, "%03u%03u%03u%03u", b[3], b[2], b[1], b[0]);
	if (strstr(host, form))
		return true;
	snprintf(form, sizeof form, "%02x%02x%02x%02x", b[0], b[1], b[2], b[3]);
	return strstr(host, form) != NULL;
}

bool ptr_name_looks_generic(const char *name, const struct netaddr *client)
{
	size_t len = host_part(name);

	if (len == 0)
		return false;
	if (has_generic_token(name, len))
		return true;
	return client->family == AF_INET && embeds_ipv4(name, len, client->bytes);
}
