#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""dnsfront.py -- a DNS front end for the integration tests: forwards every
query to NSD, except those named in a faults file, which it answers with a
fault: servfail, refused, formerr, timeout (no answer), tc (truncated over
UDP, forwarded over TCP), tc-tcpfail (truncated over UDP, TCP closed),
delay:MS (answered MS after the question).  The faults file is JSON, {"qname TYPE": fault},
with "*" for every other question, read again whenever it changes.

usage: dnsfront.py LISTEN_ADDR LISTEN_PORT UPSTREAM_PORT FAULTS_FILE [QUERY_LOG]
With QUERY_LOG, every question received is appended to it as "qname type",
one line each, so that a test can count what a client asked.
"""
import json
import os
import socket
import socketserver
import struct
import sys
import threading
import time

import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype

UPSTREAM = "127.0.0.1"
faults = {}
faults_mtime = None
lock = threading.Lock()
query_log = None
query_log_lock = threading.Lock()


def log_query(query):
    if query_log is None or not query.question:
        return
    q = query.question[0]
    line = "%s %s\n" % (q.name.to_text(omit_final_dot=True).lower(),
                        dns.rdatatype.to_text(q.rdtype).lower())
    with query_log_lock:
        query_log.write(line)
        query_log.flush()


def load_faults(path):
    global faults, faults_mtime
    try:
        mtime = os.stat(path).st_mtime_ns
    except FileNotFoundError:
        return {}
    with lock:
        if mtime != faults_mtime:
            with open(path) as f:
                faults = {k.lower(): v for k, v in json.load(f).items()}
            faults_mtime = mtime
        return faults


def fault_for(query, path):
    q = query.question[0]
    key = "%s %s" % (q.name.to_text(omit_final_dot=True).lower(),
                     dns.rdatatype.to_text(q.rdtype).lower())
    table = load_faults(path)
    return table.get(key, table.get("*"))


def answer(wire, over_tcp, path, upstream_port, received):
    """The reply bytes, or None for no reply at all; received is when the
    question came in (time.monotonic)."""
    try:
        query = dns.message.from_wire(wire)
    except Exception:
        return None
    log_query(query)
    fault = fault_for(query, path)
    if fault in ("servfail", "refused", "formerr"):
        reply = dns.message.make_response(query)
        reply.set_rcode({"servfail": dns.rcode.SERVFAIL, "refused": dns.rcode.REFUSED,
                         "formerr": dns.rcode.FORMERR}[fault])
        return reply.to_wire()
    if fault == "timeout":
        return None
    if fault in ("tc", "tc-tcpfail") and not over_tcp:
        reply = dns.message.make_response(query)
        reply.flags |= dns.flags.TC
        return reply.to_wire()
    if fault == "tc-tcpfail" and over_tcp:
        return None
    try:
        if over_tcp:
            reply = dns.query.tcp(query, UPSTREAM, port=upstream_port, timeout=5)
        else:
            reply = dns.query.udp(query, UPSTREAM, port=upstream_port, timeout=5,
                                  ignore_trailing=True)
        out = reply.to_wire()
    except Exception:
        return None
    # delay:MS is the answer MS after the question, whatever this script
    # spent on it: sleeping MS on top of its own work (parsing, asking
    # NSD, the GIL shared by every question in flight) made three
    # questions asked at once come back 24 ms after them for a delay of 20.
    if fault and fault.startswith("delay:"):
        time.sleep(max(0.0, received + int(fault[6:]) / 1000.0 - time.monotonic()))
    return out


def main():
    global query_log
    addr, port, upstream_port, path = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    if len(sys.argv) > 5:
        query_log = open(sys.argv[5], "a")

    class UDPHandler(socketserver.BaseRequestHandler):
        def handle(self):
            data, sock, received = self.request
            out = answer(data, False, path, upstream_port, received)
            if out is not None:
                sock.sendto(out, self.client_address)

    class TCPHandler(socketserver.BaseRequestHandler):
        def recv_exact(self, n):
            data = b""
            while len(data) < n:
                chunk = self.request.recv(n - len(data))
                if not chunk:
                    return None
                data += chunk
            return data

        def handle(self):
            # A resolver may send several queries on one connection
            # (RFC 7766): answer each until the client closes it.
            self.request.settimeout(10)
            try:
                for _ in range(1000):
                    head = self.recv_exact(2)
                    if head is None:
                        return
                    data = self.recv_exact(struct.unpack("!H", head)[0])
                    if data is None:
                        return
                    out = answer(data, True, path, upstream_port, time.monotonic())
                    if out is None:
                        return
                    self.request.sendall(struct.pack("!H", len(out)) + out)
            except OSError:
                pass

    class UDPServer(socketserver.ThreadingMixIn, socketserver.UDPServer):
        daemon_threads = True
        allow_reuse_address = True

        # when the datagram came in, before a thread is started for it
        def get_request(self):
            data, client = self.socket.recvfrom(self.max_packet_size)
            return (data, self.socket, time.monotonic()), client

    class TCPServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
        daemon_threads = True
        allow_reuse_address = True

    # A thread whose delay is over waits for the GIL up to the switch
    # interval (5 ms by default) while another parses a question.
    sys.setswitchinterval(0.0005)
    udp = UDPServer((addr, port), UDPHandler)
    tcp = TCPServer((addr, port), TCPHandler)
    threading.Thread(target=tcp.serve_forever, daemon=True).start()
    print("dnsfront ready", flush=True)
    udp.serve_forever()


if __name__ == "__main__":
    main()
