/* SPDX-License-Identifier: MIT */
/*
 * The stack is portable C: built freestanding into minios-noxs images and
 * hosted for the unit tests. The few libc pieces it uses come from the
 * C library when there is one, else from the unikernel's own lib.
 */
#ifndef NET_COMPAT_H
#define NET_COMPAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if __STDC_HOSTED__
#include <string.h>
#else
#include <minios/lib.h>
#endif

#endif
