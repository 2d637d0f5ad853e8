/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * notify.c -- readiness for systemd.  With Type=notify, "systemctl start"
 * returns, and units ordered after this one (Postfix) start, only once the
 * socket is open: a filter that cannot listen fails the start instead of
 * leaving Postfix to defer mail against a socket nobody serves.
 */
#include "autoconfig.h"
#include "daemon/notify.h"

#ifdef HAVE_LIBSYSTEMD
#include <systemd/sd-daemon.h>

void notify_ready(const char *status)
{
	sd_notifyf(0, "READY=1\nSTATUS=serving %s", status);
}

void notify_reloading(void)
{
	sd_notify(0, "RELOADING=1\nSTATUS=reloading the configuration");
}

void notify_reloaded(bool ok, const char *status)
{
	if (ok)
		notify_ready(status);
	else
		sd_notifyf(0, "READY=1\nSTATUS=serving %s; the reload was refused, "
			   "the previous configuration stays (see the log)", status);
}

void notify_stopping(void)
{
	sd_notify(0, "STOPPING=1\nSTATUS=stopping");
}
#else
void notify_ready(const char *status) { (void)status; }
void notify_reloading(void) {}
void notify_reloaded(bool ok, const char *status) { (void)ok; (void)status; }
void notify_stopping(void) {}
#endif
