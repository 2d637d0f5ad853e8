#!/usr/bin/python3
# SPDX-License-Identifier: BSD-2-Clause
"""starttls_dialog.py -- EHLO, STARTTLS, EHLO again (another name), MAIL,
RCPT: prints "RCPT CODE TEXT", the reply to RCPT.  The test Postfix uses a
self-signed certificate, which is not verified.

usage: starttls_dialog.py HOST:PORT SOURCE FIRST_HELO SECOND_HELO FROM RCPT
"""
import smtplib
import ssl
import sys


def main():
    server, source, first, second, sender, rcpt = sys.argv[1:7]
    host, port = server.rsplit(":", 1)
    s = smtplib.SMTP(host, int(port), local_hostname=first, source_address=(source, 0),
                     timeout=30)
    s.ehlo(first)
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    s.starttls(context=context)
    s.ehlo(second)
    s.mail(sender)
    code, text = s.rcpt(rcpt)
    print("RCPT %d %s" % (code, text.decode("latin-1")))
    s.quit()
    return 0


if __name__ == "__main__":
    sys.exit(main())
