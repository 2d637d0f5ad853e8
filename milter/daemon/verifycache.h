/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verifycache.h -- the call-ahead answers, kept across restarts in an
 * LMDB environment (data.mdb, lock.mdb) in one directory: by default the
 * unit's StateDirectory, /var/lib/mxpolicy-milter.
 *
 * One environment per process, opened once at start and closed at exit:
 * LMDB forbids opening one environment twice in a process.  The daemon
 * opens it after dropping privileges, so that the files it creates belong
 * to the service user, as the directory does (systemd's StateDirectory=
 * creates and chowns it; without systemd the operator does).  A store that
 * cannot be opened, read or written is logged and the filter runs without
 * it: a cache never refuses mail.
 *
 * Keys are core/verify's ("r:user@example.net", "d:example.net"); times
 * are the caller's clock (seconds since the epoch), so that tests move it.
 * Threads share the handle freely: read transactions are MDB_NOTLS (not
 * bound to libmilter's threads), write transactions are one put or one
 * bounded sweep long.
 */
#ifndef MXP_VERIFYCACHE_H
#define MXP_VERIFYCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/verify.h"

#define VERIFYCACHE_DIR_DEFAULT "/var/lib/mxpolicy-milter"
#define VERIFYCACHE_MAP_SIZE_DEFAULT ((size_t)64 << 20)
/* LMDB's default key limit; longer keys are neither kept nor looked up. */
#define VERIFYCACHE_KEY_MAX 511
/* How much of the primary's reply is kept: what a refusal's text can show. */
#define VERIFYCACHE_TEXT_MAX REPLY_TEXT_MAX
#define VERIFYCACHE_EXCHANGER_MAX 255

struct verifycache;

/* One stored answer. */
struct verifycache_record {
	struct verify_entry entry;
	char exchanger[VERIFYCACHE_EXCHANGER_MAX + 1];  /* the exchanger asked, "" if none */
	char text[VERIFYCACHE_TEXT_MAX + 1];            /* the primary's reply, cut; "" if none */
};

enum verifycache_status {
	VERIFYCACHE_FOUND,
	VERIFYCACHE_MISSING,    /* no such key, or a record this version cannot read */
	VERIFYCACHE_ERROR       /* the store failed (logged) */
};

/*
 * Opens (creating if need be) the environment in dir, map_size bytes at
 * most.  NULL on failure, with the reason in err: the directory missing
 * or not ours, a data.mdb that is not an LMDB file, a version mismatch.
 */
struct verifycache *verifycache_open(const char *dir, size_t map_size, char *err, size_t errlen);
/*
 * The same, for reading only (the query mode): nothing is written to the
 * data file, and the environment must exist already.
 */
struct verifycache *verifycache_open_readonly(const char *dir, char *err, size_t errlen);
void verifycache_close(struct verifycache *c);

enum verifycache_status verifycache_get(struct verifycache *c, const char *key,
					struct verifycache_record *out);
/*
 * Stores rec under key, replacing what was there.  A full map is swept
 * (verifycache_prune) and the put tried once more.  False when it was not
 * stored (logged).
 */
bool verifycache_put(struct verifycache *c, const char *key, const struct verifycache_record *rec);
bool verifycache_delete(struct verifycache *c, const char *key);

/*
 * Deletes, among at most budget records from where the last sweep
 * stopped (wrapping at the end), those no use even during an outage:
 * stored stale_max ago or more, or unreadable.  Returns how many went.
 * Records from the future (the clock went back) are kept.
 */
size_t verifycache_prune(struct verifycache *c, int64_t now, const struct verify_ttls *t,
			 size_t budget);
/* How many records the store holds; 0 on error. */
size_t verifycache_count(struct verifycache *c);

#endif
