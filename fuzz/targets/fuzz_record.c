// SPDX-License-Identifier: MIT
/*
 * Domain records (state/record.c, chaos_record_parse): any bytes as a
 * record file under /run/chaos/domains/. A record that parses must come
 * back the same through chaos_record_format and a second parse.
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "state/state.h"

/* Field by field: a key given twice leaves bytes after a string's NUL. */
static bool same(const chaos_domain_record *a, const chaos_domain_record *b)
{
	return a->domid == b->domid &&
	       !memcmp(a->handle, b->handle, sizeof(a->handle)) &&
	       !strcmp(a->name, b->name) && a->console_mfn == b->console_mfn &&
	       a->console_port == b->console_port &&
	       a->start_info_mfn == b->start_info_mfn &&
	       a->on_poweroff == b->on_poweroff &&
	       a->on_reboot == b->on_reboot && a->on_crash == b->on_crash &&
	       !strcmp(a->config_path, b->config_path);
}

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
	    !same(&rec, &again))
		abort();  /* not the same record after a round trip */
	return 0;
}
