// SPDX-License-Identifier: MIT
/*
 * Name registry entries (state/registry.c: entry_read, entry_read_file and
 * entry_parse, reached through chaos_registry_lookup and
 * chaos_registry_name_of): any bytes as the entry /run/chaos/names/<name>,
 * here in a private directory (tmpfs when there is one), once as a
 * symbolic link's text (the format claims write) and once as a regular
 * file (what earlier versions wrote). The format is strict, "<domid> <32
 * hex>", with a newline in a file: an entry that is accepted must be
 * exactly what we would write for the binding it gave, and a fresh scan
 * (name_of) must find it again.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state/state.h"
#include "fuzz.h"

static void quiet(void *ctx, const char *msg)
{
	(void)ctx;
	FZ_SAY("%s\n", msg);
}

/* The entry now at fz_file, read back; (link) says how it was written. */
static void check_entry(const uint8_t *data, size_t size, bool link)
{
	chaos_registry *reg;
	uint8_t handle[16];
	uint32_t domid;
	char want[80], name[CHAOS_NAME_MAX];
	chaos_err err;
	int n;

	if (chaos_registry_open(fz_dir, &reg, &err))
		abort();
	chaos_registry_set_warn(reg, quiet, NULL);
	if (chaos_registry_lookup(reg, "guest-1", &domid, handle, &err) == 0) {
		if (domid < 1 || domid > 0x7fef)
			abort();
		n = snprintf(want, sizeof(want), "%u ", domid);
		for (int i = 0; i < 16; i++)
			n += snprintf(want + n, sizeof(want) - (size_t)n, "%02x",
				      handle[i]);
		if (!link)
			n += snprintf(want + n, sizeof(want) - (size_t)n, "\n");
		if ((size_t)n != size || memcmp(want, data, size))
			abort();  /* accepted something not in the format */
		if (chaos_registry_name_of(reg, domid, handle, name,
					   sizeof(name)) ||
		    strcmp(name, "guest-1"))
			abort();
		FZ_SAY("entry: domid %u\n", domid);
	} else {
		FZ_SAY("%s\n", err.msg);
	}
	chaos_registry_close(reg);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_private_file("guest-1");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char text[4096];
	int fd;

	unlink(fz_file);
	fd = open(fz_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	close(fd);
	check_entry(data, size, false);
	/* A link's text: not empty, no NUL, shorter than a path. */
	if (size == 0 || size >= sizeof(text) || memchr(data, 0, size))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	unlink(fz_file);
	if (symlink(text, fz_file))
		abort();
	check_entry(data, size, true);
	return 0;
}
