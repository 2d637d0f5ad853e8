/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * session.c -- session state and its unique id.
 */
#include "autoconfig.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/logline.h"
#include "daemon/session.h"

/*
 * Ids: 4 bytes from the start time and pid, 2 from a counter, in hex, so
 * that they are unique within a host and across restarts in practice.
 */
static void make_id(char *out)
{
	static unsigned long counter;
	static unsigned long base;
	unsigned long n = __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED);
	unsigned long b = __atomic_load_n(&base, __ATOMIC_RELAXED);

	if (b == 0) {
		b = ((unsigned long)time(NULL) * 2654435761UL ^ (unsigned long)getpid()) & 0xffffffffUL;
		b |= 1;
		__atomic_store_n(&base, b, __ATOMIC_RELAXED);
	}
	/* The counter part wraps; the time part moves on with each restart. */
	snprintf(out, SESSION_ID_LEN + 1, "%08lX%04lX",
		 (b + (n >> 16)) & 0xffffffffUL, n & 0xffff);
}

struct session *session_new(struct config *cfg)
{
	struct session *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	s->cfg = cfg;
	make_id(s->id);
	snprintf(s->client_text, sizeof s->client_text, "-");
	return s;
}

void session_free(struct session *s)
{
	if (s == NULL)
		return;
	session_end_transaction(s);
	free(s->rcpts);
	free(s->mta_name);
	free(s->helo_raw);
	config_release(s->cfg);
	free(s);
}

void session_set_client(struct session *s, const struct netaddr *client)
{
	s->facts.have_client = client != NULL;
	if (client != NULL) {
		s->facts.client = *client;
		netaddr_format(client, s->client_text, sizeof s->client_text);
	}
}

void session_set_local(struct session *s, const struct netaddr *local)
{
	s->facts.have_local = local != NULL;
	if (local != NULL)
		s->facts.local = *local;
}

static bool replace(char **field, const char *value)
{
	char *copy = value ? strdup(value) : NULL;

	if (value != NULL && copy == NULL)
		return false;
	free(*field);
	*field = copy;
	return true;
}

bool session_set_mta_name(struct session *s, const char *name)
{
	bool ok = replace(&s->mta_name, name);

	s->facts.mta_name = s->mta_name;
	return ok;
}

const char *session_authserv_id(const struct session *s)
{
	if (s->cfg->authserv_id[0])
		return s->cfg->authserv_id;
	return s->mta_name && s->mta_name[0] ? s->mta_name : "localhost";
}

bool session_set_helo(struct session *s, const char *helo)
{
	session_end_transaction(s);
	if (!replace(&s->helo_raw, helo)) {
		s->facts.helo_seen = false;
		return false;
	}
	s->facts.helo_seen = true;
	helo_classify(helo, &s->facts.helo);
	s->facts.have_helo_dns = false;
	s->helo_dns_gathered = false;
	s->helo_dns_from_mta = false;
	return true;
}

bool session_begin_transaction(struct session *s, const char *from, bool authenticated)
{
	session_end_transaction(s);
	s->facts.authenticated = authenticated;
	return replace(&s->from, from);
}

/* Longest route text kept: mxroute_format's, a host name and its words. */
#define ROUTE_KEPT 512

/* One allocation: the record, then its strings. */
static struct session_rcpt *rcpt_new(const char *rcpt, const char *domain, const char *route)
{
	char r[LOGLINE_KEEP_MAX + 1], d[LOGLINE_KEEP_MAX + 1];
	size_t nr, nd, nroute = route ? strnlen(route, ROUTE_KEPT) : 0;
	struct session_rcpt *p;
	char *text;

	logline_keep_envelope(rcpt ? rcpt : "", r);
	logline_keep_peer(domain ? domain : "", d);
	nr = strlen(r);
	nd = strlen(d);
	p = calloc(1, sizeof *p + nr + 1 + nd + 1 + nroute + 1);
	if (p == NULL)
		return NULL;
	text = (char *)(p + 1);
	p->rcpt = memcpy(text, r, nr + 1);
	text += nr + 1;
	p->domain = domain ? memcpy(text, d, nd + 1) : NULL;
	text += nd + 1;
	if (route != NULL) {
		p->route = memcpy(text, route, nroute);
		p->route[nroute] = '\0';
	}
	return p;
}

/* Room for one more recipient in s->rcpts, growing it by doubling. */
static bool rcpts_grow(struct session *s)
{
	unsigned room = s->rcpts_room ? s->rcpts_room * 2 : 4;
	struct session_rcpt **more;

	if (s->rcpts_kept < s->rcpts_room)
		return true;
	if (room > SESSION_RCPTS_KEPT)
		room = SESSION_RCPTS_KEPT;
	more = realloc(s->rcpts, room * sizeof *more);
	if (more == NULL)
		return false;
	s->rcpts = more;
	s->rcpts_room = room;
	return true;
}

void session_note_rcpt(struct session *s, const char *rcpt, const char *domain,
		       const char *route, const struct verdict *v)
{
	struct session_rcpt *r;

	if (s->rcpts_kept >= SESSION_RCPTS_KEPT || !rcpts_grow(s) ||
	    (r = rcpt_new(rcpt, domain, route)) == NULL) {
		s->rcpts_unlisted++;
		return;
	}
	r->fired = v->fired;
	r->action = v->action;
	r->kind = v->kind;
	r->exempt = v->exempt;
	r->reply = v->reply;
	s->rcpts[s->rcpts_kept++] = r;
}

void session_end_transaction(struct session *s)
{
	free(s->from);
	s->from = NULL;
	s->tagged = 0;
	s->forged_headers = 0;
	s->ar_seen = 0;
	s->ar_forged_count = 0;
	s->ar_forged_overflow = false;
	for (unsigned i = 0; i < s->rcpts_kept; i++)
		free(s->rcpts[i]);
	s->rcpts_kept = s->rcpts_unlisted = 0;     /* the array stays for the next one */
}

const char *session_iprev_source(const struct session *s)
{
	if (!s->iprev_gathered)
		return NULL;
	return s->iprev_from_mta ? "mta" : "dns";
}

const char *session_mta_name(const struct session *s)
{
	return s->iprev_from_mta ? s->iprev.names[0] : NULL;
}
