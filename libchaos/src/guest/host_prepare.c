// SPDX-License-Identifier: MIT
/*
 * A host made ready for creates ahead of the first one: what a create
 * would otherwise open or allocate on first use (each a handful of system
 * calls, and hypercall memory to map) is done when a daemon starts.
 */
#include <errno.h>

#include <chaos/config.h>
#include <chaos/kernel.h>

#include "build/build.h"
#include "guest/guest.h"
#include "hyp/hyp.h"
#include "util/util.h"

int chaos_host_prepare(chaos_host *host, const chaos_kernel *kernel,
		       uint64_t memory_mib, chaos_err *err)
{
	struct chaos_pv_layout lay;
	int copies;

	if (!host)
		return chaos_err_set(err, EINVAL, "prepare: no host");
	if (kernel && (memory_mib == 0 || memory_mib > CHAOS_CONFIG_MEMORY_MAX))
		return chaos_err_set(err, EINVAL,
				     "prepare: memory %llu MiB is not 1 to %d",
				     (unsigned long long)memory_mib,
				     CHAOS_CONFIG_MEMORY_MAX);
	if (chaos_host_xcall(host, err) || chaos_host_registry(host, err))
		return -1;
	/* Asked of dom0 itself: the call refuses an empty list before it
	 * looks at the domain, so the answer only says whether it exists. */
	copies = chaos_copy_available(host, 0, err);
	if (copies < 0)
		return -1;
	if (chaos_host_vcpu_buffer(host))
		return chaos_err_set(err, ENOMEM,
				     "prepare: out of hypercall memory");
	if (!kernel || !copies)
		return 0;
	if (chaos_pv_layout_compute(chaos_kernel_image(kernel),
				    memory_mib * PAGES_PER_MIB, 0,
				    &lay, err))
		return -1;
	return chaos_host_stage(host, lay.pt_pfn, err) ? 0 : -1;
}
