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
} chaosd_op;

#define CHAOSD_SHUTDOWN_TIMEOUT_MS_DEFAULT 30000u

typedef struct chaosd_request {
	chaosd_op op;
	/* destroy, shutdown, pause, unpause, console: a name or domain id */
	char domain[CHAOS_NAME_MAX];
	/* create */
	chaos_config cfg;             /* parsed and validated */
	char config_path[CHAOS_CONFIG_PATH_MAX]; /* absolute, or "" */
	bool paused;
	bool allow_larger;            /* a larger shell may be used */
	bool no_pool;                 /* always a full create */
	/* pool-set */
	uint64_t memory_mib;
	unsigned int vcpus;
	unsigned int vifs;            /* vifs made ahead in each shell */
	unsigned int size;
	/* shutdown */
	chaos_shutdown_reason reason; /* POWEROFF or REBOOT */
	unsigned int timeout_ms;
	/* shutdown-status */
	uint32_t domid;
} chaosd_request;

/*
 * Parse and check one request (text need not be NUL-terminated). Unknown
 * ops, unknown keys, wrong types and out-of-range values are errors; the
 * message names the field. On success free with chaosd_request_free().
 */
int chaosd_request_parse(const char *text, size_t len, chaosd_request *req,
			 chaos_err *err);
void chaosd_request_free(chaosd_request *req);
const char *chaosd_op_name(chaosd_op op);

#endif
