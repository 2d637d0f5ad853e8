#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""bad_smtp.py MODE ADDR PORT: an SMTP server that misbehaves, for the
audit's tests.  Modes:
  garbage  answers the connection with an HTTP status line
  silent   accepts and never says a word
  endless  a banner of continuation lines that never ends
  hostile  a well-formed dialogue whose reply texts hold control bytes,
           bytes >= 0x80, quotes and backslashes; RCPT is accepted
  hangup   greets, answers EHLO, and closes the connection at MAIL FROM
  rcptjunk greets, answers EHLO and MAIL, then writes junk for RCPT
  policy   refuses every RCPT by policy with no enhanced code, as Exim
           may: "550 relay not permitted"
  slow     refuses every RCPT as an unknown user (550 5.1.1), at once in
           the first transaction it serves and 6 s late in every later one
Serves connections one at a time until killed."""
import socket
import sys
import time

HOSTILE = b'\x1b[31mred\x00 "quoted" \\back \xc3\x28 \xff\x7f tab\there'


def reply(conn, line):
    conn.sendall(line + b"\r\n")


def hostile(conn):
    reply(conn, b"220 " + HOSTILE)
    f = conn.makefile("rb")
    for raw in f:
        verb = raw[:4].upper()
        if verb in (b"EHLO", b"HELO"):
            reply(conn, b"250-" + HOSTILE)
            reply(conn, b"250 PIPELINING")
        elif verb == b"QUIT":
            reply(conn, b"221 bye")
            return
        else:
            reply(conn, b"250 2.0.0 " + HOSTILE)


def dialogue_until(conn, verb_end, junk):
    """A good dialogue until the command verb_end: then close, or junk."""
    reply(conn, b"220 mx1.example.net ESMTP")
    f = conn.makefile("rb")
    for raw in f:
        verb = raw[:4].upper()
        if verb == verb_end:
            if junk:
                conn.sendall(b"\x00\xffnot an SMTP reply at all\r\n")
            return
        if verb in (b"EHLO", b"HELO"):
            reply(conn, b"250-mx1.example.net")
            reply(conn, b"250 PIPELINING")
        elif verb == b"QUIT":
            reply(conn, b"221 bye")
            return
        else:
            reply(conn, b"250 2.0.0 Ok")


TRANSACTIONS = [0]


def scripted(conn, rcpt_reply, slow_after_first):
    """A good dialogue whose RCPTs all get rcpt_reply, late if asked."""
    reply(conn, b"220 mx1.example.net ESMTP")
    f = conn.makefile("rb")
    for raw in f:
        verb = raw[:4].upper()
        if verb in (b"EHLO", b"HELO"):
            reply(conn, b"250-mx1.example.net")
            reply(conn, b"250 PIPELINING")
        elif verb == b"MAIL":
            TRANSACTIONS[0] += 1
            reply(conn, b"250 2.1.0 Ok")
        elif verb == b"RCPT":
            if slow_after_first and TRANSACTIONS[0] > 1:
                time.sleep(6)
            reply(conn, rcpt_reply)
        elif verb == b"QUIT":
            reply(conn, b"221 bye")
            return
        else:
            reply(conn, b"250 2.0.0 Ok")


def serve(conn, mode):
    if mode == "garbage":
        conn.sendall(b"HTTP/1.0 400 Bad Request\r\n\r\n")
        time.sleep(0.2)
    elif mode == "silent":
        time.sleep(30)
    elif mode == "endless":
        for _ in range(100000):
            conn.sendall(b"220-still greeting\r\n")
    elif mode == "hostile":
        hostile(conn)
    elif mode == "hangup":
        dialogue_until(conn, b"MAIL", False)
    elif mode == "rcptjunk":
        dialogue_until(conn, b"RCPT", True)
    elif mode == "policy":
        scripted(conn, b"550 relay not permitted", False)
    elif mode == "slow":
        scripted(conn, b"550 5.1.1 <x@fault.example.net>: Recipient address rejected: "
                 b"User unknown", True)


def main():
    mode, addr, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    s = socket.socket(family, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(8)
    while True:
        conn, _ = s.accept()
        try:
            serve(conn, mode)
        except OSError:
            pass
        finally:
            conn.close()


if __name__ == "__main__":
    main()
