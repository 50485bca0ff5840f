/* SPDX-License-Identifier: MIT */
/* Freestanding replacements for the few libc pieces the kernel uses. */
#ifndef MINIOS_LIB_H
#define MINIOS_LIB_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

void *memset(void *dst, int c, size_t n);
void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strnlen(const char *s, size_t max);
int strncmp(const char *a, const char *b, size_t n);

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));
int snprintf(char *buf, size_t size, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Formatted output to the console (never blocks for long, see console.c). */
int printk(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Report a broken invariant, dump state and shut down with "crash". */
void panic(const char *fmt, ...) __attribute__((format(printf, 1, 2)))
	__attribute__((noreturn));

#define BUG_ON(cond)                                                          \
	do {                                                                  \
		if (__builtin_expect(!!(cond), 0))                            \
			panic("assertion failed at %s:%d: %s", __FILE__,      \
			      __LINE__, #cond);                               \
	} while (0)

/*
 * Look up "key=<decimal>" in a space-separated command line. Returns 0 and
 * stores the value, or -1 if the key is absent or its value is not a
 * well-formed number that fits in 64 bits.
 */
int cmdline_get_u64(const char *cmdline, size_t len, const char *key,
		    uint64_t *value);

#endif
