/* SPDX-License-Identifier: MIT */
/*
 * The one place that pulls in Xen's public headers (from libxen-dev), so
 * every file sees the same interface version and the freestanding types
 * they need.
 */
#ifndef MINIOS_XEN_H
#define MINIOS_XEN_H

#include <stdint.h>
#include <stddef.h>
#include <stdbool.h>

#include <xen/xen.h>
#include <xen/sched.h>
#include <xen/event_channel.h>
#include <xen/callback.h>
#include <xen/vcpu.h>
#include <xen/version.h>
#include <xen/memory.h>
#include <xen/grant_table.h>
#include <xen/io/console.h>

#define PAGE_SHIFT 12
#define PAGE_SIZE (1UL << PAGE_SHIFT)
#define PAGE_MASK (~(PAGE_SIZE - 1))
#define PFN_UP(x) (((x) + PAGE_SIZE - 1) >> PAGE_SHIFT)
#define PFN_DOWN(x) ((x) >> PAGE_SHIFT)

/* x86 page-table entry bits, for the few mappings we make ourselves. */
#define PTE_PRESENT 0x001UL
#define PTE_RW 0x002UL
#define PTE_USER 0x004UL
#define PTE_ACCESSED 0x020UL
#define PTE_DIRTY 0x040UL
#define PTE_PSE 0x080UL
#define PTE_NX (1UL << 63)
#define PTE_ADDR_MASK 0x000ffffffffff000UL

/* A 64-bit PV kernel runs in ring 3: user bit set on every kernel mapping. */
#define PTE_KERNEL_RW (PTE_PRESENT | PTE_RW | PTE_USER | PTE_ACCESSED | \
		       PTE_DIRTY)
#define PTE_KERNEL_RO (PTE_PRESENT | PTE_USER | PTE_ACCESSED)

#endif
