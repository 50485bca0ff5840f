/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_STATE_LAYER_H
#define CHAOS_STATE_LAYER_H

/*
 * Layer state: Files under the state directory (/run/chaos): the name registry and per-domain records. No Xen.
 * Internal to libchaos: declarations grouped by the file that defines them.
 */

#include "config/config.h"

/* Xen's DOMID_FIRST_RESERVED (public/xen.h): ids from here on are never
 * guests. Spelled out so this layer needs no Xen header. */
#define CHAOS_DOMID_FIRST_RESERVED 0x7FF0U


#endif
