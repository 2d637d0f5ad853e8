/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * trivial-milter.c -- the libmilter floor for the benchmarks: a filter that
 * registers the same callbacks as mxpolicy-milter, negotiates the same
 * protocol steps and no-reply flags (MXP_PROTO_* in callbacks.h), and
 * accepts everything without looking at it.
 *
 *   trivial-milter [-R] [-A] [-D] [-H] [-I] -p SOCKET
 *
 * Variants, to see what each protocol step costs the MTA:
 * -R answers every step (no no-reply flag negotiated);
 * -A accepts at RCPT, so the MTA skips the rest of the message for it;
 * -D accepts at DATA (SMFIS_ACCEPT from xxfi_data), negotiating the same
 *    steps as ever: the floor of mxpolicy-milter's fast path
 *    (authentication_results = no), which answers DATA so;
 * -H negotiates the headers away;
 * -I inserts one Authentication-Results header at the end of the message,
 *    of the size of mxpolicy-milter's, with TCP_NODELAY as it has: the
 *    floor of a filter that adds a header (one more message and segment).
 */
#include "autoconfig.h"

#include <libmilter/mfapi.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "daemon/callbacks.h"

static sfsistat go_on(SMFICTX *ctx)
{
	(void)ctx;
	return SMFIS_CONTINUE;
}

static int replies_everywhere;           /* -R: negotiate no no-reply flag */
static int accept_at_rcpt;              /* -A */
static int accept_at_data;              /* -D */
static int no_headers;                  /* -H */
static int insert_header;               /* -I */

static sfsistat no_reply(SMFICTX *ctx)
{
	(void)ctx;
	return replies_everywhere ? SMFIS_CONTINUE : SMFIS_NOREPLY;
}

static sfsistat on_connect(SMFICTX *ctx, char *host, _SOCK_ADDR *sa)
{
	(void)host;
	(void)sa;
	return no_reply(ctx);
}

static sfsistat on_helo(SMFICTX *ctx, char *helo)
{
	(void)helo;
	return no_reply(ctx);
}

static sfsistat on_envfrom(SMFICTX *ctx, char **argv)
{
	(void)argv;
	return no_reply(ctx);           /* MAIL is negotiated no-reply, as ours by default */
}

static sfsistat on_envrcpt(SMFICTX *ctx, char **argv)
{
	(void)argv;
	return accept_at_rcpt ? SMFIS_ACCEPT : go_on(ctx);
}

static sfsistat on_header(SMFICTX *ctx, char *name, char *value)
{
	(void)name;
	(void)value;
	return no_reply(ctx);
}

static sfsistat on_negotiate(SMFICTX *ctx, unsigned long f0, unsigned long f1,
			     unsigned long f2, unsigned long f3, unsigned long *pf0,
			     unsigned long *pf1, unsigned long *pf2, unsigned long *pf3)
{
	(void)ctx;
	(void)f2;
	(void)f3;
	*pf0 = f0 & (SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_SETSYMLIST);
	*pf1 = f1 & (replies_everywhere ? MXP_PROTO_SKIP :
		     MXP_PROTO_SKIP | MXP_PROTO_NOREPLY | SMFIP_NR_MAIL);
	if (no_headers)
		*pf1 |= f1 & SMFIP_NOHDRS;
	*pf2 = 0;
	*pf3 = 0;
	return SMFIS_CONTINUE;
}

static sfsistat on_eom(SMFICTX *ctx)
{
	if (insert_header &&
	    smfi_insheader(ctx, 0, (char *)"Authentication-Results",
			   (char *)"mx1.example.net;\n\tiprev=pass policy.iprev=198.18.0.1 "
			   "(relay1.bench.example)") != MI_SUCCESS)
		return SMFIS_TEMPFAIL;
	return SMFIS_CONTINUE;
}

/* TCP_NODELAY on the listening socket, inherited by the accepted ones. */
static void no_delay(void)
{
	for (int fd = 0; fd < 1024; fd++) {
		int listening = 0, one = 1;
		socklen_t len = sizeof listening;

		if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) == 0 && listening)
			setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	}
}

static sfsistat on_data(SMFICTX *ctx)
{
	return accept_at_data ? SMFIS_ACCEPT : go_on(ctx);
}

static struct smfiDesc trivial = {
	.xxfi_name = (char *)"trivial-milter",
	.xxfi_version = SMFI_VERSION,
	.xxfi_flags = SMFIF_ADDHDRS | SMFIF_CHGHDRS | SMFIF_SETSYMLIST,
	.xxfi_connect = on_connect,
	.xxfi_helo = on_helo,
	.xxfi_envfrom = on_envfrom,
	.xxfi_envrcpt = on_envrcpt,
	.xxfi_header = on_header,
	.xxfi_data = on_data,
	.xxfi_eom = on_eom,
	.xxfi_abort = go_on,
	.xxfi_close = go_on,
	.xxfi_negotiate = on_negotiate,
};

int main(int argc, char **argv)
{
	int ch;
	const char *sock = NULL;

	while ((ch = getopt(argc, argv, "p:RADHI")) != -1) {
		if (ch == 'p')
			sock = optarg;
		else if (ch == 'R')
			replies_everywhere = 1;
		else if (ch == 'A')
			accept_at_rcpt = 1;
		else if (ch == 'D')
			accept_at_data = 1;
		else if (ch == 'H')
			no_headers = 1;
		else if (ch == 'I')
			insert_header = 1;
	}
	if (sock == NULL) {
		fprintf(stderr, "usage: trivial-milter [-R] [-A] [-D] [-H] [-I] -p SOCKET\n");
		return 3;
	}
	if (smfi_setconn((char *)sock) == MI_FAILURE || smfi_register(trivial) == MI_FAILURE ||
	    smfi_opensocket(1) == MI_FAILURE) {
		fprintf(stderr, "trivial-milter: cannot listen on %s\n", sock);
		return 1;
	}
	if (insert_header)
		no_delay();
	return smfi_main() == MI_SUCCESS ? 0 : 1;
}
