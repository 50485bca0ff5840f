/* SPDX-License-Identifier: MIT */
#ifndef CHAOSD_OWNER_H
#define CHAOSD_OWNER_H

/*
 * chaosd's side of ownership (docs/chaosd-protocol.md, "Owners"): who a
 * client is (its uid and groups, from the kernel), the connection slots
 * kept for root, and per-owner quotas on guests, memory and pool shells.
 * What a client may see and touch is libchaos's rule
 * (chaos_guest_policy_for); chaosd only says who asks.
 */

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include <chaos/chaosd.h>
#include <chaos/guest.h>

/* Connection slots: any client may take one of the ordinary ones, and a
 * few more are kept for root, so clients that are not root can never
 * hold every slot and lock root out (audit finding 9). */
#define CLIENTS_ORDINARY      64
#define CLIENTS_ROOT_RESERVED 8
#define CLIENTS_MAX           (CLIENTS_ORDINARY + CLIENTS_ROOT_RESERVED)

/* May a client of uid connect while used slots are taken, nonroot of them
 * by clients that are not root? */
bool owner_slot_ok(uint32_t uid, unsigned int used, unsigned int nonroot);

/* The peer's uid, gid and supplementary groups as the kernel recorded
 * them at connect time (SO_PEERCRED, SO_PEERGROUPS; the group database on
 * kernels without it). */
int owner_peer_cred(int fd, const struct ucred *cr, chaos_cred *out,
		    chaos_err *err);

/* A quota: each limit, or QUOTA_NONE. */
#define QUOTA_NONE UINT64_MAX
struct quota {
	uint64_t guests;       /* guests at once */
	uint64_t memory_mib;   /* MiB of its guests plus its pool shells */
	uint64_t pool;         /* pool shells kept by flavours it set */
};

/* "guests=N,memory=M,pool=P", any of them, each at least 0. */
int quota_parse(const char *spec, struct quota *q, chaos_err *err);

/* What an owner holds. */
struct usage {
	uint64_t guests;
	uint64_t guest_mib;
	uint64_t pool_shells;  /* of the flavours it set (but the one changed) */
	uint64_t pool_mib;
};

/* Would one more guest of mib MiB stay within q? -1 with EDQUOT and a
 * message naming the quota, the uid and the numbers. */
int quota_check_create(const struct quota *q, uint32_t uid,
		       const struct usage *u, uint64_t mib, chaos_err *err);
/* Would a flavour of shells shells of mib MiB in all stay within q? */
int quota_check_pool(const struct quota *q, uint32_t uid,
		     const struct usage *u, uint64_t shells, uint64_t mib,
		     chaos_err *err);

struct daemon;

/* The caller's uid (root when none is set: chaosd's own requests). */
uint32_t owner_caller(const struct daemon *d);
/* Quota checks for a create of mib MiB by the caller. */
int owner_create_check(struct daemon *d, uint64_t mib, chaos_err *err);
/* pool-set by the caller: a client that is not root changes only the
 * flavours it set (or new ones), within its quota. */
int owner_pool_set(struct daemon *d, const chaosd_flavour *want,
		   chaos_err *err);

#endif
