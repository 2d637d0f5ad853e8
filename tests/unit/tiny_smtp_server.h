/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tiny_smtp_server.h -- an exchanger for the call-ahead client's tests:
 * one thread on 127.0.0.1 (an ephemeral TCP port) serving one connection
 * at a time, as a proper server that knows its mailboxes or as one of the
 * faulty kinds a probe must survive.
 *
 * A proper one refuses RCPT TO:<nosuch...> with 550 5.1.1, defers
 * <grey...> with 450 4.2.0, refuses <policy...> with 554 5.7.1 (relay
 * access denied), and accepts any other recipient.
 */
#ifndef MXP_TINY_SMTP_SERVER_H
#define MXP_TINY_SMTP_SERVER_H

#include <stdbool.h>

enum smtp_mode {
	SMTP_PROPER,
	SMTP_SILENT,            /* accepts and never says a word */
	SMTP_GARBAGE,           /* an HTTP reply where the greeting should be */
	SMTP_CLOSE_AT_MAIL,     /* greets, answers EHLO, closes at MAIL FROM */
	SMTP_DRIP,              /* "220-" and a byte every 50 ms, never a line end */
	SMTP_NO_EHLO,           /* answers EHLO with 502: HELO it is */
	SMTP_BAD_GREETING       /* 554 for a greeting */
};

struct tiny_smtp;

/* Starts the server; NULL on failure. */
struct tiny_smtp *tiny_smtp_start(enum smtp_mode mode, bool pipelining);
void tiny_smtp_stop(struct tiny_smtp *s);
unsigned tiny_smtp_port(const struct tiny_smtp *s);
/* The commands received so far, one per line, and the counts. */
void tiny_smtp_log(struct tiny_smtp *s, char *buf, unsigned len);
unsigned tiny_smtp_connections(struct tiny_smtp *s);
/* The last client's address, as text. */
void tiny_smtp_last_peer(struct tiny_smtp *s, char *buf, unsigned len);
/* Waits (bounded) until no connection is being served; false if one still is. */
bool tiny_smtp_idle(struct tiny_smtp *s, unsigned expect_connections);
/* How many times a read brought more than one command: pipelining seen. */
unsigned tiny_smtp_grouped_reads(struct tiny_smtp *s);

#endif
