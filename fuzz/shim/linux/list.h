/* SPDX-License-Identifier: MIT */
/* Userspace stand-in for the kernel header: fuzz/shim/kshim.h. */
#include <kshim.h>
