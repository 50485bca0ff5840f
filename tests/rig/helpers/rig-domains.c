// SPDX-License-Identifier: MIT
/*
 * rig-domains: the rig's own view of the hypervisor, independent of chaos,
 * so scenarios can check chaos against it.
 *   rig-domains count          number of domains other than dom0
 *   rig-domains free-kib       the hypervisor's free memory in KiB
 *   rig-domains destroy-all    destroy every domain but dom0 and wait
 *   rig-domains destroy ID...  destroy those domains and return at once,
 *                              as another toolstack would behind chaos's
 *                              back (no devices, names or records touched)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <xenctrl.h>

/* Domain ids stop below DOMID_FIRST_RESERVED (0x7ff0). */
#define MAX_DOMS 0x7ff0
#define BATCH 1024

/* Every domain but dom0 into info, in batches of one hypercall each. */
static int list(xc_interface *xch, xc_domaininfo_t *info)
{
	int n = 0;
	uint32_t next = 1;

	while (n < MAX_DOMS) {
		int want = MAX_DOMS - n < BATCH ? MAX_DOMS - n : BATCH;
		int got = xc_domain_getinfolist(xch, next, (unsigned int)want,
						info + n);

		if (got < 0) {
			perror("rig-domains: getinfolist");
			return -1;
		}
		if (got == 0)
			break;
		n += got;
		next = info[n - 1].domain + 1u;
		if (got < want)
			break;
	}
	return n;
}

int main(int argc, char **argv)
{
	static xc_domaininfo_t info[MAX_DOMS];
	xc_interface *xch;
	int n, rc = 0;

	if (argc < 2 || (argc != 2 && strcmp(argv[1], "destroy"))) {
		fprintf(stderr, "usage: rig-domains count|free-kib|destroy-all|destroy ID...\n");
		return 2;
	}
	xch = xc_interface_open(NULL, NULL, 0);
	if (!xch)
		return 1;
	if (!strcmp(argv[1], "count")) {
		n = list(xch, info);
		if (n < 0)
			rc = 1;
		else
			printf("%d\n", n);
	} else if (!strcmp(argv[1], "free-kib")) {
		xc_physinfo_t phys = { 0 };

		if (xc_physinfo(xch, &phys) < 0)
			rc = 1;
		else
			printf("%llu\n", (unsigned long long)phys.free_pages * 4);
	} else if (!strcmp(argv[1], "destroy-all")) {
		n = list(xch, info);
		for (int i = 0; i < n; i++)
			xc_domain_destroy(xch, info[i].domain);
		/* Destruction is asynchronous: wait until they are gone
		 * (thousands of them take a while). */
		for (int tries = 0; tries < 2400 && list(xch, info) > 0; tries++)
			usleep(50000);
		if (list(xch, info) != 0) {
			fprintf(stderr, "rig-domains: domains still present\n");
			rc = 1;
		}
	} else if (!strcmp(argv[1], "destroy")) {
		for (int i = 2; i < argc; i++) {
			char *end;
			unsigned long id = strtoul(argv[i], &end, 10);

			if (*end || end == argv[i] || id == 0 || id >= 0x7ff0) {
				fprintf(stderr, "rig-domains: bad domain id %s\n",
					argv[i]);
				rc = 2;
			} else if (xc_domain_destroy(xch, (uint32_t)id)) {
				perror("rig-domains: destroy");
				rc = 1;
			}
		}
	} else {
		fprintf(stderr, "rig-domains: unknown command %s\n", argv[1]);
		rc = 2;
	}
	xc_interface_close(xch);
	return rc;
}
