/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * swap_socket.c -- an LD_PRELOAD shim for test_rootfiles.sh: it wins, every
 * time, the race that an unprivileged user owning the socket's directory
 * could win now and then.  Right after bind() creates the unix socket
 * named by $SWAP_SOCKET_PATH, the socket is removed and a symbolic link
 * to $SWAP_SOCKET_TARGET put in its place, before the milter sets the
 * socket's mode and owner.
 *     cc -shared -fPIC -o swap_socket.so swap_socket.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int bind(int fd, const struct sockaddr *addr, socklen_t len)
{
	static int (*real_bind)(int, const struct sockaddr *, socklen_t);
	const char *path = getenv("SWAP_SOCKET_PATH"), *target = getenv("SWAP_SOCKET_TARGET");
	const struct sockaddr_un *un = (const struct sockaddr_un *)(const void *)addr;
	int rc;

	if (real_bind == NULL)
		real_bind = (int (*)(int, const struct sockaddr *, socklen_t))dlsym(RTLD_NEXT, "bind");
	rc = real_bind(fd, addr, len);
	if (rc == 0 && path != NULL && target != NULL && addr->sa_family == AF_UNIX &&
	    strcmp(un->sun_path, path) == 0 && unlink(path) == 0)
		(void)symlink(target, path);
	return rc;
}
