/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * monotime.h -- the monotonic clock in milliseconds, and condition waits
 * on it, for the deadlines of recipient verification: a step of the wall
 * clock (NTP, an operator) must neither cut a wait short nor stretch it.
 */
#ifndef MXP_MONOTIME_H
#define MXP_MONOTIME_H

#include <pthread.h>
#include <stdbool.h>

long monotime_ms(void);
/* A condition variable whose timed waits run on CLOCK_MONOTONIC. */
void monotime_cond_init(pthread_cond_t *c);
/* Waits (m held) for a signal or deadline_ms: false once the deadline has passed. */
bool monotime_wait(pthread_cond_t *c, pthread_mutex_t *m, long deadline_ms);

#endif
