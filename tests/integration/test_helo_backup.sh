#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# test_helo_backup.sh -- the whole HELO suite through the backup MX listener:
# the same replies, enhanced codes and stages as through the primary.
HELO_SUITE_SERVER=127.0.0.26 exec bash "$(dirname "$0")/test_helo.sh"
