/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * iprev.c -- PTR names, their forward confirmation, generic names.
 */
#include "autoconfig.h"

#include <ctype.h>
#include <libpsl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/iprev.h"
#include "core/names.h"

const char *iprev_result_name(enum iprev_result r)
{
	static const char *const names[] = {
		[IPREV_NONE] = "none", [IPREV_PASS] = "pass", [IPREV_FAIL] = "fail",
		[IPREV_TEMPERROR] = "temperror", [IPREV_PERMERROR] = "permerror",
	};
	/* IPREV_PERMERROR is the last result */
	_Static_assert(sizeof names / sizeof names[0] == IPREV_PERMERROR + 1,
		       "an iprev result without its name");

	return names[r];
}

const char *iprev_name(const struct iprev_facts *f)
{
	if (f->confirmed >= 0)
		return f->names[f->confirmed];
	return f->count > 0 ? f->names[0] : NULL;
}

/* ---- registrable domains --------------------------------------------------- */

/* Letters, digits, '-', '_' and '.': anything else never reaches libpsl. */
static bool plain_name(const char *name)
{
	for (; *name; name++)
		if (!isalnum((unsigned char)*name) && !strchr("-_.", *name))
			return false;
	return true;
}

static const char *next_label(const char *p)
{
	const char *dot = strchr(p, '.');

	return dot ? dot + 1 : NULL;
}

/* Without the list: the last two labels, as before libpsl was asked. */
static const char *last_two_labels(const char *name)
{
	const char *prev = NULL, *last = NULL;

	for (const char *p = name; p; p = next_label(p)) {
		prev = last;
		last = p;
	}
	return prev;
}

/*
 * The registrable domain of a lower-case name without a trailing dot, a
 * pointer into it; NULL when the name is a public suffix itself.  The ICANN
 * section only: the private one lists platforms that hand out subdomains
 * ("*.compute-1.amazonaws.com"), which would make every EC2 host name a
 * registrable domain with no host part left to read, whereas the one who
 * names an address block is the registrant under an ICANN suffix.
 * psl_builtin() is compiled-in constant data: no file, no allocation, no
 * lock, the same for every thread; NULL if libpsl was built without it.
 */
static const char *registrable(const char *name)
{
	const psl_ctx_t *psl = psl_builtin();
	const char *prev = NULL;

	if (psl == NULL || !plain_name(name))
		return last_two_labels(name);
	for (const char *p = name; p; prev = p, p = next_label(p))
		if (psl_is_public_suffix2(psl, p, PSL_TYPE_ICANN))
			return prev;
	return NULL;
}

/* The length of the host part: what is left of the registrable domain. */
static size_t host_part(const char *name)
{
	const char *reg = registrable(name);

	return reg && reg > name ? (size_t)(reg - name - 1) : 0;
}

/* ---- forward confirmation -------------------------------------------------- */

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

		f->forward[i] = answer_has(a, client) ? FORWARD_YES
			: a->status == DNS_TEMPFAIL ? FORWARD_TEMP : FORWARD_NO;
		if (f->confirmed < 0 && f->forward[i] == FORWARD_YES)
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

/* What a PTR name has to do with the HELO name: the lower, the sooner checked. */
enum ptr_rank { RANK_HELO, RANK_HELO_DOMAIN, RANK_OTHER, RANKS };

struct helo_ref {
	const char *name;           /* NULL: no HELO name to go by */
	char domain[DNS_NAME_MAX + 1];  /* its registrable domain, "" if none */
};

static void helo_ref_init(struct helo_ref *h, const char *helo)
{
	char lower[DNS_NAME_MAX + 1];
	const char *reg;

	h->name = helo && helo[0] ? helo : NULL;
	h->domain[0] = '\0';
	if (h->name == NULL)
		return;
	name_normalise(helo, lower, sizeof lower);
	reg = registrable(lower);
	if (reg)
		snprintf(h->domain, sizeof h->domain, "%s", reg);
}

static enum ptr_rank rank(const struct helo_ref *h, const char *ptr)
{
	if (h->name && name_equal(ptr, h->name))
		return RANK_HELO;
	if (h->domain[0] && name_within(ptr, h->domain))
		return RANK_HELO_DOMAIN;
	return RANK_OTHER;
}

/*
 * Shared hosting answers with more names than ptr_max_names: keep the
 * HELO name, then its registrable domain's names, then the rest, each in
 * answer order, so the cap never drops the one name that confirms.
 */
static void pick_names(const struct dns_answer *ptr, const struct helo_ref *h,
		       size_t max_names, struct iprev_facts *out)
{
	for (int k = RANK_HELO; k < RANKS; k++)
		for (size_t i = 0; i < ptr->count && out->count < max_names; i++)
			if (ptr->rr[i].name[0] != '\0' && rank(h, ptr->rr[i].name) == (enum ptr_rank)k)
				snprintf(out->names[out->count++], DNS_NAME_MAX + 1, "%s",
					 ptr->rr[i].name);
}

void iprev_gather_helo(struct resolver *r, const struct netaddr *client, const char *helo,
		       size_t max_names, struct iprev_facts *out)
{
	char rname[DNS_NAME_MAX + 1];
	struct dns_answer *ptr;
	struct helo_ref h;

	memset(out, 0, sizeof *out);
	out->confirmed = -1;
	if (max_names > PTR_NAMES_LIMIT)
		max_names = PTR_NAMES_LIMIT;
	helo_ref_init(&h, helo);
	dns_reverse_name(client, rname, sizeof rname);
	ptr = resolver_collect_chain(r, r->submit(r, rname, DNS_T_PTR), DNS_T_PTR);
	if (ptr->status == DNS_TEMPFAIL) {
		out->result = IPREV_TEMPERROR;
		out->why = ptr->why;
	} else if (ptr->status != DNS_ANSWER) {
		out->result = IPREV_PERMERROR;
	} else {
		out->total = ptr->count + ptr->dropped;
		pick_names(ptr, &h, max_names, out);
		if (out->count == 0)
			out->result = IPREV_PERMERROR;
		else
			confirm(r, client, out);
	}
	dns_answer_unref(ptr);
}

void iprev_gather(struct resolver *r, const struct netaddr *client, size_t max_names,
		  struct iprev_facts *out)
{
	iprev_gather_helo(r, client, NULL, max_names, out);
}

/* ---- the MTA's answer ---------------------------------------------------- */

/* A host name as an MTA writes one: no address literal, no "unknown". */
static bool mta_host_name(const char *name)
{
	size_t len;

	if (name == NULL || name[0] == '\0' || name[0] == '.' || strcasecmp(name, "unknown") == 0)
		return false;
	len = strlen(name);
	return len <= DNS_NAME_MAX && plain_name(name);
}

bool iprev_from_mta(const char *resolve, const char *name, const struct netaddr *client,
		    const struct namelist *allow_ptr, struct iprev_facts *out)
{
	char lower[DNS_NAME_MAX + 1];

	if (resolve == NULL || strcmp(resolve, "OK") != 0 || !mta_host_name(name))
		return false;
	name_normalise(name, lower, sizeof lower);
	if (lower[0] == '\0' || ptr_name_looks_generic(lower, client))
		return false;
	if (allow_ptr != NULL && allow_ptr->count > 0 && !namelist_has_parent_of(allow_ptr, lower))
		return false;
	memset(out, 0, sizeof *out);
	snprintf(out->names[0], sizeof out->names[0], "%s", lower);
	out->forward[0] = FORWARD_YES;
	out->count = out->total = 1;
	out->confirmed = 0;
	out->result = IPREV_PASS;
	return true;
}

/* ---- generic names -------------------------------------------------------- */

/*
 * Words ISPs put in the names of their customers' addresses: dynamic
 * assignment, pools, customers (in the plural and in a few languages),
 * and the access technologies: DSL in its variants, PPP and its tunnels,
 * dial-up, cable modems, fibre to the x, fixed wireless and mobile data.
 */
static const char *const generic_tokens[] = {
	"dsl", "adsl", "vdsl", "xdsl", "sdsl", "hdsl", "shdsl", "idsl", "dslb", "dyndsl",
	"dyn", "dynamic", "dynip", "dip", "dhcp",
	"pool", "pools", "ppp", "pppoe", "pppoa", "l2tp", "pptp",
	"dialup", "dial", "dialin",
	"cable", "catv", "cablemodem", "cm", "docsis", "hfc", "hsd", "cpe", "modem", "modems",
	"ftth", "fttb", "fttc", "fttp", "fttn", "fttx", "fios", "fiber", "fibre",
	"wireless", "wifi", "wlan", "wimax", "lte", "mobile", "gprs", "umts", "hspa",
	"3g", "4g", "5g", "nat", "cgnat",
	"client", "clients", "clienti", "cliente", "clientes", "customer", "customers",
	"cust", "custs", "kunden", "abo", "subscriber", "subscribers",
	"broadband", "bb", "residential", "res", "home", "user", "users", "hosts", NULL
};

/*
 * Words of a deliberately named mail host.  They outweigh an embedded
 * address (Facebook's 66-220-155-178.mail-mail.facebook.com, Outlook.com's
 * mail-oln040092066037.outbound.protection.outlook.com), never a token
 * above: an ISP's pool does not call itself mail, and who can name a host
 * "mail" can name it anything.
 */
static const char *const mail_tokens[] = {
	"mail", "email", "mailer", "mailout", "mx", "mta", "smtp", "smtpout", "relay",
	"outbound", NULL
};

static bool in_list(const char *const *list, const char *tok, size_t len)
{
	for (int i = 0; list[i]; i++)
		if (strlen(list[i]) == len && strncmp(list[i], tok, len) == 0)
			return true;
	return false;
}

static bool is_token(const char *const *list, const char *tok, size_t len)
{
	if (in_list(list, tok, len))            /* "4g" before its digit goes */
		return true;
	/* "pool123", "dhcp2": digits around a token do not hide it */
	while (len > 0 && isdigit((unsigned char)tok[len - 1]))
		len--;
	while (len > 0 && isdigit((unsigned char)*tok)) {
		tok++;
		len--;
	}
	/*
	 * Not for two letters: Gmail's mail-cm1-f50 or mail-bb1-f50 would read
	 * as cable modem or broadband; "cm" and "bb" count only on their own.
	 */
	return len >= 3 && in_list(list, tok, len);
}

/* A whole alphanumeric run of the host part that is in list. */
static bool has_token(const char *const *list, const char *host, size_t len)
{
	size_t i = 0;

	while (i < len) {
		size_t start = i;

		while (i < len && isalnum((unsigned char)host[i]))
			i++;
		if (i > start && is_token(list, host + start, i - start))
			return true;
		i++;
	}
	return false;
}

/* ---- the client's address in the host part --------------------------------- */

static void sort4(unsigned v[4])
{
	for (int i = 1; i < 4; i++)
		for (int k = i; k > 0 && v[k - 1] > v[k]; k--) {
			unsigned t = v[k];

			v[k] = v[k - 1];
			v[k - 1] = t;
		}
}

/* The four octets in any order: ISPs write them forward, reversed and mixed. */
static bool same_octets(const unsigned v[4], const unsigned want[4])
{
	unsigned got[4] = {v[0], v[1], v[2], v[3]};

	sort4(got);
	return memcmp(got, want, sizeof got) == 0;
}

static unsigned digits_value(const char *s, size_t n, int base)
{
	unsigned v = 0;

	for (size_t i = 0; i < n; i++)
		v = v * (unsigned)base + (unsigned)(isdigit((unsigned char)s[i]) ? s[i] - '0' :
						    tolower((unsigned char)s[i]) - 'a' + 10);
	return v;
}

/* Decimal numbers between any separators: "203-0-113-9", "host86-123-45-67". */
static bool decimal_groups(const char *host, size_t len, const unsigned want[4])
{
	unsigned nums[DNS_NAME_MAX];
	size_t n = 0, i = 0;

	while (i < len) {
		size_t start = i;

		while (i < len && isdigit((unsigned char)host[i]))
			i++;
		if (i == start) {
			i++;
			continue;
		}
		/* more than three digits is no octet (twelve are read below) */
		nums[n++] = i - start <= 3 ? digits_value(host + start, i - start, 10) : 1000;
	}
	for (size_t k = 0; k + 4 <= n; k++)
		if (same_octets(nums + k, want))
			return true;
	return false;
}

static bool is_digit_of(int c, int base)
{
	return base == 16 ? isxdigit(c) != 0 : isdigit(c) != 0;
}

/*
 * Four octets of equal width with nothing between them: zero-padded
 * decimal ("126001002003", three digits each) or hex ("cb007109", two),
 * at every offset of a run of such digits ("p5B0A1234", "softbank126...").
 */
static bool packed(const char *host, size_t len, int base, const unsigned want[4])
{
	size_t part = base == 16 ? 2 : 3, run = 0;

	for (size_t i = 0; i < len; i++) {
		run = is_digit_of((unsigned char)host[i], base) ? run + 1 : 0;
		if (run >= 4 * part) {
			const char *w = host + i + 1 - 4 * part;
			unsigned v[4];

			for (size_t k = 0; k < 4; k++)
				v[k] = digits_value(w + k * part, part, base);
			if (same_octets(v, want))
				return true;
		}
	}
	return false;
}

static bool hex_octet(const char *s, size_t n)
{
	return n >= 1 && n <= 2 && isxdigit((unsigned char)s[0]) && isxdigit((unsigned char)s[n - 1]);
}

/* Hex octets between separators: "c0-a8-00-01", "c0.a8.0.1"; the last four seen. */
static bool hex_groups(const char *host, size_t len, const unsigned want[4])
{
	unsigned v[4];
	size_t have = 0, i = 0;

	while (i < len) {
		size_t start = i;

		while (i < len && isalnum((unsigned char)host[i]))
			i++;
		if (!hex_octet(host + start, i - start)) {
			have = 0;
		} else {
			if (have == 4) {
				memmove(v, v + 1, 3 * sizeof v[0]);
				have = 3;
			}
			v[have++] = digits_value(host + start, i - start, 16);
			if (have == 4 && same_octets(v, want))
				return true;
		}
		i++;
	}
	return false;
}

static bool embeds_ipv4(const char *host, size_t len, const unsigned char *b)
{
	unsigned want[4] = {b[0], b[1], b[2], b[3]};

	sort4(want);
	return decimal_groups(host, len, want) || packed(host, len, 10, want) ||
	       packed(host, len, 16, want) || hex_groups(host, len, want);
}

bool ptr_name_looks_generic(const char *name, const struct netaddr *client)
{
	char lower[DNS_NAME_MAX + 1];
	size_t len;

	name_normalise(name, lower, sizeof lower);
	len = host_part(lower);
	if (len == 0)
		return false;
	if (has_token(generic_tokens, lower, len))
		return true;
	return client->family == AF_INET && embeds_ipv4(lower, len, client->bytes) &&
	       !has_token(mail_tokens, lower, len);
}
