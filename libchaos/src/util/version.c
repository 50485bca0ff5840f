// SPDX-License-Identifier: MIT
/* The library's own version, for callers built against other headers. */
#include <chaos/version.h>

const char *chaos_version(void)
{
	return CHAOS_VERSION;
}

int chaos_version_number(void)
{
	return CHAOS_VERSION_NUMBER;
}
