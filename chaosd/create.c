// SPDX-License-Identifier: MIT
/* A create's work, the same on a create worker and in the serving loop. */
#include <errno.h>
#include <stdio.h>

#include "consoles.h"
#include "daemon.h"
#include "jobs.h"
#include "reply.h"
#include "request.h"

int ops_create_run(struct daemon *d, chaos_host *host,
		   const chaosd_request *req, chaos_shell *shell,
		   const chaos_cred *as, chaosd_reply *g,
		   struct create_done *done, chaos_err *err)
{
	chaos_create_opts opts = {
		.paused = req->paused,
		.config_path = req->config_path[0] ? req->config_path : NULL,
		/* The client owns it; its files are opened as the client. */
		.as = as,
	};
	chaos_create_timing timing;
	chaos_kernel *kernel;
	uint64_t shell_mib = 0, t0, spent;
	unsigned int vcpus = 0;
	uint32_t domid;
	bool primed = false;
	int rc;

	/* Read as the client, or kept from an earlier create and still the
	 * same file for this client: checked here, so not again in the
	 * library (each look is two system calls). Timed with the create,
	 * from t0 to the library's return: a clock read between the two
	 * would be a system call more before the guest runs. */
	t0 = chaos_clock_us();
	kernel = kernels_get(&d->kernels, req->cfg.kernel, req->cfg.memory_mib,
			     as, NULL);
	opts.kernel = kernel;
	opts.kernel_checked = kernel != NULL;
	if (shell) {
		shell_mib = chaos_shell_memory_mib(shell);
		vcpus = chaos_shell_vcpus(shell);
		primed = kernel && chaos_shell_is_primed_for(shell, kernel);
		rc = chaos_guest_create_in_shell(host, &req->cfg, &opts,
						 &shell, &domid, &timing, err);
		if (shell) {
			pool_put_back(&d->pool, host, shell);
			/* A guest served through XenStore (a Linux kernel)
			 * is never built in a pooled noxs shell. */
			if (rc && err->code == EXDEV) {
				shell_mib = 0;
				rc = chaos_guest_create(host, &req->cfg, &opts,
							&domid, &timing, err);
			}
		} else if (rc && err->code == ESRCH) {
			/* Its domain destroyed by someone else (`xl destroy`)
			 * since the reaper last looked: the request is fine,
			 * build it in full. That alone: any other failure is
			 * the request's. */
			dlog("create: %s; building the guest in full",
			     err->msg);
			shell_mib = 0;
			rc = chaos_guest_create(host, &req->cfg, &opts, &domid,
						&timing, err);
		}
		/* Before the pool hears of it: not part of the create. */
		spent = chaos_clock_us() - t0;
		/* Used or gone: once answered, the refill may take the
		 * CPUs again. */
		if (!shell)
			pool_done(&d->pool);
	} else {
		rc = chaos_guest_create(host, &req->cfg, &opts, &domid,
					&timing, err);
		spent = chaos_clock_us() - t0;
	}
	/* The flavour's next shells are primed for this kernel (a full
	 * create's too: its flavour, if there is one, is what it lacked). */
	if (!rc && kernel && !req->cfg.ramdisk)
		pool_hint(&d->pool, shell_mib ? shell_mib : req->cfg.memory_mib,
			  shell_mib ? vcpus : req->cfg.vcpus,
			  (unsigned int)req->cfg.nr_vifs, kernel);
	chaos_kernel_unref(kernel);
	if (rc)
		return -1;
	/* Reading (or checking) the kept kernel is part of the create, and
	 * so of its checks: what the library did not time (the library's
	 * last frees too, a few microseconds; and after a failed try in a
	 * shell, that try and the shell's return to the pool). */
	if (spent > timing.total_us) {
		timing.parse_us += spent - timing.total_us;
		timing.total_us = spent;
	}
	/* Woken by the serving loop once the reply is out. */
	consoles_attach_later(d->consoles, domid);
	dlog("created domain %u%s%s%s (%s, %llu us)", domid,
	     req->cfg.name[0] ? " (" : "", req->cfg.name,
	     req->cfg.name[0] ? ")" : "",
	     !shell_mib ? "full" : primed ? "pooled, primed" : "pooled",
	     (unsigned long long)timing.total_us);
	chaosd_reply_uint(g, "domid", domid);
	chaosd_reply_str(g, "name", req->cfg.name);
	chaosd_reply_bool(g, "pooled", shell_mib != 0);
	if (shell_mib)
		chaosd_reply_uint(g, "shell_memory_mib", shell_mib);
	chaosd_reply_create_timing(g, &timing);
	done->domid = domid;
	snprintf(done->name, sizeof(done->name), "%s", req->cfg.name);
	return 0;
}
