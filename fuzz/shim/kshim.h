/* SPDX-License-Identifier: MIT */
#ifndef CHAOS_FUZZ_KSHIM_H
#define CHAOS_FUZZ_KSHIM_H

/*
 * The few kernel definitions that noxs-kmod's check functions and
 * noxs_kmod.h use, for building those functions (cut out unchanged by
 * fuzz/noxs_extract.sh) in userspace. Only types and pure helpers: no
 * locking, no memory management, nothing the checks do not touch. Every
 * header under fuzz/shim/linux and fuzz/shim/xen includes this one.
 */

#include <arpa/inet.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

typedef uint8_t u8;
typedef uint16_t u16;
typedef uint32_t u32;
typedef uint64_t u64;
typedef int32_t s32;
typedef uint32_t __be32;
#define __force
#define __user

typedef struct { int counter; } atomic_t;
typedef struct { long long counter; } atomic64_t;
struct kref { atomic_t refcount; };
struct list_head { struct list_head *next, *prev; };
struct hlist_node { struct hlist_node *next, **pprev; };
typedef struct { int lock; } spinlock_t;
typedef struct { struct list_head head; } wait_queue_head_t;
struct work_struct { void (*func)(struct work_struct *); };
typedef uint32_t grant_ref_t;
typedef uint32_t evtchn_port_t;
typedef uint16_t domid_t;

#define BIT(n) (1UL << (n))
#define barrier() __asm__ __volatile__("" ::: "memory")
#define virt_rmb() __atomic_thread_fence(__ATOMIC_ACQUIRE)
#define WRITE_ONCE(x, v) (*(volatile __typeof__(x) *)&(x) = (v))
#define atomic_read(a) ((a)->counter)
#define atomic64_inc(a) ((a)->counter++)
#define MAX_ERRNO 4095
#define READ_ONCE(x) (*(const volatile __typeof__(x) *)&(x))
#define be32_to_cpu(x) ntohl(x)

static inline void __attribute__((format(printf, 1, 2)))
pr_warn_ratelimited(const char *fmt, ...)
{
	(void)fmt;
}

static inline void notify_remote_via_irq(int irq)
{
	(void)irq;
}

/* lib/string.c: the first byte not equal to c, or NULL. */
static inline void *memchr_inv(const void *p, int c, size_t n)
{
	const unsigned char *s = p;

	for (size_t i = 0; i < n; i++)
		if (s[i] != (unsigned char)c)
			return (void *)(s + i);
	return NULL;
}

/* include/linux/etherdevice.h */
static inline bool is_valid_ether_addr(const u8 *a)
{
	static const u8 zero[6];

	return !(a[0] & 1) && memcmp(a, zero, 6) != 0;
}

#endif
