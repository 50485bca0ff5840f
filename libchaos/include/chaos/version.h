/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_VERSION_H
#define CHAOS_VERSION_H

/* The version of these headers. */
#define CHAOS_VERSION "0.1.0"
#define CHAOS_VERSION_NUMBER 1000   /* major * 1000000 + minor * 1000 + patch */

#endif
