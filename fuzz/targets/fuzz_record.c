// SPDX-License-Identifier: MIT
/*
 * Domain records (state/record.c, chaos_record_parse): any bytes as a
 * record file under /run/chaos/domains/. A record that parses must come
 * back the same through chaos_record_format and a second parse.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <chaos/record.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static chaos_domain_record rec, again;
	static char text[CHAOS_RECORD_PATH_MAX + 1024];
	chaos_err err;
	int n;

	if (chaos_record_parse((const char *)data, size, &rec, &err) < 0)
		return 0;
	if (!memchr(rec.name, 0, sizeof(rec.name)) ||
	    !memchr(rec.config_path, 0, sizeof(rec.config_path)))
		abort();
	n = chaos_record_format(&rec, text, sizeof(text));
	if (n < 0)
		abort();  /* a record we read but cannot write back */
	if (chaos_record_parse(text, (size_t)n, &again, &err) < 0 ||
	    memcmp(&rec, &again, sizeof(rec)))
		abort();  /* not the same record after a round trip */
	return 0;
}
