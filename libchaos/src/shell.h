/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_SHELL_H
#define CHAOS_SHELL_H

/*
 * A shell is a domain with everything done that does not depend on the
 * kernel: created, vCPUs allocated, memory populated, console event channel
 * ready. chaos_shell_boot() then does what is specific to one guest. The
 * split is what lets chaosd keep shells ready ahead of time.
 */

#include <stdint.h>
#include <chaos/build.h>
#include <chaos/error.h>

#include "image.h"
#include "internal.h"

/* Domain handle marker: bytes 0-4 "chaos", byte 5 the kind. */
#define CHAOS_HANDLE_MAGIC "chaos"
#define CHAOS_HANDLE_MAGIC_LEN 5
enum chaos_handle_kind {
	CHAOS_HANDLE_GUEST = 1,
	CHAOS_HANDLE_SHELL = 2,
};

struct chaos_shell {
	uint32_t domid;
	uint8_t handle[16];
	uint64_t nr_pages;
	xen_pfn_t *p2m;              /* pfn -> mfn, nr_pages entries */
	unsigned int vcpus;
	uint32_t console_port;       /* the guest's end, unbound for dom0 */
	unsigned int nr_vifs;        /* unconfigured vifs made ahead */
	uint64_t shared_info_mfn;
};

/* Build a shell of memory_mib MiB and vcpus vCPUs, with nr_vifs vifs
 * still to be configured (noxs only). Nothing is left behind on failure.
 * Fills timing->domain_us, memory_us and devices_us. */
int chaos_shell_prepare(chaos_host *host, uint64_t memory_mib,
			unsigned int vcpus, unsigned int nr_vifs,
			enum chaos_handle_kind kind,
			struct chaos_shell *shell, chaos_create_timing *timing,
			chaos_err *err);

/* Load img (and a ramdisk) into the shell and make vCPU 0 ready to run.
 * The domain stays paused. Fills load_us and pagetables_us. */
int chaos_shell_boot(chaos_host *host, struct chaos_shell *shell,
		     const struct chaos_image *img, const void *ramdisk,
		     uint64_t ramdisk_len, const char *cmdline,
		     uint64_t *console_mfn, uint64_t *start_info_mfn,
		     chaos_create_timing *timing, chaos_err *err);

/* A fresh shared info page, event delivery masked on every vCPU (the
 * builder's, and a restore's: the guest unmasks when it is ready). */
int chaos_shell_init_shared_info(chaos_host *host, struct chaos_shell *shell,
				 chaos_err *err);

/* Destroy the shell's domain and free the shell. */
void chaos_shell_discard(chaos_host *host, struct chaos_shell *shell);

/* Free the shell's memory, leaving its domain alone. */
void chaos_shell_release(struct chaos_shell *shell);

/* Does this handle carry the chaos marker (and which kind)? */
int chaos_handle_kind(const uint8_t handle[16]);

uint64_t chaos_now_us(void);

#endif
