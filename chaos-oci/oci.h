/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_OCI_H
#define CHAOS_OCI_H

/* chaos-oci: an OCI runtime (runc's command line) for chaos unikernels. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>
#include <chaos/chaos.h>

#define OCI_VERSION          "1.0.2"
#define OCI_SPEC_MAX         (1024 * 1024)  /* bytes of config.json */
#define OCI_STATE_MAX        (256 * 1024)   /* bytes of state.json */
#define OCI_JSON_DEPTH_MAX   64             /* nesting, before yajl's tree */
#define OCI_ANNOTATIONS_MAX  64
#define OCI_ANNOTATION_KEY_MAX   256        /* bytes, without the NUL */
#define OCI_ANNOTATION_VALUE_MAX 4096
#define OCI_STATUS_MAX       16
#define OCI_ID_MAX           255            /* bytes of a container id */

struct oci_annotation {
	char *key;
	char *value;
};

/* What chaos-oci takes from a bundle's config.json (spec.c). */
struct oci_spec {
	char *root_path;        /* root.path as written */
	char *kernel_rel;       /* org.chaos.kernel, inside the rootfs */
	char *kernel;           /* resolved: absolute, a regular file */
	char *cmdline;          /* process.args joined, or org.chaos.cmdline */
	uint64_t memory_mib;
	bool vif;               /* org.chaos.ip given: one vif */
	uint8_t ip[4];
	char bridge[CHAOS_CONFIG_BRIDGE_MAX];
	bool sandbox;           /* a pod's sandbox: no guest (below) */
	bool netns;             /* linux.namespaces has "network" */
	char *netns_path;       /* its path, NULL: a new one */
	size_t nr_annotations;
	struct oci_annotation *annotations;
};

/* Parse config.json's text (len bytes and a NUL after them, as
 * oci_read_file gives it); every field is checked and a bad one named in
 * err. No file is touched: oci_spec_resolve finds the kernel. */
int oci_spec_parse(const char *text, size_t len, struct oci_spec *s,
		   chaos_err *err);
/* Find the kernel inside (bundle)'s rootfs: no escape out of it (.., or a
 * symbolic link leading out), a regular file. */
int oci_spec_resolve(const char *bundle, struct oci_spec *s, chaos_err *err);
/* Both, from (bundle)/config.json. */
int oci_spec_load(const char *bundle, struct oci_spec *s, chaos_err *err);
void oci_spec_free(struct oci_spec *s);
/* The chaos guest config for it, named (name). */
int oci_spec_to_config(const struct oci_spec *s, const char *name,
		       chaos_config *cfg, chaos_err *err);

/* A container's record, (root)/(id)/state.json (state.c). */
struct oci_state {
	char id[OCI_ID_MAX + 1];
	char guest[CHAOS_NAME_MAX];    /* not kept: oci_guest_name(id) */
	char *bundle;
	int pid;                       /* the supervisor */
	unsigned long long pid_start;  /* its start time, against pid reuse */
	uint32_t domid;                /* 0: not made yet (start makes it) */
	char status[OCI_STATUS_MAX];   /* created, running */
	char created[40];              /* RFC 3339, UTC */
	size_t nr_annotations;
	struct oci_annotation *annotations;
};

int oci_state_write(const char *dir, const struct oci_state *st,
		    chaos_err *err);
int oci_state_read(const char *dir, struct oci_state *st, chaos_err *err);
void oci_state_free(struct oci_state *st);
/* The OCI state JSON for (st) with (status), on (out). */
int oci_state_print(const struct oci_state *st, const char *status,
		    FILE *out);

/* Shared JSON helpers (json.c). */
struct yajl_val_s;
/* Read (path), at most (max) bytes; NUL-terminated in *text. */
int oci_read_file(const char *path, size_t max, char **text, size_t *len,
		  chaos_err *err);
/* Write (path) whole or not at all: a temporary file beside it, synced,
 * renamed over it. */
int oci_write_file(const char *path, const void *buf, size_t len, int mode,
		   chaos_err *err);
/* yajl's tree of (text: len bytes and a NUL), refused if nested deeper than OCI_JSON_DEPTH_MAX
 * (yajl frees its tree recursively). */
struct yajl_val_s *oci_json_parse(const char *text, size_t len,
				  const char *what, chaos_err *err);
/* The annotations object (v) copied, bounds-checked. */
int oci_annotations_copy(struct yajl_val_s *v, struct oci_annotation **out,
			 size_t *n, const char *field, chaos_err *err);
/* (v)'s string, or NULL when it is not a string. */
const char *oci_json_string(struct yajl_val_s *v);
void oci_annotations_free(struct oci_annotation *a, size_t n);
const char *oci_annotation_get(const struct oci_annotation *a, size_t n,
			       const char *key);

/* A signal by name (TERM, SIGTERM) or number (signame.c); -1 if none. */
int oci_signal_parse(const char *text);

/* The process (pid) as /proc shows it: its start time; false when it is
 * gone or a zombie (proc.c). */
bool oci_pid_alive(int pid, unsigned long long start);
int oci_pid_start(int pid, unsigned long long *start);

/* Errors: on stderr, and in --log (text or json) (log.c). */
void oci_log_setup(const char *path, bool json, bool debug);
void oci_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void oci_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
int oci_fail(chaos_err *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The guest behind a container, by name: through chaosd when it runs,
 * else directly (guest.c). oci_guest_find: 1 and its state when it
 * lives, 0 when there is none, -1 on error. */
/*
 * The guest's name for container (id): the id itself when it is a valid
 * chaos name, else "oci-" and 32 hex digits of its SHA-256 (engines
 * such as Kubernetes's use 64 hex digits, longer than a chaos name).
 */
void oci_guest_name(const char *id, char name[CHAOS_NAME_MAX]);
int oci_guest_find(const char *name, uint32_t *domid,
		   chaos_domain_state *state, chaos_err *err);
int oci_guest_unpause(const char *name, chaos_err *err);
int oci_guest_destroy(const char *name, chaos_err *err);

/*
 * The container's network namespace (netns.c). oci_netns_open: the
 * namespace of (pid), a descriptor, or -1. oci_netns_uplink: the first
 * interface there, not loopback, with an IPv4 address: 1, 0 when there
 * is none, -1 on error. oci_netns_plug: (vif) moved into it and bridged
 * there with the uplink, whose address comes off (the guest has it).
 */
#define OCI_NETNS_BRIDGE "chaos-br"
struct oci_uplink {
	char name[16];
	int ifindex;
	uint8_t ip[4];
	unsigned int prefix;
};
int oci_netns_open(int pid, chaos_err *err);
int oci_netns_uplink(int nsfd, struct oci_uplink *up, chaos_err *err);
int oci_netns_plug(int nsfd, const char *vif, const struct oci_uplink *up,
		   chaos_err *err);

/* The commands (create.c, ops.c, features.c). */
struct oci_globals {
	const char *root;
};
int oci_cmd_create(const struct oci_globals *g, int argc, char **argv);
int oci_cmd_start(const struct oci_globals *g, int argc, char **argv);
int oci_cmd_state(const struct oci_globals *g, int argc, char **argv);
int oci_cmd_kill(const struct oci_globals *g, int argc, char **argv);
int oci_cmd_delete(const struct oci_globals *g, int argc, char **argv);
int oci_cmd_features(const struct oci_globals *g, int argc, char **argv);

/*
 * Kubernetes (containerd's CRI) runs each pod's sandbox through the
 * runtime too, with this annotation "sandbox": its process only holds
 * the pod's network namespace, so no guest is made for it.
 */
#define OCI_CRI_TYPE "io.kubernetes.cri.container-type"

/* The FIFO in a container's directory on which its process waits for
 * start (a container with a network namespace). */
#define OCI_START_FIFO "start.fifo"
/* Wait until the supervisor (pid) has the guest (id), paused: 0 and its
 * domid, or -1 when the supervisor ended first or the time ran out.
 * (start): the supervisor's start time when it is not our child, 0 when
 * it is. */
int oci_wait_guest(pid_t pid, unsigned long long start, const char *id,
		   uint32_t *domid, chaos_err *err);

/* The second half of a create for a container with a network namespace
 * (its process waits on the FIFO): the guest made with the namespace's
 * address, paused, its vif plugged in there. */
int oci_create_late(const char *dir, const char *id, const char *bundle,
		    int pid, unsigned long long pid_start, uint32_t *domid,
		    chaos_err *err);

/* (root)/(id) into buf, the id checked: 1 to OCI_ID_MAX bytes of
 * A-Z a-z 0-9 _ + . -, not "." or "..". */
int oci_container_dir(const char *root, const char *id, char *buf,
		      size_t size, chaos_err *err);
/* Remove (dir) and the files chaos-oci keeps there. */
void oci_container_remove(const char *dir);

#endif
