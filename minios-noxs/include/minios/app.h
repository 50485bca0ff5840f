/* SPDX-License-Identifier: MIT */
/*
 * What an app provides: app_main() runs once the kernel is up; returning
 * from it powers the domain off. Apps may also override the weak hooks
 * app_shutdown_hook() (minios/sched.h) and app_console_input()
 * (minios/console.h).
 */
#ifndef MINIOS_APP_H
#define MINIOS_APP_H

#include <stddef.h>

/* cmdline is the NUL-terminated guest command line (may be empty). */
int app_main(const char *cmdline);

#endif
