/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * replay.c -- runs a fuzz target over files without libFuzzer, so that every
 * build (gcc included) checks the seed corpus and every input that once broke
 * a property.  Arguments are files or directories; with none, the target's
 * committed corpus under $top_srcdir/tests/fuzz/corpus.  The target is the
 * program's own name, so that one driver object serves them all.
 */
#include "autoconfig.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static int replay_file(const char *path)
{
	FILE *in = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (in == NULL) {
		perror(path);
		return -1;
	}
	do {
		if (len == cap) {
			unsigned char *more = realloc(buf, cap = cap ? cap * 2 : 4096);

			if (more == NULL) {
				free(buf);
				fclose(in);
				return -1;
			}
			buf = more;
		}
		n = fread(buf + len, 1, cap - len, in);
		len += n;
	} while (n > 0);
	fclose(in);
	LLVMFuzzerTestOneInput(buf, len);
	free(buf);
	return 0;
}

/* Returns the number of inputs run, or -1. */
static long replay(const char *path)
{
	struct stat st;
	struct dirent **names;
	long total = 0;
	int n;

	if (stat(path, &st) != 0) {
		perror(path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return replay_file(path) == 0 ? 1 : -1;
	n = scandir(path, &names, NULL, alphasort);
	if (n < 0) {
		perror(path);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		char sub[4096];

		if (names[i]->d_name[0] != '.' && total >= 0) {
			snprintf(sub, sizeof sub, "%s/%s", path, names[i]->d_name);
			long r = replay(sub);

			total = r < 0 ? -1 : total + r;
		}
		free(names[i]);
	}
	free(names);
	return total;
}

int main(int argc, char **argv)
{
	char dflt[4096];
	const char *top = getenv("top_srcdir");
	const char *slash = strrchr(argv[0], '/');
	const char *target = slash ? slash + 1 : argv[0];
	long total = 0;

	if (argc < 2) {
		snprintf(dflt, sizeof dflt, "%s/tests/fuzz/corpus/%s", top ? top : ".", target);
		total = replay(dflt);
	}
	for (int i = 1; i < argc && total >= 0; i++) {
		long r = replay(argv[i]);

		total = r < 0 ? -1 : total + r;
	}
	if (total <= 0) {
		fprintf(stderr, "%s: no input replayed\n", target);
		return 1;
	}
	printf("%s: %ld inputs replayed, every property held\n", target, total);
	return 0;
}
