#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""make-seeds.py -- writes the seed corpora of the fuzz targets.

The seeds are committed; this script says where they came from and can
write them again (python3-dnspython builds the DNS responses).  Usage:
    tests/fuzz/make-seeds.py [CORPUS_DIR]
"""
import hashlib
import os
import sys

import dns.flags
import dns.message
import dns.name
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset

top = os.path.dirname(os.path.abspath(__file__))
corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(top, "corpus")


def write(target, data):
    if isinstance(data, str):
        data = data.encode("utf-8", "surrogateescape")
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    name = hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


HELOS = [
    "mail.example.com", "mail.example.com.", "MAIL.Example.COM", "localhost",
    "WIN-8DKQ3J2", "[127.0.0.1]", "[127.000.001.010]", "[IPv6:::1]",
    "[ipv6:2001:db8::25]", "[IPv6:::ffff:192.0.2.1]", "[IPv6:1:2:3:4:5:6:7:8]",
    "[IPv6:1:2:3:4:5:6:7::]", "[2001:db8::1]", "[tag:content]", "[]", "[IPv6:]",
    "192.0.2.1", "2001:db8::1", "1.2.3", "a..b.example", "-a.example.com",
    "a-.example.com", "a_b.example.com", "x" * 63 + ".example.com",
    "x" * 64 + ".example.com", ".".join(["abcdefghi"] * 26), "", ".", "a.b.",
    "a.b..", "m\u00e4il.example.com", "xn--mil-via.example.com", "%n%s.example",
    "bad\x01ctl.example", "mail.example.com\r\nRCPT TO:<x>", "\xff\xfe.example",
    "mail.123", "[192.0.2.256]", "[1.2.3.4.5]",
]
for h in HELOS:
    write("fuzz_helo", h)

CIDRS = [
    "192.0.2.0/24", "192.0.2.1", "10.0.0.0/8", "0.0.0.0/0", "::/0", "::1",
    "::1/128", "2001:db8::/32", "2001:db8::1/64", "[192.0.2.1]", "IPv6:::1",
    "[IPv6:2001:db8::1]", "::ffff:192.0.2.1", "::ffff:192.0.2.0/120",
    "1.2.3.4/33", "1.2.3.4/", "/24", "1.2.3.4/-1", "1.2.3.4/024", "1.2.3.4/ 24",
    "fe80::1%eth0", "256.1.1.1", "1.2.3", "", "2001:db8::/129", "127.0.0.1/32x",
]
for c in CIDRS:
    write("fuzz_cidr", c)

ESCAPES = [
    b"\x80plain text", b"\xc0mail.example.com", b"\x05\x00\x01", b"\x40\x01\x02\x03",
    b"\xc0" + b"A" * 300, b"\x03abc...", b"\x0aCR\rLF\nTAB\t", b"\xc0\"quoted\" \\back\\",
    b"\xc0%n%s%x", b"\xc0\xff\xfe\xc3\x28", b"\x02abc", b"\x83" + b"\x01" * 100,
]
for e in ESCAPES:
    write("fuzz_log_escape", e)

# The config: the annotated file itself, and lines that must be refused.
with open(os.path.join(top, "..", "..", "conf", "mxpolicy-milter.conf"), "rb") as f:
    write("fuzz_config", f.read())
CONFIGS = [
    "", "# only a comment\n", "socket = inet:8891@127.0.0.1\n",
    "socket = local:/run/mxpolicy-milter/mxpolicy-milter.sock\nsocket_mode = 0660\n",
    "dry_run = yes\nlog_level = debug\n", "dns_servers = 127.0.0.1:53, [::1]:53\n",
    "dns_timeout_ms = 0\n", "dns_timeout_ms = 99999999999999999999\n",
    "no_such_option = 1\n", "helo_bare_ip = reject\n", "helo_bare_ip = maybe\n",
    "our_addresses = 192.0.2.0/24, 2001:db8::/32\n", "our_addresses = 1.2.3.4/40\n",
    "our_domains = example.com example.net\n", "reject_code = 5.7.1\n",
    "= value\n", "name_without_value\n", "dry_run = yes\ndry_run = no\n",
    "dry_run = \"yes\"\n", "stats_file = relative/path\n", "\x00\n", "a" * 5000 + " = 1\n",
]
for c in CONFIGS:
    write("fuzz_config", c)


REPLIES = [
    "220 mx1.example.net ESMTP Postfix\r\n",
    "250-mx1.example.net\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250 8BITMIME\r\n",
    "250 2.1.5 Ok\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n", "250\r\n",
    "504 5.5.2 <x>: Helo command rejected: need fully-qualified hostname\r\n",
    "550-5.7.1 first\n550-5.7.1 second\n550 5.7.1 last\n",
    "421 4.3.2 Service shutting down\r\n", "250-first\r\n550 second\r\n",
    "HTTP/1.0 400 Bad Request\r\n\r\n", "150 go\r\n", "25\r\n", "250x\r\n",
    "220-" + "x" * 600 + "\r\n220 end\r\n", "220-a\r\n" * 120,
    "250 \x1b[31mred\x00 \"q\" \\b \udcc3( \udcff\x7f\r\n",
]
for r in REPLIES:
    write("fuzz_smtp_reply", r)


# Authentication-Results values: real ones (OpenDKIM, OpenDMARC, Gmail,
# Microsoft, RFC 8601's examples, ours) and the tricks a forged iprev claim
# might hide behind.
OURS = "mx1.example.net"
AUTHRES = [
    OURS + ";\n\tdkim=pass (2048-bit key; unprotected) header.d=example.com "
    "header.i=@example.com header.a=rsa-sha256 header.s=mail header.b=Xy7LmN2q;\n"
    "\tdkim-atps=neutral",
    OURS + ";\n\tdkim=fail reason=\"signature verification failed\" (1024-bit key; "
    "unprotected) header.d=example.org header.i=@example.org header.b=\"AbC/+1x9\"",
    OURS + "; dmarc=pass (p=none dis=none) header.from=example.com",
    OURS + "; spf=pass smtp.mailfrom=example.com",
    OURS + "; arc=none smtp.remote-ip=192.0.2.10",
    OURS + ";\n\tiprev=pass policy.iprev=192.0.2.9 (mail.example.org)",
    "mx.google.com;\r\n       dkim=pass header.i=@gmail.com header.s=20230601 "
    "header.b=kZ3q+0aB;\r\n       spf=pass (google.com: domain of alice@gmail.com designates "
    "209.85.220.41 as permitted sender) smtp.mailfrom=alice@gmail.com;\r\n       "
    "dmarc=pass (p=NONE sp=QUARANTINE dis=NONE) header.from=gmail.com",
    "spf=pass (sender IP is 40.107.22.51) smtp.mailfrom=example.com; dkim=pass (signature "
    "was verified) header.d=example.com;dmarc=pass action=none header.from=example.com;"
    "compauth=pass reason=100",
    "mx.microsoft.com 1; spf=pass smtp.mailfrom=example.com; arc=none",
    "example.org 1; none",
    "foo.example.net (foobar) 1 (baz);\n    dkim (Because I like it) / 1 (One yay) = (wait "
    "for it) fail\n      policy (A dot can go here) . (like that) expired\n      (this "
    "surprised me) = (as I wasn't expecting it) 1362471462",
    "MX1.EXAMPLE.NET; IPREV=PASS", OURS + ".; iprev/1=pass", '"' + OURS + '"; iprev=pass',
    OURS + ";iprev=pass", OURS + '; dkim=pass (";) ; iprev=pass',
    OURS + "; dkim=pass (x;) iprev=pass", OURS + '; dkim=pass reason="x; iprev=pass"',
    OURS + "; dkim=pass (iprev=pass)", OURS + '; dkim=pass header.b="a) ; iprev=pass',
    "(" + OURS + "; iprev=pass", '"' + OURS + "; iprev=pass", OURS + "/1; iprev=pass",
    "(c) " + OURS + " (c); iprev (c) / (c) 1 (c) = (c) pass", OURS + " 99; iprev=pass",
    OURS + "; none; iprev=pass", OURS + " iprev=pass", OURS + "; dkim=pass; none",
    OURS + "; dkim=pass header.d=iprev.example policy.iprev=192.0.2.9",
    OURS + "x; iprev=pass", "other.example; iprev=pass", "", ";", OURS, OURS + ";",
    OURS + "; dkim=pass; spf=pass;", '"mx\\"1"; none', "\"\"; none",
    OURS + "; dkim=pass (a (b (c) d) e) header.d=x", OURS + "; dkim=pass (a (b) header.d=x",
    OURS + "; " + "dkim=pass header.d=a.example; " * 80 + "iprev=pass",
    OURS + "; dkim=pass " + "(" * 3000 + ")" * 3000 + " header.d=x",
    "iprev(" * 2000, "a" * 300 + "; none", OURS + "; " + "m" * 70 + "=pass",
    OURS + "; dkim/1234567890=pass", OURS + "; dkim=pass \x01\xff header.d=x",
    OURS + "; spf=pass smtp.mailfrom=\"a b\"@example.com",
]
for a in AUTHRES:
    write("fuzz_authres", a)


def response(qname, qtype, rcode=dns.rcode.NOERROR, answer=(), authority=(), flags=0):
    q = dns.message.make_query(qname, qtype)
    r = dns.message.make_response(q)
    r.set_rcode(rcode)
    r.flags |= flags
    for name, ttl, rtype, texts in answer:
        r.answer.append(dns.rrset.from_text_list(name, ttl, "IN", rtype, texts))
    for name, ttl, rtype, texts in authority:
        r.authority.append(dns.rrset.from_text_list(name, ttl, "IN", rtype, texts))
    return r.to_wire()


SOA = ("example.com.", 3600, "SOA", ["ns.example.com. host.example.com. 1 3600 600 86400 30"])
TYPES = {"A": 0, "AAAA": 1, "PTR": 2, "MX": 3, "CNAME": 4}


def dns_seed(qname, qtype, wire):
    write("fuzz_dnsmsg", bytes([TYPES[qtype]]) + qname.encode() + b"\n" + wire)


dns_seed("mail.example.com", "A", response("mail.example.com", "A",
         answer=[("mail.example.com.", 300, "A", ["192.0.2.25", "192.0.2.26"])]))
dns_seed("mail.example.com", "AAAA", response("mail.example.com", "AAAA",
         answer=[("mail.example.com.", 300, "AAAA", ["2001:db8::25"])]))
dns_seed("1.2.0.127.in-addr.arpa", "PTR", response("1.2.0.127.in-addr.arpa", "PTR",
         answer=[("1.2.0.127.in-addr.arpa.", 60, "PTR",
                  ["a.example.com.", "b.example.com.", "c.example.net."])]))
dns_seed("example.com", "MX", response("example.com", "MX",
         answer=[("example.com.", 3600, "MX", ["10 mx1.example.com.", "20 mx2.example.com."])]))
dns_seed("example.org", "MX", response("example.org", "MX",
         answer=[("example.org.", 3600, "MX", ["0 ."])]))
dns_seed("www.example.com", "A", response("www.example.com", "A",
         answer=[("www.example.com.", 60, "CNAME", ["web.example.com."]),
                 ("web.example.com.", 60, "CNAME", ["host.example.net."]),
                 ("host.example.net.", 30, "A", ["192.0.2.80"])]))
dns_seed("loop.example.com", "A", response("loop.example.com", "A",
         answer=[("loop.example.com.", 60, "CNAME", ["loop2.example.com."]),
                 ("loop2.example.com.", 60, "CNAME", ["loop.example.com."])]))
dns_seed("dangling.example.com", "A", response("dangling.example.com", "A",
         answer=[("dangling.example.com.", 60, "CNAME", ["elsewhere.example.net."])]))
dns_seed("nx.example.com", "A", response("nx.example.com", "A",
         rcode=dns.rcode.NXDOMAIN, authority=[SOA]))
dns_seed("nodata.example.com", "AAAA", response("nodata.example.com", "AAAA", authority=[SOA]))
dns_seed("fail.example.com", "A", response("fail.example.com", "A", rcode=dns.rcode.SERVFAIL))
dns_seed("refused.example.com", "MX", response("refused.example.com", "MX",
         rcode=dns.rcode.REFUSED))
dns_seed("big.example.com", "A", response("big.example.com", "TXT", flags=dns.flags.TC))
dns_seed("many.example.com", "A", response("many.example.com", "A",
         answer=[("many.example.com.", 300, "A", ["10.0.%d.%d" % (i // 250, i % 250)
                                                  for i in range(70)])]))
dns_seed("other.example.com", "A", response("other.example.com", "A",
         answer=[("unrelated.example.com.", 300, "A", ["192.0.2.9"])]))
# A compression pointer that points at itself.
wire = bytearray(response("ptrloop.example.com", "A",
                          answer=[("ptrloop.example.com.", 60, "A", ["192.0.2.1"])]))
wire[-16:-14] = bytes([0xc0, len(wire) - 16])
dns_seed("ptrloop.example.com", "A", bytes(wire))
