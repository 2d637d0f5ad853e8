/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * mta.c -- thin wrappers around smfi_*.
 */
#include "autoconfig.h"

#include <stdint.h>
#include <string.h>

#include "daemon/mta.h"

const char *mta_getsymval(SMFICTX *ctx, const char *name)
{
	return smfi_getsymval(ctx, (char *)(uintptr_t)name);
}

void *mta_getpriv(SMFICTX *ctx)
{
	return smfi_getpriv(ctx);
}

void mta_setpriv(SMFICTX *ctx, void *priv)
{
	smfi_setpriv(ctx, priv);
}

bool mta_setreply(SMFICTX *ctx, const struct reply *r)
{
	char text[REPLY_TEXT_MAX * 2 + 1];
	char code[sizeof r->code], xcode[sizeof r->xcode];

	memcpy(code, r->code, sizeof code);
	memcpy(xcode, r->xcode, sizeof xcode);
	reply_text_for_mta(r->text, text, sizeof text);
	return smfi_setreply(ctx, code, xcode[0] ? xcode : NULL, text) == MI_SUCCESS;
}

bool mta_insheader(SMFICTX *ctx, int index, const char *name, const char *value)
{
	return smfi_insheader(ctx, index, (char *)(uintptr_t)name,
			      (char *)(uintptr_t)value) == MI_SUCCESS;
}

bool mta_delheader(SMFICTX *ctx, const char *name, int index)
{
	return smfi_chgheader(ctx, (char *)(uintptr_t)name, index, NULL) == MI_SUCCESS;
}

bool mta_setsymlist(SMFICTX *ctx, int stage, const char *macros)
{
	return smfi_setsymlist(ctx, stage, (char *)(uintptr_t)macros) == MI_SUCCESS;
}
