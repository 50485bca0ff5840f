/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_RECORD_H
#define CHAOS_RECORD_H

#include <stdint.h>
#include <chaos/api.h>
#include <chaos/domain.h>
#include <chaos/error.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * What chaos remembers about a guest it built, beyond what the hypervisor
 * knows: where its console is, what to do when it stops, and where its
 * config came from. One small file per domain under <state>/domains/,
 * bound to the domain's handle so a record never outlives its domain's id.
 *
 * Internal: this header leaves the public API. New code reads a guest's
 * record with chaos_guest_get() (guest.h).
 */

#define CHAOS_STATE_DIR "/run/chaos"
#define CHAOS_RECORD_PATH_MAX 4096

typedef struct chaos_domain_record {
	uint32_t domid;
	uint8_t handle[16];
	char name[CHAOS_NAME_MAX];
	uint64_t console_mfn;
	uint32_t console_port;
	/* Where the guest's start info is (0: unknown): how a live migration
	 * finds the p2m list of a running guest. */
	uint64_t start_info_mfn;
	int on_poweroff;              /* chaos_action values (config.h) */
	int on_reboot;
	int on_crash;
	char config_path[CHAOS_RECORD_PATH_MAX]; /* absolute, or "" */
} chaos_domain_record;

/* Write (rec) as the record of rec->domid. 0 or -1. */
CHAOS_API int chaos_record_save(const char *state_dir,
				const chaos_domain_record *rec, chaos_err *err);
/*
 * Load domid's record. With a non-NULL handle, a record whose handle
 * differs (a dead domain's leftover) is reported as missing (ENOENT).
 */
CHAOS_API int chaos_record_load(const char *state_dir, uint32_t domid,
				const uint8_t *handle, chaos_domain_record *rec,
				chaos_err *err);
/* Remove domid's record; none is not an error. 0 or -1. */
CHAOS_API int chaos_record_remove(const char *state_dir, uint32_t domid,
				  chaos_err *err);

/* Parse/format one record (exposed for tests). */
CHAOS_API int chaos_record_parse(const char *text, size_t len,
				 chaos_domain_record *rec, chaos_err *err);
CHAOS_API int chaos_record_format(const chaos_domain_record *rec, char *buf,
				  size_t len);

#ifdef __cplusplus
}
#endif

#endif
