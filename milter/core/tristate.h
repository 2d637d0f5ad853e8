/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tristate.h -- the answer of a lookup that may fail: no, yes, or not
 * known just now (a temporary DNS failure).  Shared by the DNS facts
 * (helodns, mxhosts) and the policy that reads them.
 */
#ifndef MXP_TRISTATE_H
#define MXP_TRISTATE_H

enum tristate { TRI_NO, TRI_YES, TRI_TEMP };

#endif
