// SPDX-License-Identifier: MIT
/*
 * The xl.cfg parser (config/xlcfg*.c): any bytes as an xl.cfg file,
 * through the entry point that picks the format (so the detection is
 * fuzzed too) and the xl-only one. What parses must pass
 * chaos_config_validate, as for JSON.
 */
#include <stdint.h>
#include <stdlib.h>

#include <chaos/config.h>

static void one(int rc, chaos_config *cfg)
{
	chaos_err err;

	if (rc < 0)
		return;
	if (chaos_config_validate(cfg, &err) < 0)
		abort();  /* the parser let through what the rules refuse */
	(void)chaos_config_assign_macs(cfg, 1, &err);
	chaos_config_free(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	chaos_config cfg;
	chaos_err err;

	one(chaos_config_parse_xl_buffer((const char *)data, size, "fuzz.cfg",
					 &cfg, &err), &cfg);
	one(chaos_config_parse_buffer((const char *)data, size, "fuzz.cfg",
				      &cfg, &err), &cfg);
	return 0;
}
