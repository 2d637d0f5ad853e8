/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * authres.h -- reading an Authentication-Results header (RFC 8601 section
 * 2.2): its authserv-id, version and the method and result of each resinfo;
 * and the rule by which a filter removes one that came from outside.
 */
#ifndef MXP_AUTHRES_H
#define MXP_AUTHRES_H

#include <stdbool.h>

#define AUTHRES_ID_MAX 255              /* a host name; a longer id is not read */
#define AUTHRES_KEYWORD_MAX 63          /* a method's or a result's name */

/*
 * The caller's storage for one reading.  authres_begin reads the value up
 * to its first resinfo; authres_next each resinfo in turn.  Reading stops
 * for good where the syntax breaks: broken is then set and p is there.
 */
struct authres_reader {
	const char *p;                  /* where reading goes on */
	char id[AUTHRES_ID_MAX + 1];    /* the authserv-id, unquoted; "" when not read */
	bool have_id;
	long version;                   /* the header's version, -1 when not given */
	bool no_result;                 /* "id; none" */
	unsigned results;               /* resinfos read so far */
	bool broken;                    /* the syntax broke at p */
	bool done;                      /* the end was reached, the syntax whole */
};

struct authres_result {
	char method[AUTHRES_KEYWORD_MAX + 1];   /* lower case: "dkim", "iprev" */
	long method_version;                    /* "iprev/1": 1; -1 when not given */
	char result[AUTHRES_KEYWORD_MAX + 1];   /* lower case: "pass" */
};

void authres_begin(struct authres_reader *rd, const char *value);
/* The next resinfo; false at the end, or where the syntax broke (rd->broken). */
bool authres_next(struct authres_reader *rd, struct authres_result *out);

/* Authserv-ids compare as host names: ASCII case ignored, and a trailing dot. */
bool authres_id_equal(const char *a, const char *b);

/*
 * Whether an Authentication-Results header that came from outside claims
 * a result for method under authserv-id id, and so must go (RFC 8601
 * section 5): each filter removes only such forged claims of its own
 * methods, and never another filter's results under the same id.
 *
 * Read conservatively, since the readers downstream are not all careful:
 * the method's name followed by "=" anywhere under our id counts, in a
 * comment, a quoted string or past a syntax error too; and when the id
 * itself cannot be read, our id anywhere in the value makes it ours.  A
 * value without the method's name is never a claim of it.
 */
bool authres_claims(const char *value, const char *id, const char *method);

#endif
