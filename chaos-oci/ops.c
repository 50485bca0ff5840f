// SPDX-License-Identifier: MIT
/*
 * chaos-oci start|state|kill|delete ID: the container's status comes
 * from what lives, not from what the record says: the supervisor (pid
 * and start time) and the guest (by name, in the hypervisor).
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "oci.h"

#define GONE_WAIT_MS 10000   /* for the supervisor to see its guest gone */

static bool sandbox(const struct oci_state *st)
{
	const char *type = oci_annotation_get(st->annotations,
					      st->nr_annotations, OCI_CRI_TYPE);

	return type && !strcmp(type, "sandbox");
}

struct container {
	char dir[PATH_MAX];
	struct oci_state st;
	const char *status;         /* created, running or stopped */
	bool supervisor;            /* it lives */
	bool guest;                 /* it lives */
	bool guest_unrecorded;      /* one of its name, start under way */
};

/* Load ID's record and see what lives. */
static int container_load(const struct oci_globals *g, const char *id,
			  struct container *c, chaos_err *err)
{
	chaos_domain_state state;
	uint32_t domid;
	int found;

	if (oci_container_dir(g->root, id, c->dir, sizeof(c->dir), err))
		return -1;
	if (access(c->dir, F_OK))
		return oci_fail(err, ENOENT, "container %s does not exist", id);
	if (oci_state_read(c->dir, &c->st, err))
		return -1;
	if (strcmp(c->st.id, id)) {
		oci_state_free(&c->st);
		return oci_fail(err, EINVAL, "state.json: id: '%s', not '%s'",
				c->st.id, id);
	}
	c->supervisor = oci_pid_alive(c->st.pid, c->st.pid_start);
	oci_guest_name(id, c->st.guest);
	found = oci_guest_find(c->st.guest, &domid, &state, err);
	if (found < 0) {
		oci_state_free(&c->st);
		return -1;
	}
	/* The name belongs to the domain we created, or to none of ours. */
	c->guest = found == 1 && c->st.domid && domid == c->st.domid &&
		   state != CHAOS_STATE_SHUTDOWN && state != CHAOS_STATE_DYING;
	c->status = c->supervisor && c->guest ? c->st.status : "stopped";
	/* Not made yet (a network namespace), or never (a sandbox): its
	 * process is the container. */
	if (!c->st.domid && c->supervisor &&
	    (!strcmp(c->st.status, "created") || sandbox(&c->st)))
		c->status = c->st.status;
	/* A guest of that name that start made but did not record yet. */
	c->guest_unrecorded = found == 1 && !c->st.domid;
	return 0;
}

static const char *one_id(int argc, char **argv, const char *usage)
{
	if (optind != argc - 1) {
		oci_error("usage: chaos-oci %s", usage);
		return NULL;
	}
	return argv[optind];
}

/* Commands without options of their own. */
static const char *plain_args(int argc, char **argv, const char *usage)
{
	static const struct option none[] = { { NULL, 0, NULL, 0 } };

	optind = 1;
	if (getopt_long(argc, argv, "+", none, NULL) != -1) {
		oci_error("usage: chaos-oci %s", usage);
		return NULL;
	}
	return one_id(argc, argv, usage);
}

static int kill_now(const struct container *c, chaos_err *err);

int oci_cmd_start(const struct oci_globals *g, int argc, char **argv)
{
	const char *id = plain_args(argc, argv, "start ID");
	struct container c;
	chaos_err err;

	if (!id)
		return 1;
	if (container_load(g, id, &c, &err))
		goto fail;
	if (strcmp(c.status, "created")) {
		oci_fail(&err, EINVAL, "cannot start a container that is %s",
			 c.status);
		oci_state_free(&c.st);
		goto fail;
	}
	if (!c.st.domid && !sandbox(&c.st) &&
	    oci_create_late(c.dir, c.st.guest, c.st.bundle, c.st.pid, c.st.pid_start,
			    &c.st.domid, &err)) {
		/* Nothing half-made stays: the container is stopped. */
		c.guest_unrecorded = true;
		kill_now(&c, &err);
		oci_state_free(&c.st);
		goto fail;
	}
	/* Recorded first: a start that fails half-way is seen as running,
	 * and its guest's end then ends it. */
	snprintf(c.st.status, sizeof(c.st.status), "running");
	if (oci_state_write(c.dir, &c.st, &err) ||
	    (!sandbox(&c.st) && oci_guest_unpause(c.st.guest, &err))) {
		oci_state_free(&c.st);
		goto fail;
	}
	oci_state_free(&c.st);
	return 0;
fail:
	oci_error("start %s: %s", id, err.msg);
	return 1;
}

int oci_cmd_state(const struct oci_globals *g, int argc, char **argv)
{
	const char *id = plain_args(argc, argv, "state ID");
	struct container c;
	chaos_err err;
	int rc;

	if (!id)
		return 1;
	if (container_load(g, id, &c, &err)) {
		oci_error("state %s: %s", id, err.msg);
		return 1;
	}
	/* A stopped container has no process: pid 0, as runc says. */
	if (!strcmp(c.status, "stopped"))
		c.st.pid = 0;
	rc = oci_state_print(&c.st, c.status, stdout);
	oci_state_free(&c.st);
	return rc ? 1 : 0;
}

/* Wait until the supervisor has ended (it sees its guest gone). */
static void wait_supervisor(const struct container *c)
{
	long long end = chaos_clock_ms() + GONE_WAIT_MS;

	while (oci_pid_alive(c->st.pid, c->st.pid_start) &&
	       chaos_clock_ms() < end)
		usleep(50 * 1000);
}

/* At once: the supervisor killed (the container's process dies of
 * SIGKILL, as runc's would), then the guest destroyed. */
static int kill_now(const struct container *c, chaos_err *err)
{
	if (c->supervisor && kill(c->st.pid, SIGKILL) && errno != ESRCH)
		return oci_fail(err, errno, "kill %d: %s", c->st.pid,
				strerror(errno));
	if ((c->guest || c->guest_unrecorded) &&
	    oci_guest_destroy(c->st.guest, err))
		return -1;
	return 0;
}

int oci_cmd_kill(const struct oci_globals *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "all", no_argument, NULL, 'a' },
		{ NULL, 0, NULL, 0 },
	};
	const char *usage = "kill [--all] ID [SIGNAL]";
	const char *id, *signame = "TERM";
	struct container c;
	chaos_err err;
	int opt, sig, rc = 0;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+a", longopts, NULL)) != -1) {
		if (opt != 'a') {   /* --all: the guest is the only process */
			oci_error("usage: chaos-oci %s", usage);
			return 1;
		}
	}
	if (optind == argc - 2)
		signame = argv[argc - 1];
	else if (optind != argc - 1) {
		oci_error("usage: chaos-oci %s", usage);
		return 1;
	}
	id = argv[optind];
	sig = oci_signal_parse(signame);
	if (sig < 0) {
		oci_error("kill %s: '%s' is not a signal", id, signame);
		return 1;
	}
	if (container_load(g, id, &c, &err))
		goto fail;
	if (!strcmp(c.status, "stopped")) {
		oci_fail(&err, ESRCH, "container is not running");
		rc = -1;
	} else if (sig == SIGKILL ||
		   ((sig == SIGTERM || sig == SIGINT || sig == SIGHUP) &&
		    !strcmp(c.status, "created"))) {
		/* A guest never started has no shutdown code to run. */
		rc = kill_now(&c, &err);
	} else if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP) {
		/* chaos run asks the guest to power off, destroys it after
		 * its stop timeout. */
		if (kill(c.st.pid, SIGTERM))
			rc = oci_fail(&err, errno, "kill %d: %s", c.st.pid,
				      strerror(errno));
	} else {
		rc = oci_fail(&err, EINVAL,
			      "signal %d has no meaning for a unikernel (TERM, INT, HUP: shut down; KILL: destroy)",
			      sig);
	}
	oci_state_free(&c.st);
	if (rc == 0)
		return 0;
fail:
	oci_error("kill %s: %s", id, err.msg);
	return 1;
}

int oci_cmd_delete(const struct oci_globals *g, int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "force", no_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	const char *id;
	struct container c;
	bool force = false;
	chaos_err err;
	int opt;

	optind = 1;
	while ((opt = getopt_long(argc, argv, "+f", longopts, NULL)) != -1) {
		if (opt != 'f') {
			oci_error("usage: chaos-oci delete [--force] ID");
			return 1;
		}
		force = true;
	}
	if (!(id = one_id(argc, argv, "delete [--force] ID")))
		return 1;
	if (container_load(g, id, &c, &err)) {
		/* runc: deleting what is not there, forced, is no error. */
		if (force && err.code == ENOENT)
			return 0;
		oci_error("delete %s: %s", id, err.msg);
		return 1;
	}
	if (!strcmp(c.status, "running") && !force) {
		oci_error("delete %s: the container is running: kill it first, or delete --force", id);
		oci_state_free(&c.st);
		return 1;
	}
	if (kill_now(&c, &err)) {
		oci_error("delete %s: %s", id, err.msg);
		oci_state_free(&c.st);
		return 1;
	}
	wait_supervisor(&c);
	oci_container_remove(c.dir);
	oci_state_free(&c.st);
	return 0;
}
