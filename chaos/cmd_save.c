// SPDX-License-Identifier: MIT
/*
 * chaos save <dom> <file> [--keep-running] [--timing]
 * chaos restore <file> [--paused] [--timing] [--bridge B[=NEW]]
 *               [--disk PATH[=NEW]] [--config FILE]
 * chaos resume <dom>
 *
 * The CLI opens the files with its own credentials (save: a fresh
 * temporary file beside <file>, renamed over it once the image is in it;
 * restore: the image), then either hands the descriptor to chaosd, while
 * it runs, or does the work here (--no-chaosd, or no chaosd): one path
 * to the same results and messages.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stddef.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chaos/chaos.h>
#include "commands.h"

/* The phases of a checkpoint (--timing), the ones that took time. */
void cli_print_phases(const chaos_ckpt_phases *p)
{
	static const struct {
		const char *name;
		size_t off;
	} rows[] = {
		{ "  state", offsetof(chaos_ckpt_phases, state_us) },
		{ "  types", offsetof(chaos_ckpt_phases, types_us) },
		{ "  alloc", offsetof(chaos_ckpt_phases, alloc_us) },
		{ "  map", offsetof(chaos_ckpt_phases, map_us) },
		{ "  scan", offsetof(chaos_ckpt_phases, scan_us) },
		{ "  hash", offsetof(chaos_ckpt_phases, hash_us) },
		{ "  canon", offsetof(chaos_ckpt_phases, canon_us) },
		{ "  io", offsetof(chaos_ckpt_phases, io_us) },
		{ "  pin", offsetof(chaos_ckpt_phases, pin_us) },
		{ "  devices", offsetof(chaos_ckpt_phases, devices_us) },
	};

	if (!p->pages)
		return; /* not measured here (the work ran in chaosd) */
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		uint64_t us;

		memcpy(&us, (const char *)p + rows[i].off, sizeof(us));
		if (us)
			printf("%-9s%8.3f ms\n", rows[i].name, us / 1000.0);
	}
	printf("pages    %llu (%llu all-zero), image %llu KiB\n",
	       (unsigned long long)p->pages,
	       (unsigned long long)p->zero_pages,
	       (unsigned long long)(p->image_bytes / 1024));
}

static void print_save_timing(const chaos_save_timing *t)
{
	printf("suspend  %8.3f ms\ncapture  %8.3f ms\nwrite    %8.3f ms\n"
	       "finish   %8.3f ms\ntotal    %8.3f ms\n",
	       t->suspend_us / 1000.0, t->capture_us / 1000.0,
	       t->write_us / 1000.0, t->finish_us / 1000.0,
	       t->total_us / 1000.0);
	cli_print_phases(&t->phases);
}

/*
 * The save here: the guest resolved, its image into path (a file beside
 * it, synced and renamed over it before the guest is destroyed: killed
 * anywhere, this leaves the guest or the image under its name).
 */
static int save_direct(const char *ref, const char *path, bool keep_running,
		       chaos_save_timing *t, chaos_err *err)
{
	chaos_host *host;
	uint32_t domid;
	int rc;

	if (chaos_host_open(&host, err))
		return -1;
	rc = chaos_guest_resolve(host, ref, &domid, err) ||
	     chaos_checkpoint_save(host, domid, path, keep_running, t, err) ?
	     -1 : 0;
	chaos_host_close(host);
	return rc;
}

/*
 * Through chaosd, which never opens a client's path: the image onto a
 * file made here and renamed once chaosd answers (chaosd destroys the
 * guest before that; a CLI killed in between leaves the image under the
 * temporary name beside path).
 */
static int save_chaosd(chaosd_conn *conn, const char *ref, const char *path,
		       bool keep_running, chaos_save_timing *t, chaos_err *err)
{
	char tmp[4096];
	int fd = chaos_checkpoint_file_begin(path, tmp, sizeof(tmp), err);

	if (fd < 0)
		return -1;
	if (chaosd_save(conn, ref, fd, keep_running, t, NULL, err)) {
		close(fd);
		unlink(tmp);
		return -1;
	}
	/* The image is whole and synced: only its name is left. */
	return chaos_checkpoint_file_commit(fd, tmp, path, err);
}

int cmd_save(int argc, char **argv)
{
	const char *ref = NULL, *path = NULL;
	bool keep_running = false, timing = false;
	chaos_save_timing t;
	chaosd_conn *conn;
	chaos_err err;
	int rc, c;
	static const struct option longopts[] = {
		{ "keep-running", no_argument, NULL, 'k' },
		{ "timing", no_argument, NULL, 'T' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};

	while ((c = cli_getopt(argc, argv, "h", longopts)) != -1) {
		switch (c) {
		case 'k':
			keep_running = true;
			break;
		case 'T':
			timing = true;
			break;
		case 'h':
			return CLI_HELP;
		default:
			goto usage;
		}
	}
	if (argc - optind != 2)
		goto usage;
	ref = argv[optind];
	path = argv[optind + 1];
	conn = cli_chaosd();
	if (conn) {
		rc = save_chaosd(conn, ref, path, keep_running, &t, &err);
		chaosd_close(conn);
	} else {
		rc = save_direct(ref, path, keep_running, &t, &err);
	}
	if (rc) {
		cli_error("%s", err.msg);
		return 1;
	}
	if (timing)
		print_save_timing(&t);
	return 0;
usage:
	cli_error("usage: chaos save <dom> <file> [--keep-running] [--timing]");
	return 2;
}

/* The image, read-only, refusing anything but a regular file without
 * blocking on a FIFO; the fd or -1 after saying why. */
static int open_image(const char *path)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);

	if (fd < 0) {
		cli_error("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		cli_error("%s: not a regular file", path);
		close(fd);
		return -1;
	}
	return fd;
}

static int restore_direct(int fd, const chaos_restore_opts *opts,
			  uint32_t *domid, char *name, chaos_err *err)
{
	chaos_host *host;
	int rc;

	if (chaos_host_open(&host, err))
		return -1;
	cli_recover(host);
	rc = chaos_checkpoint_restore_fd(host, fd, opts, domid, name, err);
	chaos_host_close(host);
	return rc;
}

int cmd_restore(int argc, char **argv)
{
	const char *bridges[CLI_BRIDGES_MAX], *disks[CHAOS_CONFIG_DISKS_MAX];
	chaos_restore_opts opts = { .bridges = bridges, .disks = disks };
	chaos_ckpt_phases phases = { 0 };
	const char *path = NULL;
	char name[CHAOS_NAME_MAX], config[CHAOS_CONFIG_PATH_MAX];
	chaosd_conn *conn;
	bool timing = false;
	chaos_err err;
	uint32_t domid;
	uint64_t t0;
	int fd, rc, c;
	static const struct option longopts[] = {
		{ "paused", no_argument, NULL, 'p' },
		{ "timing", no_argument, NULL, 'T' },
		{ "bridge", required_argument, NULL, 'b' },
		{ "disk", required_argument, NULL, 'd' },
		{ "config", required_argument, NULL, 'C' },
		CLI_OPT_HELP,
		{ NULL, 0, NULL, 0 },
	};

	while ((c = cli_getopt(argc, argv, "ph", longopts)) != -1) {
		switch (c) {
		case 'p':
			opts.paused = true;
			break;
		case 'T':
			timing = true;
			break;
		case 'b':
			if (cli_add_bridge(bridges, &opts.nr_bridges, optarg))
				return 2;
			break;
		case 'd':
			if (cli_add_disk(disks, &opts.nr_disks, optarg))
				return 2;
			break;
		case 'C':
			if (cli_config_arg(optarg, config, &opts))
				return 2;
			break;
		case 'h':
			return CLI_HELP;
		default:
			goto usage;
		}
	}
	if (argc - optind != 1)
		goto usage;
	path = argv[optind];
	fd = open_image(path);
	if (fd < 0)
		return 1;
	if (timing)
		opts.phases = &phases;
	t0 = chaos_clock_us();
	conn = cli_chaosd();
	if (conn) {
		rc = chaosd_restore(conn, fd, &opts, &domid, name, &err);
		chaosd_close(conn);
	} else {
		rc = restore_direct(fd, &opts, &domid, name, &err);
	}
	close(fd);
	if (rc) {
		cli_error("%s", err.msg);
		return 1;
	}
	printf("restored %s as domain %u%s\n", name[0] ? name : "(unnamed)",
	       domid, opts.paused ? " (paused)" : "");
	if (timing) {
		printf("total    %8.3f ms\n", (chaos_clock_us() - t0) / 1000.0);
		cli_print_phases(&phases);
	}
	return 0;
usage:
	cli_error("usage: chaos restore <file> [--paused] [--timing] [--bridge NAME[=NEW]]... [--disk PATH[=NEW]]... [--config FILE]");
	return 2;
}

static int resume_direct(const char *ref, uint32_t *domid, chaos_err *err)
{
	chaos_host *host;
	int rc;

	if (chaos_host_open(&host, err))
		return -1;
	rc = chaos_guest_resolve(host, ref, domid, err) ||
	     chaos_checkpoint_resume(host, *domid, err) ? -1 : 0;
	chaos_host_close(host);
	return rc;
}

/*
 * chaos resume <dom>: let a suspended guest go on, for one a save or a
 * migration left suspended (a migration's source keeps it so when the
 * destination did not answer after "go": check the guest does not run
 * there first).
 */
int cmd_resume(int argc, char **argv)
{
	chaosd_conn *conn;
	chaos_err err;
	uint32_t domid = 0;
	int rc = cli_positional_only(&argc, &argv);

	if (rc >= 0)
		return rc;
	if (argc != 2 || argv[1][0] == '-') {
		cli_error("usage: chaos resume <dom>");
		return 2;
	}
	conn = cli_chaosd();
	if (conn) {
		rc = chaosd_resume(conn, argv[1], &domid, &err);
		chaosd_close(conn);
	} else {
		rc = resume_direct(argv[1], &domid, &err);
	}
	if (rc) {
		cli_error("%s", err.msg);
		return 1;
	}
	printf("resumed domain %u\n", domid);
	return 0;
}
