// SPDX-License-Identifier: MIT
/*
 * chaos-oci create --bundle DIR [--pid-file F] ID
 *
 * The container's process is a supervisor that lives as long as the
 * guest: `chaos run --paused` (docs/cli.md), started in a session of its
 * own with the stdio create inherited (the guest's console), so its exit
 * status says how the guest ended. create returns once the guest exists,
 * paused; `start` unpauses it. On any failure nothing is left: no
 * supervisor, no domain, no state directory.
 *
 * A container with a network namespace is made in two steps, because
 * the engine gives the namespace its address between create and start
 * (ctr run --cni, on /proc/PID/ns/net). create leaves the process in
 * its namespace, waiting on start.fifo; start finds the address, writes
 * the guest's config and lets the process become the supervisor
 * (ops.c). The pid the engine waits for is the same throughout.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "oci.h"

#define CREATE_TIMEOUT_MS 120000   /* a create under emulation is slow */
#define CREATE_POLL_MS    100
#define STOP_TIMEOUT      "10"     /* SIGTERM to destroy, in seconds */

/* chaos from our own directory (as installed side by side), else PATH. */
static void exec_supervisor(const char *config)
{
	char self[PATH_MAX], chaos[PATH_MAX + 8];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
	char *slash;

	if (n > 0) {
		self[n] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(chaos, sizeof(chaos), "%s/chaos", self);
			if (access(chaos, X_OK) == 0)
				execl(chaos, "chaos", "run", "--paused",
				      "--stop-timeout", STOP_TIMEOUT, config,
				      (char *)NULL);
		}
	}
	execlp("chaos", "chaos", "run", "--paused", "--stop-timeout",
	       STOP_TIMEOUT, config, (char *)NULL);
	fprintf(stderr, "chaos-oci: cannot run chaos: %s\n", strerror(errno));
	_exit(127);
}

int oci_wait_guest(pid_t pid, unsigned long long start, const char *id,
		   uint32_t *domid, chaos_err *err)
{
	long long end = chaos_clock_ms() + CREATE_TIMEOUT_MS;
	chaos_domain_state state;
	int status;

	while (chaos_clock_ms() < end) {
		/* Our child (create), or another's (start): gone either way. */
		if (!start && waitpid(pid, &status, WNOHANG) == pid)
			return oci_fail(err, ECHILD,
					"the guest could not be created (chaos run ended with status %d; its messages are on the container's stderr)",
					WIFEXITED(status) ? WEXITSTATUS(status) :
					128 + WTERMSIG(status));
		if (start && !oci_pid_alive(pid, start))
			return oci_fail(err, ECHILD,
					"the guest could not be created (chaos run ended; its messages are on the container's stderr)");
		if (oci_guest_find(id, domid, &state, err) == 1 &&
		    state == CHAOS_STATE_PAUSED)
			return 0;
		usleep(CREATE_POLL_MS * 1000);
	}
	return oci_fail(err, ETIMEDOUT, "the guest did not appear within %d s",
			CREATE_TIMEOUT_MS / 1000);
}

/*
 * The process of a container with a network namespace, until start: in a
 * session and the namespace of its own (or the one named), then it
 * reports on (ready) and waits for start's word on the FIFO.
 */
static void sandbox_end(int sig)
{
	(void)sig;
	_exit(0);
}

static void hold(const char *dir, const struct oci_spec *spec, int ready)
{
	char fifo[PATH_MAX + 16], word[4] = { 0 };
	const char *netns_path = spec->netns_path, *fail = NULL;
	int fd, e = 0;

	setsid();
	if (!spec->netns) {
		/* A sandbox in the host's network. */
	} else if (netns_path) {
		fd = open(netns_path, O_RDONLY | O_CLOEXEC);
		if (fd < 0 || setns(fd, CLONE_NEWNET))
			fail = "joining linux.namespaces' network path";
		e = errno;
	} else if (unshare(CLONE_NEWNET)) {
		fail = "a network namespace of its own";
		e = errno;
	}
	if (fail) {
		dprintf(ready, "%s: %s", fail, strerror(e));
		_exit(1);
	}
	if (write(ready, "", 1) != 1)
		_exit(1);
	close(ready);
	if (spec->sandbox) {
		/* Holds the pod's namespace until it is stopped. */
		signal(SIGTERM, sandbox_end);
		signal(SIGINT, sandbox_end);
		for (;;)
			pause();
	}
	snprintf(fifo, sizeof(fifo), "%s/" OCI_START_FIFO, dir);
	fd = open(fifo, O_RDONLY | O_CLOEXEC);
	if (fd < 0 || read(fd, word, 3) != 3 || strcmp(word, "go\n"))
		_exit(1);   /* deleted before start */
	close(fd);
	snprintf(fifo, sizeof(fifo), "%s/guest.json", dir);
	exec_supervisor(fifo);
}

/* Start hold() and wait for its word: its pid, or -1. */
static pid_t start_holder(const char *dir, const struct oci_spec *spec,
			  chaos_err *err)
{
	char fifo[PATH_MAX + 16], msg[256];
	int pipefd[2], status;
	ssize_t n;
	pid_t pid;

	snprintf(fifo, sizeof(fifo), "%s/" OCI_START_FIFO, dir);
	if (mkfifo(fifo, 0600))
		return oci_fail(err, errno, "%s: %s", fifo, strerror(errno));
	if (pipe2(pipefd, O_CLOEXEC))
		return oci_fail(err, errno, "pipe: %s", strerror(errno));
	pid = fork();
	if (pid == 0) {
		close(pipefd[0]);
		hold(dir, spec, pipefd[1]);
	}
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		return oci_fail(err, errno, "fork: %s", strerror(errno));
	}
	do
		n = read(pipefd[0], msg, sizeof(msg) - 1);
	while (n < 0 && errno == EINTR);
	close(pipefd[0]);
	if (n == 1 && msg[0] == '\0')
		return pid;
	msg[n > 0 ? n : 0] = '\0';
	waitpid(pid, &status, 0);
	return oci_fail(err, EIO, "the container's process: %s",
			n > 0 ? msg : "ended before it had a network namespace");
}

int oci_create_late(const char *dir, const char *id, const char *bundle,
		    int pid, unsigned long long pid_start, uint32_t *domid,
		    chaos_err *err)
{
	char path[PATH_MAX + 16], vif[24];
	struct oci_uplink up;
	struct oci_spec spec;
	chaos_config cfg;
	char *json = NULL;
	int nsfd, found, fifo = -1, rc = -1;

	nsfd = oci_netns_open(pid, err);
	if (nsfd < 0)
		return -1;
	found = oci_netns_uplink(nsfd, &up, err);
	if (found < 0 || oci_spec_load(bundle, &spec, err))
		goto out;
	/* No address there (no network plugin ran): a guest without a vif. */
	if (found) {
		spec.vif = true;
		memcpy(spec.ip, up.ip, 4);
		oci_debug("%s: the guest takes %s's address %u.%u.%u.%u/%u", id,
			  up.name, up.ip[0], up.ip[1], up.ip[2], up.ip[3],
			  up.prefix);
	}
	rc = oci_spec_to_config(&spec, id, &cfg, err);
	oci_spec_free(&spec);
	if (rc == 0) {
		rc = chaos_config_to_json(&cfg, &json, err);
		chaos_config_free(&cfg);
	}
	snprintf(path, sizeof(path), "%s/guest.json", dir);
	if (rc || (rc = oci_write_file(path, json, strlen(json), 0644, err)))
		goto out;
	/* Read and write: never blocks, and the word stays in the FIFO
	 * until the process reads it. */
	snprintf(path, sizeof(path), "%s/" OCI_START_FIFO, dir);
	fifo = open(path, O_RDWR | O_CLOEXEC);
	if (fifo < 0 || write(fifo, "go\n", 3) != 3) {
		rc = oci_fail(err, errno, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = oci_wait_guest(pid, pid_start, id, domid, err);
	if (rc == 0 && found) {
		snprintf(vif, sizeof(vif), "vif%u.0", *domid);
		rc = oci_netns_plug(nsfd, vif, &up, err);
	}
out:
	if (fifo >= 0)
		close(fifo);
	free(json);
	close(nsfd);
	return rc ? -1 : 0;
}

/* Undo a failed create: supervisor, guest, files, directory. */
static void undo(const char *dir, const char *id, pid_t pid)
{
	chaos_domain_state state;
	uint32_t domid;
	chaos_err err;

	if (pid > 0 && kill(pid, SIGKILL) == 0)
		waitpid(pid, NULL, 0);
	if (oci_guest_find(id, &domid, &state, &err) == 1 &&
	    oci_guest_destroy(id, &err))
		oci_error("%s: cleanup: %s", id, err.msg);
	oci_container_remove(dir);
}

/* --root and its parents (the engine names one per namespace, as
 * /run/containerd/runc/default, and makes none of it). */
static int make_root(const char *root)
{
	char path[PATH_MAX];

	if ((size_t)snprintf(path, sizeof(path), "%s", root) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (char *p = strchr(path + 1, '/');; p = strchr(p + 1, '/')) {
		if (p)
			*p = '\0';
		if (mkdir(path, 0711) && errno != EEXIST)
			return -1;
		if (!p)
			return 0;
		*p = '/';
	}
}

struct create_args {
	const char *bundle;
	const char *pid_file;
	const char *id;
};

static int create(const struct oci_globals *g, const struct create_args *a)
{
	char bundle[PATH_MAX], dir[PATH_MAX], config[PATH_MAX + 16];
	struct oci_state st = { 0 };
	struct oci_spec spec;
	chaos_config cfg;
	chaos_err err;
	char *json = NULL;
	time_t now = time(NULL);
	struct tm tm;
	pid_t pid;
	int rc;

	if (oci_container_dir(g->root, a->id, dir, sizeof(dir), &err))
		goto fail_early;
	if (!realpath(a->bundle, bundle)) {
		oci_error("--bundle %s: %s", a->bundle, strerror(errno));
		return 1;
	}
	if (oci_spec_load(bundle, &spec, &err))
		goto fail_early;
	oci_guest_name(a->id, st.guest);
	rc = spec.sandbox ? 0 : oci_spec_to_config(&spec, st.guest, &cfg, &err);
	if (rc == 0 && !spec.sandbox) {
		rc = chaos_config_to_json(&cfg, &json, &err);
		chaos_config_free(&cfg);
	}
	if (rc) {
		oci_spec_free(&spec);
		goto fail_early;
	}
	if (make_root(g->root) || mkdir(dir, 0700)) {
		if (errno == EEXIST)
			oci_fail(&err, EEXIST, "container %s exists", a->id);
		else
			oci_fail(&err, errno, "%s: %s", dir, strerror(errno));
		free(json);
		oci_spec_free(&spec);
		goto fail_early;
	}
	if (spec.netns || spec.sandbox) {
		/* start writes the config, with the namespace's address. */
		free(json);
		pid = start_holder(dir, &spec, &err);
		if (pid < 0) {
			oci_spec_free(&spec);
			undo(dir, st.guest, 0);
			goto fail_early;
		}
	} else {
		snprintf(config, sizeof(config), "%s/guest.json", dir);
		rc = oci_write_file(config, json, strlen(json), 0644, &err);
		free(json);
		if (rc) {
			oci_spec_free(&spec);
			undo(dir, st.guest, 0);
			goto fail_early;
		}
		pid = fork();
		if (pid == 0) {
			setsid();
			exec_supervisor(config);
		}
		if (pid < 0 || oci_wait_guest(pid, 0, st.guest, &st.domid, &err)) {
			if (pid < 0)
				oci_fail(&err, errno, "fork: %s", strerror(errno));
			oci_spec_free(&spec);
			undo(dir, st.guest, pid);
			goto fail_early;
		}
	}
	snprintf(st.id, sizeof(st.id), "%s", a->id);
	st.bundle = bundle;
	st.pid = pid;
	snprintf(st.status, sizeof(st.status), "created");
	gmtime_r(&now, &tm);
	strftime(st.created, sizeof(st.created), "%Y-%m-%dT%H:%M:%SZ", &tm);
	st.annotations = spec.annotations;
	st.nr_annotations = spec.nr_annotations;
	rc = oci_pid_start(pid, &st.pid_start) ? oci_fail(&err, ESRCH,
					"the supervisor (pid %d) ended", pid) :
	     oci_state_write(dir, &st, &err);
	if (rc == 0 && a->pid_file) {
		char text[24];

		snprintf(text, sizeof(text), "%d", pid);
		rc = oci_write_file(a->pid_file, text, strlen(text), 0644, &err);
	}
	oci_spec_free(&spec);
	if (rc) {
		undo(dir, st.guest, pid);
		goto fail_early;
	}
	if (st.domid)
		oci_debug("%s: domain %u created paused, supervisor pid %d",
			  a->id, st.domid, pid);
	else
		oci_debug("%s: process %d in its network namespace, the guest made at start",
			  a->id, pid);
	return 0;
fail_early:
	oci_error("create %s: %s", a->id, err.msg);
	return 1;
}

int oci_cmd_create(const struct oci_globals *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "pid-file", required_argument, NULL, 'p' },
		{ "console-socket", required_argument, NULL, 'c' },
		{ "no-pivot", no_argument, NULL, 'P' },
		{ "no-new-keyring", no_argument, NULL, 'K' },
		{ NULL, 0, NULL, 0 },
	};
	struct create_args a = { .bundle = "." };
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+b:", longopts, NULL)) != -1) {
		switch (opt) {
		case 'b':
			a.bundle = optarg;
			break;
		case 'p':
			a.pid_file = optarg;
			break;
		case 'c':
			/* A terminal would need the console on a pty handed
			 * over this socket: not built yet. */
			oci_error("create: --console-socket: terminal mode is not supported; run the container without a terminal");
			return 1;
		case 'P':
		case 'K':
			break;   /* no root filesystem to pivot, no keyring */
		default:
			oci_error("usage: chaos-oci create --bundle DIR [--pid-file F] ID");
			return 1;
		}
	}
	if (optind != argc - 1) {
		oci_error("usage: chaos-oci create --bundle DIR [--pid-file F] ID");
		return 1;
	}
	a.id = argv[optind];
	return create(g, &a);
}
