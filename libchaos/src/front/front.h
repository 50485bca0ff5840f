/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_FRONT_LAYER_H
#define CHAOS_FRONT_LAYER_H

/*
 * Layer front: Front ends' shared code: chaosd's framing and client, flavours, list and info as JSON.
 * Internal to libchaos: declarations grouped by the file that defines them.
 */

#include "migrate/migrate.h"


#endif
