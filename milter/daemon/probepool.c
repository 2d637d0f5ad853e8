/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probepool.c -- exchanger slots with their running and idle probe
 * sessions; see probepool.h.
 */
#include "autoconfig.h"

#include <pthread.h>

#include "daemon/monotime.h"
#include "daemon/probepool.h"

/* Exchangers with probes or idle sessions at once; a 65th waits for a free slot. */
#define POOL_SLOTS 64
#define IDLE_PER_SLOT 4

struct idle_conn {
	struct callahead *ca;
	long since_ms;
};

struct probepool_slot {
	struct netaddr addr;
	unsigned port;
	bool used;
	int active;                     /* probes running on this exchanger */
	int idle_count;
	struct idle_conn idle[IDLE_PER_SLOT];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t freed;            /* a turn ended */
static pthread_once_t freed_once = PTHREAD_ONCE_INIT;
static struct probepool_slot slots[POOL_SLOTS];
static bool closing;

static void freed_init(void)
{
	monotime_cond_init(&freed);
}

/* Closes what has been idle too long (lock held). */
static void slot_reap(struct probepool_slot *s, long now)
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

/* The exchanger's slot, or a free one made its; NULL when all are taken (lock held). */
static struct probepool_slot *slot_find(const struct netaddr *a, unsigned port)
{
	struct probepool_slot *free_slot = NULL;
	long now = monotime_ms();

	for (size_t i = 0; i < POOL_SLOTS; i++) {
		struct probepool_slot *s = &slots[i];

		slot_reap(s, now);
		if (s->used && s->port == port && netaddr_equal(&s->addr, a))
			return s;
		if (free_slot == NULL && (!s->used || (s->active == 0 && s->idle_count == 0)))
			free_slot = s;
	}
	if (free_slot != NULL)
		*free_slot = (struct probepool_slot){.addr = *a, .port = port, .used = true};
	return free_slot;
}

bool probepool_acquire(const struct netaddr *a, unsigned port, int max, long deadline_ms,
		       struct probepool_slot **slot, struct callahead **idle)
{
	struct probepool_slot *s;

	pthread_once(&freed_once, freed_init);
	*idle = NULL;
	*slot = NULL;
	pthread_mutex_lock(&lock);
	/* the bound holds for every exchanger: no slot, no probe, until one is free */
	while ((s = slot_find(a, port)) == NULL || s->active >= max)
		if (!monotime_wait(&freed, &lock, deadline_ms)) {
			s = slot_find(a, port);
			if (s == NULL || s->active >= max) {
				pthread_mutex_unlock(&lock);
				return false;
			}
			break;
		}
	s->active++;
	if (s->idle_count > 0)
		*idle = s->idle[--s->idle_count].ca;
	*slot = s;
	pthread_mutex_unlock(&lock);
	return true;
}

void probepool_release(struct probepool_slot *s, struct callahead *ca)
{
	pthread_mutex_lock(&lock);
	if (s != NULL) {
		s->active--;
		if (!closing && callahead_alive(ca) && s->idle_count < IDLE_PER_SLOT) {
			s->idle[s->idle_count++] = (struct idle_conn){ca, monotime_ms()};
			ca = NULL;
		}
		pthread_cond_broadcast(&freed);
	}
	pthread_mutex_unlock(&lock);
	callahead_close(ca);
}

void probepool_reap(void)
{
	pthread_mutex_lock(&lock);
	for (size_t i = 0; i < POOL_SLOTS; i++)
		slot_reap(&slots[i], monotime_ms());
	pthread_mutex_unlock(&lock);
}

void probepool_close(void)
{
	pthread_mutex_lock(&lock);
	closing = true;
	for (size_t i = 0; i < POOL_SLOTS; i++) {
		for (int j = 0; j < slots[i].idle_count; j++)
			callahead_close(slots[i].idle[j].ca);
		slots[i].idle_count = 0;
	}
	pthread_mutex_unlock(&lock);
}
