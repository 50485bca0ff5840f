// SPDX-License-Identifier: MIT
/*
 * The guest behind a container, by its name. Changes go through chaosd
 * while it runs (the one front door, docs/cli.md), else libchaos does
 * them here; the hypervisor is read directly either way.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <nettle/sha2.h>
#include <chaos/chaos.h>
#include <chaos/chaosd.h>

#include "oci.h"

void oci_guest_name(const char *id, char name[CHAOS_NAME_MAX])
{
	uint8_t digest[SHA256_DIGEST_SIZE];
	struct sha256_ctx ctx;
	chaos_err err;

	if (!chaos_config_check_name(id, &err)) {
		snprintf(name, CHAOS_NAME_MAX, "%s", id);
		return;
	}
	sha256_init(&ctx);
	sha256_update(&ctx, strlen(id), (const uint8_t *)id);
	sha256_digest(&ctx, sizeof(digest), digest);
	memcpy(name, "oci-", 4);
	for (int i = 0; i < 16; i++)
		snprintf(name + 4 + 2 * i, 3, "%02x", digest[i]);
}

int oci_guest_find(const char *name, uint32_t *domid,
		   chaos_domain_state *state, chaos_err *err)
{
	chaos_domain_info info;
	chaos_host *host;
	int rc = 1;

	if (chaos_host_open(&host, err))
		return -1;
	if (chaos_guest_resolve(host, name, domid, err) ||
	    chaos_domain_get(host, *domid, &info, err))
		rc = err->code == ESRCH ? 0 : -1;
	else
		*state = info.state;
	chaos_host_close(host);
	return rc;
}

enum change { UNPAUSE, DESTROY };

static int change(const char *name, enum change what, chaos_err *err)
{
	chaosd_conn *conn;
	chaos_host *host;
	uint32_t domid;
	int rc;

	if (chaosd_connect(NULL, &conn, err) == 0) {
		rc = what == UNPAUSE ? chaosd_unpause(conn, name, err) :
				       chaosd_destroy(conn, name, err);
		chaosd_close(conn);
		return rc;
	}
	if (chaos_host_open(&host, err))
		return -1;
	rc = chaos_guest_resolve(host, name, &domid, err);
	if (rc == 0)
		rc = what == UNPAUSE ? chaos_guest_unpause(host, domid, err) :
				       chaos_guest_destroy(host, domid, err);
	chaos_host_close(host);
	return rc;
}

int oci_guest_unpause(const char *name, chaos_err *err)
{
	return change(name, UNPAUSE, err);
}

int oci_guest_destroy(const char *name, chaos_err *err)
{
	return change(name, DESTROY, err);
}
