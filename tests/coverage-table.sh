#!/bin/bash
# coverage-table.sh INFO MILTER_SRCDIR -- line coverage per library module
# from an lcov tracefile, the pure modules (whose header says PURE) marked
# and totalled apart.
set -euo pipefail
info=$1 src=$2
awk -v src="$src" '
	/^SF:/ { file = substr($0, 4); n = split(file, p, "/"); base = p[n] }
	/^LF:/ { lf[base] += substr($0, 4) }
	/^LH:/ { lh[base] += substr($0, 4) }
	END {
		for (b in lf) {
			h = b; sub(/\.c$/, ".h", h)
			cmd = "grep -qs \"^ \\* " h " -- PURE\" " src "/" h
			pure = (system(cmd) == 0)
			printf "%-12s %-4s %5d / %5d lines  %5.1f%%\n", b, pure ? "pure" : "", lh[b], lf[b], lf[b] ? 100 * lh[b] / lf[b] : 0 | "sort"
			if (pure) { pl += lf[b]; ph += lh[b] }
			al += lf[b]; ah += lh[b]
		}
		close("sort")
		printf "pure core:   %d / %d lines, %.1f%%\n", ph, pl, pl ? 100 * ph / pl : 0
		printf "library:     %d / %d lines, %.1f%%\n", ah, al, al ? 100 * ah / al : 0
	}' "$info"
