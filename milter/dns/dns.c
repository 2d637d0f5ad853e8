/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * dns.c -- c-ares behind a small interface: the resolver thread, the
 * shared TTL cache and in-flight deduplication.
 *
 * c-ares 1.18 channels are not thread-safe and have no event thread: the
 * resolver thread alone touches the channel.  Other threads put requests
 * on a queue and wake it through an eventfd; it learns which sockets to
 * poll from ARES_OPT_SOCK_STATE_CB (poll, not select: descriptors may pass
 * FD_SETSIZE under load).
 */
#include "autoconfig.h"

#include <ares.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "dns/dns.h"

#define TEMPFAIL_TTL 2          /* seconds a temporary failure is remembered */
#define MAX_SOCKETS 1024
#define HASH_BUCKETS 4096
#define PREFETCH_NAMES 10

enum entry_state { ENTRY_PENDING, ENTRY_DONE };

struct entry {
	char *name;                 /* lower case, no trailing dot */
	enum dns_type type;
	enum entry_state state;
	struct dns_answer *answer;  /* when DONE */
	time_t expires;             /* CLOCK_MONOTONIC seconds */
	int users;                  /* lookups holding the entry */
	bool cached;                /* in the hash table */
	bool in_lru;                /* finished, in the table: counts toward the cap */
	bool queued;
	int error_rcode;            /* SERVFAIL/REFUSED/NOTIMP seen for it, else 0 */
	pthread_cond_t done;
	struct entry *hash_next;
	struct entry *lru_prev, *lru_next;     /* DONE entries, oldest first */
	struct entry *queue_next;
};

struct dns_lookup {
	struct entry *e;
};

static struct {
	pthread_mutex_t lock;
	struct entry *buckets[HASH_BUCKETS];
	struct entry *lru_head, *lru_tail;
	size_t finished;            /* entries in the LRU list: only they count */
	struct entry *queue_head, *queue_tail;
	struct dns_settings settings;
	char *servers;
	bool reconfigure;
	bool stopping;
	bool running;
	int wake_fd;
	pthread_t thread;
	/* resolver thread only */
	ares_channel channel;
	struct pollfd fds[MAX_SOCKETS];
	nfds_t nfds;
} eng = {.lock = PTHREAD_MUTEX_INITIALIZER, .wake_fd = -1};

static time_t now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

void dns_deadline_in(struct timespec *ts, long ms)
{
	clock_gettime(CLOCK_MONOTONIC, ts);
	ts->tv_sec += ms / 1000;
	ts->tv_nsec += (ms % 1000) * 1000000L;
	if (ts->tv_nsec >= 1000000000L) {
		ts->tv_sec++;
		ts->tv_nsec -= 1000000000L;
	}
}

/* ---- the cache (eng.lock held) ----------------------------------------- */

static unsigned hash(const char *name, enum dns_type type)
{
	unsigned h = 2166136261u ^ (unsigned)type;

	for (const char *p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 16777619u;
	return h % HASH_BUCKETS;
}

static void lru_unlink(struct entry *e)
{
	if (!e->in_lru)
		return;
	e->in_lru = false;
	eng.finished--;
	if (e->lru_prev)
		e->lru_prev->lru_next = e->lru_next;
	else if (eng.lru_head == e)
		eng.lru_head = e->lru_next;
	if (e->lru_next)
		e->lru_next->lru_prev = e->lru_prev;
	else if (eng.lru_tail == e)
		eng.lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = NULL;
}

static void lru_append(struct entry *e)
{
	e->in_lru = true;
	eng.finished++;
	e->lru_prev = eng.lru_tail;
	e->lru_next = NULL;
	if (eng.lru_tail)
		eng.lru_tail->lru_next = e;
	else
		eng.lru_head = e;
	eng.lru_tail = e;
}

static void hash_remove(struct entry *e)
{
	struct entry **pp = &eng.buckets[hash(e->name, e->type)];

	while (*pp && *pp != e)
		pp = &(*pp)->hash_next;
	if (*pp)
		*pp = e->hash_next;
	e->cached = false;
	lru_unlink(e);
}

static void entry_free(struct entry *e)
{
	dns_answer_unref(e->answer);
	pthread_cond_destroy(&e->done);
	free(e->name);
	free(e);
}

/* Drops an entry nobody uses once it is out of the table. */
static void maybe_free(struct entry *e)
{
	if (!e->cached && e->users == 0 && e->state == ENTRY_DONE && !e->queued)
		entry_free(e);
}

/*
 * Evicts the oldest finished, unused entries until at most limit are left.
 * Only finished answers count toward dns_cache_size: a question still in
 * flight is in the table (so that others join it) but neither counts nor
 * can push a finished answer out.  What bounds those is the callers: a
 * session's lookups without a wait are few and fixed (callbacks.c), and a
 * decision waits for its own.  One that it gave up on at its deadline
 * stays in flight until c-ares gives up too (dns_timeout_ms doubling over
 * dns_tries rounds, per server), so keep that within decision_timeout_ms,
 * as the defaults do (6 s per server against 10 s).
 */
static void evict(size_t limit)
{
	struct entry *e = eng.lru_head;

	while (e != NULL && eng.finished > limit) {
		struct entry *next = e->lru_next;

		if (e->users == 0) {
			hash_remove(e);
			maybe_free(e);
		}
		e = next;
	}
}

static struct entry *find(const char *name, enum dns_type type)
{
	for (struct entry *e = eng.buckets[hash(name, type)]; e; e = e->hash_next)
		if (e->type == type && strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

static struct entry *entry_new(const char *name, enum dns_type type)
{
	struct entry *e = calloc(1, sizeof *e);
	pthread_condattr_t attr;

	if (e == NULL || (e->name = strdup(name)) == NULL) {
		free(e);
		return NULL;
	}
	e->type = type;
	pthread_condattr_init(&attr);
	pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	pthread_cond_init(&e->done, &attr);
	pthread_condattr_destroy(&attr);
	unsigned h = hash(name, type);
	e->hash_next = eng.buckets[h];
	eng.buckets[h] = e;
	e->cached = true;
	return e;
}

static void enqueue(struct entry *e)
{
	uint64_t one = 1;

	e->state = ENTRY_PENDING;
	e->queued = true;
	e->error_rcode = 0;
	e->queue_next = NULL;
	if (eng.queue_tail)
		eng.queue_tail->queue_next = e;
	else
		eng.queue_head = e;
	eng.queue_tail = e;
	if (eng.wake_fd >= 0 && write(eng.wake_fd, &one, sizeof one) < 0 && errno != EAGAIN)
		dns_report(DNS_REPORT_ERROR, "dns: cannot wake the resolver: %s", strerror(errno));
}

static void normalise(const char *in, char *out)
{
	size_t n = strlen(in);

	if (n > DNS_NAME_MAX)
		n = DNS_NAME_MAX;
	for (size_t i = 0; i < n; i++)
		out[i] = (char)((in[i] >= 'A' && in[i] <= 'Z') ? in[i] + 32 : in[i]);
	if (n > 1 && out[n - 1] == '.')
		n--;
	out[n] = '\0';
}

/* Finds or starts the entry for a question; lock held. */
static struct entry *acquire(const char *qname, enum dns_type type)
{
	char name[DNS_NAME_MAX + 1];
	struct entry *e;

	normalise(qname, name);
	e = find(name, type);
	if (e == NULL) {
		e = entry_new(name, type);
		if (e == NULL)
			return NULL;
		enqueue(e);
	} else if (e->state == ENTRY_DONE && e->expires <= now_seconds()) {
		lru_unlink(e);
		enqueue(e);
	} else if (e->state == ENTRY_DONE) {
		lru_unlink(e);          /* used again: now the newest */
		lru_append(e);
	}
	return e;
}

struct dns_lookup *dns_submit(const char *name, enum dns_type type)
{
	struct dns_lookup *l = malloc(sizeof *l);

	if (l == NULL)
		return NULL;
	pthread_mutex_lock(&eng.lock);
	l->e = acquire(name, type);
	if (l->e != NULL)
		l->e->users++;
	pthread_mutex_unlock(&eng.lock);
	if (l->e == NULL) {
		free(l);
		return NULL;
	}
	return l;
}

void dns_prefetch(const char *name, enum dns_type type)
{
	pthread_mutex_lock(&eng.lock);
	acquire(name, type);
	pthread_mutex_unlock(&eng.lock);
}

struct dns_answer *dns_collect(struct dns_lookup *l, const struct timespec *deadline)
{
	struct dns_answer *a = NULL;
	struct entry *e;

	if (l == NULL)
		return dns_answer_tempfail("out of memory", 0);
	e = l->e;
	free(l);
	pthread_mutex_lock(&eng.lock);
	while (e->state == ENTRY_PENDING)
		if (pthread_cond_timedwait(&e->done, &eng.lock, deadline) == ETIMEDOUT)
			break;
	if (e->state == ENTRY_DONE)
		a = dns_answer_ref(e->answer);
	e->users--;
	maybe_free(e);
	pthread_mutex_unlock(&eng.lock);
	return a ? a : dns_answer_tempfail("decision deadline", 0);
}

/* ---- the resolver thread ------------------------------------------------ */

static unsigned clamp_ttl(const struct dns_answer *a)
{
	unsigned ttl = a->ttl;

	if (a->status == DNS_TEMPFAIL)
		return ttl < TEMPFAIL_TTL ? ttl : TEMPFAIL_TTL;
	if (ttl < (unsigned)eng.settings.min_ttl)
		ttl = (unsigned)eng.settings.min_ttl;
	if (ttl > (unsigned)eng.settings.max_ttl)
		ttl = (unsigned)eng.settings.max_ttl;
	return ttl;
}

/* A PTR answer's names will be asked for next: ask now (lock held). */
static void prefetch_forward(const struct entry *e)
{
	enum dns_type fwd = strstr(e->name, ".ip6.arpa") ? DNS_T_AAAA : DNS_T_A;

	for (size_t i = 0; i < e->answer->count && i < PREFETCH_NAMES; i++)
		if (e->answer->rr[i].name[0])
			acquire(e->answer->rr[i].name, fwd);
}

static void complete(struct entry *e, struct dns_answer *a)
{
	if (a == NULL)
		a = dns_answer_tempfail("out of memory", 0);
	pthread_mutex_lock(&eng.lock);
	dns_answer_unref(e->answer);
	e->answer = a;
	e->expires = now_seconds() + (a ? clamp_ttl(a) : 0);
	e->state = ENTRY_DONE;
	e->queued = false;
	pthread_cond_broadcast(&e->done);
	if (e->type == DNS_T_PTR && a && a->status == DNS_ANSWER)
		prefetch_forward(e);
	if (e->cached) {
		if (eng.settings.cache_size == 0 || a == NULL || clamp_ttl(a) == 0) {
			hash_remove(e);
		} else {
			/*
			 * Room first: with every other entry in use,
			 * evicting after the append would free e itself.
			 */
			evict((size_t)eng.settings.cache_size - 1);
			lru_append(e);
		}
	}
	maybe_free(e);
	pthread_mutex_unlock(&eng.lock);
}

/*
 * Why a lookup failed, in the words of the log.  c-ares 1.18 takes a
 * SERVFAIL, REFUSED or NOTIMP answer as a reason to try the next server
 * and, once all are tried, reports ARES_ECONNREFUSED with no answer, just
 * as for a server that cannot be reached.  The rcode comes from the
 * answers themselves, seen as they are read (peek_rcode).
 */
static const char *failure_reason(const struct entry *e, int status, int timeouts)
{
	switch (status) {
	case ARES_ETIMEOUT: return "timeout";
	case ARES_ESERVFAIL: return "servfail";
	case ARES_EREFUSED: return "refused";
	case ARES_ENOTIMP: return "notimp";
	case ARES_EFORMERR: return "formerr";
	case ARES_EBADRESP: return "bad response";
	case ARES_ENOMEM: return "out of memory";
	case ARES_ECONNREFUSED:
		switch (e->error_rcode) {
		case 2: return "servfail";
		case 4: return "notimp";
		case 5: return "refused";
		default: return timeouts > 0 ? "timeout" : "unreachable";
		}
	default: return "lookup failed";
	}
}

/* The question of a DNS message: name (lower case, no trailing dot) and type. */
static bool message_question(const unsigned char *m, size_t len, char *name, int *type)
{
	size_t p = 12, o = 0;

	if (len < 12 || (m[4] << 8 | m[5]) != 1)
		return false;
	while (p < len && m[p] != 0) {
		size_t l = m[p];

		if (l > 63 || p + 1 + l >= len || o + l + 1 > DNS_NAME_MAX)
			return false;
		if (o)
			name[o++] = '.';
		for (size_t i = 0; i < l; i++) {
			unsigned char c = m[p + 1 + i];

			name[o++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
		}
		p += 1 + l;
	}
	if (p + 3 > len)
		return false;
	name[o] = '\0';
	*type = m[p + 1] << 8 | m[p + 2];
	return true;
}

/* Notes a SERVFAIL, NOTIMP or REFUSED answer on the entry it answers. */
static void peek_rcode(const unsigned char *m, size_t len)
{
	char name[DNS_NAME_MAX + 1];
	int rcode, type;
	struct entry *e;

	if (len < 12 || !(m[2] & 0x80))
		return;
	rcode = m[3] & 0x0f;
	if ((rcode != 2 && rcode != 4 && rcode != 5) || !message_question(m, len, name, &type))
		return;
	pthread_mutex_lock(&eng.lock);
	e = find(name, (enum dns_type)type);
	if (e != NULL && e->state == ENTRY_PENDING)
		e->error_rcode = rcode;
	pthread_mutex_unlock(&eng.lock);
}

/*
 * c-ares' socket calls, made as c-ares would make them, but every UDP
 * answer is seen first.  c-ares configures no socket it did not open
 * itself: non-blocking, close-on-exec and TCP_NODELAY are ours to set.
 * (Over TCP, after TC=1, an answer comes in pieces: a failure there is
 * logged without its rcode.)
 */
static ares_socket_t sock_open(int domain, int type, int protocol, UNUSED void *data)
{
	int fd = socket(domain, type | SOCK_NONBLOCK | SOCK_CLOEXEC, protocol), one = 1;

	if (fd >= 0 && type == SOCK_STREAM)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	return fd;
}

static int sock_close(ares_socket_t fd, UNUSED void *data)
{
	return close(fd);
}

static int sock_connect(ares_socket_t fd, const struct sockaddr *sa, ares_socklen_t len,
			UNUSED void *data)
{
	return connect(fd, sa, len);
}

static ares_ssize_t sock_recvfrom(ares_socket_t fd, void *buf, size_t len, int flags,
				  struct sockaddr *from, ares_socklen_t *fromlen, UNUSED void *data)
{
	ssize_t n = from ? recvfrom(fd, buf, len, flags, from, fromlen) : recv(fd, buf, len, flags);

	if (from != NULL && n >= 12)
		peek_rcode(buf, (size_t)n);
	return n;
}

static ares_ssize_t sock_sendv(ares_socket_t fd, const struct iovec *iov, int count,
			       UNUSED void *data)
{
	return writev(fd, iov, count);
}

static const struct ares_socket_functions sock_functions = {
	sock_open, sock_close, sock_connect, sock_recvfrom, sock_sendv,
};

static void on_answer(void *arg, int status, int timeouts, unsigned char *abuf, int alen)
{
	struct entry *e = arg;

	if (status == ARES_EDESTRUCTION) {
		/* The channel was replaced by a reload: ask again on the new one. */
		pthread_mutex_lock(&eng.lock);
		e->queued = false;
		if (!eng.stopping)
			enqueue(e);
		pthread_mutex_unlock(&eng.lock);
		if (eng.stopping)
			complete(e, dns_answer_tempfail("stopping", 0));
		return;
	}
	if (abuf != NULL && alen > 0 &&
	    (status == ARES_SUCCESS || status == ARES_ENODATA || status == ARES_ENOTFOUND))
		complete(e, dns_parse(abuf, (size_t)alen, e->name, e->type));
	else
		complete(e, dns_answer_tempfail(failure_reason(e, status, timeouts), TEMPFAIL_TTL));
}

static void sock_state(void *data, ares_socket_t fd, int readable, int writable)
{
	nfds_t i;

	(void)data;
	for (i = 1; i < eng.nfds; i++)
		if (eng.fds[i].fd == fd)
			break;
	if (!readable && !writable) {
		if (i < eng.nfds)
			eng.fds[i] = eng.fds[--eng.nfds];
		return;
	}
	if (i == eng.nfds) {
		if (eng.nfds == MAX_SOCKETS) {
			dns_report(DNS_REPORT_ERROR, "dns: more than %d resolver sockets", MAX_SOCKETS);
			return;
		}
		eng.nfds++;
		eng.fds[i].fd = fd;
	}
	eng.fds[i].events = (short)((readable ? POLLIN : 0) | (writable ? POLLOUT : 0));
	eng.fds[i].revents = 0;
}

/* "a, b c" in our syntax -> "a,b,c" for c-ares. */
static char *servers_csv(const char *servers)
{
	char *csv = strdup(servers), *o = csv;
	bool sep = false;

	if (csv == NULL)
		return NULL;
	for (const char *p = servers; *p; p++) {
		if (*p == ',' || *p == ' ' || *p == '\t') {
			sep = o != csv;
			continue;
		}
		if (sep)
			*o++ = ',';
		sep = false;
		*o++ = *p;
	}
	*o = '\0';
	return csv;
}

static bool channel_open(const struct dns_settings *s, ares_channel *out)
{
	struct ares_options opt;
	int mask = ARES_OPT_FLAGS | ARES_OPT_TIMEOUTMS | ARES_OPT_TRIES | ARES_OPT_SOCK_STATE_CB;
	int rc;

	memset(&opt, 0, sizeof opt);
	opt.flags = ARES_FLAG_NOSEARCH | ARES_FLAG_NOALIASES | ARES_FLAG_EDNS;
	opt.timeout = s->timeout_ms;
	opt.tries = s->tries;
	opt.sock_state_cb = sock_state;
	rc = ares_init_options(out, &opt, mask);
	if (rc != ARES_SUCCESS) {
		dns_report(DNS_REPORT_ERROR, "dns: cannot initialise c-ares: %s", ares_strerror(rc));
		return false;
	}
	ares_set_socket_functions(*out, &sock_functions, NULL);
	if (s->servers && s->servers[0]) {
		char *csv = servers_csv(s->servers);

		rc = csv ? ares_set_servers_ports_csv(*out, csv) : ARES_ENOMEM;
		free(csv);
		if (rc != ARES_SUCCESS) {
			dns_report(DNS_REPORT_ERROR, "dns: bad dns_servers '%s': %s", s->servers,
				ares_strerror(rc));
			ares_destroy(*out);
			return false;
		}
	}
	return true;
}

/* Sends every queued question; resolver thread only. */
static void send_queued(void)
{
	struct entry *q;

	pthread_mutex_lock(&eng.lock);
	q = eng.queue_head;
	eng.queue_head = eng.queue_tail = NULL;
	pthread_mutex_unlock(&eng.lock);
	while (q != NULL) {
		struct entry *next = q->queue_next;

		ares_query(eng.channel, q->name, 1 /* C_IN */, (int)q->type, on_answer, q);
		q = next;
	}
}

static void apply_reconfigure(void)
{
	struct dns_settings s;
	ares_channel fresh, old;
	bool want, ok;

	pthread_mutex_lock(&eng.lock);
	want = eng.reconfigure;
	eng.reconfigure = false;
	s = eng.settings;
	/* a copy: a reload may free eng.servers once the lock is given up */
	s.servers = want ? strdup(eng.servers) : NULL;
	pthread_mutex_unlock(&eng.lock);
	if (!want)
		return;
	if (s.servers == NULL) {
		dns_report(DNS_REPORT_ERROR, "dns: no memory to rebuild the resolver channel");
		pthread_mutex_lock(&eng.lock);
		eng.reconfigure = true;         /* try again at the next wake-up */
		pthread_mutex_unlock(&eng.lock);
		return;
	}
	ok = channel_open(&s, &fresh);
	free((char *)s.servers);
	if (!ok)
		return;
	old = eng.channel;
	eng.nfds = 1;           /* the old channel's sockets go with it */
	eng.channel = fresh;
	ares_destroy(old);      /* its queries are asked again on the new one */
	dns_report(DNS_REPORT_INFO, "dns: resolver channel rebuilt");
}

static int poll_timeout_ms(void)
{
	struct timeval tv, max = {1, 0}, *t = ares_timeout(eng.channel, &max, &tv);

	return (int)(t->tv_sec * 1000 + (t->tv_usec + 999) / 1000);
}

static void *resolver_main(void *arg)
{
	(void)arg;
	eng.fds[0].fd = eng.wake_fd;
	eng.fds[0].events = POLLIN;
	if (eng.nfds == 0)
		eng.nfds = 1;
	for (;;) {
		uint64_t n;
		int ready = poll(eng.fds, eng.nfds, poll_timeout_ms());

		if (ready < 0 && errno != EINTR)
			dns_report(DNS_REPORT_ERROR, "dns: poll: %s", strerror(errno));
		if (eng.fds[0].revents & POLLIN) {
			if (read(eng.wake_fd, &n, sizeof n) < 0 && errno != EAGAIN)
				dns_report(DNS_REPORT_ERROR, "dns: wake read: %s", strerror(errno));
		}
		pthread_mutex_lock(&eng.lock);
		bool stop = eng.stopping;
		pthread_mutex_unlock(&eng.lock);
		if (stop)
			break;
		apply_reconfigure();
		send_queued();
		/* ares_process_fd may change eng.fds through sock_state: copy first. */
		struct pollfd ready_fds[MAX_SOCKETS];
		nfds_t count = eng.nfds;

		memcpy(ready_fds, eng.fds, count * sizeof ready_fds[0]);
		for (nfds_t i = 1; i < count; i++) {
			short re = ready_fds[i].revents;

			if (re == 0)
				continue;
			ares_process_fd(eng.channel,
					(re & (POLLIN | POLLERR | POLLHUP)) ? ready_fds[i].fd : ARES_SOCKET_BAD,
					(re & POLLOUT) ? ready_fds[i].fd : ARES_SOCKET_BAD);
		}
		ares_process_fd(eng.channel, ARES_SOCKET_BAD, ARES_SOCKET_BAD);  /* timeouts */
		for (nfds_t i = 0; i < eng.nfds; i++)
			eng.fds[i].revents = 0;
	}
	ares_destroy(eng.channel);
	return NULL;
}

static void store_settings(const struct dns_settings *s)
{
	free(eng.servers);
	eng.servers = strdup(s->servers ? s->servers : "");
	eng.settings = *s;
	eng.settings.servers = eng.servers;
}

bool dns_start(const struct dns_settings *s)
{
	int rc = ares_library_init(ARES_LIB_INIT_ALL);

	if (rc != ARES_SUCCESS) {
		dns_report(DNS_REPORT_ERROR, "dns: %s", ares_strerror(rc));
		return false;
	}
	store_settings(s);
	eng.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (eng.wake_fd < 0 || !channel_open(&eng.settings, &eng.channel))
		return false;
	eng.nfds = 1;
	if (pthread_create(&eng.thread, NULL, resolver_main, NULL) != 0)
		return false;
	eng.running = true;
	return true;
}

bool dns_reconfigure(const struct dns_settings *s)
{
	uint64_t one = 1;
	bool changed;

	pthread_mutex_lock(&eng.lock);
	changed = strcmp(eng.servers ? eng.servers : "", s->servers ? s->servers : "") != 0 ||
		  eng.settings.timeout_ms != s->timeout_ms || eng.settings.tries != s->tries;
	store_settings(s);
	/* |=: a change the resolver thread has not applied yet stays pending */
	eng.reconfigure |= changed;
	evict((size_t)s->cache_size);
	pthread_mutex_unlock(&eng.lock);
	if (changed && write(eng.wake_fd, &one, sizeof one) < 0 && errno != EAGAIN)
		return false;
	return true;
}

void dns_stop(void)
{
	uint64_t one = 1;

	if (!eng.running)
		return;
	pthread_mutex_lock(&eng.lock);
	eng.stopping = true;
	pthread_mutex_unlock(&eng.lock);
	if (write(eng.wake_fd, &one, sizeof one) < 0)
		dns_report(DNS_REPORT_ERROR, "dns: cannot stop the resolver: %s", strerror(errno));
	pthread_join(eng.thread, NULL);
	eng.running = false;
}

/* ---- the resolver interface ------------------------------------------------ */

static void *resolver_submit(UNUSED struct resolver *self, const char *name, enum dns_type type)
{
	return dns_submit(name, type);
}

static struct dns_answer *resolver_collect(struct resolver *self, void *handle)
{
	return dns_collect(handle, ((struct dns_resolver *)self)->deadline);
}

void dns_resolver_init(struct dns_resolver *r, const struct timespec *deadline)
{
	r->base.submit = resolver_submit;
	r->base.collect = resolver_collect;
	r->deadline = deadline;
}
