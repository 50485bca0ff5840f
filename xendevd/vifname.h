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

/*
 * Parse a decimal at *p without sign or leading zero, at most max, and
 * advance *p past it. False (nothing consumed) if there is none or it is
 * too big.
 */
bool xd_parse_dec(const char **p, unsigned max, unsigned *out);

#endif
