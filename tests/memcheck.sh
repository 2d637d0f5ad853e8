#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# memcheck.sh PROGRAM... -- runs each program under valgrind memcheck: any
# memory error, or a definite or indirect leak, fails.  `make check-valgrind`.
rc=0
for t in "$@"; do
	if valgrind -q --error-exitcode=99 --leak-check=full \
		--errors-for-leak-kinds=definite,indirect \
		--show-leak-kinds=definite,indirect "./$t" >"$t.vglog" 2>&1; then
		echo "PASS: valgrind $t"
	else
		echo "FAIL: valgrind $t"
		cat "$t.vglog"
		rc=1
	fi
done
exit $rc
