/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * fuzz_config.c -- the config parser on any text.  Properties: a refused
 * config always says where and why ("name:line: reason"); an accepted one
 * prints (as -n shows it) to text that parses back to the same settings.
 */
#include "autoconfig.h"

#include <string.h>

#include "daemon/config.h"
#include "fuzz.h"

static char *print(const struct config *cfg)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);

	FUZZ_CHECK(out != NULL);
	config_print(cfg, out);
	fclose(out);
	return text;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_string(data, size);
	struct config_errors errs = {NULL, 0};
	struct config *cfg, *again;
	char *printed, *reprinted;

	if (text == NULL)
		return 0;
	cfg = config_parse_string("fuzz", text, &errs);
	if (cfg == NULL) {
		FUZZ_CHECK(errs.count > 0);
		for (size_t i = 0; i < errs.count; i++)
			FUZZ_CHECK(strncmp(errs.items[i], "fuzz:", 5) == 0);
		config_errors_clear(&errs);
		free(text);
		return 0;
	}
	FUZZ_CHECK(errs.count == 0);
	printed = print(cfg);
	again = config_parse_string("printed", printed, &errs);
	if (again == NULL)
		fprintf(stderr, "%s\n%s\n", printed, errs.count ? errs.items[0] : "");
	FUZZ_CHECK(again != NULL);
	reprinted = print(again);
	FUZZ_CHECK(strcmp(printed, reprinted) == 0);
	free(reprinted);
	free(printed);
	config_free(again);
	config_free(cfg);
	free(text);
	return 0;
}
