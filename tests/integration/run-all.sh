#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# run-all.sh -- every integration suite, one after the other; prints each
# scenario and a closing "N passed, M failed".  Exit 77 (skipped) when not
# root, unless CI=true, where a skipped integration test is a failure.
here=$(cd "$(dirname "$0")" && pwd)
. "$here/lib.sh"
# make distcheck in contrib/quickstart: the same sources ran this suite in
# three builds already; the tarball's check is that it builds and installs.
if [ -n "${MXPT_SKIP_INTEGRATION:-}" ]; then
	log "SKIP: MXPT_SKIP_INTEGRATION is set"
	exit 77
fi
it_require_root

total_pass=0
total_fail=0
for suite in "$here"/test_*.sh; do
	name=$(basename "$suite" .sh)
	printf '== %s\n' "$name"
	out=$(mktemp)
	bash "$suite" 2>&1 | tee "$out"
	rc=${PIPESTATUS[0]}
	p=$(grep -c '^PASS ' "$out")
	f=$(grep -c '^FAIL ' "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		printf 'FAIL %s: suite exited %d\n' "$name" "$rc"
	fi
	rm -f "$out"
	total_pass=$((total_pass + p))
	total_fail=$((total_fail + f))
done
printf '%d passed, %d failed\n' "$total_pass" "$total_fail"
[ "$total_fail" -eq 0 ]
