/* SPDX-License-Identifier: MIT */
/*
 * Boot: the Xen ELF notes that describe the image, the entry point, the
 * hypercall page and the boot stack.
 *
 * Xen (or the toolstack's builder) enters _start in 64-bit mode with
 * %rsi = virtual address of start_info and a bootstrap mapping of the
 * image starting at virtual address 0 (VIRT_BASE 0, PADDR_OFFSET 0).
 */
#include <xen/elfnote.h>

#define ELFNOTE(type, desc)                                     \
	.pushsection .note.Xen, "a", @note;                     \
	.p2align 2;                                             \
	.long 2f - 1f;                                          \
	.long 4f - 3f;                                          \
	.long type;                                             \
1:	.asciz "Xen";                                           \
2:	.p2align 2;                                             \
3:	desc;                                                   \
4:	.p2align 2;                                             \
	.popsection

ELFNOTE(XEN_ELFNOTE_GUEST_OS, .asciz "minios-noxs")
ELFNOTE(XEN_ELFNOTE_GUEST_VERSION, .asciz "0.1")
ELFNOTE(XEN_ELFNOTE_XEN_VERSION, .asciz "xen-3.0")
ELFNOTE(XEN_ELFNOTE_VIRT_BASE, .quad 0)
ELFNOTE(XEN_ELFNOTE_PADDR_OFFSET, .quad 0)
ELFNOTE(XEN_ELFNOTE_ENTRY, .quad _start)
ELFNOTE(XEN_ELFNOTE_HYPERCALL_PAGE, .quad hypercall_page)
ELFNOTE(XEN_ELFNOTE_FEATURES, .asciz "!writable_page_tables")
ELFNOTE(XEN_ELFNOTE_LOADER, .asciz "generic")
/* The suspend hypercall returns 1 when the toolstack cancels it. */
ELFNOTE(XEN_ELFNOTE_SUSPEND_CANCEL, .long 1)

/*
 * Page 0 holds only the entry code; the kernel unmaps it once running so
 * that NULL dereferences fault.
 */
	.section .text.head, "ax"
	.globl _start
_start:
	/* First instruction: the TSC here is "time zero" for boot metrics. */
	rdtsc
	shl	$32, %rdx
	or	%rdx, %rax
	mov	%rax, boot_tsc(%rip)
	mov	%rsi, %r12

	/* The loader zero-fills .bss, but do not trust every loader. */
	lea	__bss_start(%rip), %rdi
	lea	__bss_end(%rip), %rcx
	sub	%rdi, %rcx
	xor	%eax, %eax
	cld
	rep stosb

	lea	boot_stack_top(%rip), %rsp
	xor	%ebp, %ebp
	mov	%r12, %rdi
	call	start_kernel
	ud2

/* Filled by the domain builder (XEN_DOMCTL_hypercall_init). */
	.section .text.hypercall_page, "ax"
	.p2align 12
	.globl hypercall_page
hypercall_page:
	.skip 4096

	.data
	.p2align 3
	.globl boot_tsc
boot_tsc:
	.quad 0

	.bss
	.p2align 4
boot_stack:
	.skip 16384
	.globl boot_stack_top
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
