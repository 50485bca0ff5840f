// SPDX-License-Identifier: MIT
/* The start_info page of a new x86_64 PV guest (xen/xen.h). */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include "build/build.h"

#include <xen/xen.h>

/* The guest checks this prefix to know it is a 64-bit PV guest. */
#define START_INFO_MAGIC "xen-3.0-x86_64"

_Static_assert(sizeof(start_info_t) <= CHAOS_PAGE_SIZE,
	       "start_info must fit in a page");

int chaos_pv_write_start_info(const struct chaos_pv_layout *lay,
			      const struct chaos_guest_mem *mem,
			      const struct chaos_pv_start_params *p,
			      chaos_err *err)
{
	const char *cmdline = p->cmdline ? p->cmdline : "";
	size_t cmdlen = strnlen(cmdline, MAX_GUEST_CMDLINE);
	start_info_t si;

	if (cmdlen >= MAX_GUEST_CMDLINE)
		return chaos_err_set(err, E2BIG,
				     "start_info: command line is longer than "
				     "%d bytes", MAX_GUEST_CMDLINE - 1);
	if (p->ramdisk_bytes > lay->ramdisk_pages * CHAOS_PAGE_SIZE)
		return chaos_err_set(err, EINVAL,
				     "start_info: ramdisk of %" PRIu64 " bytes "
				     "does not fit the %" PRIu64 " planned "
				     "pages", p->ramdisk_bytes,
				     lay->ramdisk_pages);
	if (p->shared_info_mfn >= (UINT64_C(1) << 40) ||
	    p->console_mfn >= (UINT64_C(1) << 40))
		return chaos_err_set(err, EINVAL,
				     "start_info: shared_info or console mfn "
				     "out of range");

	memset(&si, 0, sizeof(si));
	memcpy(si.magic, START_INFO_MAGIC, sizeof(START_INFO_MAGIC));
	si.nr_pages = lay->nr_pages;
	si.shared_info = p->shared_info_mfn << CHAOS_PAGE_SHIFT;
	si.flags = p->flags;
	si.store_mfn = p->store_mfn;
	si.store_evtchn = p->store_evtchn;
	si.console.domU.mfn = p->console_mfn;
	si.console.domU.evtchn = p->console_evtchn;
	si.pt_base = chaos_pv_pfn_vaddr(lay, lay->pt_pfn);
	si.nr_pt_frames = lay->pt_pages;
	si.mfn_list = chaos_pv_pfn_vaddr(lay, lay->p2m_pfn);
	if (p->ramdisk_bytes) {
		si.mod_start = (p->flags & SIF_MOD_START_PFN) ?
			       lay->ramdisk_pfn :
			       chaos_pv_pfn_vaddr(lay, lay->ramdisk_pfn);
		si.mod_len = p->ramdisk_bytes;
	}
	memcpy(si.cmd_line, cmdline, cmdlen + 1);
	/* first_p2m_pfn/nr_p2m_frames stay 0: the p2m is in the mapping. */

	if (chaos_pv_copy_to_guest(lay, mem,
				   chaos_pv_pfn_vaddr(lay, lay->start_info_pfn),
				   NULL, CHAOS_PAGE_SIZE, err) < 0 ||
	    chaos_pv_copy_to_guest(lay, mem,
				   chaos_pv_start_info_vaddr(lay), &si,
				   sizeof(si), err) < 0)
		return -1;
	/* Fresh rings: a reused shell must not leak old contents. */
	if (chaos_pv_copy_to_guest(lay, mem,
				   chaos_pv_pfn_vaddr(lay, lay->xenstore_pfn),
				   NULL, CHAOS_PAGE_SIZE, err) < 0 ||
	    chaos_pv_copy_to_guest(lay, mem,
				   chaos_pv_pfn_vaddr(lay, lay->console_pfn),
				   NULL, CHAOS_PAGE_SIZE, err) < 0)
		return -1;
	return 0;
}
