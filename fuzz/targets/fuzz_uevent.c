// SPDX-License-Identifier: MIT
/*
 * xendevd's reading of kernel uevents (xendevd/uevent.c): one netlink
 * datagram, "action@devpath" then KEY=VALUE strings, each NUL-ended (the
 * last one need not be). Whatever it accepts must come out bounded: names
 * that fit an interface name, a backend path of the one accepted form.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "uevent.h"
#include "fuzz.h"

#define DATAGRAM_MAX 8192   /* the kernel's UEVENT_BUFFER_SIZE is 2048 */

static void bounded(const char *s, size_t size)
{
	if (!memchr(s, '\0', size))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xd_uevent ev;
	char err[160];
	int rc;

	if (size > DATAGRAM_MAX)
		return 0;
	memset(&ev, 0xa5, sizeof(ev));
	rc = xd_uevent_parse((const char *)data, size, &ev, err, sizeof(err));
	if (rc < 0) {
		bounded(err, sizeof(err));
		FZ_SAY("refused: %s\n", err);
		return 0;
	}
	if (rc == 0)
		return 0;
	bounded(ev.ifname, sizeof(ev.ifname));
	bounded(ev.old_ifname, sizeof(ev.old_ifname));
	bounded(ev.bridge, sizeof(ev.bridge));
	bounded(ev.xb_path, sizeof(ev.xb_path));
	if (ev.kind != XD_UEVENT_NET && ev.kind != XD_UEVENT_XENBUS)
		abort();
	if (ev.xb_type != XD_XENBUS_NONE) {
		if (strncmp(ev.xb_path, "backend/", 8) ||
		    ev.domid > XD_DOMID_MAX ||
		    ev.devid > XD_VBD_DEVID_MAX)
			abort();
	}
	FZ_SAY("kind %d action %d if %s xb %s\n", (int)ev.kind,
	       (int)ev.action, ev.ifname, ev.xb_path);
	return 0;
}
