/* SPDX-License-Identifier: MIT */
#ifndef XENDEVD_VIFNAME_H
#define XENDEVD_VIFNAME_H

#include <stdbool.h>

/*
 * True if name is a vif backend interface, "vif<domid>.<devid>" with decimal
 * numbers and nothing else (no "-emu" suffix, no leading zeros). domid and
 * devid may be NULL.
 */
bool xd_is_vif_name(const char *name, unsigned *domid, unsigned *devid);

#endif
