// SPDX-License-Identifier: MIT
/* Recognising vif interface names. */
#include <string.h>

#include "vifname.h"

bool xd_parse_dec(const char **p, unsigned max, unsigned *out)
{
	const char *s = *p;
	unsigned long v = 0;

	if (*s < '0' || *s > '9')
		return false;
	if (*s == '0' && s[1] >= '0' && s[1] <= '9')
		return false;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (unsigned)(*s - '0');
		if (v > max)
			return false;
		s++;
	}
	*p = s;
	*out = (unsigned)v;
	return true;
}

bool xd_is_vif_name(const char *name, unsigned *domid, unsigned *devid)
{
	const char *p = name;
	unsigned d, n;

	if (strncmp(p, "vif", 3) != 0)
		return false;
	p += 3;
	/* domids are 16-bit and 0x7FF0 upwards are reserved. */
	if (!xd_parse_dec(&p, 0x7FEF, &d) || *p != '.')
		return false;
	p++;
	if (!xd_parse_dec(&p, 0xFFFF, &n) || *p != '\0')
		return false;
	if (domid)
		*domid = d;
	if (devid)
		*devid = n;
	return true;
}
