// SPDX-License-Identifier: MIT
/* chaos-oci features: what this runtime does, in the OCI runtime-spec's
 * features document (features.md). A guest has no namespaces, cgroups,
 * mounts or hooks of the host kernel: those lists are empty. */
#include <stdio.h>

#include "oci.h"

static const char features_json[] =
	"{\n"
	"  \"ociVersionMin\": \"1.0.0\",\n"
	"  \"ociVersionMax\": \"" OCI_VERSION "\",\n"
	"  \"hooks\": [],\n"
	"  \"mountOptions\": [],\n"
	"  \"linux\": {\n"
	"    \"namespaces\": [],\n"
	"    \"capabilities\": [],\n"
	"    \"cgroup\": { \"v1\": false, \"v2\": false, \"systemd\": false,"
	" \"systemdUser\": false },\n"
	"    \"seccomp\": { \"enabled\": false },\n"
	"    \"apparmor\": { \"enabled\": false },\n"
	"    \"selinux\": { \"enabled\": false }\n"
	"  },\n"
	"  \"annotations\": {\n"
	"    \"org.chaos.kernel\": \"the unikernel, a path inside the root filesystem (required)\",\n"
	"    \"org.chaos.memory\": \"MiB (else linux.resources.memory.limit, else 32)\",\n"
	"    \"org.chaos.cmdline\": \"the guest's command line (else process.args joined)\",\n"
	"    \"org.chaos.ip\": \"one vif with this IPv4 address\",\n"
	"    \"org.chaos.bridge\": \"the vif's bridge\"\n"
	"  }\n"
	"}\n";

int oci_cmd_features(const struct oci_globals *g, int argc, char **argv)
{
	(void)g;
	(void)argv;
	if (argc != 1) {
		oci_error("usage: chaos-oci features");
		return 1;
	}
	return fputs(features_json, stdout) < 0 ? 1 : 0;
}
