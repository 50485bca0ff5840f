/* SPDX-License-Identifier: MIT */
#ifndef CHAOSD_SLOTS_H
#define CHAOSD_SLOTS_H

#include <stdbool.h>
#include <stdint.h>

/*
 * Root's share of a table of slots (audit finding 9): the first ordinary
 * of total slots are anyone's, the rest root's alone, so that clients
 * that are not root can never hold every slot and lock root out. Used for
 * connections (owner.h) and console streams (consoles.h). Pure.
 */

/* May a client of uid take a slot while used of total are taken, nonroot
 * of them by clients that are not root? */
bool slots_ok(uint32_t uid, unsigned int used, unsigned int nonroot,
	      unsigned int ordinary, unsigned int total);

#endif
