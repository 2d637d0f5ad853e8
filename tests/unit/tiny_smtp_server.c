/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tiny_smtp_server.c -- a proper or faulty SMTP server on 127.0.0.1.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "tiny_smtp_server.h"

/* No connection is served longer than this, whatever the client does. */
#define SERVE_MAX_MS 10000
#define LOG_MAX 16384

struct tiny_smtp {
	enum smtp_mode mode;
	bool pipelining;
	int listen_fd;
	int stop[2];
	unsigned port;
	pthread_t tid;
	pthread_mutex_t lock;
	char log[LOG_MAX];
	unsigned connections, grouped;
	bool busy;
	char peer[INET6_ADDRSTRLEN];
};

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static void say(int fd, const char *text)
{
	(void)send(fd, text, strlen(text), MSG_NOSIGNAL);
}

static void note(struct tiny_smtp *s, const char *line)
{
	size_t o;

	pthread_mutex_lock(&s->lock);
	o = strlen(s->log);
	snprintf(s->log + o, sizeof s->log - o, "%s\n", line);
	pthread_mutex_unlock(&s->lock);
}

/*
 * Waits for the client's bytes: their count, 0 when it closed, -1 when
 * until passed, -2 when the server stops.
 */
static int wait_read(struct tiny_smtp *s, int fd, char *buf, size_t len, long until)
{
	struct pollfd p[2] = {{fd, POLLIN, 0}, {s->stop[0], POLLIN, 0}};
	long left = until - now_ms();
	int n;

	if (left <= 0)
		return -1;
	n = poll(p, 2, (int)left);
	if (n < 0 || p[1].revents)
		return -2;
	if (n == 0)
		return -1;
	n = (int)recv(fd, buf, len, 0);
	return n < 0 ? -2 : n;
}

static const char *rcpt_reply(const char *line)
{
	if (strncasecmp(line, "RCPT TO:<nosuch", 15) == 0)
		return "550 5.1.1 <nosuch@example.test>: Recipient address rejected: "
		       "User unknown in local recipient table\r\n";
	if (strncasecmp(line, "RCPT TO:<grey", 13) == 0)
		return "450 4.2.0 <grey@example.test>: Recipient address rejected: Greylisted\r\n";
	if (strncasecmp(line, "RCPT TO:<policy", 15) == 0)
		return "554 5.7.1 <policy@example.test>: Relay access denied\r\n";
	return "250 2.1.5 Ok\r\n";
}

/* The answer to one command; NULL: close the connection. */
static const char *answer(struct tiny_smtp *s, const char *line)
{
	if (strncasecmp(line, "EHLO", 4) == 0) {
		if (s->mode == SMTP_NO_EHLO)
			return "502 5.5.2 Error: command not recognized\r\n";
		return s->pipelining ? "250-mx1.example.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
				       "250 8BITMIME\r\n"
				     : "250-mx1.example.test\r\n250 8BITMIME\r\n";
	}
	if (strncasecmp(line, "HELO", 4) == 0)
		return "250 mx1.example.test\r\n";
	if (strncasecmp(line, "MAIL FROM:", 10) == 0)
		return s->mode == SMTP_CLOSE_AT_MAIL ? NULL : "250 2.1.0 Ok\r\n";
	if (strncasecmp(line, "RCPT TO:", 8) == 0)
		return rcpt_reply(line);
	if (strcasecmp(line, "RSET") == 0)
		return "250 2.0.0 Ok\r\n";
	if (strcasecmp(line, "QUIT") == 0)
		return NULL;
	if (strcasecmp(line, "DATA") == 0)
		return "554 5.5.1 Error: no valid recipients\r\n";
	return "502 5.5.2 Error: command not recognized\r\n";
}

/* Takes the complete lines off buf; false when the connection is to close. */
static bool take_lines(struct tiny_smtp *s, int fd, char *buf, size_t *len)
{
	char *nl;
	unsigned taken = 0;
	bool go_on = true;

	while (go_on && (nl = memchr(buf, '\n', *len)) != NULL) {
		size_t n = (size_t)(nl - buf) + 1;
		const char *reply;

		*nl = '\0';
		if (nl > buf && nl[-1] == '\r')
			nl[-1] = '\0';
		note(s, buf);
		reply = answer(s, buf);
		if (reply == NULL) {
			if (strcasecmp(buf, "QUIT") == 0)
				say(fd, "221 2.0.0 Bye\r\n");
			go_on = false;
		} else {
			say(fd, reply);
		}
		memmove(buf, buf + n, *len - n);
		*len -= n;
		taken++;
	}
	if (taken > 1) {
		pthread_mutex_lock(&s->lock);
		s->grouped++;
		pthread_mutex_unlock(&s->lock);
	}
	return go_on;
}

static void converse(struct tiny_smtp *s, int fd, long until)
{
	char buf[4096];
	size_t len = 0;
	int n;

	say(fd, s->mode == SMTP_BAD_GREETING ? "554 5.3.2 mx1.example.test not now\r\n"
					      : "220 mx1.example.test ESMTP\r\n");
	while ((n = wait_read(s, fd, buf + len, sizeof buf - 1 - len, until)) > 0) {
		len += (size_t)n;
		if (!take_lines(s, fd, buf, &len) || len == sizeof buf - 1)
			return;
	}
}

/* The faulty servers: then they wait until the client gives up. */
static void misbehave(struct tiny_smtp *s, int fd, long until)
{
	char buf[512];
	int n;

	if (s->mode == SMTP_GARBAGE)
		say(fd, "HTTP/1.1 400 Bad Request\r\nContent-Type: text/html\r\n\r\n<html>");
	if (s->mode == SMTP_DRIP)
		say(fd, "220-");
	while (now_ms() < until) {
		long wake = s->mode == SMTP_DRIP ? now_ms() + 50 : until;

		n = wait_read(s, fd, buf, sizeof buf, wake < until ? wake : until);
		if (n == 0 || n == -2)
			return;
		if (n == -1 && s->mode == SMTP_DRIP)
			say(fd, "x");
	}
}

static void serve(struct tiny_smtp *s, int fd)
{
	long until = now_ms() + SERVE_MAX_MS;

	if (s->mode == SMTP_SILENT || s->mode == SMTP_GARBAGE || s->mode == SMTP_DRIP)
		misbehave(s, fd, until);
	else
		converse(s, fd, until);
}

static void *run(void *arg)
{
	struct tiny_smtp *s = arg;

	for (;;) {
		struct pollfd p[2] = {{s->listen_fd, POLLIN, 0}, {s->stop[0], POLLIN, 0}};
		struct sockaddr_in peer;
		socklen_t plen = sizeof peer;
		int fd;

		if (poll(p, 2, -1) < 0 || p[1].revents)
			return NULL;
		fd = accept(s->listen_fd, (struct sockaddr *)&peer, &plen);
		if (fd < 0)
			continue;
		pthread_mutex_lock(&s->lock);
		s->busy = true;
		s->connections++;
		inet_ntop(AF_INET, &peer.sin_addr, s->peer, sizeof s->peer);
		pthread_mutex_unlock(&s->lock);
		serve(s, fd);
		close(fd);
		pthread_mutex_lock(&s->lock);
		s->busy = false;
		pthread_mutex_unlock(&s->lock);
	}
}

static int listen_on_loopback(unsigned *port)
{
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	socklen_t alen = sizeof a;
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0 || listen(fd, 64) != 0 ||
	    getsockname(fd, (struct sockaddr *)&a, &alen) != 0) {
		close(fd);
		return -1;
	}
	*port = ntohs(a.sin_port);
	return fd;
}

struct tiny_smtp *tiny_smtp_start(enum smtp_mode mode, bool pipelining)
{
	struct tiny_smtp *s = calloc(1, sizeof *s);

	if (s == NULL)
		return NULL;
	s->mode = mode;
	s->pipelining = pipelining;
	pthread_mutex_init(&s->lock, NULL);
	s->listen_fd = listen_on_loopback(&s->port);
	if (s->listen_fd < 0 || pipe(s->stop) != 0) {
		if (s->listen_fd >= 0)
			close(s->listen_fd);
		free(s);
		return NULL;
	}
	if (pthread_create(&s->tid, NULL, run, s) != 0) {
		close(s->listen_fd);
		close(s->stop[0]);
		close(s->stop[1]);
		free(s);
		return NULL;
	}
	return s;
}

void tiny_smtp_stop(struct tiny_smtp *s)
{
	if (write(s->stop[1], "x", 1) != 1)
		return;
	pthread_join(s->tid, NULL);
	close(s->listen_fd);
	close(s->stop[0]);
	close(s->stop[1]);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

unsigned tiny_smtp_port(const struct tiny_smtp *s)
{
	return s->port;
}

void tiny_smtp_log(struct tiny_smtp *s, char *buf, unsigned len)
{
	pthread_mutex_lock(&s->lock);
	snprintf(buf, len, "%s", s->log);
	pthread_mutex_unlock(&s->lock);
}

unsigned tiny_smtp_connections(struct tiny_smtp *s)
{
	unsigned n;

	pthread_mutex_lock(&s->lock);
	n = s->connections;
	pthread_mutex_unlock(&s->lock);
	return n;
}

void tiny_smtp_last_peer(struct tiny_smtp *s, char *buf, unsigned len)
{
	pthread_mutex_lock(&s->lock);
	snprintf(buf, len, "%s", s->peer);
	pthread_mutex_unlock(&s->lock);
}

bool tiny_smtp_idle(struct tiny_smtp *s, unsigned expect_connections)
{
	for (int i = 0; i < 400; i++) {
		bool idle;

		pthread_mutex_lock(&s->lock);
		idle = !s->busy && s->connections >= expect_connections;
		pthread_mutex_unlock(&s->lock);
		if (idle)
			return true;
		usleep(5000);
	}
	return false;
}

unsigned tiny_smtp_grouped_reads(struct tiny_smtp *s)
{
	unsigned n;

	pthread_mutex_lock(&s->lock);
	n = s->grouped;
	pthread_mutex_unlock(&s->lock);
	return n;
}
