/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_CHAOS_H
#define CHAOS_CHAOS_H

/* libchaos: a lightweight Xen toolstack. Include this one header. */

#include <chaos/error.h>
#include <chaos/host.h>
#include <chaos/domain.h>
#include <chaos/format.h>

#define CHAOS_VERSION "0.1.0"

#include <chaos/config.h>
#include <chaos/registry.h>
#include <chaos/record.h>
#include <chaos/console.h>
#include <chaos/build.h>
#include <chaos/noxs.h>
#include <chaos/xendevd.h>
#include <chaos/save.h>
#include <chaos/migrate.h>

#endif
