/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * portowner.h -- who holds a TCP port, from /proc: so that a filter that
 * cannot listen says which program took its port (OpenDKIM's 8891 was
 * the old default here) instead of only "Address already in use".
 */
#ifndef MXP_PORTOWNER_H
#define MXP_PORTOWNER_H

#include <stdbool.h>
#include <stddef.h>

/*
 * For a milter socket spec "inet:PORT@HOST" or "inet6:PORT@HOST" whose
 * port something already listens on, writes to out who: "port 8895 is
 * taken by opendkim (pid 812)", or how to find out when the process
 * cannot be seen.  Returns false when no listener holds the port (or the
 * spec is not a TCP one): the failure was something else.
 */
bool portowner_explain(const char *spec, char *out, size_t len);

#endif
