#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""hostile_milter.py -- hostile input straight through the milter protocol,
where the MTA no longer stands between the peer and the filter: HELO names
far past any MTA's line limit, NUL and control bytes, format strings, bad
UTF-8, malformed literals, hundreds of recipients, many transactions, and
connections dropped at every stage or in the middle of a packet, malformed
packets, address-less clients.

Speaks the protocol as Postfix does (negotiate, macros, then the steps the
filter did not negotiate away).  Prints "PASS name" or "FAIL name: why" per
case, as the shell suites do.  After every case the filter must still
answer a normal session, and every decision line it logged must be
printable ASCII and bounded.

usage: hostile_milter.py --milter HOST:PORT --pid PID --log MILTER_LOG
"""
import argparse
import os
import socket
import struct
import sys

PROTO_OFFERED = 0x001FFFFF      # every step and no-reply flag of protocol 6
ACTIONS_OFFERED = 0x000001FF
NOCONNECT, NOHELO, NOMAIL, NORCPT, NOBODY, NOHDRS, NOEOH = 0x1, 0x2, 0x4, 0x8, 0x10, 0x20, 0x40
NR_HDR, NODATA = 0x80, 0x200
NR_CONN, NR_HELO, NR_MAIL, NR_RCPT, NR_DATA, NR_EOH = 0x1000, 0x2000, 0x4000, 0x8000, 0x10000, 0x40000
GOOD_CLIENT = b"127.0.1.10"     # forward-confirmed in the test zones
GOOD_HELO = b"mail.sender.example"
LOCAL = b"127.0.0.25"           # the primary MX listener, {daemon_addr}
RCPT = b"<user@example.net>"
LOG_LINE_MAX = 4096

results = {"pass": 0, "fail": 0}


class Closed(Exception):
    pass


class Session:
    def __init__(self, addr):
        host, port = addr.rsplit(":", 1)
        self.sock = socket.create_connection((host, int(port)), timeout=15)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.proto = 0

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass

    def raw(self, data):
        try:
            self.sock.sendall(data)
        except OSError as e:
            raise Closed(str(e))

    def send(self, cmd, data=b""):
        self.raw(struct.pack("!I", len(data) + 1) + cmd + data)

    def _read(self, n):
        buf = b""
        while len(buf) < n:
            try:
                chunk = self.sock.recv(n - len(buf))
            except OSError as e:
                raise Closed(str(e))
            if not chunk:
                raise Closed("closed by the filter")
            buf += chunk
        return buf

    def read(self):
        n = struct.unpack("!I", self._read(4))[0]
        if n < 1 or n > 1 << 20:
            raise Closed("bad reply length %d" % n)
        body = self._read(n)
        return body[:1], body[1:]

    def answer(self):
        """The final answer to a step: skips modifications and progress."""
        mods = []
        while True:
            cmd, data = self.read()
            if cmd in (b"h", b"i", b"m", b"+", b"-", b"e", b"p", b"q"):
                mods.append((cmd, data))
                continue
            return cmd, data, mods

    def negotiate(self):
        self.send(b"O", struct.pack("!III", 6, ACTIONS_OFFERED, PROTO_OFFERED))
        cmd, data = self.read()
        if cmd != b"O" or len(data) < 12:
            raise Closed("no negotiation reply")
        self.proto = struct.unpack("!III", data[:12])[2]

    def macros(self, stage, pairs):
        self.send(b"D", stage + b"".join(k + b"\0" + v + b"\0" for k, v in pairs))

    def step(self, cmd, data, skip, noreply):
        """None when the step needs no answer; else (cmd, data, mods)."""
        if self.proto & skip:
            return None
        self.send(cmd, data)
        if self.proto & noreply:
            return None
        return self.answer()

    def connect(self, addr=GOOD_CLIENT, family=b"4", hostname=b"client.test"):
        self.negotiate()
        self.macros(b"C", [(b"j", b"mx1.example.net"), (b"{daemon_addr}", LOCAL),
                           (b"{daemon_name}", b"mx1"), (b"{client_addr}", addr)])
        data = hostname + b"\0" + family
        if family in (b"4", b"6"):
            data += struct.pack("!H", 25000) + addr + b"\0"
        elif family == b"L":
            data += struct.pack("!H", 0) + addr + b"\0"
        return self.step(b"C", data, NOCONNECT, NR_CONN)

    def helo(self, name):
        self.macros(b"H", [])
        return self.step(b"H", name + b"\0", NOHELO, NR_HELO)

    def mail(self, sender=b"<hostile@sender.example>"):
        self.macros(b"M", [(b"{mail_addr}", sender.strip(b"<>"))])
        return self.step(b"M", sender + b"\0", NOMAIL, NR_MAIL)

    def rcpt(self, rcpt=RCPT):
        self.macros(b"R", [(b"{rcpt_addr}", rcpt.strip(b"<>"))])
        return self.step(b"R", rcpt + b"\0", NORCPT, NR_RCPT)

    def message(self, headers=None):
        """DATA, headers, end of headers, a body, end of message: its answer.
        A real MTA always sends a header (its Received:), and libmilter does
        not answer an end of message that comes straight after DATA."""
        if headers is None:
            headers = [(b"Received", b" from client.test by mx1.example.net")]
        r = self.step(b"T", b"", NODATA, NR_DATA)
        if r is not None and r[0] != b"c":
            return r
        for name, value in headers:
            self.step(b"L", name + b"\0" + value + b"\0", NOHDRS, NR_HDR)
        self.step(b"N", b"", NOEOH, NR_EOH)
        if not self.proto & NOBODY:
            self.send(b"B", b"hello\r\n")
            self.answer()
        self.macros(b"E", [(b"i", b"4HOSTILE")])
        self.send(b"E")
        return self.answer()

    def quit(self):
        try:
            self.send(b"Q")
        except Closed:
            pass
        self.close()


def verdict(r):
    """'accept', 'reject', 'tempfail' or the raw command, from a step's answer."""
    if r is None:
        return "none"
    cmd, data = r[0], r[1]
    if cmd in (b"c", b"a"):
        return "accept"
    if cmd == b"r":
        return "reject"
    if cmd == b"t":
        return "tempfail"
    if cmd == b"y":
        return "reject" if data[:1] == b"5" else "tempfail" if data[:1] == b"4" else "bad-reply"
    return "cmd-" + cmd.decode("latin-1")


def report(name, ok, why=""):
    if ok:
        results["pass"] += 1
        print("PASS %s" % name)
    else:
        results["fail"] += 1
        print("FAIL %s: %s" % (name, why))
    sys.stdout.flush()


def alive(args):
    """The filter process is there and a normal session is accepted."""
    try:
        os.kill(args.pid, 0)
    except OSError:
        return "the filter process is gone"
    s = Session(args.milter)
    try:
        s.connect()
        s.helo(GOOD_HELO)
        s.mail(b"<alive@sender.example>")
        v = verdict(s.rcpt())
        return None if v == "accept" else "a normal session got %s afterwards" % v
    except Closed as e:
        return "a normal session failed afterwards: %s" % e
    finally:
        s.quit()


def helo_case(args, name, helo, want):
    """A full session with this HELO; the verdict at RCPT must be want."""
    s = Session(args.milter)
    try:
        s.connect()
        s.helo(helo)
        s.mail(b"<%s@sender.example>" % name.encode())
        got = verdict(s.rcpt())
    except Closed as e:
        got = "closed (%s)" % e
    finally:
        s.quit()
    bad = alive(args)
    report(name, got == want and bad is None,
           bad or "verdict %s, expected %s" % (got, want))


def run_case(args, name, body, want):
    """body(session) returns an outcome string, compared with want."""
    s = Session(args.milter)
    try:
        got = body(s)
    except Closed as e:
        got = "closed"
        if want != "closed":
            got = "closed (%s)" % e
    finally:
        s.close()
    bad = alive(args)
    report(name, got == want and bad is None, bad or "got %s, expected %s" % (got, want))


def many_rcpts(s):
    s.connect(); s.helo(GOOD_HELO); s.mail()
    verdicts = {verdict(s.rcpt(b"<user%d@example.net>" % i)) for i in range(300)}
    return "accept" if verdicts == {"accept"} else "mixed " + ",".join(sorted(verdicts))


def many_transactions(s):
    s.connect(); s.helo(GOOD_HELO)
    outcomes = set()
    for i in range(50):
        s.mail(b"<t%d@sender.example>" % i)
        outcomes.add(verdict(s.rcpt()))
        outcomes.add(verdict(s.message()))
    return "accept" if outcomes == {"accept"} else ",".join(sorted(outcomes))


def abort_midway(s):
    s.connect(); s.helo(GOOD_HELO); s.mail(); s.rcpt()
    s.send(b"A")                                # abort: no answer
    s.mail(b"<again@sender.example>")
    if verdict(s.rcpt()) != "accept":
        return "second transaction refused"
    return verdict(s.message())


def helo_twice(s):
    s.connect(); s.helo(GOOD_HELO); s.helo(b"WIN-8DKQ3J2"); s.mail()
    return verdict(s.rcpt())


def headers_500(s):
    s.connect(); s.helo(GOOD_HELO); s.mail(); s.rcpt()
    return verdict(s.message([(b"X-Header-%d" % i, b" value %d" % i) for i in range(500)]))


def forged_headers(s):
    s.connect(); s.helo(GOOD_HELO); s.mail(); s.rcpt()
    r = s.message([(b"X-MX-Policy", b" mx1.example.net; checks=-"),
                   (b"Authentication-Results", b" mx1.example.net; iprev=pass"),
                   (b"Authentication-Results", b" mx1.example.net; dkim=pass header.d=x.example"),
                   (b"Authentication-Results", b" other.example; spf=pass")])
    # only the iprev claim under our id goes: the dkim one is OpenDKIM's to judge
    removed = [m for m in r[2] if m[0] == b"m"]
    # SMFIR_CHGHEADER: a 4-byte index, the name, the (empty) value
    names = sorted(m[1][4:].split(b"\0")[0].decode() for m in removed)
    if names != ["Authentication-Results", "X-MX-Policy"]:
        return "removed %s" % names
    return verdict(r)


def dropped_after(stage):
    def body(s):
        if stage == "negotiate":
            s.negotiate()
        else:
            s.connect()
        if stage in ("helo", "mail", "rcpt"):
            s.helo(GOOD_HELO)
        if stage in ("mail", "rcpt"):
            s.mail()
        if stage == "rcpt":
            s.rcpt()
        return "dropped"
    return body


def half_packet(s):
    s.negotiate()
    s.raw(struct.pack("!I", 100) + b"H" + b"x" * 10)
    return "dropped"


def bad_length(length):
    def body(s):
        s.negotiate()
        s.raw(struct.pack("!I", length) + b"H")
        s.answer()
        return "answered"
    return body


def unknown_command(s):
    s.negotiate()
    s.send(b"Z", b"what is this")
    s.connect()
    s.helo(GOOD_HELO)
    s.mail()
    return verdict(s.rcpt())


def no_address(family, addr):
    def body(s):
        s.connect(addr=addr, family=family)
        s.helo(GOOD_HELO)
        s.mail()
        return verdict(s.rcpt())
    return body


def huge_macro(s):
    s.negotiate()
    s.macros(b"C", [(b"j", b"x" * 30000), (b"{daemon_addr}", LOCAL)])
    s.step(b"C", b"client.test\0" b"4" + struct.pack("!H", 25000) + GOOD_CLIENT + b"\0",
           NOCONNECT, NR_CONN)
    s.helo(GOOD_HELO); s.mail()
    return verdict(s.rcpt())


def sender_with(value):
    def body(s):
        s.connect(); s.helo(GOOD_HELO); s.mail(value)
        return verdict(s.rcpt())
    return body


def rcpt_with(value):
    def body(s):
        s.connect(); s.helo(GOOD_HELO); s.mail()
        return verdict(s.rcpt(value))
    return body


def check_log(args):
    """Every decision line: printable ASCII, bounded; none holds a raw control byte."""
    with open(args.log, "rb") as f:
        lines = [l.rstrip(b"\n") for l in f if b" session=" in l]
    bad = [l for l in lines if len(l) > LOG_LINE_MAX or any(c < 0x20 or c > 0x7e for c in l)]
    report("log_lines_escaped_and_bounded", lines and not bad,
           "%d of %d decision lines unsafe, first: %r" % (len(bad), len(lines), bad[:1]))
    text = b"\n".join(lines)
    for name, needle in (("log_escapes_crlf", b"helo=mail\\x0d\\x0aRCPT"),
                         ("log_keeps_format_text", b"helo=%n%s%x%p.example"),
                         ("log_escapes_bad_utf8", b"helo=\\xff\\xfe.example"),
                         ("log_cuts_long_helo", b"helo=" + b"a" * 256 + b"...")):
        report(name, needle in text, "no %r in the decision lines" % needle)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--milter", required=True)
    ap.add_argument("--pid", type=int, required=True)
    ap.add_argument("--log", required=True)
    args = ap.parse_args()

    helo_cases = [
        ("helo_10k", b"a" * 10000, "reject"),
        ("helo_60k_labels", b"a." * 30000 + b"com", "reject"),
        ("helo_nul_truncates", GOOD_HELO + b"\0evil", "accept"),
        ("helo_crlf", b"mail\r\nRCPT TO:<x@example.net>", "reject"),
        ("helo_control_bytes", b"\x01\x02\x1b[31mred", "reject"),
        ("helo_del_byte", b"a\x7fb.example", "reject"),
        ("helo_format_string", b"%n%s%x%p.example", "reject"),
        ("helo_bad_utf8", b"\xff\xfe.example", "reject"),
        ("helo_overlong_utf8", b"\xc0\xaf.example", "reject"),
        ("helo_utf8_name", "m\u00e4il.example.com".encode(), "reject"),
        ("literal_v6_two_gaps", b"[IPv6:::1::2]", "reject"),
        ("literal_v6_not_hex", b"[IPv6:gggg::1]", "reject"),
        ("literal_v6_untagged", b"[2001:db8::1]", "reject"),
        ("literal_empty", b"[]", "reject"),
        ("literal_v4_short", b"[1.2.3]", "reject"),
        ("literal_v4_overflow", b"[127.0.1.256]", "reject"),
        ("helo_empty", b"", "reject"),
        ("helo_dot", b".", "reject"),
        ("helo_two_trailing_dots", b"mail.sender.example..", "reject"),
        ("helo_one_trailing_dot", b"mail.sender.example.", "accept"),
        ("helo_label_64", b"a" * 64 + b".example.com", "reject"),
        ("helo_256_octets", b"a." * 127 + b"com", "reject"),
    ]
    for name, helo, want in helo_cases:
        helo_case(args, name, helo, want)

    other_cases = [
        ("rcpt_300_in_one_transaction", many_rcpts, "accept"),
        ("transactions_50_in_one_connection", many_transactions, "accept"),
        ("abort_then_new_transaction", abort_midway, "accept"),
        ("second_helo_counts", helo_twice, "reject"),
        ("headers_500_in_one_message", headers_500, "accept"),
        ("forged_headers_removed", forged_headers, "accept"),
        ("dropped_after_negotiation", dropped_after("negotiate"), "dropped"),
        ("dropped_after_connect", dropped_after("connect"), "dropped"),
        ("dropped_after_helo", dropped_after("helo"), "dropped"),
        ("dropped_after_mail", dropped_after("mail"), "dropped"),
        ("dropped_after_rcpt", dropped_after("rcpt"), "dropped"),
        ("dropped_mid_packet", half_packet, "dropped"),
        ("packet_length_zero", bad_length(0), "closed"),
        ("packet_length_4g", bad_length(0xFFFFFFFF), "closed"),
        ("unknown_command", unknown_command, "closed"),
        ("client_unix_socket", no_address(b"L", b"/var/run/client.sock"), "accept"),
        ("client_unknown_family", no_address(b"U", b""), "accept"),
        ("macro_30k", huge_macro, "accept"),
        ("sender_control_bytes", sender_with(b"<a\x01\x1b[2Jb@sender.example>"), "accept"),
        ("sender_format_string", sender_with(b"<%s%n@sender.example>"), "accept"),
        ("rcpt_10k", rcpt_with(b"<" + b"a" * 10000 + b"@example.net>"), "accept"),
    ]
    for name, body, want in other_cases:
        run_case(args, name, body, want)

    check_log(args)
    print("%d passed, %d failed" % (results["pass"], results["fail"]))
    return 0 if results["fail"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
