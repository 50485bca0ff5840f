/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_VERSION_H
#define CHAOS_VERSION_H

/*
 * Versions: of the headers a program was compiled with (the macros), and
 * of the library it runs with (the functions). They differ when a program
 * built against one release runs with another's libchaos.so.
 */

#include <chaos/api.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The version of these headers: "major.minor.patch", and the same as
 * major * 1000000 + minor * 1000 + patch. */
#define CHAOS_VERSION "0.1.0"
#define CHAOS_VERSION_NUMBER 1000

/*
 * The version of the library actually linked: chaos_version() returns
 * CHAOS_VERSION and chaos_version_number() CHAOS_VERSION_NUMBER as they
 * were when libchaos was built, so a program can check that it runs with
 * the library it was compiled for, as with SQLite's
 * sqlite3_libversion_number():
 *
 *     if (chaos_version_number() != CHAOS_VERSION_NUMBER)
 *             ... headers and library differ ...
 *
 * Returns a static string (never freed) and a number. Reentrant; need no
 * host.
 */
CHAOS_API const char *chaos_version(void);
CHAOS_API int chaos_version_number(void);

#ifdef __cplusplus
}
#endif

#endif
