/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_CHAOS_H
#define CHAOS_CHAOS_H

/* libchaos: a lightweight Xen toolstack. Include this one header. */

#include <chaos/version.h>
#include <chaos/error.h>
#include <chaos/host.h>
#include <chaos/domain.h>
#include <chaos/config.h>
#include <chaos/registry.h>
#include <chaos/record.h>
#include <chaos/console.h>
#include <chaos/watch.h>
#include <chaos/shell.h>
#include <chaos/guest.h>
#include <chaos/device.h>
#include <chaos/xendevd.h>
#include <chaos/migrate.h>
#include <chaos/format.h>

#endif
