/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * verifycache.c -- call-ahead answers in LMDB.
 */
#include "autoconfig.h"

#include <lmdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "daemon/log.h"
#include "daemon/verifycache.h"

/*
 * A record: version, result, two reserved bytes, stored_at, expires_at
 * (native order: an LMDB file is no more portable than that), then the
 * exchanger and the text, each NUL-terminated.  A new layout gets a new
 * version; an old daemon reads a newer record as missing.
 */
#define RECORD_VERSION 1
#define RECORD_HEADER 20
#define RECORD_MAX (RECORD_HEADER + VERIFYCACHE_EXCHANGER_MAX + 1 + VERIFYCACHE_TEXT_MAX + 1)
/* Enough for every libmilter thread reading at once; each slot is 64 bytes of lock.mdb. */
#define MAX_READERS 512
/* A full map is swept this far before the put is tried again. */
#define FULL_SWEEP 100000

struct verifycache {
	MDB_env *env;
	MDB_dbi dbi;
	pthread_mutex_t sweep_lock;
	char sweep_from[VERIFYCACHE_KEY_MAX + 1];   /* where the last sweep stopped, "": the start */
	size_t sweep_from_len;
};

static size_t encode(const struct verifycache_record *r, unsigned char *buf)
{
	size_t xlen = strnlen(r->exchanger, VERIFYCACHE_EXCHANGER_MAX);
	size_t tlen = strnlen(r->text, VERIFYCACHE_TEXT_MAX);
	size_t o = RECORD_HEADER;

	memset(buf, 0, RECORD_HEADER);
	buf[0] = RECORD_VERSION;
	buf[1] = (unsigned char)r->entry.result;
	memcpy(buf + 4, &r->entry.stored_at, 8);
	memcpy(buf + 12, &r->entry.expires_at, 8);
	memcpy(buf + o, r->exchanger, xlen);
	o += xlen;
	buf[o++] = '\0';
	memcpy(buf + o, r->text, tlen);
	o += tlen;
	buf[o++] = '\0';
	return o;
}

static bool decode(const unsigned char *buf, size_t len, struct verifycache_record *r)
{
	const unsigned char *x = buf + RECORD_HEADER, *t;
	size_t xlen, tlen;

	if (len < RECORD_HEADER + 2 || len > RECORD_MAX || buf[0] != RECORD_VERSION)
		return false;
	if (buf[1] != VERIFY_PASS && buf[1] != VERIFY_FAIL && buf[1] != VERIFY_CATCHALL)
		return false;
	t = memchr(x, '\0', len - RECORD_HEADER);
	if (t == NULL || (xlen = (size_t)(t - x)) > VERIFYCACHE_EXCHANGER_MAX)
		return false;
	t++;
	tlen = len - (size_t)(t - buf) - 1;
	if (tlen > VERIFYCACHE_TEXT_MAX || t[tlen] != '\0' || memchr(t, '\0', tlen) != NULL)
		return false;
	r->entry.result = (enum verify_result)buf[1];
	memcpy(&r->entry.stored_at, buf + 4, 8);
	memcpy(&r->entry.expires_at, buf + 12, 8);
	memcpy(r->exchanger, x, xlen);
	r->exchanger[xlen] = '\0';
	memcpy(r->text, t, tlen);
	r->text[tlen] = '\0';
	return true;
}

static bool open_env(struct verifycache *c, const char *dir, size_t map_size, bool readonly,
		     char *err, size_t errlen)
{
	MDB_txn *txn;
	int rc, dead;
	const char *step = "mdb_env_create";

	if ((rc = mdb_env_create(&c->env)) != 0)
		goto fail;
	step = "map size";
	if ((rc = mdb_env_set_mapsize(c->env, map_size)) != 0 ||
	    (rc = mdb_env_set_maxreaders(c->env, MAX_READERS)) != 0)
		goto fail;
	/*
	 * MDB_NOTLS: a read transaction is not tied to the thread's slot, so
	 * libmilter's threads may come and go.  MDB_NOMETASYNC: a crash may
	 * lose the last answer stored, never the store.
	 */
	step = dir;
	if ((rc = mdb_env_open(c->env, dir, MDB_NOTLS | MDB_NOMETASYNC | (readonly ? MDB_RDONLY : 0),
			       0600)) != 0)
		goto fail;
	mdb_reader_check(c->env, &dead);    /* slots a crashed process left */
	step = "opening the table";
	if ((rc = mdb_txn_begin(c->env, NULL, readonly ? MDB_RDONLY : 0, &txn)) != 0)
		goto fail;
	if ((rc = mdb_dbi_open(txn, NULL, 0, &c->dbi)) != 0) {
		mdb_txn_abort(txn);
		goto fail;
	}
	if ((rc = mdb_txn_commit(txn)) != 0)
		goto fail;
	return true;
fail:
	snprintf(err, errlen, "%s: %s", step, mdb_strerror(rc));
	if (c->env != NULL)
		mdb_env_close(c->env);
	c->env = NULL;
	return false;
}

static struct verifycache *open_store(const char *dir, size_t map_size, bool readonly,
				      char *err, size_t errlen)
{
	struct verifycache *c = calloc(1, sizeof *c);

	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (!open_env(c, dir, map_size, readonly, err, errlen)) {
		free(c);
		return NULL;
	}
	pthread_mutex_init(&c->sweep_lock, NULL);
	return c;
}

struct verifycache *verifycache_open(const char *dir, size_t map_size, char *err, size_t errlen)
{
	return open_store(dir, map_size, false, err, errlen);
}

struct verifycache *verifycache_open_readonly(const char *dir, char *err, size_t errlen)
{
	return open_store(dir, VERIFYCACHE_MAP_SIZE_DEFAULT, true, err, errlen);
}

void verifycache_close(struct verifycache *c)
{
	if (c == NULL)
		return;
	mdb_env_close(c->env);
	pthread_mutex_destroy(&c->sweep_lock);
	free(c);
}

static bool make_key(const char *key, MDB_val *k)
{
	k->mv_size = strlen(key);
	k->mv_data = (void *)key;
	return k->mv_size > 0 && k->mv_size <= VERIFYCACHE_KEY_MAX;
}

enum verifycache_status verifycache_get(struct verifycache *c, const char *key,
					struct verifycache_record *out)
{
	MDB_txn *txn;
	MDB_val k, v;
	int rc;
	enum verifycache_status st = VERIFYCACHE_MISSING;

	if (!make_key(key, &k))
		return VERIFYCACHE_MISSING;
	if ((rc = mdb_txn_begin(c->env, NULL, MDB_RDONLY, &txn)) != 0) {
		log_msg(LOG_ERR, "verify cache: cannot read: %s", mdb_strerror(rc));
		return VERIFYCACHE_ERROR;
	}
	rc = mdb_get(txn, c->dbi, &k, &v);
	if (rc == 0 && decode(v.mv_data, v.mv_size, out))
		st = VERIFYCACHE_FOUND;
	else if (rc != 0 && rc != MDB_NOTFOUND) {
		log_msg(LOG_ERR, "verify cache: cannot read: %s", mdb_strerror(rc));
		st = VERIFYCACHE_ERROR;
	}
	mdb_txn_abort(txn);
	return st;
}

static int put_once(struct verifycache *c, MDB_val *k, MDB_val *v)
{
	MDB_txn *txn;
	int rc = mdb_txn_begin(c->env, NULL, 0, &txn);

	if (rc != 0)
		return rc;
	rc = mdb_put(txn, c->dbi, k, v, 0);
	if (rc != 0) {
		mdb_txn_abort(txn);
		return rc;
	}
	return mdb_txn_commit(txn);
}

bool verifycache_put(struct verifycache *c, const char *key, const struct verifycache_record *rec)
{
	unsigned char buf[RECORD_MAX];
	MDB_val k, v;
	int rc;

	if (!make_key(key, &k))
		return false;
	v.mv_size = encode(rec, buf);
	v.mv_data = buf;
	rc = put_once(c, &k, &v);
	if (rc == MDB_MAP_FULL) {
		struct verify_ttls t;

		/* the record's own time is the caller's now */
		verify_ttls_default(&t);
		verifycache_prune(c, rec->entry.stored_at, &t, FULL_SWEEP);
		rc = put_once(c, &k, &v);
	}
	if (rc != 0) {
		log_msg(LOG_WARNING, "verify cache: answer not kept: %s", mdb_strerror(rc));
		return false;
	}
	return true;
}

bool verifycache_delete(struct verifycache *c, const char *key)
{
	MDB_txn *txn;
	MDB_val k;
	int rc;

	if (!make_key(key, &k))
		return false;
	if ((rc = mdb_txn_begin(c->env, NULL, 0, &txn)) != 0)
		return false;
	rc = mdb_del(txn, c->dbi, &k, NULL);
	if (rc != 0) {
		mdb_txn_abort(txn);
		return false;
	}
	return mdb_txn_commit(txn) == 0;
}

/* No use even while the primary is down; kept when from the future. */
static bool prunable(const MDB_val *v, int64_t now, const struct verify_ttls *t)
{
	struct verifycache_record r;

	if (!decode(v->mv_data, v->mv_size, &r))
		return true;
	return r.entry.stored_at <= now && !verify_entry_usable_in_outage(&r.entry, now, t);
}

/* Positions cur at the sweep's start; false when the table is empty. */
static bool sweep_start(struct verifycache *c, MDB_cursor *cur, MDB_val *k, MDB_val *v)
{
	if (c->sweep_from_len > 0) {
		k->mv_data = c->sweep_from;
		k->mv_size = c->sweep_from_len;
		if (mdb_cursor_get(cur, k, v, MDB_SET_RANGE) == 0)
			return true;
	}
	return mdb_cursor_get(cur, k, v, MDB_FIRST) == 0;
}

static size_t sweep(struct verifycache *c, MDB_cursor *cur, int64_t now,
		    const struct verify_ttls *t, size_t budget)
{
	MDB_val k, v;
	size_t seen = 0, gone = 0;
	bool more = sweep_start(c, cur, &k, &v);

	while (more && seen < budget) {
		seen++;
		if (prunable(&v, now, t) && mdb_cursor_del(cur, 0) == 0)
			gone++;
		more = mdb_cursor_get(cur, &k, &v, MDB_NEXT) == 0;
	}
	/* the next sweep goes on from here, or from the start */
	c->sweep_from_len = 0;
	if (more && k.mv_size <= VERIFYCACHE_KEY_MAX) {
		memcpy(c->sweep_from, k.mv_data, k.mv_size);
		c->sweep_from_len = k.mv_size;
	}
	return gone;
}

size_t verifycache_prune(struct verifycache *c, int64_t now, const struct verify_ttls *t,
			 size_t budget)
{
	MDB_txn *txn;
	MDB_cursor *cur;
	size_t gone = 0;
	int rc;

	pthread_mutex_lock(&c->sweep_lock);
	if ((rc = mdb_txn_begin(c->env, NULL, 0, &txn)) != 0)
		goto out;
	if ((rc = mdb_cursor_open(txn, c->dbi, &cur)) != 0) {
		mdb_txn_abort(txn);
		goto out;
	}
	gone = sweep(c, cur, now, t, budget);
	mdb_cursor_close(cur);
	if ((rc = mdb_txn_commit(txn)) != 0)
		gone = 0;
out:
	pthread_mutex_unlock(&c->sweep_lock);
	if (rc != 0)
		log_msg(LOG_WARNING, "verify cache: sweep failed: %s", mdb_strerror(rc));
	return gone;
}

size_t verifycache_count(struct verifycache *c)
{
	MDB_txn *txn;
	MDB_stat st;
	size_t n = 0;

	if (mdb_txn_begin(c->env, NULL, MDB_RDONLY, &txn) != 0)
		return 0;
	if (mdb_stat(txn, c->dbi, &st) == 0)
		n = st.ms_entries;
	mdb_txn_abort(txn);
	return n;
}
