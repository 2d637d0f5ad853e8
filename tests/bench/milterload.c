/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * milterload.c -- a load generator that speaks the milter protocol the way
 * Postfix does: negotiate (offering every protocol step and no-reply flag),
 * then per session the connect, HELO, MAIL, RCPT, header and end-of-message
 * steps that the filter did not negotiate away, with the stage macros, and
 * QUIT.  C threads each run sessions over fresh connections until N are
 * done.  Prints one line of key=value figures.
 *
 *   milterload -s inet:PORT@HOST|unix:PATH -c CONC -n SESSIONS -C CLIENTS
 *              [-r RCPT] [-f FROM] [-l LOCAL_ADDR] [-w HOLD_S] [-p PID]
 *
 * CLIENTS holds "ADDRESS HELO [NAME]" lines, used in turn: NAME is the
 * client's name as the MTA forward-confirmed it, sent as {client_name} with
 * {client_resolve} OK when the filter asks for them at negotiation
 * (SMFIP_SETSYMLIST), as Postfix sends them; without NAME, unknown and FAIL,
 * as Postfix says of a client it could not confirm.  -w holds every session
 * open for HOLD_S seconds after RCPT (the memory measure).  -p names the
 * filter's process: its RSS and descriptors (while sessions are held, and at
 * the end), and the CPU time and page faults per session are reported.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <errno.h>
#include <libmilter/mfapi.h>
#include <libmilter/mfdef.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 100000
#define PROTO_OFFERED 0x001FFFFFUL      /* every step and no-reply flag of protocol 6 */
#define ACTIONS_OFFERED 0x000001FFUL

struct client {
	char addr[64];
	char helo[256];
	char name[256];                 /* the MTA's confirmed name, or "" */
};

static struct {
	struct sockaddr_storage sa;
	socklen_t salen;
	int conc;
	long sessions;
	const char *rcpt, *from, *local;
	int hold;
	long pid;
	struct client *clients;
	long nclients;
} opt = {.conc = 10, .sessions = 1000, .rcpt = "<user@example.net>",
	 .from = "<sender@sender.example>", .local = "127.0.0.25"};

static long next_session;               /* atomically taken */
static long held;                       /* sessions holding, for -w */
static long outcome[4];                 /* accepted, rejected, tempfailed, errors */
enum { OK, REJECTED, TEMPFAILED, ERRORS };

static double *latency;                 /* milliseconds, per session id */

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ---- the wire ------------------------------------------------------------ */

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len > 0) {
		ssize_t n = read(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Sends one packet: command and data (data may hold NULs). */
static int send_packet(int fd, char cmd, const void *data, size_t len)
{
	char buf[8192];
	uint32_t n = htonl((uint32_t)len + 1);

	if (len + 5 > sizeof buf)
		return -1;
	memcpy(buf, &n, 4);
	buf[4] = cmd;
	memcpy(buf + 5, data, len);
	return write_all(fd, buf, len + 5);
}

/* Reads one packet; returns its command, or -1. */
static int read_packet(int fd, char *data, size_t size, size_t *len)
{
	uint32_t n;
	char cmd;

	if (read_all(fd, &n, 4) != 0 || (n = ntohl(n)) < 1 || n - 1 > size ||
	    read_all(fd, &cmd, 1) != 0 || read_all(fd, data, n - 1) != 0)
		return -1;
	*len = n - 1;
	return (unsigned char)cmd;
}

/* "name\0value\0..." after the stage letter. */
static size_t macros(char *buf, char stage, const char *const *pairs)
{
	size_t n = 0;

	buf[n++] = stage;
	for (; pairs[0] != NULL; pairs += 2) {
		size_t a = strlen(pairs[0]) + 1, b = strlen(pairs[1]) + 1;

		memcpy(buf + n, pairs[0], a);
		memcpy(buf + n + a, pairs[1], b);
		n += a + b;
	}
	return n;
}

static int send_macros(int fd, char stage, const char *const *pairs)
{
	char buf[1024];

	return send_packet(fd, SMFIC_MACRO, buf, macros(buf, stage, pairs));
}

/*
 * Reads the answer to a step.  Returns OK to go on, REJECTED or TEMPFAILED
 * for a refusal, ERRORS when the filter broke the protocol.  At the end of
 * the message, modifications come first and are skipped.
 */
static int answer(int fd)
{
	char data[8192];
	size_t len;

	for (;;) {
		int cmd = read_packet(fd, data, sizeof data - 1, &len);

		switch (cmd) {
		case SMFIR_CONTINUE:
		case SMFIR_ACCEPT:
		case SMFIR_DISCARD:
			return OK;
		case SMFIR_REJECT:
			return REJECTED;
		case SMFIR_TEMPFAIL:
			return TEMPFAILED;
		case SMFIR_REPLYCODE:
			return len > 0 && data[0] == '4' ? TEMPFAILED : REJECTED;
		case SMFIR_ADDHEADER:
		case SMFIR_INSHEADER:
		case SMFIR_CHGHEADER:
		case SMFIR_PROGRESS:
		case SMFIR_ADDRCPT:
		case SMFIR_DELRCPT:
		case SMFIR_CHGFROM:
		case SMFIR_QUARANTINE:
			continue;
		default:
			return ERRORS;
		}
	}
}

/* ---- one session ----------------------------------------------------------- */

static int connect_filter(void)
{
	int fd = socket(opt.sa.ss_family, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		return -1;
	if (opt.sa.ss_family != AF_UNIX)
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(fd, (struct sockaddr *)&opt.sa, opt.salen) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * Did the filter's macro lists (after the three words of its answer: stage,
 * then a NUL-terminated list, each) ask for {client_name} at connect?
 */
static bool asks_client_name(const char *data, size_t len)
{
	size_t at = 12;

	while (at + 4 < len) {
		uint32_t stage;
		const char *list = data + at + 4, *end = memchr(list, '\0', len - at - 4);

		if (end == NULL)
			return false;
		memcpy(&stage, data + at, 4);
		if (ntohl(stage) == SMFIM_CONNECT && strstr(list, "{client_name}") != NULL)
			return true;
		at = (size_t)(end - data) + 1;
	}
	return false;
}

static int negotiate(int fd, unsigned long *proto, bool *client_macros)
{
	uint32_t o[3] = {htonl(SMFI_PROT_VERSION), htonl(ACTIONS_OFFERED), htonl(PROTO_OFFERED)};
	char data[8192];
	size_t len;

	if (send_packet(fd, SMFIC_OPTNEG, o, sizeof o) != 0 ||
	    read_packet(fd, data, sizeof data, &len) != SMFIC_OPTNEG || len < 12)
		return -1;
	memcpy(o, data, sizeof o);
	*proto = ntohl(o[2]);
	*client_macros = asks_client_name(data, len);
	return 0;
}

/* A step: its macros, its command unless skipped, its answer unless not wanted. */
static int step(int fd, unsigned long proto, unsigned long skip, unsigned long noreply,
		char cmd, const void *data, size_t len)
{
	if (proto & skip)
		return OK;
	if (send_packet(fd, cmd, data, len) != 0)
		return ERRORS;
	return proto & noreply ? OK : answer(fd);
}

static int run_session(const struct client *c, long id)
{
	char buf[1024], qid[32];
	unsigned long proto;
	size_t n;
	int fd = connect_filter(), r = ERRORS;
	uint16_t port = htons(40000);
	const char *name = c->name[0] ? c->name : "unknown";
	const char *const conn_macros[] = {"j", "mx1.example.net", "{daemon_name}", "mx1",
		"{daemon_addr}", opt.local, "{client_addr}", c->addr, NULL};
	const char *const conn_client_macros[] = {"j", "mx1.example.net", "{daemon_name}", "mx1",
		"{daemon_addr}", opt.local, "{client_addr}", c->addr,
		"{client_resolve}", c->name[0] ? "OK" : "FAIL", "{client_name}", name,
		"{client_ptr}", name, NULL};
	bool client_macros;
	const char *const helo_macros[] = {NULL};
	const char *const mail_macros[] = {"{mail_addr}", opt.from, NULL};
	const char *const rcpt_macros[] = {"{rcpt_addr}", opt.rcpt, NULL};
	const char *const eom_macros[] = {"i", qid, NULL};
	static const char *const headers[][2] = {
		{"From", "<sender@sender.example>"}, {"To", "<user@example.net>"},
		{"Subject", "load"}, {"Message-ID", "<load@sender.example>"},
	};

	snprintf(qid, sizeof qid, "4L%08lX", id);
	if (fd < 0)
		return ERRORS;
	if (negotiate(fd, &proto, &client_macros) != 0)
		goto out;
	/* connect: hostname, family, port, address */
	n = (size_t)snprintf(buf, sizeof buf, "client%ld.bench", id) + 1;
	buf[n++] = strchr(c->addr, ':') ? SMFIA_INET6 : SMFIA_INET;
	memcpy(buf + n, &port, 2);
	n += 2;
	n += (size_t)snprintf(buf + n, sizeof buf - n, "%s", c->addr) + 1;
	if (send_macros(fd, SMFIC_CONNECT, client_macros ? conn_client_macros : conn_macros) != 0 ||
	    (r = step(fd, proto, SMFIP_NOCONNECT, SMFIP_NR_CONN, SMFIC_CONNECT, buf, n)) != OK)
		goto out;
	if (send_macros(fd, SMFIC_HELO, helo_macros) != 0 ||
	    (r = step(fd, proto, SMFIP_NOHELO, SMFIP_NR_HELO, SMFIC_HELO, c->helo,
		      strlen(c->helo) + 1)) != OK)
		goto out;
	if (send_macros(fd, SMFIC_MAIL, mail_macros) != 0 ||
	    (r = step(fd, proto, SMFIP_NOMAIL, SMFIP_NR_MAIL, SMFIC_MAIL, opt.from,
		      strlen(opt.from) + 1)) != OK)
		goto out;
	if (send_macros(fd, SMFIC_RCPT, rcpt_macros) != 0 ||
	    (r = step(fd, proto, SMFIP_NORCPT, SMFIP_NR_RCPT, SMFIC_RCPT, opt.rcpt,
		      strlen(opt.rcpt) + 1)) != OK)
		goto out;
	if (opt.hold > 0) {
		__atomic_add_fetch(&held, 1, __ATOMIC_RELAXED);
		sleep((unsigned)opt.hold);
	}
	if ((r = step(fd, proto, SMFIP_NODATA, SMFIP_NR_DATA, SMFIC_DATA, "", 0)) != OK)
		goto out;
	for (size_t h = 0; h < sizeof headers / sizeof headers[0]; h++) {
		size_t a = strlen(headers[h][0]) + 1, b = strlen(headers[h][1]) + 1;

		memcpy(buf, headers[h][0], a);
		memcpy(buf + a, headers[h][1], b);
		if ((r = step(fd, proto, SMFIP_NOHDRS, SMFIP_NR_HDR, SMFIC_HEADER, buf, a + b)) != OK)
			goto out;
	}
	if ((r = step(fd, proto, SMFIP_NOEOH, SMFIP_NR_EOH, SMFIC_EOH, "", 0)) != OK)
		goto out;
	memset(buf, 'x', 1000);
	if ((r = step(fd, proto, SMFIP_NOBODY, SMFIP_NR_BODY, SMFIC_BODY, buf, 1000)) != OK)
		goto out;
	if (send_macros(fd, SMFIC_BODYEOB, eom_macros) != 0 ||
	    send_packet(fd, SMFIC_BODYEOB, "", 0) != 0) {
		r = ERRORS;
		goto out;
	}
	r = answer(fd);
out:
	if (r == REJECTED || r == TEMPFAILED)
		send_packet(fd, SMFIC_ABORT, "", 0);
	send_packet(fd, SMFIC_QUIT, "", 0);
	close(fd);
	return r;
}

static void *worker_main(void *arg)
{
	long id;

	(void)arg;
	while ((id = __atomic_fetch_add(&next_session, 1, __ATOMIC_RELAXED)) < opt.sessions) {
		double t0 = now_ms();
		int r = run_session(&opt.clients[id % opt.nclients], id);

		__atomic_add_fetch(&outcome[r], 1, __ATOMIC_RELAXED);
		latency[id] = now_ms() - t0;
	}
	return NULL;
}

/* ---- setup and report -------------------------------------------------------- */

static int parse_socket(const char *spec)
{
	memset(&opt.sa, 0, sizeof opt.sa);
	if (strncmp(spec, "unix:", 5) == 0 || strncmp(spec, "local:", 6) == 0) {
		struct sockaddr_un *sun = (struct sockaddr_un *)&opt.sa;

		sun->sun_family = AF_UNIX;
		snprintf(sun->sun_path, sizeof sun->sun_path, "%s", strchr(spec, ':') + 1);
		opt.salen = sizeof *sun;
		return 0;
	}
	if (strncmp(spec, "inet:", 5) == 0) {
		struct sockaddr_in *sin = (struct sockaddr_in *)&opt.sa;
		const char *at = strchr(spec, '@');

		sin->sin_family = AF_INET;
		sin->sin_port = htons((uint16_t)atoi(spec + 5));
		if (at == NULL || inet_pton(AF_INET, at + 1, &sin->sin_addr) != 1)
			return -1;
		opt.salen = sizeof *sin;
		return 0;
	}
	return -1;
}

static int load_clients(const char *path)
{
	FILE *in = fopen(path, "r");
	char line[512];

	if (in == NULL)
		return -1;
	opt.clients = calloc(MAX_CLIENTS, sizeof *opt.clients);
	while (opt.clients && opt.nclients < MAX_CLIENTS && fgets(line, sizeof line, in)) {
		struct client *c = &opt.clients[opt.nclients];

		c->name[0] = '\0';
		if (sscanf(line, "%63s %255s %255s", c->addr, c->helo, c->name) >= 2)
			opt.nclients++;
	}
	fclose(in);
	return opt.nclients > 0 ? 0 : -1;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* CPU time (user + system, ms) and minor page faults of a process; -1 if unknown. */
static void process_cpu(long pid, double *cpu_ms, double *faults)
{
	char path[64], buf[2048], *p;
	unsigned long minflt, utime, stime;
	FILE *in;
	size_t n;

	*cpu_ms = *faults = -1;
	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if ((in = fopen(path, "r")) == NULL)
		return;
	n = fread(buf, 1, sizeof buf - 1, in);
	fclose(in);
	buf[n] = '\0';
	/* after the command name in parentheses: minflt is field 10, utime and stime 14 and 15 */
	if ((p = strrchr(buf, ')')) == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %lu %*u %*u %*u %lu %lu",
		   &minflt, &utime, &stime) != 3)
		return;
	*cpu_ms = (utime + stime) * 1000.0 / (double)sysconf(_SC_CLK_TCK);
	*faults = (double)minflt;
}

/* RSS in kB and open descriptors of a process, or -1. */
static void process_usage(long pid, long *rss_kb, long *fds)
{
	char path[64], line[256];
	FILE *in;

	*rss_kb = *fds = -1;
	snprintf(path, sizeof path, "/proc/%ld/status", pid);
	if ((in = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof line, in))
			if (sscanf(line, "VmRSS: %ld", rss_kb) == 1)
				break;
		fclose(in);
	}
	snprintf(path, sizeof path, "/bin/ls /proc/%ld/fd 2>/dev/null | wc -l", pid);
	if ((in = popen(path, "r")) != NULL) {
		if (fscanf(in, "%ld", fds) != 1)
			*fds = -1;
		pclose(in);
	}
}

static void usage(void)
{
	fprintf(stderr, "usage: milterload -s inet:PORT@HOST|unix:PATH -c CONC -n SESSIONS "
		"-C CLIENTS [-r RCPT] [-f FROM] [-l LOCAL_ADDR] [-w HOLD_S] [-p PID]\n");
	exit(3);
}

int main(int argc, char **argv)
{
	pthread_t *tids;
	double t0, secs, cpu0 = 0, faults0 = 0;
	long total;
	int ch;
	const char *clients = NULL;

	while ((ch = getopt(argc, argv, "s:c:n:C:r:f:l:w:p:")) != -1) {
		switch (ch) {
		case 's': if (parse_socket(optarg) != 0) usage(); break;
		case 'c': opt.conc = atoi(optarg); break;
		case 'n': opt.sessions = atol(optarg); break;
		case 'C': clients = optarg; break;
		case 'r': opt.rcpt = optarg; break;
		case 'f': opt.from = optarg; break;
		case 'l': opt.local = optarg; break;
		case 'w': opt.hold = atoi(optarg); break;
		case 'p': opt.pid = atol(optarg); break;
		default: usage();
		}
	}
	if (opt.salen == 0 || clients == NULL || opt.conc < 1 || opt.sessions < 1 ||
	    load_clients(clients) != 0)
		usage();
	tids = calloc((size_t)opt.conc, sizeof *tids);
	latency = calloc((size_t)opt.sessions, sizeof *latency);
	if (tids == NULL || latency == NULL)
		return 2;
	if (opt.pid > 0)
		process_cpu(opt.pid, &cpu0, &faults0);
	t0 = now_ms();
	for (int i = 0; i < opt.conc; i++) {
		pthread_attr_t attr;

		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, 256 * 1024);
		if (pthread_create(&tids[i], &attr, worker_main, NULL) != 0) {
			fprintf(stderr, "milterload: cannot start thread %d\n", i);
			return 2;
		}
		pthread_attr_destroy(&attr);
	}
	if (opt.hold > 0 && opt.pid > 0) {
		long rss, fds;

		/* bounded: until every session holds, or the hold time is over */
		for (int i = 0; i < opt.hold * 10 &&
		     __atomic_load_n(&held, __ATOMIC_RELAXED) < opt.sessions; i++)
			usleep(100 * 1000);
		process_usage(opt.pid, &rss, &fds);
		printf("held=%ld held_rss_kb=%ld held_fds=%ld ", held, rss, fds);
	}
	for (int i = 0; i < opt.conc; i++)
		pthread_join(tids[i], NULL);
	secs = (now_ms() - t0) / 1e3;
	total = opt.sessions;
	qsort(latency, (size_t)total, sizeof *latency, cmp_double);
	printf("sessions=%ld seconds=%.3f rate=%.1f p50_ms=%.3f p99_ms=%.3f "
	       "accepted=%ld rejected=%ld tempfailed=%ld errors=%ld",
	       total, secs, total / secs, latency[total / 2], latency[(total * 99) / 100],
	       outcome[OK], outcome[REJECTED], outcome[TEMPFAILED], outcome[ERRORS]);
	if (opt.pid > 0) {
		long rss, fds;
		double cpu, faults;

		process_usage(opt.pid, &rss, &fds);
		process_cpu(opt.pid, &cpu, &faults);
		printf(" rss_kb=%ld fds=%ld cpu_ms_per_session=%.3f faults_per_session=%.1f", rss, fds,
		       (cpu - cpu0) / (double)total, (faults - faults0) / (double)total);
	}
	printf("\n");
	free(latency);
	free(tids);
	free(opt.clients);
	return outcome[ERRORS] > 0 ? 1 : 0;
}
