// SPDX-License-Identifier: MIT
/*
 * The guest config parser (config/parse.c): any bytes as a config file.
 * What it accepts must also pass chaos_config_validate (the same rules for
 * configs built in C) and get its MACs assigned without trouble.
 */
#include <stdint.h>
#include <stdlib.h>

#include <chaos/config.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	chaos_config cfg;
	chaos_err err;

	if (chaos_config_parse_buffer((const char *)data, size, "fuzz.json",
				      &cfg, &err) < 0)
		return 0;
	if (chaos_config_validate(&cfg, &err) < 0)
		abort();  /* the parser let through what the rules refuse */
	(void)chaos_config_assign_macs(&cfg, 1, &err);
	chaos_config_free(&cfg);
	return 0;
}
