// SPDX-License-Identifier: MIT
/* Prepared shells as a public object: what chaosd keeps in its pool. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <chaos/config.h>
#include <chaos/shell.h>

#include "build/build.h"

int chaos_shell_new(chaos_host *host, uint64_t memory_mib, unsigned int vcpus,
		    chaos_shell **out, chaos_err *err)
{
	return chaos_shell_new_with_vifs(host, memory_mib, vcpus, 0, out, err);
}

static int shell_new(chaos_host *host, uint64_t memory_mib,
		     unsigned int vcpus, unsigned int nr_vifs,
		     const char *vif_bridge, chaos_shell **out,
		     chaos_err *err);

int chaos_shell_new_with_vifs(chaos_host *host, uint64_t memory_mib,
			      unsigned int vcpus, unsigned int nr_vifs,
			      chaos_shell **out, chaos_err *err)
{
	return shell_new(host, memory_mib, vcpus, nr_vifs, NULL, out, err);
}

int chaos_shell_new_on_bridge(chaos_host *host, uint64_t memory_mib,
			      unsigned int vcpus, unsigned int nr_vifs,
			      const char *bridge, chaos_shell **out,
			      chaos_err *err)
{
	size_t len = bridge ? strlen(bridge) : 0;

	*out = NULL;
	if (nr_vifs == 0)
		return chaos_err_set(err, EINVAL,
				     "bridge: a shell without vifs has none");
	if (len && chaos_config_check_bridge(bridge, err))
		return -1;
	return shell_new(host, memory_mib, vcpus, nr_vifs, len ? bridge : "",
			 out, err);
}

static int shell_new(chaos_host *host, uint64_t memory_mib,
		     unsigned int vcpus, unsigned int nr_vifs,
		     const char *vif_bridge, chaos_shell **out,
		     chaos_err *err)
{
	chaos_create_timing timing = { 0 };
	struct chaos_shell *shell;

	*out = NULL;
	if (memory_mib < 1 || memory_mib > CHAOS_CONFIG_MEMORY_MAX)
		return chaos_err_set(err, EINVAL,
				     "memory: %llu MiB is not from 1 to %u",
				     (unsigned long long)memory_mib,
				     CHAOS_CONFIG_MEMORY_MAX);
	if (vcpus < 1 || vcpus > CHAOS_CONFIG_VCPUS_MAX)
		return chaos_err_set(err, EINVAL, "vcpus: %u is not from 1 to %u",
				     vcpus, CHAOS_CONFIG_VCPUS_MAX);
	if (nr_vifs > CHAOS_CONFIG_VIFS_MAX)
		return chaos_err_set(err, EINVAL, "vifs: %u is more than %u",
				     nr_vifs, CHAOS_CONFIG_VIFS_MAX);
	shell = calloc(1, sizeof(*shell));
	if (!shell)
		return chaos_err_set(err, ENOMEM, "out of memory for a shell");
	if (chaos_shell_prepare(host, memory_mib, vcpus, nr_vifs, vif_bridge,
				CHAOS_KIND_SHELL,
				shell, &timing, err)) {
		free(shell);
		return -1;
	}
	/* A pool's shell: its create's record file made now. */
	if (chaos_shell_stage_record(host, shell, err)) {
		chaos_shell_free(host, shell);
		return -1;
	}
	*out = shell;
	return 0;
}

void chaos_shell_free(chaos_host *host, chaos_shell *shell)
{
	if (!shell)
		return;
	chaos_shell_discard(host, shell);
	free(shell);
}

void chaos_shell_forget(chaos_shell *shell)
{
	if (!shell)
		return;
	chaos_shell_release(shell);
	free(shell);
}

uint32_t chaos_shell_domid(const chaos_shell *shell)
{
	return shell->domid;
}

uint64_t chaos_shell_memory_mib(const chaos_shell *shell)
{
	return shell->nr_pages / 256;
}

unsigned int chaos_shell_vcpus(const chaos_shell *shell)
{
	return shell->vcpus;
}

unsigned int chaos_shell_vifs(const chaos_shell *shell)
{
	return shell->nr_vifs;
}

const char *chaos_shell_bridge(const chaos_shell *shell)
{
	return shell->vifs_ahead ? shell->vif_bridge : NULL;
}

/* An unused shell has no record and no name: its devices and its domain
 * are all there is to destroy. */
int chaos_shell_reclaim(chaos_host *host, uint32_t domid, chaos_err *err)
{
	chaos_domain_record rec;
	chaos_domain_info info;

	if (domid == 0)
		return chaos_err_set(err, EPERM, "refusing to destroy Domain-0");
	if (chaos_domain_get(host, domid, &info, err))
		return -1;
	if (chaos_domain_handle_kind(info.handle) != CHAOS_KIND_SHELL ||
	    chaos_record_load(host->state_dir, domid, info.handle, &rec,
			      NULL) == 0)
		return chaos_err_set(err, EPERM,
				     "domain %u is not an unused shell", domid);
	/* Its record file, if it was made ahead (chaos_shell_new). */
	chaos_record_unstage(host->state_dir, domid);
	chaos_device_remove_all(host, domid, NULL);
	return chaos_domain_kill(host, domid, err);
}
