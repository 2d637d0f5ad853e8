#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""delayproxy.py LISTEN_ADDR LISTEN_PORT TO_ADDR TO_PORT [ONE_WAY_MS]

A TCP proxy that puts a network between its clients and a server, for
the recipient verification benchmark: this machine has no netem.  Every
chunk read on one side is written to the other ONE_WAY_MS (10) later, in
the order read, so that a request and its reply cost one round trip of
2 x ONE_WAY_MS.  The kernel completes the TCP handshake at once, so the
server's first bytes (an SMTP banner) are held until 2 round trips after
the accept, as on a real network: one round trip for SYN and SYN-ACK, and
one for the client's ACK to reach the server and the banner to come back.
An end of stream is passed on like a chunk.  Each direction has a reader
and a writer thread: the writer sleeps until the chunk's time, precise to
a fraction of a millisecond, which an event loop's millisecond timers are
not.  Runs until killed (SIGTERM).
"""
import queue
import socket
import sys
import threading
import time


def close_quietly(sock, how=None):
    try:
        if how is None:
            sock.close()
        else:
            sock.shutdown(how)
    except OSError:
        pass


def direction(src, dst, delay, not_before, finished):
    """Copies src to dst, each chunk delay seconds late (not before not_before)."""
    chunks = queue.Queue()

    def reader():
        last = 0.0
        while True:
            try:
                data = src.recv(65536)
            except OSError:
                data = b""
            last = max(time.monotonic() + delay, not_before, last)
            chunks.put((last, data))
            if not data:
                return

    def writer():
        while True:
            when, data = chunks.get()
            wait = when - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            if not data:
                close_quietly(dst, socket.SHUT_WR)
                break
            try:
                dst.sendall(data)
            except OSError:
                # the peer is gone: make both readers see the end
                close_quietly(src, socket.SHUT_RDWR)
                close_quietly(dst, socket.SHUT_RDWR)
                while chunks.get()[1]:
                    pass
                break
        finished()

    for fn in (reader, writer):
        threading.Thread(target=fn, daemon=True).start()


def serve(client, upstream_addr, delay):
    accepted = time.monotonic()
    try:
        server = socket.create_connection(upstream_addr, timeout=10)
    except OSError:
        close_quietly(client)
        return
    server.settimeout(None)
    for s in (client, server):
        s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    left = [2]
    lock = threading.Lock()

    def finished():
        with lock:
            left[0] -= 1
            if left[0] == 0:
                close_quietly(client)
                close_quietly(server)

    direction(client, server, delay, 0.0, finished)
    direction(server, client, delay, accepted + 4 * delay, finished)


def main():
    if len(sys.argv) not in (5, 6):
        sys.exit(__doc__.split("\n")[0])
    delay = (float(sys.argv[5]) if len(sys.argv) == 6 else 10.0) / 1000
    upstream = (sys.argv[3], int(sys.argv[4]))
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind((sys.argv[1], int(sys.argv[2])))
    listener.listen(256)
    while True:
        client, _ = listener.accept()
        threading.Thread(target=serve, args=(client, upstream, delay), daemon=True).start()


if __name__ == "__main__":
    main()
