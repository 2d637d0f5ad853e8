/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * auditsmtp.c -- the probe session's socket work; see auditsmtp.h.
 * Everything the session decides is in auditprobe.c.
 */
#include "autoconfig.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "audit/auditsmtp.h"

#define LINE_MAX_BYTES 2048         /* RFC 5321 4.5.3.1.5 allows 512 */

struct conn {
	int fd;
	int timeout_ms;
	char buf[LINE_MAX_BYTES * 2];
	size_t have;
	const char *error;              /* static text, set when the session broke */
};

bool smtp_local_address(const struct netaddr *addr, unsigned port,
			const struct netaddr *source, struct netaddr *out)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int fd;
	bool ok;

	if (source != NULL) {
		*out = *source;
		return true;
	}
	fd = socket(addr->family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	len = netaddr_to_sockaddr(addr, port, &ss);
	ok = connect(fd, (struct sockaddr *)&ss, len) == 0;
	len = sizeof ss;
	ok = ok && getsockname(fd, (struct sockaddr *)&ss, &len) == 0 &&
		netaddr_from_sockaddr((struct sockaddr *)&ss, out);
	close(fd);
	return ok;
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static bool wait_for(struct conn *c, short events, long deadline)
{
	struct pollfd p = {c->fd, events, 0};
	long left = deadline - now_ms();
	int rc;

	if (left <= 0)
		return false;
	do
		rc = poll(&p, 1, (int)left);
	while (rc < 0 && errno == EINTR);
	return rc > 0;
}

/* *unreachable: the failure was the connection itself, not a local one. */
static bool open_conn(struct conn *c, const struct smtp_probe *p, char *err, size_t errlen,
		      bool *unreachable)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int soerr = 0;
	socklen_t soerr_len = sizeof soerr;

	c->fd = socket(p->addr->family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (c->fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return false;
	}
	if (p->source != NULL) {
		len = netaddr_to_sockaddr(p->source, 0, &ss);
		if (bind(c->fd, (struct sockaddr *)&ss, len) != 0) {
			snprintf(err, errlen, "bind to the source address: %s", strerror(errno));
			return false;
		}
	}
	len = netaddr_to_sockaddr(p->addr, p->port, &ss);
	*unreachable = true;
	if (connect(c->fd, (struct sockaddr *)&ss, len) != 0 && errno != EINPROGRESS) {
		snprintf(err, errlen, "connect: %s", strerror(errno));
		return false;
	}
	if (!wait_for(c, POLLOUT, now_ms() + p->timeout_ms)) {
		snprintf(err, errlen, "connect: timed out after %d ms", p->timeout_ms);
		return false;
	}
	if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &soerr, &soerr_len) != 0 || soerr != 0) {
		snprintf(err, errlen, "connect: %s", strerror(soerr ? soerr : errno));
		return false;
	}
	*unreachable = false;
	return true;
}

/* One line into line (without CRLF); false when the session broke. */
static bool read_line(struct conn *c, long deadline, char *line, size_t *len)
{
	for (;;) {
		char *nl = memchr(c->buf, '\n', c->have);
		ssize_t n;

		if (nl != NULL) {
			size_t l = (size_t)(nl - c->buf);

			*len = l > 0 && c->buf[l - 1] == '\r' ? l - 1 : l;
			memcpy(line, c->buf, *len);
			memmove(c->buf, nl + 1, c->have - l - 1);
			c->have -= l + 1;
			return true;
		}
		if (c->have >= LINE_MAX_BYTES) {
			c->error = "reply line too long";
			return false;
		}
		if (!wait_for(c, POLLIN, deadline)) {
			c->error = "timed out waiting for the reply";
			return false;
		}
		n = recv(c->fd, c->buf + c->have, sizeof c->buf - c->have, 0);
		if (n == 0) {
			c->error = "connection closed before the reply";
			return false;
		}
		if (n < 0 && errno != EINTR && errno != EAGAIN) {
			c->error = "connection reset";
			return false;
		}
		if (n > 0)
			c->have += (size_t)n;
	}
}

static bool read_reply(struct conn *c, struct smtp_reply *r)
{
	long deadline = now_ms() + c->timeout_ms;
	char line[LINE_MAX_BYTES];
	size_t len;

	smtp_reply_init(r);
	while (read_line(c, deadline, line, &len))
		if (smtp_reply_feed(r, line, len)) {
			if (r->malformed)
				c->error = "malformed reply";
			return !r->malformed;
		}
	return false;
}

/* verb, then arg between angle brackets when it is given, then CRLF */
static bool send_command(struct conn *c, const char *verb, const char *arg)
{
	char cmd[1024];
	int n = arg ? snprintf(cmd, sizeof cmd, "%s%s\r\n", verb, arg)
		    : snprintf(cmd, sizeof cmd, "%s\r\n", verb);
	size_t off = 0;
	long deadline = now_ms() + c->timeout_ms;

	if (n < 0 || (size_t)n >= sizeof cmd) {
		c->error = "command too long";
		return false;
	}
	while (off < (size_t)n) {
		ssize_t w = send(c->fd, cmd + off, (size_t)n - off, MSG_NOSIGNAL);

		if (w > 0) {
			off += (size_t)w;
		} else if (w < 0 && (errno == EAGAIN || errno == EINTR)) {
			if (!wait_for(c, POLLOUT, deadline)) {
				c->error = "timed out sending a command";
				return false;
			}
		} else {
			c->error = "connection reset";
			return false;
		}
	}
	return true;
}

/* A command and its reply; false when the session broke. */
static bool exchange(struct conn *c, const char *verb, const char *arg, struct smtp_reply *r)
{
	return send_command(c, verb, arg) && read_reply(c, r);
}

static void record_reply(struct probe_result *out, enum probe_stage stage,
			 const struct smtp_reply *r)
{
	out->stage = stage;
	out->code = r->code;
	out->outcome = probe_outcome_of(r->code);
	if (stage != STAGE_RCPT && out->outcome == OUTCOME_ACCEPTED)
		out->outcome = OUTCOME_ERROR;       /* not reached: callers stop at non-2xx */
	snprintf(out->text, sizeof out->text, "%s", r->text);
}

static void record_error(struct probe_result *out, enum probe_stage stage, const char *why)
{
	out->stage = stage;
	out->code = 0;
	out->outcome = OUTCOME_ERROR;
	snprintf(out->text, sizeof out->text, "%s", why);
}

/* Greeting and HELO; true when the session may go on to MAIL. */
static bool greet(struct conn *c, const struct smtp_probe *p, struct probe_result *out)
{
	struct smtp_reply r;

	if (!read_reply(c, &r)) {
		record_error(out, STAGE_CONNECT, c->error);
		return false;
	}
	if (r.code / 100 != 2) {
		record_reply(out, STAGE_CONNECT, &r);
		return false;
	}
	if (!exchange(c, "EHLO ", p->helo, &r)) {
		record_error(out, STAGE_HELO, c->error);
		return false;
	}
	/* RFC 5321 4.1.4: a server that does not know EHLO answers 500 or 502 */
	if ((r.code == 500 || r.code == 502) && !exchange(c, "HELO ", p->helo, &r)) {
		record_error(out, STAGE_HELO, c->error);
		return false;
	}
	if (r.code / 100 != 2) {
		record_reply(out, STAGE_HELO, &r);
		return false;
	}
	return true;
}

static void transaction(struct conn *c, const struct smtp_probe *p, struct probe_result *out)
{
	struct smtp_reply r;
	char path[600];

	snprintf(path, sizeof path, "<%s>", p->from);
	if (!exchange(c, "MAIL FROM:", path, &r)) {
		record_error(out, STAGE_MAIL, c->error);
		return;
	}
	if (r.code / 100 != 2) {
		record_reply(out, STAGE_MAIL, &r);
		return;
	}
	snprintf(path, sizeof path, "<%s>", p->rcpt);
	if (!exchange(c, "RCPT TO:", path, &r)) {
		record_error(out, STAGE_RCPT, c->error);
		return;
	}
	record_reply(out, STAGE_RCPT, &r);
	/* end the transaction; what the server says to RSET changes nothing */
	exchange(c, "RSET", NULL, &r);
}

void smtp_probe_run(const struct smtp_probe *p, struct probe_result *out)
{
	struct conn c = {-1, p->timeout_ms, {0}, 0, NULL};
	char err[PROBE_TEXT_MAX];
	bool unreachable = false;

	snprintf(out->helo, sizeof out->helo, "%s", p->helo);
	if (!open_conn(&c, p, err, sizeof err, &unreachable)) {
		record_error(out, STAGE_CONNECT, err);
		if (unreachable)
			out->outcome = OUTCOME_UNREACHABLE;
	} else if (greet(&c, p, out)) {
		transaction(&c, p, out);
	}
	if (c.fd >= 0) {
		if (c.error == NULL) {
			struct smtp_reply r;

			c.timeout_ms = c.timeout_ms < 2000 ? c.timeout_ms : 2000;
			exchange(&c, "QUIT", NULL, &r);
		}
		close(c.fd);
	}
}
