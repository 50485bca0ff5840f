/* SPDX-License-Identifier: MIT */
/*
 * Exception, event-upcall and failsafe entry points.
 *
 * A 64-bit PV guest kernel gets a bounce frame from Xen: rcx and r11 sit on
 * top of the usual (error code,) rip, cs, rflags, rsp, ss. Every stub turns
 * that into one struct trap_frame (minios/traps.h) and returns through the
 * iret hypercall, which also restores the event mask from rflags.IF.
 */
#include <xen/xen.h>

#define VECTOR_UPCALL 256
#define VECTOR_FAILSAFE 257

.macro TRAP_NOERR name, vec
	.globl \name
\name:
	pop	%rcx
	pop	%r11
	pushq	$0
	pushq	$\vec
	jmp	trap_common
.endm

.macro TRAP_ERR name, vec
	.globl \name
\name:
	pop	%rcx
	pop	%r11
	pushq	$\vec
	jmp	trap_common
.endm

	.text
TRAP_NOERR trap_divide_error, 0
TRAP_NOERR trap_debug, 1
TRAP_NOERR trap_int3, 3
TRAP_NOERR trap_overflow, 4
TRAP_NOERR trap_bounds, 5
TRAP_NOERR trap_invalid_op, 6
TRAP_NOERR trap_device_not_available, 7
TRAP_NOERR trap_coprocessor_segment_overrun, 9
TRAP_ERR trap_invalid_tss, 10
TRAP_ERR trap_segment_not_present, 11
TRAP_ERR trap_stack_segment, 12
TRAP_ERR trap_general_protection, 13
TRAP_ERR trap_page_fault, 14
TRAP_NOERR trap_coprocessor_error, 16
TRAP_ERR trap_alignment_check, 17
TRAP_NOERR trap_machine_check, 18
TRAP_NOERR trap_simd_error, 19
TRAP_NOERR hypervisor_callback, VECTOR_UPCALL

/* Failsafe frame: rcx, r11, ds, es, fs, gs, then rip, cs, rflags, rsp, ss. */
	.globl failsafe_callback
failsafe_callback:
	pop	%rcx
	pop	%r11
	add	$32, %rsp
	pushq	$0
	pushq	$VECTOR_FAILSAFE
	jmp	trap_common

trap_common:
	push	%rax
	push	%rbx
	push	%rcx
	push	%rdx
	push	%rsi
	push	%rdi
	push	%rbp
	push	%r8
	push	%r9
	push	%r10
	push	%r11
	push	%r12
	push	%r13
	push	%r14
	push	%r15

	mov	%rsp, %rdi
	mov	%rsp, %rbx
	and	$-16, %rsp
	call	trap_dispatch
	mov	%rbx, %rsp

	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%r11
	pop	%r10
	pop	%r9
	pop	%r8
	pop	%rbp
	pop	%rdi
	pop	%rsi
	pop	%rdx
	pop	%rcx
	pop	%rbx
	pop	%rax
	add	$16, %rsp
	pushq	$0
	jmp	hypercall_page + __HYPERVISOR_iret * 32

	.section .note.GNU-stack, "", @progbits
