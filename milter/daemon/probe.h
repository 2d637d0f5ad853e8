/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * probe.h -- is a more-preferred exchanger up?  A TCP connect to its SMTP
 * port, with a timeout; results are cached per address and port for
 * mx_probe_ttl seconds and shared by every session.  A probe that cannot
 * complete counts as "down": the backup then accepts (fail open).
 */
#ifndef MXP_PROBE_H
#define MXP_PROBE_H

#include <stdbool.h>

#include "core/mxhosts.h"

struct probe_settings {
	int port;
	int timeout_ms;
	int ttl;
};

/*
 * Probes, in parallel, every address of every exchanger preferred over
 * our_pref; returns the name of one that accepted a connection, or NULL.
 */
const char *probe_better_exchanger_up(const struct mx_hosts *mx, unsigned our_pref,
				      const struct probe_settings *s);

/*
 * The shared state of one address, for recipient verification, whose
 * call-ahead connect is a probe too: 1 up, 0 down, -1 not known.
 */
int probe_state(const struct netaddr *a, int port);
/* What a call-ahead's connect found, kept ttl seconds like a probe's result. */
void probe_note(const struct netaddr *a, int port, bool up, int ttl);

#endif
