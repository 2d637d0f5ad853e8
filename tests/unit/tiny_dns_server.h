/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tiny_dns_server.h -- a DNS server for the engine's unit tests: one thread
 * on 127.0.0.1 (an ephemeral UDP port) that answers each question the way the
 * test's handler says.  Enough DNS for the engine: an A record, NXDOMAIN or
 * NODATA with an SOA (its MINIMUM is the negative TTL), an error rcode, or
 * silence.
 */
#ifndef MXP_TINY_DNS_SERVER_H
#define MXP_TINY_DNS_SERVER_H

#include <stdbool.h>

struct tiny_reply {
	int rcode;                  /* 0 NOERROR, 2 SERVFAIL, 3 NXDOMAIN ... */
	bool has_a;                 /* NOERROR with one A record, else NODATA */
	unsigned char a[4];
	unsigned ttl;               /* of the A record */
	unsigned negative_ttl;      /* the SOA MINIMUM of NXDOMAIN and NODATA */
	int delay_ms;               /* answer this late (the server waits) */
	bool silent;                /* no answer at all: the client times out */
};

/* Fills r for a question; r comes zeroed. */
typedef void tiny_handler(const char *name, int qtype, struct tiny_reply *r);

/* Returns the UDP port, or -1. */
int tiny_dns_start(tiny_handler *handler);

#endif
