// SPDX-License-Identifier: MIT
/* chaos_domain_list: every domain, in batches of one hypercall each. */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "hyp/hyp.h"
#include <chaos/domain.h>

#define LIST_BATCH 256
#define KIB_PER_PAGE (XC_PAGE_SIZE / 1024)

static void fill_info(chaos_domain_info *d, const xc_domaininfo_t *x)
{
	memset(d, 0, sizeof(*d));
	d->domid = x->domain;
	d->state = chaos_domain_state_from_flags(x->flags);
	d->shutdown_reason = (x->flags >> XEN_DOMINF_shutdownshift) &
			     XEN_DOMINF_shutdownmask;
	d->mem_kib = x->tot_pages * KIB_PER_PAGE;
	d->max_mem_kib = x->max_pages * KIB_PER_PAGE;
	d->vcpus = x->nr_online_vcpus;
	d->cpu_time_ns = x->cpu_time;
	memcpy(d->handle, x->handle, sizeof(d->handle));
}

static int list_domains(chaos_host *host, bool named,
			chaos_domain_info **out, size_t *count, chaos_err *err)
{
	xc_domaininfo_t batch[LIST_BATCH];
	chaos_domain_info *doms = NULL;
	size_t n = 0, cap = 0;
	uint32_t next = 0;

	*out = NULL;
	*count = 0;
	for (;;) {
		int got = xc_domain_getinfolist(host->xch, next, LIST_BATCH, batch);

		if (got < 0) {
			free(doms);
			return chaos_err_xen(err, host, errno,
					     "cannot list domains");
		}
		if (got == 0)
			break;
		if (n + (size_t)got > cap) {
			size_t ncap = cap ? cap * 2 : LIST_BATCH;
			chaos_domain_info *grown;

			while (ncap < n + (size_t)got)
				ncap *= 2;
			grown = realloc(doms, ncap * sizeof(*doms));
			if (!grown) {
				free(doms);
				return chaos_err_set(err, ENOMEM, "out of memory");
			}
			doms = grown;
			cap = ncap;
		}
		for (int i = 0; i < got; i++)
			fill_info(&doms[n++], &batch[i]);
		next = batch[got - 1].domain + 1u;
		if (got < LIST_BATCH || next >= DOMID_FIRST_RESERVED)
			break;
	}
	/* Names come from the registry; without one, domains stay unnamed. */
	if (named && chaos_host_registry(host, NULL) == 0)
		for (size_t i = 0; i < n; i++)
			chaos_registry_name_of(host->registry, doms[i].domid,
					       doms[i].handle, doms[i].name,
					       sizeof(doms[i].name));
	*out = doms;
	*count = n;
	return 0;
}

int chaos_domain_list(chaos_host *host, chaos_domain_info **out,
		      size_t *count, chaos_err *err)
{
	return list_domains(host, true, out, count, err);
}

/*
 * Without names: reading them costs a look at every registry entry once
 * the directory changed, which a caller that polls (chaosd's threads,
 * recovery, prune) would pay on every pass while guests come and go.
 */
int chaos_domain_list_unnamed(chaos_host *host, chaos_domain_info **out,
			      size_t *count, chaos_err *err)
{
	return list_domains(host, false, out, count, err);
}

/* host.h: names whose domain is gone, dropped. */
int chaos_host_prune(chaos_host *host, chaos_err *err)
{
	chaos_domain_info *doms;
	size_t n;
	int rc;

	if (chaos_host_registry(host, err) ||
	    chaos_domain_list_unnamed(host, &doms, &n, err))
		return -1;
	rc = chaos_registry_prune(host->registry, doms, n, err);
	free(doms);
	return rc;
}
