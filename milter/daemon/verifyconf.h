/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verifyconf.h -- parsing the verify_* option values that are lists or
 * addresses (options.c calls these): each returns NULL, or why the value
 * is refused, for the file:line message.
 */
#ifndef MXP_VERIFYCONF_H
#define MXP_VERIFYCONF_H

#include <stddef.h>

#include "daemon/config.h"

/*
 * verify_sender: what goes between the brackets of MAIL FROM, so no
 * brackets, spaces or controls, and a domain (Postfix refuses a bare
 * local part from a remote client); "" is the null sender.
 */
const char *verifyconf_check_sender(const char *v);

/*
 * One item of verify_relay_hosts, domain=address[:port] (IPv6 in
 * brackets), added to rh; a domain may be listed once.  A reason that
 * names the item is formatted into err.
 */
const char *verifyconf_add_relay_host(struct relay_hosts *rh, const char *item, char *err,
				      size_t errlen);

#endif
