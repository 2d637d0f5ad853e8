#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""smtp_dialog.py -- send SMTP commands exactly as given, from a chosen
source address, and print the dialogue in swaks' transcript format
(" -> " sent, "<-  " accepted, "<** " refused), so that the harness reads
both the same way.  Used where swaks cannot go: no HELO at all, NUL bytes,
bare control characters, over-long arguments.

usage: smtp_dialog.py --server HOST:PORT --source ADDR CMD [CMD ...]
A CMD is sent as given plus CRLF; "\\xHH" escapes stand for raw bytes;
the command "DATA" is followed by a small message and its final dot;
"@sleep SECONDS" sends nothing and waits (a client that keeps its
connection open between transactions).
"""
import argparse
import re
import socket
import sys
import time

TIMEOUT = 30


def unescape(text):
    return re.sub(rb"\\x([0-9a-fA-F]{2})", lambda m: bytes([int(m.group(1), 16)]),
                  text.encode("latin-1"))


def read_reply(f):
    lines = []
    while True:
        line = f.readline()
        if not line:
            return lines
        lines.append(line.rstrip(b"\r\n").decode("latin-1"))
        if len(line) < 4 or line[3:4] != b"-":
            return lines


def show(lines):
    for line in lines:
        mark = "<** " if line[:1] in ("4", "5") else "<-  "
        print(mark + line)


def shown(raw):
    return raw.decode("latin-1").encode("unicode_escape").decode("ascii")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--source", required=True)
    ap.add_argument("commands", nargs="+")
    args = ap.parse_args()
    host, port = args.server.rsplit(":", 1)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.settimeout(TIMEOUT)
    s.bind((args.source, 0))
    s.connect((host, int(port)))
    f = s.makefile("rb")
    show(read_reply(f))
    for cmd in args.commands:
        if cmd.startswith("@sleep "):
            time.sleep(float(cmd.split()[1]))
            continue
        raw = unescape(cmd)
        print(" -> " + shown(raw))
        s.sendall(raw + b"\r\n")
        reply = read_reply(f)
        show(reply)
        if not reply:
            print("=== Connection closed by remote host")
            return 0
        if cmd.upper() == "DATA" and reply[-1].startswith("354"):
            body = b"Subject: test\r\n\r\nbody\r\n."
            print(" -> .")
            s.sendall(body + b"\r\n")
            show(read_reply(f))
    return 0


if __name__ == "__main__":
    sys.exit(main())
