// SPDX-License-Identifier: MIT
/*
 * rig-evtchn-warm N: bind N event channels in dom0 at once, then release
 * them. The hypervisor grows a domain's event channel table a page (64
 * channels) at a time and never shrinks it; a daemon that holds a console
 * channel per guest (chaosd) grows dom0's table the first time it holds
 * that many. Scenarios that check the hypervisor's free memory to the byte
 * run this first, so that one-off growth of dom0's own bookkeeping is not
 * mistaken for a leak of guest memory.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xenevtchn.h>

#define WARM_MAX 4096

int main(int argc, char **argv)
{
	static evtchn_port_t ports[WARM_MAX];
	xenevtchn_handle *xce;
	char *end;
	long n;
	int bound = 0, rc = 0;

	n = argc == 2 ? strtol(argv[1], &end, 10) : -1;
	if (argc != 2 || *end || n < 1 || n > WARM_MAX) {
		fprintf(stderr, "usage: rig-evtchn-warm N (1 to %d)\n", WARM_MAX);
		return 2;
	}
	xce = xenevtchn_open(NULL, 0);
	if (!xce) {
		perror("rig-evtchn-warm: xenevtchn_open");
		return 1;
	}
	while (bound < n) {
		xenevtchn_port_or_error_t p = xenevtchn_bind_unbound_port(xce, 0);

		if (p < 0) {
			fprintf(stderr, "rig-evtchn-warm: port %d: %s\n", bound,
				strerror(errno));
			rc = 1;
			break;
		}
		ports[bound++] = (evtchn_port_t)p;
	}
	for (int i = 0; i < bound; i++)
		xenevtchn_unbind(xce, ports[i]);
	xenevtchn_close(xce);
	return rc;
}
