// SPDX-License-Identifier: MIT
/* A guest's disks (chaos/block.h): its vbds in the XenStore device path;
 * and which guests have them. */
#include <errno.h>
#include <stdlib.h>

#include <chaos/block.h>

#include "guest/guest.h"
#include "dev/dev.h"

int chaos_block_list(chaos_host *host, uint32_t domid, chaos_disk_info **out,
		     size_t *count, chaos_err *err)
{
	chaos_domain_info info;

	*out = NULL;
	*count = 0;
	if (chaos_domain_get(host, domid, &info, err))
		return -1;
	/* A noxs guest (or one chaos did not build) has no vbds of ours. */
	if (!guest_is_xenstore(host, domid, info.handle))
		return 0;
	return chaos_xs_disk_list(host, domid, out, count, err);
}

bool guest_is_xenstore(chaos_host *host, uint32_t domid,
		       const uint8_t handle[16])
{
	chaos_domain_record rec;

	return chaos_record_load(chaos_host_state_dir(host), domid, handle,
				 &rec, NULL) == 0 &&
	       rec.xenstore;
}
