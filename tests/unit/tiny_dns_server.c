/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * tiny_dns_server.c -- see tiny_dns_server.h.
 */
#include "autoconfig.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "tiny_dns_server.h"

static int server_fd = -1;
static tiny_handler *server_handler;

/* Reads the question's name as text; returns the offset after QTYPE/QCLASS, 0 if malformed. */
static size_t question(const unsigned char *q, size_t len, char *name, int *qtype)
{
	size_t p = 12, o = 0;

	while (p < len && q[p] != 0) {
		unsigned l = q[p];

		if (l > 63 || p + 1 + l >= len || o + l + 1 > 255)
			return 0;
		if (o)
			name[o++] = '.';
		memcpy(name + o, q + p + 1, l);
		o += l;
		p += 1 + l;
	}
	name[o] = '\0';
	if (p + 5 > len)
		return 0;
	*qtype = q[p + 1] << 8 | q[p + 2];
	return p + 5;
}

static void put(unsigned char *b, size_t *n, const void *data, size_t len)
{
	memcpy(b + *n, data, len);
	*n += len;
}

static size_t build(const unsigned char *q, size_t qend, const struct tiny_reply *t,
		    unsigned char *r)
{
	size_t n = qend;

	memcpy(r, q, qend);
	r[2] = 0x84 | (q[2] & 1);       /* QR, AA, RD copied */
	r[3] = (unsigned char)(t->rcode & 0xf);
	r[4] = 0;
	r[5] = 1;
	r[6] = r[7] = r[8] = r[9] = r[10] = r[11] = 0;
	if (t->rcode == 0 && t->has_a) {
		unsigned char rr[] = {0xc0, 0x0c, 0, 1, 0, 1,
			(unsigned char)(t->ttl >> 24), (unsigned char)(t->ttl >> 16),
			(unsigned char)(t->ttl >> 8), (unsigned char)t->ttl, 0, 4};

		r[7] = 1;
		put(r, &n, rr, sizeof rr);
		put(r, &n, t->a, 4);
	} else if (t->rcode == 0 || t->rcode == 3) {
		/* SOA TTL 3600; the negative TTL is its MINIMUM (RFC 2308) */
		unsigned m = t->negative_ttl;
		unsigned char soa[] = {
			0xc0, 0x0c, 0, 6, 0, 1, 0, 0, 0x0e, 0x10, 0, 24,
			0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0x0e, 0x10, 0, 0, 2, 0x58,
			0, 1, 0x51, 0x80,
			(unsigned char)(m >> 24), (unsigned char)(m >> 16),
			(unsigned char)(m >> 8), (unsigned char)m
		};

		r[9] = 1;
		put(r, &n, soa, sizeof soa);
	}
	return n;
}

static void *serve(void *arg)
{
	(void)arg;
	for (;;) {
		unsigned char q[512], r[512];
		char name[256];
		struct sockaddr_in from;
		socklen_t fromlen = sizeof from;
		struct tiny_reply t = {0};
		ssize_t len = recvfrom(server_fd, q, sizeof q, 0, (struct sockaddr *)&from, &fromlen);
		size_t qend;
		int qtype = 0;

		if (len < 0)
			return NULL;
		if (len <= 12 || (qend = question(q, (size_t)len, name, &qtype)) == 0 ||
		    qend + 64 > sizeof r)
			continue;
		server_handler(name, qtype, &t);
		if (t.silent)
			continue;
		if (t.delay_ms > 0)
			usleep((useconds_t)t.delay_ms * 1000);
		sendto(server_fd, r, build(q, qend, &t, r), 0, (struct sockaddr *)&from, fromlen);
	}
}

int tiny_dns_start(tiny_handler *handler)
{
	struct sockaddr_in sin = {.sin_family = AF_INET};
	socklen_t len = sizeof sin;
	pthread_t tid;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	server_handler = handler;
	server_fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (server_fd < 0 || bind(server_fd, (struct sockaddr *)&sin, sizeof sin) != 0 ||
	    getsockname(server_fd, (struct sockaddr *)&sin, &len) != 0)
		return -1;
	if (pthread_create(&tid, NULL, serve, NULL) != 0)
		return -1;
	pthread_detach(tid);
	return ntohs(sin.sin_port);
}
