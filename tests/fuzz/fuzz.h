/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz.h -- shared by the fuzz targets.  Each target checks properties of
 * what it parsed, not only that it did not crash; a broken property aborts,
 * which libFuzzer reports as a crash and the replay driver as a failure.
 */
#ifndef MXP_FUZZ_H
#define MXP_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                        \
	do {                                                                    \
		if (!(cond)) {                                                  \
			fprintf(stderr, "%s:%d: property broken: %s\n",         \
				__FILE__, __LINE__, #cond);                     \
			abort();                                                \
		}                                                               \
	} while (0)

/* The input as a NUL-terminated string (cut at its first NUL); free it. */
static inline char *fuzz_string(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s != NULL) {
		for (size_t i = 0; i < size; i++)
			s[i] = (char)data[i];
		s[size] = '\0';
	}
	return s;
}

#endif
