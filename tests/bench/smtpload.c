/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * smtpload.c -- SMTP sessions from many source addresses, for the DNS
 * latency benchmark: smtp-source always connects from one address, so a
 * filter's cache would be warm after its first session.  Each session binds
 * the next "ADDRESS HELO" of the clients file, then EHLO, MAIL, RCPT, DATA
 * (1 KB), QUIT.  Prints one line of key=value figures.
 *
 *   smtpload -S HOST:PORT -c CONC -n SESSIONS -C CLIENTS [-r RCPT] [-f FROM]
 *            [-N FIRST] [-K CYCLE]
 *
 * A "{n}" in RCPT becomes a number per session, FIRST + the session's
 * index (modulo CYCLE when given): recipients never seen before, or a set
 * that repeats, for the recipient verification benchmark.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 100000

struct client {
	struct in_addr addr;
	char helo[256];
};

static struct sockaddr_in server;
static int conc = 1;
static long sessions = 100, nclients, rcpt_first, rcpt_cycle;
static const char *rcpt = "user@example.net", *from = "sender@sender.example";
static struct client *clients;
static double *latency;
static long next_session, outcome[4];
enum { OK, REJECTED, TEMPFAILED, ERRORS };

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* Reads one reply (multi-line included); returns its code, or -1. */
static int reply(int fd, char *buf, size_t size, size_t *have)
{
	for (int rounds = 0; rounds < 1000; rounds++) {
		char *line = buf, *nl;
		ssize_t n;

		while ((nl = memchr(line, '\n', (size_t)(buf + *have - line))) != NULL) {
			if (nl - line >= 4 && line[3] == ' ') {
				int code = atoi(line);

				*have -= (size_t)(nl + 1 - buf);
				memmove(buf, nl + 1, *have);
				return code;
			}
			line = nl + 1;
		}
		if (*have == size)
			return -1;
		n = read(fd, buf + *have, size - *have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		*have += (size_t)n;
	}
	return -1;
}

static int say(int fd, const char *text)
{
	size_t len = strlen(text);

	return write(fd, text, len) == (ssize_t)len ? 0 : -1;
}

/* One command and its reply; returns the outcome class. */
static int command(int fd, const char *text, int want, char *buf, size_t size, size_t *have)
{
	int code;

	if (text != NULL && say(fd, text) != 0)
		return ERRORS;
	code = reply(fd, buf, size, have);
	if (code == want)
		return OK;
	return code >= 500 ? REJECTED : code >= 400 ? TEMPFAILED : ERRORS;
}

/* The recipient of session ID: RCPT with its "{n}" replaced. */
static void rcpt_of(long id, char *out, size_t size)
{
	const char *mark = strstr(rcpt, "{n}");
	long n = rcpt_first + (rcpt_cycle > 0 ? id % rcpt_cycle : id);

	if (mark == NULL)
		snprintf(out, size, "%s", rcpt);
	else
		snprintf(out, size, "%.*s%ld%s", (int)(mark - rcpt), rcpt, n, mark + 3);
}

static int run_session(const struct client *c, long id)
{
	struct sockaddr_in src = {.sin_family = AF_INET, .sin_addr = c->addr};
	char buf[8192], line[600], body[1100], to[300];
	size_t have = 0;
	int fd = socket(AF_INET, SOCK_STREAM, 0), r = ERRORS;

	struct timeval limit = {.tv_sec = 30};

	if (fd < 0)
		return ERRORS;
	/* a server that stops answering is an error, not a hung benchmark */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
	if (bind(fd, (struct sockaddr *)&src, sizeof src) != 0 ||
	    connect(fd, (struct sockaddr *)&server, sizeof server) != 0)
		goto out;
	/* the message in one write: a second small one would wait for the
	 * server's delayed ACK of the first (Nagle), 40 ms a session */
	memcpy(body, "Subject: load\r\n\r\n", 17);
	memset(body + 17, 'x', 1022);
	memcpy(body + 1039, "\r\n.\r\n", 6);
	if ((r = command(fd, NULL, 220, buf, sizeof buf, &have)) != OK)
		goto out;
	snprintf(line, sizeof line, "EHLO %s\r\n", c->helo);
	if ((r = command(fd, line, 250, buf, sizeof buf, &have)) != OK)
		goto out;
	snprintf(line, sizeof line, "MAIL FROM:<%s>\r\n", from);
	if ((r = command(fd, line, 250, buf, sizeof buf, &have)) != OK)
		goto out;
	rcpt_of(id, to, sizeof to);
	snprintf(line, sizeof line, "RCPT TO:<%s>\r\n", to);
	if ((r = command(fd, line, 250, buf, sizeof buf, &have)) != OK)
		goto out;
	if ((r = command(fd, "DATA\r\n", 354, buf, sizeof buf, &have)) != OK)
		goto out;
	r = command(fd, body, 250, buf, sizeof buf, &have);
out:
	say(fd, "QUIT\r\n");
	close(fd);
	return r;
}

static void *worker(void *arg)
{
	long id;

	(void)arg;
	while ((id = __atomic_fetch_add(&next_session, 1, __ATOMIC_RELAXED)) < sessions) {
		double t0 = now_ms();
		int r = run_session(&clients[id % nclients], id);

		__atomic_add_fetch(&outcome[r], 1, __ATOMIC_RELAXED);
		latency[id] = now_ms() - t0;
	}
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int load_clients(const char *path)
{
	FILE *in = fopen(path, "r");
	char line[512], addr[64];

	if (in == NULL)
		return -1;
	clients = calloc(MAX_CLIENTS, sizeof *clients);
	while (clients && nclients < MAX_CLIENTS && fgets(line, sizeof line, in)) {
		struct client *c = &clients[nclients];

		if (sscanf(line, "%63s %255s", addr, c->helo) == 2 &&
		    inet_pton(AF_INET, addr, &c->addr) == 1)
			nclients++;
	}
	fclose(in);
	return nclients > 0 ? 0 : -1;
}

static void usage(void)
{
	fprintf(stderr, "usage: smtpload -S HOST:PORT -c CONC -n SESSIONS -C CLIENTS "
		"[-r RCPT] [-f FROM] [-N FIRST] [-K CYCLE]\n");
	exit(3);
}

int main(int argc, char **argv)
{
	pthread_t *tids;
	double t0, secs, sum = 0;
	int ch;
	char *colon;
	const char *list = NULL;

	while ((ch = getopt(argc, argv, "S:c:n:C:r:f:N:K:")) != -1) {
		switch (ch) {
		case 'S':
			colon = strrchr(optarg, ':');
			if (colon == NULL)
				usage();
			*colon = '\0';
			server.sin_family = AF_INET;
			server.sin_port = htons((unsigned short)atoi(colon + 1));
			if (inet_pton(AF_INET, optarg, &server.sin_addr) != 1)
				usage();
			break;
		case 'c': conc = atoi(optarg); break;
		case 'n': sessions = atol(optarg); break;
		case 'C': list = optarg; break;
		case 'r': rcpt = optarg; break;
		case 'f': from = optarg; break;
		case 'N': rcpt_first = atol(optarg); break;
		case 'K': rcpt_cycle = atol(optarg); break;
		default: usage();
		}
	}
	if (server.sin_family == 0 || list == NULL || conc < 1 || sessions < 1 ||
	    load_clients(list) != 0)
		usage();
	tids = calloc((size_t)conc, sizeof *tids);
	latency = calloc((size_t)sessions, sizeof *latency);
	if (tids == NULL || latency == NULL)
		return 2;
	t0 = now_ms();
	for (int i = 0; i < conc; i++)
		if (pthread_create(&tids[i], NULL, worker, NULL) != 0)
			return 2;
	for (int i = 0; i < conc; i++)
		pthread_join(tids[i], NULL);
	secs = (now_ms() - t0) / 1e3;
	for (long i = 0; i < sessions; i++)
		sum += latency[i];
	qsort(latency, (size_t)sessions, sizeof *latency, cmp_double);
	printf("sessions=%ld seconds=%.3f rate=%.1f mean_ms=%.2f p50_ms=%.2f p99_ms=%.2f "
	       "accepted=%ld rejected=%ld tempfailed=%ld errors=%ld\n",
	       sessions, secs, sessions / secs, sum / sessions, latency[sessions / 2],
	       latency[(sessions * 99) / 100], outcome[OK], outcome[REJECTED],
	       outcome[TEMPFAILED], outcome[ERRORS]);
	free(latency);
	free(tids);
	free(clients);
	return outcome[ERRORS] > 0 ? 1 : 0;
}
