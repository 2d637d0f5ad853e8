#!/bin/bash
# SPDX-License-Identifier: BSD-2-Clause
# coverage-table.sh INFO -- line coverage per module from an lcov tracefile,
# named by layer (core/helo.c), with the pure core and all modules totalled.
set -euo pipefail
info=$1
awk '
	/^SF:/ { n = split(substr($0, 4), p, "/"); mod = p[n - 1] "/" p[n] }
	/^LF:/ { lf[mod] += substr($0, 4) }
	/^LH:/ { lh[mod] += substr($0, 4) }
	END {
		for (m in lf) {
			printf "%-22s %5d / %5d lines  %5.1f%%\n", m, lh[m], lf[m], lf[m] ? 100 * lh[m] / lf[m] : 0 | "sort"
			if (m ~ /^core\//) { pl += lf[m]; ph += lh[m] }
			al += lf[m]; ah += lh[m]
		}
		close("sort")
		printf "pure core:   %d / %d lines, %.1f%%\n", ph, pl, pl ? 100 * ph / pl : 0
		printf "all modules: %d / %d lines, %.1f%%\n", ah, al, al ? 100 * ah / al : 0
	}' "$info"
