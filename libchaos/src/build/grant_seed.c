// SPDX-License-Identifier: MIT
/* The reserved grant entries of a XenStore guest (build.h). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "build/build.h"
#include <xen/grant_table.h>

int chaos_shell_seed_grants(chaos_host *host, uint32_t domid,
			    uint64_t console_mfn, uint64_t store_mfn,
			    chaos_err *err)
{
	xenforeignmemory_resource_handle *res;
	grant_entry_v1_t *table = NULL;

	if (console_mfn > UINT32_MAX || store_mfn > UINT32_MAX)
		return chaos_err_set(err, ERANGE,
				     "domain %u: a console or xenstore frame above 2^32 does not fit a version 1 grant",
				     domid);
	res = xenforeignmemory_map_resource(host->fmem, (domid_t)domid,
					    XENMEM_resource_grant_table,
					    XENMEM_resource_grant_table_id_shared,
					    0, 1, (void **)&table,
					    PROT_READ | PROT_WRITE, 0);
	if (!res)
		return chaos_err_xen(err, host, errno,
				     "domain %u: cannot map its grant table",
				     domid);
	/* Frame and domain before the flags that make the entry valid. */
	table[GNTTAB_RESERVED_CONSOLE].domid = 0;
	table[GNTTAB_RESERVED_CONSOLE].frame = (uint32_t)console_mfn;
	table[GNTTAB_RESERVED_XENSTORE].domid = 0;
	table[GNTTAB_RESERVED_XENSTORE].frame = (uint32_t)store_mfn;
	__atomic_thread_fence(__ATOMIC_RELEASE);
	table[GNTTAB_RESERVED_CONSOLE].flags = GTF_permit_access;
	table[GNTTAB_RESERVED_XENSTORE].flags = GTF_permit_access;
	xenforeignmemory_unmap_resource(host->fmem, res);
	return 0;
}
