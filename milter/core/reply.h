/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * reply.h -- SMTP replies as the operator writes them in the config
 * ("550 5.7.1 text") and as libmilter wants them.
 */
#ifndef MXP_REPLY_H
#define MXP_REPLY_H

#include <stdbool.h>
#include <stddef.h>

#define REPLY_TEXT_MAX 200

struct reply {
	char code[4];                   /* "550" */
	char xcode[16];                 /* "5.7.1", or "" */
	char text[REPLY_TEXT_MAX + 1];  /* printable ASCII, no CR/LF */
};

/*
 * Parses "CODE [X.Y.Z] text".  The code is 4xx or 5xx, the enhanced code's
 * class must match the code's first digit, the text is printable ASCII.
 */
bool reply_parse(const char *in, struct reply *out, const char **why);
/* 4 or 5, from the first digit of the code; 0 when empty. */
int reply_class(const struct reply *r);
/* "550 5.7.1 text" */
void reply_format(const struct reply *r, char *buf, size_t len);
/*
 * The text as libmilter must receive it: libmilter hands the text to the
 * MTA, which in Sendmail's case runs it through a printf-like expansion, so
 * every '%' is doubled; control characters become spaces.
 */
void reply_text_for_mta(const char *text, char *buf, size_t len);

#endif
