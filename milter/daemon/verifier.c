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
#include "daemon/probe.h"
#include "daemon/stats.h"
#include "daemon/verifier.h"
#include "daemon/verifycache.h"

/*
 * How long an idle probe connection is kept for the next probe: long
 * enough for the recipients of one message and a burst of sessions, far
 * below any server's idle timeout (Postfix's smtpd_timeout is 300 s).
 */
#define IDLE_KEEP_MS 10000
/* Exchangers whose connections are pooled at once; more are not pooled. */
#define POOL_SLOTS 64
#define IDLE_PER_SLOT 4
#define KEY_MAX (VERIFYCACHE_KEY_MAX + 1)

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed;          /* a flight landed or a connection came free */
static pthread_once_t cond_once = PTHREAD_ONCE_INIT;
static struct verifycache *store;

/* ---- the clock ---- */

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void cond_init(void)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(&changed, &a);
	pthread_condattr_destroy(&a);
}

/* Waits (lock held) for a change or the deadline: false once it has passed. */
static bool wait_change(long deadline_ms)
{
	struct timespec ts;
	long left = deadline_ms - now_ms();

	if (left <= 0)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += left / 1000;
	ts.tv_nsec += (left % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return pthread_cond_timedwait(&changed, &lock, &ts) != ETIMEDOUT || now_ms() < deadline_ms;
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

/* ---- exchanger pools: a cap on connections, idle ones reused ---- */

struct idle_conn {
	struct callahead *ca;
	long since_ms;
};

struct slot {
	struct netaddr addr;
	unsigned port;
	bool used;
	int active;                     /* probes running on this exchanger */
	int idle_count;
	struct idle_conn idle[IDLE_PER_SLOT];
};

static struct slot slots[POOL_SLOTS];

static struct slot *slot_find(const struct netaddr *a, unsigned port)
{
	struct slot *free_slot = NULL;

	for (size_t i = 0; i < POOL_SLOTS; i++) {
		struct slot *s = &slots[i];

		if (s->used && s->port == port && netaddr_equal(&s->addr, a))
			return s;
		if (free_slot == NULL && (!s->used || (s->active == 0 && s->idle_count == 0)))
			free_slot = s;
	}
	if (free_slot != NULL)
		*free_slot = (struct slot){.addr = *a, .port = port, .used = true};
	return free_slot;
}

/* Closes what has been idle too long (lock held). */
static void slot_reap(struct slot *s, long now)
{
	int kept = 0;

	for (int i = 0; i < s->idle_count; i++) {
		if (now - s->idle[i].since_ms < IDLE_KEEP_MS)
			s->idle[kept++] = s->idle[i];
		else
			callahead_close(s->idle[i].ca);
	}
	s->idle_count = kept;
}

/*
 * A turn on the exchanger: false when max probes are running on it
 * until the deadline.  *ca is an idle session to reuse, or NULL.
 */
static bool slot_acquire(const struct netaddr *a, unsigned port, int max, long deadline_ms,
			 struct slot **out, struct callahead **ca)
{
	struct slot *s;

	*ca = NULL;
	pthread_mutex_lock(&lock);
	s = slot_find(a, port);
	while (s != NULL && s->active >= max)
		if (!wait_change(deadline_ms) && s->active >= max) {
			pthread_mutex_unlock(&lock);
			return false;
		}
	if (s != NULL) {
		s->active++;
		slot_reap(s, now_ms());
		if (s->idle_count > 0)
			*ca = s->idle[--s->idle_count].ca;
	}
	*out = s;
	pthread_mutex_unlock(&lock);
	return true;
}

/* The turn ends: a session that can go on is kept for the next probe. */
static void slot_release(struct slot *s, struct callahead *ca)
{
	pthread_mutex_lock(&lock);
	if (s != NULL) {
		s->active--;
		if (callahead_alive(ca) && s->idle_count < IDLE_PER_SLOT) {
			s->idle[s->idle_count++] = (struct idle_conn){ca, now_ms()};
			ca = NULL;
		}
		pthread_cond_broadcast(&changed);
	}
	pthread_mutex_unlock(&lock);
	callahead_close(ca);
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

void verifier_close(void)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < POOL_SLOTS; i++) {
		for (int j = 0; j < slots[i].idle_count; j++)
			callahead_close(slots[i].idle[j].ca);
		slots[i].idle_count = 0;
	}
	pthread_mutex_unlock(&lock);
	verifycache_close(store);
	store = NULL;
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
	long left = deadline_ms - now_ms();

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

/* A new session to the address; NULL when it could not be had. */
static struct callahead *open_session(struct probe *p, const struct netaddr *a, unsigned port)
{
	const struct config *cfg = p->rq->cfg;
	struct callahead_settings cs = {p->rq->helo ? p->rq->helo : "localhost",
					cfg->verify_sender, source_for(p->rq, a), port,
					cfg->mx_probe_timeout_ms};
	struct callahead *ca = callahead_open(a, &cs, left_ms(p->deadline_ms), &p->ans[0]);

	/* the connect was a probe of the exchanger: backup_primary_up shares it */
	probe_note(a, (int)port, p->ans[0].step != PROBE_STEP_CONNECT, cfg->mx_probe_ttl);
	return ca;
}

/*
 * One exchanger's turn: an idle session first (one that died while idle
 * is replaced once), else a new one.  Busy until the deadline is not down.
 */
static enum probe_outcome probe_address(struct probe *p, const struct netaddr *a, unsigned port)
{
	const struct config *cfg = p->rq->cfg;
	struct slot *s;
	struct callahead *ca;
	bool answered = false;

	p->tried = true;
	if (!slot_acquire(a, port, cfg->verify_max_probes, p->deadline_ms, &s, &ca))
		return PROBED_UNANSWERED;
	if (ca != NULL && !(answered = ask(p, ca))) {
		callahead_close(ca);
		ca = NULL;
	}
	if (!answered && (ca = open_session(p, a, port)) != NULL)
		answered = ask(p, ca);
	slot_release(s, ca);
	if (answered)
		return PROBED_ANSWERED;
	/* refused, unreachable, or no SYN-ACK within mx_probe_timeout_ms: down */
	return p->ans[0].step == PROBE_STEP_CONNECT ? PROBED_UNREACHABLE : PROBED_UNANSWERED;
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
			bytes[i] = (unsigned char)(now_ms() >> (i % 4 * 8));
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
	long deadline_ms = now_ms() + rq->cfg->verify_timeout_ms;
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
		snprintf(out->up_name, sizeof out->up_name, "%s", out->exchanger);
		return;
	}
	/* every better exchanger down: what was kept decides, stale or not */
	out->network = true;
	from_store(plan_of(rq, &l, false), &l, out);
}
