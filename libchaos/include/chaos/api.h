/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_API_H
#define CHAOS_API_H

/*
 * Export control. libchaos is compiled with -fvisibility=hidden, so the
 * shared library exports exactly the functions declared with CHAOS_API in
 * <chaos/...>: if it is not declared here, it is not API. Each public
 * header includes this one; an application never needs it directly.
 * (`make check-exports` compares libchaos.so's dynamic symbols with the
 * declarations.)
 */

#if defined(__GNUC__) || defined(__clang__)
#define CHAOS_API __attribute__((visibility("default")))
#else
#define CHAOS_API
#endif

#endif
