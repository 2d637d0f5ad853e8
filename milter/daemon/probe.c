/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe.c -- TCP probes of better exchangers, with a shared cache.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "daemon/probe.h"

#define PROBE_CACHE 256

struct probe_result {
	struct netaddr addr;
	int port;
	bool up;
	time_t expires;
};

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct probe_result cache[PROBE_CACHE];
static size_t cache_next;

static time_t now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

/* 1 up, 0 down, -1 not cached. */
static int cached(const struct netaddr *a, int port)
{
	int r = -1;

	pthread_mutex_lock(&cache_lock);
	for (size_t i = 0; i < PROBE_CACHE; i++)
		if (cache[i].port == port && netaddr_equal(&cache[i].addr, a) &&
		    cache[i].expires > now()) {
			r = cache[i].up;
			break;
		}
	pthread_mutex_unlock(&cache_lock);
	return r;
}

static void remember(const struct netaddr *a, int port, bool up, int ttl)
{
	pthread_mutex_lock(&cache_lock);
	cache[cache_next] = (struct probe_result){*a, port, up, now() + ttl};
	cache_next = (cache_next + 1) % PROBE_CACHE;
	pthread_mutex_unlock(&cache_lock);
}

int probe_state(const struct netaddr *a, int port)
{
	return cached(a, port);
}

void probe_note(const struct netaddr *a, int port, bool up, int ttl)
{
	remember(a, port, up, ttl);
}

/* Starts a non-blocking connect; -1 when it failed at once. */
static int start_connect(const struct netaddr *a, int port)
{
	struct sockaddr_storage ss;
	socklen_t len = netaddr_to_sockaddr(a, (unsigned)port, &ss);
	int fd;

	fd = socket(a->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&ss, len) != 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool connected(int fd)
{
	int err = 0;
	socklen_t len = sizeof err;

	return getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0;
}

/* Probes the uncached addresses together, within one timeout. */
static void probe_all(const struct mx_hosts *mx, const size_t *idx, size_t n,
		      const struct probe_settings *s, bool *up)
{
	struct pollfd fds[MX_ADDRS_MAX];

	for (size_t i = 0; i < n; i++) {
		fds[i].fd = start_connect(&mx->addrs[idx[i]], s->port);
		fds[i].events = POLLOUT;
		up[i] = false;
	}
	struct timespec end;
	clock_gettime(CLOCK_MONOTONIC, &end);
	long deadline_ms = end.tv_sec * 1000L + end.tv_nsec / 1000000L + s->timeout_ms;
	for (;;) {
		struct timespec t;
		long left;
		size_t waiting = 0;

		for (size_t i = 0; i < n; i++)
			waiting += fds[i].fd >= 0;
		clock_gettime(CLOCK_MONOTONIC, &t);
		left = deadline_ms - (t.tv_sec * 1000L + t.tv_nsec / 1000000L);
		if (waiting == 0 || left <= 0 || poll(fds, n, (int)left) <= 0)
			break;
		for (size_t i = 0; i < n; i++) {
			if (fds[i].fd < 0 || fds[i].revents == 0)
				continue;
			up[i] = connected(fds[i].fd);
			close(fds[i].fd);
			fds[i].fd = -1;         /* poll ignores negative descriptors */
		}
	}
	for (size_t i = 0; i < n; i++) {
		if (fds[i].fd >= 0)
			close(fds[i].fd);
		remember(&mx->addrs[idx[i]], s->port, up[i], s->ttl);
	}
}

const char *probe_better_exchanger_up(const struct mx_hosts *mx, unsigned our_pref,
				      const struct probe_settings *s)
{
	size_t to_probe[MX_ADDRS_MAX], n = 0;
	bool up[MX_ADDRS_MAX];

	for (size_t i = 0; i < mx->naddrs; i++) {
		const struct mx_host *h = &mx->hosts[mx->addr_host[i]];
		int c;

		if (h->pref >= our_pref)
			continue;
		c = cached(&mx->addrs[i], s->port);
		if (c == 1)
			return h->name;
		if (c < 0)
			to_probe[n++] = i;
	}
	probe_all(mx, to_probe, n, s, up);
	for (size_t i = 0; i < n; i++)
		if (up[i])
			return mx->hosts[mx->addr_host[to_probe[i]]].name;
	return NULL;
}
