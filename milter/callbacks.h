/*
 * callbacks.h -- the libmilter registration of mxpolicy-milter.
 */
#ifndef MXP_CALLBACKS_H
#define MXP_CALLBACKS_H

#include <libmilter/mfapi.h>

extern struct smfiDesc mxp_filter;

#endif
