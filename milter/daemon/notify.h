/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * notify.h -- the service manager told how the filter is doing
 * (systemd's sd_notify: Type=notify in the unit).  Every call is a no-op
 * when the filter was not started by systemd (no NOTIFY_SOCKET) or was
 * built --without-libsystemd.
 */
#ifndef MXP_NOTIFY_H
#define MXP_NOTIFY_H

#include <stdbool.h>

/* The socket is open and the filter about to serve; status says where. */
void notify_ready(const char *status);
/* A reload begins (SIGUSR1); notify_reloaded ends it, whatever its outcome. */
void notify_reloading(void);
/* Ready again; the status says whether the new file was refused. */
void notify_reloaded(bool ok, const char *status);
/* The filter stops serving. */
void notify_stopping(void);

#endif
