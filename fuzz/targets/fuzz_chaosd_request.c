// SPDX-License-Identifier: MIT
/*
 * chaosd's request parser, chaosd_request_parse (chaosd/request.c). Any
 * bytes as one request frame's JSON, as the daemon gets it from a client.
 * What it
 * accepts must be well-formed: a create's config passes the config rules,
 * names are terminated, the numbers in range.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <chaos/chaosd.h>
#include <chaos/config.h>

#include "request.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	chaosd_request req;
	chaos_err err;

	if (chaosd_request_parse((const char *)data, size, &req, &err) < 0)
		return 0;
	if (!chaosd_op_name(req.op) ||
	    !memchr(req.domain, 0, sizeof(req.domain)) ||
	    !memchr(req.config_path, 0, sizeof(req.config_path)))
		abort();
	if (req.op == CHAOSD_OP_CREATE &&
	    chaos_config_validate(&req.cfg, &err) < 0)
		abort();  /* a create whose config breaks the rules */
	chaosd_request_free(&req);
	return 0;
}
