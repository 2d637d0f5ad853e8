/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * portowner.c -- the listener of a TCP port, found through /proc/net/tcp
 * (and tcp6) for its socket inode and /proc/PID/fd for the process that
 * holds that inode.  Run as root before privileges are dropped, it sees
 * every process; as another user, only that user's own.
 */
#include "autoconfig.h"

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/netaddr.h"
#include "daemon/portowner.h"

#define TCP_LISTEN 0x0A         /* the st column of /proc/net/tcp */
#define SCAN_PROCESSES_MAX 65536    /* bounds the walk of /proc */

/*
 * An address as /proc/net/tcp{,6} prints it: 32-bit words in hex, each in
 * host byte order (x86: little-endian).
 */
static bool proc_address(const char *hex, struct netaddr *out)
{
	size_t words = strlen(hex) / 8;

	if (strlen(hex) % 8 != 0 || (words != 1 && words != 4))
		return false;
	out->family = words == 1 ? AF_INET : AF_INET6;
	for (size_t w = 0; w < words; w++) {
		char part[9];
		uint32_t v;

		memcpy(part, hex + 8 * w, 8);
		part[8] = '\0';
		v = (uint32_t)strtoul(part, NULL, 16);
		memcpy(out->bytes + 4 * w, &v, 4);
	}
	return true;
}

/* Would a listener on have stop a bind to want (NULL: a name, any address)? */
static bool overlaps(const struct netaddr *have, const struct netaddr *want)
{
	return want == NULL || netaddr_is_unspecified(have) || netaddr_is_unspecified(want) ||
	       netaddr_equal(have, want);
}

/* The inode of a socket listening on want:port in one /proc/net table, or 0. */
static unsigned long listener_inode(const char *table, const struct netaddr *want,
				    unsigned port)
{
	FILE *in = fopen(table, "r");
	char line[512];
	unsigned long inode = 0;

	if (in == NULL)
		return 0;
	if (fgets(line, sizeof line, in) == NULL) {   /* the column headings */
		fclose(in);
		return 0;
	}
	while (inode == 0 && fgets(line, sizeof line, in) != NULL) {
		char local[80];
		unsigned lport, st;
		unsigned long ino;
		struct netaddr have;

		/* "sl local rem st tx:rx tr:when retrnsmt uid timeout inode" */
		if (sscanf(line, " %*d: %79[0-9A-Fa-f]:%x %*s %x %*s %*s %*s %*u %*u %lu",
			   local, &lport, &st, &ino) == 4 && lport == port && st == TCP_LISTEN &&
		    proc_address(local, &have) && overlaps(&have, want))
			inode = ino;
	}
	fclose(in);
	return inode;
}

/* Does process pid hold the socket with this inode? */
static bool holds_inode(const char *pid, unsigned long inode)
{
	char dir[300], want[64];
	DIR *fds;
	struct dirent *e;
	bool found = false;

	snprintf(dir, sizeof dir, "/proc/%s/fd", pid);
	snprintf(want, sizeof want, "socket:[%lu]", inode);
	fds = opendir(dir);
	if (fds == NULL)
		return false;
	while (!found && (e = readdir(fds)) != NULL) {
		char link[600], target[64];
		ssize_t n;

		snprintf(link, sizeof link, "%s/%s", dir, e->d_name);
		n = readlink(link, target, sizeof target - 1);
		if (n > 0) {
			target[n] = '\0';
			found = strcmp(target, want) == 0;
		}
	}
	closedir(fds);
	return found;
}

/* The process holding inode: its pid and command name; false if none seen. */
static bool inode_holder(unsigned long inode, long *pid, char *comm, size_t len)
{
	DIR *proc = opendir("/proc");
	struct dirent *e;
	bool found = false;

	if (proc == NULL)
		return false;
	for (int seen = 0; !found && seen < SCAN_PROCESSES_MAX && (e = readdir(proc)) != NULL;
	     seen++) {
		char path[300];
		FILE *in;

		if (strspn(e->d_name, "0123456789") != strlen(e->d_name) ||
		    !holds_inode(e->d_name, inode))
			continue;
		found = true;
		*pid = strtol(e->d_name, NULL, 10);
		snprintf(comm, len, "?");
		snprintf(path, sizeof path, "/proc/%s/comm", e->d_name);
		in = fopen(path, "r");
		if (in != NULL) {
			if (fgets(comm, (int)len, in) != NULL)
				comm[strcspn(comm, "\n")] = '\0';
			fclose(in);
		}
	}
	closedir(proc);
	return found;
}

bool portowner_explain(const char *spec, char *out, size_t len)
{
	const char *colon = strchr(spec, ':'), *at = strchr(spec, '@');
	struct netaddr want;
	bool numeric;
	unsigned long inode;
	char comm[64];
	long pid;
	unsigned port;

	if (colon == NULL || (strncmp(spec, "inet:", 5) != 0 && strncmp(spec, "inet6:", 6) != 0) ||
	    sscanf(colon + 1, "%u", &port) != 1)
		return false;
	numeric = at != NULL && netaddr_parse(at + 1, &want);
	inode = listener_inode(spec[4] == '6' ? "/proc/net/tcp6" : "/proc/net/tcp",
			       numeric ? &want : NULL, port);
	if (inode == 0 && spec[4] != '6') {
		/* an IPv6 wildcard listener takes IPv4 too */
		struct netaddr any6 = {.family = AF_INET6};

		inode = listener_inode("/proc/net/tcp6", &any6, port);
	}
	if (inode == 0)
		return false;
	if (inode_holder(inode, &pid, comm, sizeof comm))
		snprintf(out, len, "port %u is taken by %s (pid %ld)", port, comm, pid);
	else
		snprintf(out, len, "port %u is taken by a process this user cannot see; "
			 "`ss -ltnp 'sport = :%u'` as root shows which", port, port);
	return true;
}
