// SPDX-License-Identifier: MIT
/*
 * chaos-oci's inputs: a bundle's config.json (oci_spec_parse, spec.c,
 * as containerd or whoever wrote the bundle hands it over) and a
 * container's state.json (oci_state_read, state.c, in a private
 * directory). Byte 0 picks: even, config.json; odd, state.json. What is
 * accepted must hold: a kernel named unless a CRI sandbox, a command line
 * and memory within a guest's, a namespace path absolute; a state with an
 * id that is one path component, a known status, a bundle.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"
#include "fuzz.h"

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fz_private_file("state.json");
	return 0;
}

static void spec(const uint8_t *data, size_t len)
{
	char *text = malloc(len + 1);
	struct oci_spec s;
	chaos_config cfg;
	chaos_err err;
	int rc;

	/* As oci_read_file gives it: NUL-terminated. */
	if (!text)
		abort();
	memcpy(text, data, len);
	text[len] = '\0';
	rc = oci_spec_parse(text, len, &s, &err);
	free(text);
	if (rc) {
		FZ_SAY("%s\n", err.msg);
		return;
	}
	if ((!s.sandbox && (!s.kernel_rel || !*s.kernel_rel)) ||
	    (s.cmdline && strlen(s.cmdline) >= CHAOS_CONFIG_CMDLINE_MAX) ||
	    (!s.sandbox && (s.memory_mib < 1 ||
			    s.memory_mib > CHAOS_CONFIG_MEMORY_MAX)) ||
	    (s.netns_path && s.netns_path[0] != '/') ||
	    (s.netns_path && !s.netns) || (s.netns && s.vif))
		abort();
	/* What create makes of it (the kernel as resolve would give it). */
	if (!s.sandbox && (s.kernel = strdup("/rootfs/k"))) {
		if (oci_spec_to_config(&s, "fuzz", &cfg, &err) == 0)
			chaos_config_free(&cfg);
		else
			FZ_SAY("config: %s\n", err.msg);
	}
	FZ_SAY("spec: kernel %s, %llu MiB\n",
	       s.kernel_rel ? s.kernel_rel : "(sandbox)",
	       (unsigned long long)s.memory_mib);
	oci_spec_free(&s);
}

static void state(const uint8_t *data, size_t size)
{
	struct oci_state st;
	chaos_err err;
	int fd;

	fd = open(fz_file, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || (size && write(fd, data, size) != (ssize_t)size))
		abort();
	close(fd);
	memset(&st, 0, sizeof(st));
	if (oci_state_read(fz_dir, &st, &err)) {
		FZ_SAY("%s\n", err.msg);
		return;
	}
	if (!memchr(st.id, 0, sizeof(st.id)) || !st.id[0] ||
	    strchr(st.id, '/') || !st.bundle || st.pid < 1 ||
	    (strcmp(st.status, "created") && strcmp(st.status, "running")))
		abort();
	FZ_SAY("state: %s %s pid %d\n", st.id, st.status, st.pid);
	oci_state_free(&st);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!size)
		return 0;
	if (data[0] & 1)
		state(data + 1, size - 1);
	else
		spec(data + 1, size - 1);
	return 0;
}
