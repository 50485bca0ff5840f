/* SPDX-License-Identifier: MIT */
#ifndef CHAOSD_REQUEST_H
#define CHAOSD_REQUEST_H

/* chaosd's requests (docs/chaosd-protocol.md), parsed and checked. */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <chaos/chaos.h>

typedef enum chaosd_op {
	CHAOSD_OP_PING,
	CHAOSD_OP_CREATE,
	CHAOSD_OP_DESTROY,
	CHAOSD_OP_SHUTDOWN,
	CHAOSD_OP_LIST,
	CHAOSD_OP_POOL_GET,
	CHAOSD_OP_POOL_SET,
	CHAOSD_OP_CONSOLE,
	CHAOSD_OP_PAUSE,
	CHAOSD_OP_UNPAUSE,
	CHAOSD_OP_SHUTDOWN_STATUS,
	CHAOSD_OP_SAVE,
	CHAOSD_OP_RESTORE,
	CHAOSD_OP_RESUME,
	CHAOSD_OP_MIGRATE_SEND,
	CHAOSD_OP_MIGRATE_RECEIVE,
	/* protocol version 2 */
	CHAOSD_OP_HELLO,
	CHAOSD_OP_INFO,
	CHAOSD_OP_NETWORK_LIST,
	CHAOSD_OP_STATS,
	CHAOSD_OP_SUBSCRIBE,
	CHAOSD_OP_BLOCK_LIST,
} chaosd_op;

#define CHAOSD_SHUTDOWN_TIMEOUT_MS_DEFAULT 30000u
#define CHAOSD_BRIDGES_MAX 16        /* as the CLI's --bridge */
#define CHAOSD_BRIDGE_ARG_MAX (2 * CHAOS_CONFIG_BRIDGE_MAX)  /* "FROM=TO" */

typedef struct chaosd_request {
	chaosd_op op;
	/* destroy, shutdown, pause, unpause, console, save, resume,
	 * migrate-send, network-list, block-list, stats: a name or domain id ("" for
	 * stats without one: every domain) */
	char domain[CHAOS_NAME_MAX];
	/* create */
	chaos_config cfg;             /* parsed and validated */
	char config_path[CHAOS_CONFIG_PATH_MAX]; /* absolute, or "" */
	bool paused;                  /* create, restore */
	bool allow_larger;            /* a larger shell may be used */
	bool no_pool;                 /* always a full create */
	/* pool-set */
	uint64_t memory_mib;
	unsigned int vcpus;
	unsigned int vifs;            /* vifs made ahead in each shell */
	char bridge[CHAOS_CONFIG_BRIDGE_MAX]; /* their net devices' ("": none) */
	unsigned int size;
	/* shutdown */
	chaos_shutdown_reason reason; /* POWEROFF or REBOOT */
	unsigned int timeout_ms;
	/* shutdown-status */
	uint32_t domid;
	/* save */
	bool keep_running;
	/* restore, migrate-receive: the bridges this host allows */
	bool unnamed;
	char bridges[CHAOSD_BRIDGES_MAX][CHAOSD_BRIDGE_ARG_MAX];
	size_t nr_bridges;
	/* ... and the disks ("PATH" or "FROM=TO"; heap, chaosd_request_free) */
	char *disks[CHAOS_CONFIG_DISKS_MAX];
	size_t nr_disks;
	/* migrate-send */
	bool live;
	/* migrate-send, migrate-receive: len 0 when the transport
	 * authenticates; wiped by chaosd_request_free */
	chaos_migrate_key key;
} chaosd_request;

/*
 * Parse and check one request (text need not be NUL-terminated). Unknown
 * ops, unknown keys, wrong types and out-of-range values are errors; the
 * message names the field. On success free with chaosd_request_free().
 */
int chaosd_request_parse(const char *text, size_t len, chaosd_request *req,
			 chaos_err *err);
void chaosd_request_free(chaosd_request *req);
/* How many file descriptors op takes with its frame: from *min to *max
 * (save and restore one, the migrations their stream's one or two, the
 * rest none). */
void chaosd_op_fds(chaosd_op op, size_t *min, size_t *max);
const char *chaosd_op_name(chaosd_op op);

#endif
