// SPDX-License-Identifier: MIT
/*
 * chaos-oci [global options] COMMAND [options] ID: the command line of
 * runc, as containerd's runc shim (containerd-shim-runc-v2) calls it,
 * for chaos unikernels (README.md, docs/oci.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "oci.h"

#define ROOT_DEFAULT "/run/chaos-oci"

static const struct {
	const char *name;
	int (*fn)(const struct oci_globals *, int, char **);
} commands[] = {
	{ "create", oci_cmd_create },
	{ "start", oci_cmd_start },
	{ "state", oci_cmd_state },
	{ "kill", oci_cmd_kill },
	{ "delete", oci_cmd_delete },
	{ "features", oci_cmd_features },
};

static void usage(FILE *out)
{
	fputs("usage: chaos-oci [--root DIR] [--log FILE] [--log-format text|json]\n"
	      "                 [--systemd-cgroup] [--debug] COMMAND ...\n"
	      "commands:\n"
	      "  create --bundle DIR [--pid-file F] [--no-pivot] [--no-new-keyring] ID\n"
	      "  start ID\n"
	      "  state ID\n"
	      "  kill [--all] ID [SIGNAL]\n"
	      "  delete [--force] ID\n"
	      "  features\n", out);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "log", required_argument, NULL, 'l' },
		{ "log-format", required_argument, NULL, 'f' },
		{ "systemd-cgroup", no_argument, NULL, 's' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct oci_globals g = { .root = ROOT_DEFAULT };
	const char *log = NULL;
	bool json = false, debug = false;
	int opt;

	/* "+": options stop at the command, which has its own. */
	while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		switch (opt) {
		case 'r':
			g.root = optarg;
			break;
		case 'l':
			log = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "json") && strcmp(optarg, "text")) {
				fprintf(stderr, "chaos-oci: --log-format: '%s' is not text or json\n",
					optarg);
				return 1;
			}
			json = !strcmp(optarg, "json");
			break;
		case 's':
			break;   /* no cgroups: a guest's limits are Xen's */
		case 'd':
			debug = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	oci_log_setup(log, json, debug);
	if (optind >= argc) {
		oci_error("no command given (create, start, state, kill, delete, features)");
		return 1;
	}
	if (!*g.root) {
		oci_error("--root: empty");
		return 1;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (!strcmp(argv[optind], commands[i].name))
			return commands[i].fn(&g, argc - optind, argv + optind);
	oci_error("unknown command '%s' (create, start, state, kill, delete, features)",
		  argv[optind]);
	return 1;
}
