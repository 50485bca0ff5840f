/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_KERNEL_H
#define CHAOS_KERNEL_H

#include <stdbool.h>
#include <chaos/api.h>
#include <chaos/error.h>
#include <chaos/guest.h>
#include <chaos/host.h>
#include <chaos/shell.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Kernels read once. A chaos_kernel is a guest kernel image read, checked
 * and decompressed as a create would, with the identity of the file it
 * came from (device, inode, size, modification and change times). A
 * daemon keeps them so that its creates skip that work
 * (chaos_create_opts.kernel) and primes its pooled shells for them.
 *
 * Immutable once opened, and reference counted: any thread may use one
 * it holds a reference to.
 */
typedef struct chaos_kernel chaos_kernel;

/*
 * Constructor. Read the kernel at (path), opened with (as)'s rights
 * (NULL: the process's), into (*out) with one reference. Returns 0, or -1
 * with *out NULL and err set as chaos_guest_create would for that kernel
 * (ENOENT, EACCES, EFBIG, EINVAL not a PV image...).
 */
CHAOS_API int chaos_kernel_open(const char *path, const chaos_cred *as,
				chaos_kernel **out, chaos_err *err);

/*
 * chaos_kernel_open for a guest of (memory_mib) MiB: a kernel whose ELF
 * (once decompressed) is larger than that memory could never be loaded
 * into the guest, and is refused with EFBIG as soon as decompression
 * passes it, so a decompression bomb costs the caller no more than the
 * guest's memory. 0: no guest in view (the library's own bound, 256 MiB).
 */
CHAOS_API int chaos_kernel_open_bounded(const char *path, const chaos_cred *as,
					uint64_t memory_mib,
					chaos_kernel **out, chaos_err *err);

/*
 * Whether the file at k's path, opened with (as)'s rights now, is still
 * the one k was read from. false if it cannot be opened, or changed.
 */
CHAOS_API bool chaos_kernel_is_current(const chaos_kernel *k,
				       const chaos_cred *as);

/* The path k was opened from. */
CHAOS_API const char *chaos_kernel_path(const chaos_kernel *k);

/* Another reference to k (returned); chaos_kernel_unref drops one and
 * frees k with the last. NULL is allowed for both. */
CHAOS_API chaos_kernel *chaos_kernel_ref(chaos_kernel *k);
CHAOS_API void chaos_kernel_unref(chaos_kernel *k);

/*
 * Prime (shell) for (k): write and pin what a boot of k without a
 * ramdisk needs besides the kernel itself (the p2m list, the bootstrap
 * page tables, a fresh shared info page), so that a create of k in it
 * only copies the kernel in and starts it. No byte of k is written: a
 * shell primed for one client's kernel holds nothing of it. The memory
 * the kernel goes to is mapped into this process now, so that the create
 * only copies; it takes the mapping down after the guest runs
 * (chaos_host_tidy), and chaos_shell_free before the domain goes. A
 * create of another layout still works (it primes again). Returns 0, or
 * -1 with err set (the shell is then as if never primed, and still usable),
 * ESRCH when the shell's domain was destroyed by someone else (dying or
 * gone: the shell is good for nothing but chaos_shell_free).
 */
CHAOS_API int chaos_shell_prime(chaos_host *host, chaos_shell *shell,
				const chaos_kernel *k, chaos_err *err);

/*
 * Open now what (host) would otherwise open in its first create: the
 * hypercall handle, the buffers it keeps from one create to the next
 * (the page-copy frame list, the vCPU context and, for (kernel) in a guest
 * of (memory_mib) MiB, the staging buffer its load copies from) and the
 * name registry (under the host's state directory: set it first). A
 * daemon calls it for each host it creates with, when it starts, so that
 * its first creates cost what the next ones do. kernel may be NULL (the
 * staging buffer is then sized by the first create). Returns 0, or -1
 * with err set; the host stays usable either way (what failed is tried
 * again when a create needs it).
 */
CHAOS_API int chaos_host_prepare(chaos_host *host, const chaos_kernel *kernel,
				 uint64_t memory_mib, chaos_err *err);

/* Whether (shell) is primed for (k)'s layout. */
CHAOS_API bool chaos_shell_is_primed_for(const chaos_shell *shell,
					 const chaos_kernel *k);

#ifdef __cplusplus
}
#endif

#endif
