/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mta.h -- every libmilter call the filter makes goes through here, so the
 * callbacks have one place that talks to the MTA.
 */
#ifndef MXP_MTA_H
#define MXP_MTA_H

#include <stdbool.h>
#include <libmilter/mfapi.h>

#include "core/reply.h"

const char *mta_getsymval(SMFICTX *ctx, const char *name);
void *mta_getpriv(SMFICTX *ctx);
void mta_setpriv(SMFICTX *ctx, void *priv);
bool mta_setreply(SMFICTX *ctx, const struct reply *r);
bool mta_insheader(SMFICTX *ctx, int index, const char *name, const char *value);
bool mta_delheader(SMFICTX *ctx, const char *name, int index);
bool mta_setsymlist(SMFICTX *ctx, int stage, const char *macros);

#endif
