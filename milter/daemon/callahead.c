/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * callahead.c -- the SMTP probe client of recipient verification.
 */
#include "autoconfig.h"

#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "daemon/callahead.h"

/* The longest reply core reads: so many lines of so many octets. */
#define BUF_MAX (SMTP_REPLY_LINES_MAX * SMTP_LINE_MAX)
#define ADDRESS_MAX 320

struct callahead {
	int fd;
	bool alive;
	bool pipelining;            /* RFC 2920: RSET, MAIL and RCPT in one write */
	bool smtputf8;              /* RFC 6531: a non-ASCII recipient may be asked */
	bool transaction;           /* a MAIL FROM was sent since the last RSET */
	long deadline_ms;
	char sender[ADDRESS_MAX + 1];
	size_t len;                 /* bytes read and not yet taken as a reply */
	char buf[BUF_MAX];
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

/* 1 ready, 0 the deadline passed, -1 an error of poll. */
static int wait_for(int fd, short events, long deadline_ms)
{
	for (;;) {
		struct pollfd p = {fd, events, 0};
		long left = deadline_ms - now_ms();
		int n;

		if (left <= 0)
			return 0;
		n = poll(&p, 1, (int)left);
		if (n > 0)
			return 1;
		if (n == 0)
			return 0;
		if (errno != EINTR)
			return -1;
	}
}

static void answer(struct callahead_answer *ans, enum callahead_status st, enum probe_step step)
{
	ans->status = st;
	ans->step = step;
	if (st != CALLAHEAD_ANSWERED || step != PROBE_STEP_RCPT)
		ans->result = VERIFY_UNKNOWN;
}

/* The session is dead after any trouble of the connection. */
static void fail(struct callahead *ca, struct callahead_answer *ans, enum callahead_status st,
		 enum probe_step step)
{
	ca->alive = false;
	answer(ans, st, step);
}

/*
 * From our own address when given; one that is not this host's (an MTA on
 * another host, a NAT'd {daemon_addr}) is left to the kernel's choice
 * rather than failing the probe.
 */
static bool bind_source(int fd, const struct netaddr *source)
{
	struct sockaddr_storage ss;
	socklen_t len;

	if (source == NULL || netaddr_is_unspecified(source))
		return true;
	len = netaddr_to_sockaddr(source, 0, &ss);
	return bind(fd, (struct sockaddr *)&ss, len) == 0 || errno == EADDRNOTAVAIL;
}

/* A connected descriptor, or -1 with *st saying why. */
static int connect_to(const struct netaddr *a, const struct callahead_settings *s,
		      long deadline_ms, enum callahead_status *st)
{
	struct sockaddr_storage ss;
	socklen_t len = netaddr_to_sockaddr(a, s->port, &ss);
	int fd, err = 0, ready;
	socklen_t errlen = sizeof err;

	*st = CALLAHEAD_LOCAL_ERROR;
	if (s->source != NULL && s->source->family != a->family)
		return -1;
	fd = socket(a->family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (!bind_source(fd, s->source)) {
		close(fd);
		return -1;
	}
	*st = CALLAHEAD_CONNECT_FAILED;
	if (connect(fd, (struct sockaddr *)&ss, len) != 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	/* an exchanger that does not answer the SYN in time counts as down, as a probe's */
	if (s->connect_ms > 0 && now_ms() + s->connect_ms < deadline_ms)
		deadline_ms = now_ms() + s->connect_ms;
	ready = wait_for(fd, POLLOUT, deadline_ms);
	if (ready <= 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &errlen) != 0 || err != 0) {
		if (ready == 0)
			*st = CALLAHEAD_TIMEOUT;
		close(fd);
		return -1;
	}
	return fd;
}

static enum callahead_status send_all(struct callahead *ca, const char *text, size_t len)
{
	while (len > 0) {
		ssize_t n = send(ca->fd, text, len, MSG_NOSIGNAL);

		if (n > 0) {
			text += n;
			len -= (size_t)n;
		} else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) {
			if (wait_for(ca->fd, POLLOUT, ca->deadline_ms) <= 0)
				return CALLAHEAD_TIMEOUT;
		} else {
			return CALLAHEAD_CLOSED;
		}
	}
	return CALLAHEAD_ANSWERED;
}

/* One more read into the buffer: ANSWERED when bytes came. */
static enum callahead_status read_more(struct callahead *ca)
{
	for (;;) {
		ssize_t n = recv(ca->fd, ca->buf + ca->len, sizeof ca->buf - ca->len, 0);

		if (n > 0) {
			ca->len += (size_t)n;
			return CALLAHEAD_ANSWERED;
		}
		if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
			return CALLAHEAD_CLOSED;
		if (wait_for(ca->fd, POLLIN, ca->deadline_ms) <= 0)
			return CALLAHEAD_TIMEOUT;
	}
}

/* The next complete reply into r, taken off the buffer. */
static enum callahead_status read_reply(struct callahead *ca, struct smtp_reply *r)
{
	for (;;) {
		size_t used;
		enum smtp_reply_status ps = smtp_reply_parse(ca->buf, ca->len, r, &used);
		enum callahead_status st;

		if (ps == SMTP_REPLY_COMPLETE) {
			memmove(ca->buf, ca->buf + used, ca->len - used);
			ca->len -= used;
			return CALLAHEAD_ANSWERED;
		}
		if (ps == SMTP_REPLY_INVALID || ca->len == sizeof ca->buf)
			return CALLAHEAD_GARBAGE;
		if ((st = read_more(ca)) != CALLAHEAD_ANSWERED)
			return st;
	}
}

/* Reads the reply to step; false (and the answer filled) unless the exchanger went on. */
static bool expect(struct callahead *ca, enum probe_step step, struct callahead_answer *ans)
{
	enum callahead_status st = read_reply(ca, &ans->reply);

	if (st != CALLAHEAD_ANSWERED) {
		memset(&ans->reply, 0, sizeof ans->reply);
		fail(ca, ans, st, step);
		return false;
	}
	if (step != PROBE_STEP_RCPT && !verify_step_accepted(step, &ans->reply)) {
		answer(ans, CALLAHEAD_REFUSED, step);
		return false;
	}
	return true;
}

static bool has_word(const char *text, const char *word)
{
	size_t n = strlen(word);

	for (const char *p = text; (p = strcasestr(p, word)) != NULL; p += n)
		if ((p == text || p[-1] == ' ') && (p[n] == '\0' || p[n] == ' '))
			return true;
	return false;
}

/* EHLO, and HELO when EHLO is refused as a command (an old or minimal server). */
static bool greet(struct callahead *ca, const char *helo, struct callahead_answer *ans)
{
	char line[SMTP_LINE_MAX];
	int n = snprintf(line, sizeof line, "EHLO %s\r\n", helo);
	enum callahead_status st;

	if (n < 0 || (size_t)n >= sizeof line) {
		fail(ca, ans, CALLAHEAD_BAD_ADDRESS, PROBE_STEP_EHLO);
		return false;
	}
	if ((st = send_all(ca, line, (size_t)n)) != CALLAHEAD_ANSWERED) {
		fail(ca, ans, st, PROBE_STEP_EHLO);
		return false;
	}
	if (expect(ca, PROBE_STEP_EHLO, ans)) {
		ca->pipelining = has_word(ans->reply.text, "PIPELINING");
		ca->smtputf8 = has_word(ans->reply.text, "SMTPUTF8");
		return true;
	}
	if (!ca->alive || ans->reply.code / 100 != 5)
		return false;
	n = snprintf(line, sizeof line, "HELO %s\r\n", helo);
	if ((st = send_all(ca, line, (size_t)n)) != CALLAHEAD_ANSWERED) {
		fail(ca, ans, st, PROBE_STEP_EHLO);
		return false;
	}
	return expect(ca, PROBE_STEP_EHLO, ans);
}

/* An address we write between angle brackets: no controls, brackets or NUL. */
static bool safe_address(const char *a, size_t len, bool *non_ascii)
{
	*non_ascii = false;
	if (len > ADDRESS_MAX)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)a[i];

		if (c < 0x20 || c == 0x7f || c == '<' || c == '>')
			return false;
		*non_ascii |= c >= 0x80;
	}
	return true;
}

struct callahead *callahead_open(const struct netaddr *exchanger,
				 const struct callahead_settings *s, int budget_ms,
				 struct callahead_answer *ans)
{
	struct callahead *ca;
	bool non_ascii;
	enum callahead_status st;

	memset(ans, 0, sizeof *ans);
	answer(ans, CALLAHEAD_BAD_ADDRESS, PROBE_STEP_CONNECT);
	if (!safe_address(s->sender, strlen(s->sender), &non_ascii) || non_ascii)
		return NULL;
	if ((ca = calloc(1, sizeof *ca)) == NULL) {
		answer(ans, CALLAHEAD_LOCAL_ERROR, PROBE_STEP_CONNECT);
		return NULL;
	}
	snprintf(ca->sender, sizeof ca->sender, "%s", s->sender);
	ca->deadline_ms = now_ms() + budget_ms;
	ca->fd = connect_to(exchanger, s, ca->deadline_ms, &st);
	if (ca->fd < 0) {
		answer(ans, st, PROBE_STEP_CONNECT);
		free(ca);
		return NULL;
	}
	ca->alive = true;
	if (!expect(ca, PROBE_STEP_GREETING, ans) || !greet(ca, s->helo, ans)) {
		callahead_close(ca);
		return NULL;
	}
	answer(ans, CALLAHEAD_ANSWERED, PROBE_STEP_EHLO);
	return ca;
}

/* RSET, MAIL and the RCPTs: the most one probe writes. */
#define COMMANDS_MAX (2 + CALLAHEAD_RCPTS_MAX)

struct commands {
	char line[COMMANDS_MAX][SMTP_LINE_MAX];
	enum probe_step step[COMMANDS_MAX];
	int rcpt[COMMANDS_MAX];     /* which recipient a RCPT asks for, -1 for the others */
	int n;
};

static void add_command(struct commands *c, enum probe_step step, int rcpt, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add_command(struct commands *c, enum probe_step step, int rcpt, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->line[c->n], SMTP_LINE_MAX, fmt, ap);
	va_end(ap);
	c->step[c->n] = step;
	c->rcpt[c->n++] = rcpt;
}

/* The trouble of one step is every recipient's answer. */
static void answer_all(struct callahead_answer *ans, size_t n, const struct callahead_answer *a)
{
	for (size_t i = 0; i < n; i++)
		ans[i] = *a;
}

/* Reads the reply of command i: false when the session is dead. */
static bool read_step(struct callahead *ca, const struct commands *c, int i,
		      struct callahead_answer *ans, size_t n, bool *refused)
{
	struct callahead_answer a = {0};

	if (!expect(ca, c->step[i], &a)) {
		if (!ca->alive) {
			answer_all(ans, n, &a);
			return false;
		}
		if (c->rcpt[i] < 0) {           /* RSET or MAIL refused: the probe is */
			*refused = true;
			answer_all(ans, n, &a);
			return true;
		}
	}
	if (c->rcpt[i] >= 0 && !*refused) {
		answer(&a, CALLAHEAD_ANSWERED, PROBE_STEP_RCPT);
		a.result = verify_map_reply(&a.reply);
		ans[c->rcpt[i]] = a;
	}
	return true;
}

/*
 * Sends the commands, together when the exchanger pipelines (one round
 * trip for all), and reads each reply in order: a refused MAIL still has
 * its RCPTs' replies to read before the session can be used again.
 */
static void converse(struct callahead *ca, const struct commands *c,
		     struct callahead_answer *ans, size_t n)
{
	bool refused = false;
	char all[COMMANDS_MAX * SMTP_LINE_MAX];
	size_t o = 0;
	enum callahead_status st;
	struct callahead_answer a = {0};

	ca->transaction = true;
	for (int i = 0; i < c->n && ca->pipelining; i++)
		o += (size_t)snprintf(all + o, sizeof all - o, "%s", c->line[i]);
	if (ca->pipelining && (st = send_all(ca, all, o)) != CALLAHEAD_ANSWERED) {
		fail(ca, &a, st, c->step[0]);
		answer_all(ans, n, &a);
		return;
	}
	for (int i = 0; i < c->n; i++) {
		st = ca->pipelining ? CALLAHEAD_ANSWERED
				    : send_all(ca, c->line[i], strlen(c->line[i]));
		if (st != CALLAHEAD_ANSWERED) {
			fail(ca, &a, st, c->step[i]);
			answer_all(ans, n, &a);
			return;
		}
		if (!read_step(ca, c, i, ans, n, &refused))
			return;
		if (refused && !ca->pipelining)
			return;             /* nothing more was sent */
	}
}

/* The recipient as it goes between brackets, or false when it must not. */
static bool take_address(const struct callahead *ca, const char **rcpt, size_t *rlen, bool *utf8)
{
	bool non_ascii;

	*rlen = strlen(*rcpt);
	if (*rlen >= 2 && (*rcpt)[0] == '<' && (*rcpt)[*rlen - 1] == '>') {
		(*rcpt)++;
		*rlen -= 2;
	}
	if (*rlen == 0 || !safe_address(*rcpt, *rlen, &non_ascii) || (non_ascii && !ca->smtputf8))
		return false;
	*utf8 |= non_ascii;
	return true;
}

size_t callahead_rcpts(struct callahead *ca, const char *const *rcpts, size_t n, int budget_ms,
		       struct callahead_answer *ans)
{
	struct commands c = {.n = 0};
	const char *addr[CALLAHEAD_RCPTS_MAX];
	size_t len[CALLAHEAD_RCPTS_MAX];
	bool utf8 = false;
	struct callahead_answer a = {0};

	if (n > CALLAHEAD_RCPTS_MAX)
		n = CALLAHEAD_RCPTS_MAX;
	memset(ans, 0, n * sizeof *ans);
	if (ca == NULL || !ca->alive) {
		answer(&a, CALLAHEAD_NOT_OPEN, PROBE_STEP_RCPT);
		answer_all(ans, n, &a);
		return 0;
	}
	for (size_t i = 0; i < n; i++) {
		addr[i] = rcpts[i];
		if (!take_address(ca, &addr[i], &len[i], &utf8)) {
			answer(&a, CALLAHEAD_BAD_ADDRESS, PROBE_STEP_RCPT);
			answer_all(ans, n, &a);
			return 0;
		}
	}
	ca->deadline_ms = now_ms() + budget_ms;
	if (ca->transaction)
		add_command(&c, PROBE_STEP_MAIL, -1, "RSET\r\n");
	add_command(&c, PROBE_STEP_MAIL, -1, "MAIL FROM:<%s>%s\r\n", ca->sender,
		    utf8 ? " SMTPUTF8" : "");
	for (size_t i = 0; i < n; i++)
		add_command(&c, PROBE_STEP_RCPT, (int)i, "RCPT TO:<%.*s>\r\n", (int)len[i], addr[i]);
	converse(ca, &c, ans, n);
	return n;
}

enum verify_result callahead_rcpt(struct callahead *ca, const char *rcpt, int budget_ms,
				  struct callahead_answer *ans)
{
	callahead_rcpts(ca, &rcpt, 1, budget_ms, ans);
	return ans->result;
}

bool callahead_alive(const struct callahead *ca)
{
	return ca != NULL && ca->alive;
}

void callahead_close(struct callahead *ca)
{
	if (ca == NULL)
		return;
	/* QUIT is courtesy: its 221 is not waited for, so it costs no round trip */
	if (ca->alive)
		(void)send(ca->fd, "QUIT\r\n", 6, MSG_NOSIGNAL | MSG_DONTWAIT);
	close(ca->fd);
	free(ca);
}

const char *callahead_status_name(enum callahead_status st)
{
	switch (st) {
	case CALLAHEAD_ANSWERED: return "answered";
	case CALLAHEAD_REFUSED: return "refused";
	case CALLAHEAD_TIMEOUT: return "timeout";
	case CALLAHEAD_CLOSED: return "closed";
	case CALLAHEAD_GARBAGE: return "garbage";
	case CALLAHEAD_CONNECT_FAILED: return "connect-failed";
	case CALLAHEAD_LOCAL_ERROR: return "local-error";
	case CALLAHEAD_BAD_ADDRESS: return "bad-address";
	case CALLAHEAD_NOT_OPEN: return "not-open";
	}
	return "?";
}
