/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verifier.c -- the store, the shared probes and the exchanger pools of
 * recipient verification; see verifier.h.  The rules (what a reply
 * proves, what is kept and for how long, when to probe) are core/verify's;
 * this file only applies them to the clock, the sockets and the threads.
 */
#include "autoconfig.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <syslog.h>
#include <time.h>

#include "daemon/callahead.h"
#include "daemon/log.h"
#include "daemon/monotime.h"
#include "daemon/probe.h"
#include "daemon/probepool.h"
#include "daemon/stats.h"
#include "daemon/verifier.h"
#include "daemon/verifycache.h"

#define KEY_MAX (VERIFYCACHE_KEY_MAX + 1)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed;          /* a flight landed */
static pthread_once_t cond_once = PTHREAD_ONCE_INIT;
static struct verifycache *store;

/* Waits (lock held) for a landing or the deadline: false once it has passed. */
static bool wait_change(long deadline_ms)
{
	return monotime_wait(&changed, &lock, deadline_ms);
}

static void cond_init(void)
{
	monotime_cond_init(&changed);
}

/* ---- flights: one probe per key at a time ---- */

struct flight {
	char key[KEY_MAX];
	bool landed;
	enum verify_result result;      /* the key's answer, as the leader found it */
	struct verifycache_record rec;  /* what the leader stored (or would have) */
	bool down;                      /* no better exchanger could be reached */
	int users;                      /* the leader and the waiters */
	struct flight *next;
};

static struct flight *flights;

static struct flight *flight_find(const char *key)
{
	for (struct flight *f = flights; f != NULL; f = f->next)
		if (strcmp(f->key, key) == 0)
			return f;
	return NULL;
}

/*
 * Joins the flight of key (lock held).  *leader says whether the caller
 * made it and must land it; NULL when out of memory (then no sharing).
 */
static struct flight *flight_join(const char *key, bool *leader)
{
	struct flight *f = flight_find(key);

	*leader = f == NULL;
	if (f == NULL) {
		if ((f = calloc(1, sizeof *f)) == NULL)
			return NULL;
		snprintf(f->key, sizeof f->key, "%s", key);
		f->next = flights;
		flights = f;
	}
	f->users++;
	return f;
}

static void flight_leave(struct flight *f)
{
	if (f == NULL || --f->users > 0)
		return;
	for (struct flight **p = &flights; *p != NULL; p = &(*p)->next)
		if (*p == f) {
			*p = f->next;
			break;
		}
	free(f);
}

/* The leader's answer, for every waiter (lock held). */
static void flight_land(struct flight *f, enum verify_result result,
			const struct verifycache_record *rec)
{
	if (f == NULL)
		return;
	f->landed = true;
	f->result = result;
	f->rec = *rec;
	pthread_cond_broadcast(&changed);
}

/* A waiter's wait: false when the deadline came first (lock held). */
static bool flight_wait(const struct flight *f, long deadline_ms)
{
	while (!f->landed)
		if (!wait_change(deadline_ms))
			return f->landed;
	return true;
}

/* ---- the store ---- */

bool verifier_open(const char *dir, size_t map_size, char *err, size_t errlen)
{
	pthread_once(&cond_once, cond_init);
	if (dir == NULL || dir[0] == '\0')
		return true;
	store = verifycache_open(dir, map_size, err, errlen);
	return store != NULL;
}

void verifier_reap(void)
{
	probepool_reap();
}

void verifier_close(void)
{
	probepool_close();
}

void verifier_close_store(void)
{
	verifycache_close(store);
	store = NULL;
}

bool verifier_open_readonly(const char *dir, char *err, size_t errlen)
{
	pthread_once(&cond_once, cond_init);
	store = verifycache_open_readonly(dir, err, errlen);
	return store != NULL;
}

void verifier_start(const struct config *cfg)
{
	char err[512];
	bool wanted = cfg->policy.checks[CHECK_RCPT_UNVERIFIED].action != ACTION_OFF;

	if (verifier_open(cfg->verify_cache_dir, (size_t)cfg->verify_cache_size << 20, err,
			  sizeof err)) {
		if (wanted && cfg->verify_cache_dir[0] != '\0')
			log_msg(LOG_INFO, "verification cache %s: %zu answers kept",
				cfg->verify_cache_dir, verifier_stored());
		return;
	}
	if (wanted)
		log_msg(LOG_WARNING, "verification cache %s cannot be used (%s): recipients are "
			"verified without it, and nothing is kept across a restart",
			cfg->verify_cache_dir, err);
}

static void ttls_of(const struct config *cfg, struct verify_ttls *t)
{
	*t = (struct verify_ttls){cfg->verify_positive_ttl, cfg->verify_negative_ttl,
				  cfg->verify_domain_ttl, cfg->verify_stale_max};
}

size_t verifier_prune(const struct config *cfg, size_t budget)
{
	struct verify_ttls t;

	if (store == NULL)
		return 0;
	ttls_of(cfg, &t);
	return verifycache_prune(store, (int64_t)time(NULL), &t, budget);
}

size_t verifier_stored(void)
{
	return store ? verifycache_count(store) : 0;
}

static bool load(const char *key, struct verifycache_record *rec)
{
	return store != NULL && verifycache_get(store, key, rec) == VERIFYCACHE_FOUND;
}

/* Keeps a result when core/verify says it is to be kept. */
static void keep(const struct config *cfg, const char *key, enum verify_result result,
		 bool is_domain, struct verifycache_record *rec)
{
	struct verify_ttls t;

	ttls_of(cfg, &t);
	if (!verify_entry_make(result, is_domain, (int64_t)time(NULL), &t, &rec->entry))
		return;
	if (store != NULL)
		verifycache_put(store, key, rec);
}

/* ---- one probe session ---- */

/* The better exchangers' addresses, most preferred first; how many. */
static size_t better_addresses(const struct mx_hosts *mx, unsigned our_pref, size_t *idx)
{
	size_t n = 0;

	for (size_t i = 0; i < mx->naddrs; i++) {
		size_t j = n;

		if (mx->hosts[mx->addr_host[i]].pref >= our_pref)
			continue;
		/* insertion by preference; equal ones keep the DNS order */
		while (j > 0 && mx->hosts[mx->addr_host[idx[j - 1]]].pref >
				mx->hosts[mx->addr_host[i]].pref) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = i;
		n++;
	}
	return n;
}

struct probe {
	const struct verifier_request *rq;
	long deadline_ms;
	const char *rcpts[CALLAHEAD_RCPTS_MAX];
	size_t nrcpts;
	struct callahead_answer ans[CALLAHEAD_RCPTS_MAX];
	const char *exchanger;          /* the one that answered, else the first reached */
	char relay_name[NETADDR_STRLEN];    /* an inner store's name: its address */
	bool tried;                     /* some better exchanger was tried */
};

/*
 * What a probe came to: an answer to every RCPT; an exchanger reached (or
 * busy) that proved nothing, so the recipient is unknown but the primary
 * is not down; or none reached: down.
 */
enum probe_outcome { PROBED_ANSWERED, PROBED_UNANSWERED, PROBED_UNREACHABLE };

static int left_ms(long deadline_ms)
{
	long left = deadline_ms - monotime_ms();

	return left > 0 ? (int)left : 0;
}

/* Our address of the exchanger's family, or NULL: the kernel picks. */
static const struct netaddr *source_for(const struct verifier_request *rq,
					const struct netaddr *to)
{
	return rq->source != NULL && rq->source->family == to->family ? rq->source : NULL;
}

/* Asks on a session opened or reused; false when it gave no answer at all. */
static bool ask(struct probe *p, struct callahead *ca)
{
	callahead_rcpts(ca, p->rcpts, p->nrcpts, left_ms(p->deadline_ms), p->ans);
	stats_count_verify_probe(p->nrcpts);
	return p->ans[0].status == CALLAHEAD_ANSWERED || p->ans[0].status == CALLAHEAD_REFUSED;
}

/*
 * A new session to the address; NULL when it could not be had, and *down
 * when that proves the exchanger down: refused or unreachable, or no
 * SYN-ACK within a whole mx_probe_timeout_ms.  A connect cut short by what
 * was left of the budget, or failing here (no descriptor), proves nothing.
 */
static struct callahead *open_session(struct probe *p, const struct netaddr *a, unsigned port,
				      bool *down)
{
	const struct config *cfg = p->rq->cfg;
	int budget = left_ms(p->deadline_ms);
	enum callahead_status st;
	struct callahead_settings cs = {p->rq->helo ? p->rq->helo : "localhost",
					cfg->verify_sender, source_for(p->rq, a), port,
					cfg->mx_probe_timeout_ms};
	struct callahead *ca;

	*down = false;
	if (budget <= 0) {
		p->ans[0] = (struct callahead_answer){.status = CALLAHEAD_TIMEOUT,
						      .step = PROBE_STEP_CONNECT};
		return NULL;
	}
	ca = callahead_open(a, &cs, budget, &p->ans[0]);
	st = p->ans[0].status;
	if (p->ans[0].step == PROBE_STEP_CONNECT)
		*down = st == CALLAHEAD_CONNECT_FAILED ||
			(st == CALLAHEAD_TIMEOUT && budget >= cfg->mx_probe_timeout_ms);
	/* the connect was a probe of the exchanger: backup_primary_up shares it */
	if (*down || p->ans[0].step != PROBE_STEP_CONNECT)
		probe_note(a, (int)port, !*down, cfg->mx_probe_ttl);
	return ca;
}

/*
 * One exchanger's turn: an idle session first (one that died while idle
 * is replaced once), else a new one.  Busy until the deadline is not down.
 */
static enum probe_outcome probe_address(struct probe *p, const struct netaddr *a, unsigned port)
{
	const struct config *cfg = p->rq->cfg;
	struct probepool_slot *s;
	struct callahead *ca;
	bool answered = false, reopen = true, down = false;

	p->tried = true;
	if (!probepool_acquire(a, port, cfg->verify_max_probes, p->deadline_ms, &s, &ca))
		return PROBED_UNANSWERED;
	if (ca != NULL && !(answered = ask(p, ca))) {
		/* an idle session the exchanger closed is replaced; a slow or broken one is not */
		reopen = p->ans[0].status == CALLAHEAD_CLOSED;
		callahead_close(ca);
		ca = NULL;
	}
	if (!answered && reopen && (ca = open_session(p, a, port, &down)) != NULL)
		answered = ask(p, ca);
	probepool_release(s, ca);
	if (answered)
		return PROBED_ANSWERED;
	return down ? PROBED_UNREACHABLE : PROBED_UNANSWERED;
}

/*
 * Asks the better exchangers in order of preference, skipping those the
 * shared probe state knows are down, until one answers or the budget is
 * spent.  p->exchanger: the one that answered, else the first reached.
 */
static enum probe_outcome probe_run(struct probe *p)
{
	const struct verifier_request *rq = p->rq;
	size_t idx[MX_ADDRS_MAX];
	size_t n;
	enum probe_outcome best = PROBED_UNREACHABLE;

	if (rq->relay != NULL) {
		/* the inner store of a relayed domain, named by its address */
		best = probe_address(p, &rq->relay->addr, rq->relay->port);
		netaddr_format(&rq->relay->addr, p->relay_name, sizeof p->relay_name);
		p->exchanger = p->relay_name;
		return best;
	}
	n = better_addresses(rq->mx, rq->our_pref, idx);
	for (size_t i = 0; i < n && left_ms(p->deadline_ms) > 0; i++) {
		const struct netaddr *a = &rq->mx->addrs[idx[i]];
		const char *name = rq->mx->hosts[rq->mx->addr_host[idx[i]]].name;
		enum probe_outcome o;

		if (probe_state(a, rq->cfg->mx_probe_port) == 0)
			continue;
		o = probe_address(p, a, (unsigned)rq->cfg->mx_probe_port);
		if (o == PROBED_ANSWERED) {
			p->exchanger = name;
			return o;
		}
		if (o == PROBED_UNANSWERED && best == PROBED_UNREACHABLE) {
			p->exchanger = name;
			best = o;
		}
	}
	return best;
}

/* ---- the plan ---- */

struct lookup {
	char rkey[KEY_MAX], dkey[KEY_MAX];
	struct verifycache_record rrec, drec;
	bool have_r, have_d;
};

static void lookup_load(struct lookup *l)
{
	l->have_r = l->rkey[0] && load(l->rkey, &l->rrec);
	l->have_d = l->dkey[0] && load(l->dkey, &l->drec);
}

static enum verify_plan plan_of(const struct verifier_request *rq, const struct lookup *l,
				bool primary_up)
{
	struct verify_ttls t;

	ttls_of(rq->cfg, &t);
	return verify_choose_plan(l->have_d ? &l->drec.entry : NULL,
				  l->have_r ? &l->rrec.entry : NULL, (int64_t)time(NULL),
				  primary_up, &t);
}

static void set_outcome(struct verifier_result *out, enum verify_result r, bool cached,
			const struct verifycache_record *rec)
{
	out->outcome.result = r;
	out->outcome.cached = cached;
	out->outcome.stale = false;
	out->exchanger[0] = out->primary_text[0] = '\0';
	if (rec != NULL) {
		snprintf(out->exchanger, sizeof out->exchanger, "%s", rec->exchanger);
		snprintf(out->primary_text, sizeof out->primary_text, "%s", rec->text);
	}
	out->outcome.exchanger = out->exchanger[0] ? out->exchanger : NULL;
	out->outcome.primary_text = out->primary_text[0] ? out->primary_text : NULL;
}

/* What the store alone says, once the plan needs no probe (or none can be made). */
static void from_store(enum verify_plan plan, const struct lookup *l, struct verifier_result *out)
{
	int64_t now = (int64_t)time(NULL);

	switch (plan) {
	case VERIFY_PLAN_CACHED:
		set_outcome(out, l->rrec.entry.result, true, &l->rrec);
		out->outcome.stale = !verify_entry_is_fresh(&l->rrec.entry, now);
		break;
	case VERIFY_PLAN_CATCHALL:
		set_outcome(out, VERIFY_CATCHALL, true, &l->drec);
		out->outcome.stale = !verify_entry_is_fresh(&l->drec.entry, now);
		break;
	case VERIFY_PLAN_UNAVAILABLE:
		set_outcome(out, VERIFY_UNAVAILABLE, false, NULL);
		break;
	case VERIFY_PLAN_PROBE_DOMAIN:
	case VERIFY_PLAN_PROBE_RCPT:
		set_outcome(out, VERIFY_UNKNOWN, false, NULL);
		break;
	}
}

static void record_of(const struct probe *p, size_t i, struct verifycache_record *rec)
{
	memset(rec, 0, sizeof *rec);
	if (p->exchanger != NULL)
		snprintf(rec->exchanger, sizeof rec->exchanger, "%s", p->exchanger);
	if (p->ans[i].result == VERIFY_FAIL)
		smtp_reply_format(&p->ans[i].reply, rec->text, sizeof rec->text);
}

/* ---- flights of probes ---- */

/* Fills the outcome from a probe's answer i: result, exchanger, the refusal's text. */
static void from_probe(const struct probe *p, size_t i, enum verify_result r,
		       struct verifier_result *out)
{
	struct verifycache_record rec;

	record_of(p, i, &rec);
	set_outcome(out, r, false, &rec);
}

/* The leader's probe of a recipient whose domain is known to verify. */
static bool lead_rcpt(const struct verifier_request *rq, struct lookup *l, struct flight *rf,
		      long deadline_ms, struct verifier_result *out)
{
	struct probe p = {.rq = rq, .deadline_ms = deadline_ms, .rcpts = {rq->address},
			  .nrcpts = 1};
	enum probe_outcome po = probe_run(&p);
	struct verifycache_record rec;
	enum verify_result r = po == PROBED_ANSWERED ? p.ans[0].result : VERIFY_UNKNOWN;

	out->network = p.tried;
	record_of(&p, 0, &rec);
	if (po == PROBED_ANSWERED)
		keep(rq->cfg, l->rkey, r, false, &rec);
	pthread_mutex_lock(&lock);
	if (rf != NULL) {
		rf->down = po == PROBED_UNREACHABLE;
		flight_land(rf, r, &rec);
	}
	pthread_mutex_unlock(&lock);
	if (po != PROBED_UNREACHABLE)
		from_probe(&p, 0, r, out);
	return po != PROBED_UNREACHABLE;
}

/*
 * The catch-all test of the domain, with the recipient in the same
 * transaction when this session also leads its flight: MAIL, RCPT of a
 * random local part, RCPT of the recipient, in one round trip.
 */
static bool lead_domain(const struct verifier_request *rq, struct lookup *l, struct flight *df,
			struct flight *rf, long deadline_ms, struct verifier_result *out,
			enum verify_domain_state *state)
{
	unsigned char bytes[VERIFY_RANDOM_BYTES];
	char local[VERIFY_RANDOM_LOCAL_LEN + 1], random_rcpt[VERIFYCACHE_KEY_MAX];
	struct probe p = {.rq = rq, .deadline_ms = deadline_ms, .rcpts = {random_rcpt, rq->address},
			  .nrcpts = rf != NULL ? 2 : 1};
	struct verifycache_record drec, rrec;
	enum probe_outcome po = PROBED_UNANSWERED;
	bool answered;
	enum verify_result rr = VERIFY_UNKNOWN;

	if (getrandom(bytes, sizeof bytes, 0) != (ssize_t)sizeof bytes)
		for (size_t i = 0; i < sizeof bytes; i++)
			bytes[i] = (unsigned char)(monotime_ms() >> (i % 4 * 8));
	verify_random_local(bytes, local);
	/* a domain too long for any local part: nothing to test it with, unknown */
	if (verify_random_address(local, rq->domain, random_rcpt, sizeof random_rcpt))
		po = probe_run(&p);
	answered = po == PROBED_ANSWERED;
	out->network = p.tried;
	*state = answered ? verify_domain_from_probe(p.ans[0].result) : VERIFY_DOMAIN_UNTESTED;
	record_of(&p, 0, &drec);
	drec.text[0] = '\0';
	if (answered)
		keep(rq->cfg, l->dkey, p.ans[0].result, true, &drec);
	if (rf != NULL && answered) {
		rr = verify_combine(*state, p.ans[1].result);
		record_of(&p, 1, &rrec);
		keep(rq->cfg, l->rkey, rr, false, &rrec);
		from_probe(&p, 1, rr, out);
	} else if (po != PROBED_UNREACHABLE && *state != VERIFY_DOMAIN_VERIFIES) {
		/* catch-all, or nothing proven: the domain's answer is the recipient's */
		set_outcome(out, *state == VERIFY_DOMAIN_CATCHALL ? VERIFY_CATCHALL : VERIFY_UNKNOWN,
			    false, &drec);
	}
	pthread_mutex_lock(&lock);
	if (df != NULL) {
		df->down = po == PROBED_UNREACHABLE;
		flight_land(df, answered ? p.ans[0].result : VERIFY_UNKNOWN, &drec);
	}
	if (rf != NULL) {
		rf->down = po == PROBED_UNREACHABLE;
		flight_land(rf, rr, answered ? &rrec : &drec);
	}
	pthread_mutex_unlock(&lock);
	return po != PROBED_UNREACHABLE;
}

enum flight_outcome { FLIGHT_ANSWERED, FLIGHT_DOWN, FLIGHT_LATE };

/* A waiter's view of a landed flight (lock held). */
static enum flight_outcome flight_outcome(const struct flight *f, long deadline_ms)
{
	if (!flight_wait(f, deadline_ms))
		return FLIGHT_LATE;
	return f->down ? FLIGHT_DOWN : FLIGHT_ANSWERED;
}

/*
 * A new leader looks in the store once more: the flight it would lead may
 * have landed, and gone, while this session waited for the domain's test.
 * Then that answer is this session's too, and no probe is made.
 */
static bool settled_meanwhile(struct lookup *l, struct flight *rf, struct verifier_result *out)
{
	struct verifycache_record rec;
	int64_t now = (int64_t)time(NULL);

	if (!load(l->rkey, &rec) || !verify_entry_is_fresh(&rec.entry, now) ||
	    (rec.entry.result != VERIFY_PASS && rec.entry.result != VERIFY_FAIL))
		return false;
	pthread_mutex_lock(&lock);
	if (rf != NULL) {
		rf->down = false;
		flight_land(rf, rec.entry.result, &rec);
	}
	pthread_mutex_unlock(&lock);
	set_outcome(out, rec.entry.result, true, &rec);
	out->network = true;
	return true;
}

/* The recipient's flight: lead it, or wait for its answer.  False: none answered. */
static bool rcpt_flight(const struct verifier_request *rq, struct lookup *l, long deadline_ms,
			struct verifier_result *out)
{
	bool leader;
	struct flight *rf;
	enum flight_outcome fo;

	pthread_mutex_lock(&lock);
	rf = flight_join(l->rkey, &leader);
	pthread_mutex_unlock(&lock);
	if ((leader || rf == NULL) && settled_meanwhile(l, rf, out)) {
		pthread_mutex_lock(&lock);
		flight_leave(rf);
		pthread_mutex_unlock(&lock);
		return true;
	}
	if (leader || rf == NULL) {
		bool answered = lead_rcpt(rq, l, rf, deadline_ms, out);

		pthread_mutex_lock(&lock);
		flight_leave(rf);
		pthread_mutex_unlock(&lock);
		return answered;
	}
	pthread_mutex_lock(&lock);
	fo = flight_outcome(rf, deadline_ms);
	if (fo == FLIGHT_ANSWERED)
		set_outcome(out, rf->result, false, &rf->rec);
	flight_leave(rf);
	pthread_mutex_unlock(&lock);
	out->network = true;
	if (fo == FLIGHT_LATE)
		set_outcome(out, VERIFY_UNKNOWN, false, NULL);
	return fo != FLIGHT_DOWN;
}

/*
 * The domain's flight.  Its leader may settle the recipient too (*done);
 * a waiter learns the domain's state.  False: no better exchanger answered.
 */
static bool domain_flight(const struct verifier_request *rq, struct lookup *l, long deadline_ms,
			  struct verifier_result *out, enum verify_domain_state *state, bool *done)
{
	bool leader, rleader = false, answered;
	struct flight *df, *rf = NULL;
	enum flight_outcome fo;

	*done = false;
	pthread_mutex_lock(&lock);
	df = flight_join(l->dkey, &leader);
	if (leader || df == NULL) {
		rf = flight_join(l->rkey, &rleader);
		if (rf != NULL && !rleader) {
			flight_leave(rf);       /* someone asks for it already: wait later */
			rf = NULL;
		}
	}
	pthread_mutex_unlock(&lock);
	if (leader || df == NULL) {
		answered = lead_domain(rq, l, df, rf, deadline_ms, out, state);
		/* not answered: state is UNTESTED, and the outcome unknown */
		*done = rf != NULL || *state != VERIFY_DOMAIN_VERIFIES;
		pthread_mutex_lock(&lock);
		flight_leave(rf);
		flight_leave(df);
		pthread_mutex_unlock(&lock);
		return answered;
	}
	pthread_mutex_lock(&lock);
	fo = flight_outcome(df, deadline_ms);
	*state = fo == FLIGHT_ANSWERED ? verify_domain_from_probe(df->result)
				       : VERIFY_DOMAIN_UNTESTED;
	if (fo == FLIGHT_ANSWERED)
		set_outcome(out, VERIFY_CATCHALL, false, &df->rec);
	flight_leave(df);
	pthread_mutex_unlock(&lock);
	out->network = true;
	*done = fo != FLIGHT_ANSWERED || *state != VERIFY_DOMAIN_VERIFIES;
	if (fo == FLIGHT_LATE || (*done && *state == VERIFY_DOMAIN_UNTESTED))
		set_outcome(out, VERIFY_UNKNOWN, false, fo == FLIGHT_LATE ? NULL : &df->rec);
	return fo != FLIGHT_DOWN;
}

/* The probes the plan asks for; false when no better exchanger answered. */
static bool verify_by_probe(const struct verifier_request *rq, struct lookup *l,
			    enum verify_plan plan, long deadline_ms, struct verifier_result *out)
{
	if (plan == VERIFY_PLAN_PROBE_DOMAIN) {
		enum verify_domain_state state;
		bool done;

		if (!domain_flight(rq, l, deadline_ms, out, &state, &done))
			return false;
		if (done)
			return true;
	}
	return rcpt_flight(rq, l, deadline_ms, out);
}

void verifier_check(const struct verifier_request *rq, struct verifier_result *out)
{
	struct lookup l;
	long deadline_ms = monotime_ms() + rq->cfg->verify_timeout_ms;
	enum verify_plan plan;

	memset(out, 0, sizeof *out);
	memset(&l, 0, sizeof l);
	pthread_once(&cond_once, cond_init);
	if (!verify_key_rcpt(rq->address, l.rkey, sizeof l.rkey) ||
	    !verify_key_domain(rq->domain, l.dkey, sizeof l.dkey)) {
		set_outcome(out, VERIFY_UNKNOWN, false, NULL);
		return;
	}
	lookup_load(&l);
	plan = plan_of(rq, &l, true);
	if (plan != VERIFY_PLAN_PROBE_DOMAIN && plan != VERIFY_PLAN_PROBE_RCPT) {
		from_store(plan, &l, out);
		return;
	}
	if (rq->cache_only) {
		/* what is kept, stale or not; nothing kept is unknown, not unavailable */
		plan = plan_of(rq, &l, false);
		from_store(plan == VERIFY_PLAN_UNAVAILABLE ? VERIFY_PLAN_PROBE_RCPT : plan, &l, out);
		return;
	}
	if (verify_by_probe(rq, &l, plan, deadline_ms, out)) {
		/* answered, or still waited for when the budget ran out: not down */
		out->primary_up = out->exchanger[0] != '\0';
		return;
	}
	/* every better exchanger down: what was kept decides, stale or not */
	out->network = true;
	from_store(plan_of(rq, &l, false), &l, out);
}
