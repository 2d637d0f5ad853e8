/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * monotime.c -- see monotime.h.
 */
#include "autoconfig.h"

#include <errno.h>
#include <time.h>

#include "daemon/monotime.h"

long monotime_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

void monotime_cond_init(pthread_cond_t *c)
{
	pthread_condattr_t a;

	pthread_condattr_init(&a);
	pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
	pthread_cond_init(c, &a);
	pthread_condattr_destroy(&a);
}

bool monotime_wait(pthread_cond_t *c, pthread_mutex_t *m, long deadline_ms)
{
	struct timespec ts;
	long left = deadline_ms - monotime_ms();

	if (left <= 0)
		return false;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += left / 1000;
	ts.tv_nsec += (left % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return pthread_cond_timedwait(c, m, &ts) != ETIMEDOUT || monotime_ms() < deadline_ms;
}
