// SPDX-License-Identifier: MIT
/* Root's share of a table of slots (slots.h). */
#include "slots.h"

bool slots_ok(uint32_t uid, unsigned int used, unsigned int nonroot,
	      unsigned int ordinary, unsigned int total)
{
	if (used >= total)
		return false;
	return uid == 0 || nonroot < ordinary;
}
