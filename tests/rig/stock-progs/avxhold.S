/* SPDX-License-Identifier: MIT */
/*
 * avxhold check|hold: does the guest keep its AVX state across a save and
 * restore?
 *   check  OSXSAVE and AVX in CPUID and SSE|YMM in XCR0, then a 32-byte
 *          round trip through %ymm0: "avx ok" (0), "avx wrong" (1),
 *          "avx absent" (3).
 *   hold   the same presence check, then a pattern in each of
 *          %ymm8..%ymm15, loaded once, "STOCK-AVX held", and every 100 ms
 *          a comparison against the patterns, forever: the upper halves
 *          are kept only in the YMM part of the XSAVE area the hypervisor
 *          saves and restores, so "STOCK-AVX-FAIL ymmN lost its value"
 *          (1) means it did not. Restored without YMM in XCR0, it dies
 *          of SIGILL at its next VEX instruction (132 in a shell).
 * Only AVX1 instructions: the 256-bit compares need AVX2, which the
 * guest's CPU may lack, so each half is compared with VEX.128 ones.
 * Build: as -o avxhold.o avxhold.S; ld -static.
 */
	.text
	.globl _start
_start:
	cmpq $2, (%rsp)			/* argc */
	jne usage
	mov 16(%rsp), %rbx		/* argv[1] */
	lea s_check(%rip), %rdi
	call streq
	je check
	lea s_hold(%rip), %rdi
	call streq
	je hold
usage:
	mov $2, %edi
	lea m_usage(%rip), %rsi
	mov $m_usage_len, %edx
	mov $2, %ebx
	jmp say_exit

check:
	call avx_present
	vmovdqu pat(%rip), %ymm0
	vmovdqu %ymm0, out(%rip)
	lea pat(%rip), %rsi
	lea out(%rip), %rdi
	mov $32, %ecx
	repe cmpsb
	jne 1f
	lea m_ok(%rip), %rsi
	mov $m_ok_len, %edx
	xor %ebx, %ebx
	jmp say1_exit
1:	lea m_wrong(%rip), %rsi
	mov $m_wrong_len, %edx
	mov $1, %ebx
	jmp say1_exit

hold:
	call avx_present
	.irp reg, 8, 9, 10, 11, 12, 13, 14, 15
	vmovdqu pat + (\reg - 8) * 32(%rip), %ymm\reg
	.endr
	mov $1, %edi
	lea m_held(%rip), %rsi
	mov $m_held_len, %edx
	mov $1, %eax			/* write */
	syscall
2:	lea tenth(%rip), %rdi
	xor %esi, %esi
	mov $35, %eax			/* nanosleep; an EINTR only shortens it */
	syscall
	.irp reg, 8, 9, 10, 11, 12, 13, 14, 15
	vpcmpeqb pat + (\reg - 8) * 32(%rip), %xmm\reg, %xmm0
	vextractf128 $1, %ymm\reg, %xmm1
	vpcmpeqb pat + (\reg - 8) * 32 + 16(%rip), %xmm1, %xmm1
	vpand %xmm1, %xmm0, %xmm0
	vpmovmskb %xmm0, %eax
	cmp $0xffff, %eax
	jne lost\reg
	.endr
	jmp 2b
	.irp reg, 8, 9, 10, 11, 12, 13, 14, 15
lost\reg:	lea m_lost\reg(%rip), %rsi
	mov $m_lost\reg\()_len, %edx
	jmp lost
	.endr
lost:
	mov $1, %ebx
	jmp say1_exit

/* avx_present: back only if the CPU has AVX and the kernel enabled it. */
avx_present:
	mov $1, %eax
	cpuid
	and $(3 << 27), %ecx		/* OSXSAVE, AVX */
	cmp $(3 << 27), %ecx
	jne 3f
	xor %ecx, %ecx
	xgetbv
	and $6, %eax			/* XCR0: SSE, YMM */
	cmp $6, %eax
	jne 3f
	ret
3:	lea m_absent(%rip), %rsi
	mov $m_absent_len, %edx
	mov $3, %ebx
	jmp say1_exit

/* streq: ZF set when the strings at %rbx and %rdi are equal. */
streq:
	mov %rbx, %rsi
4:	mov (%rsi), %al
	cmp (%rdi), %al
	jne 5f
	inc %rsi
	inc %rdi
	test %al, %al
	jnz 4b
5:	ret

/* say_exit: write %rsi/%rdx to fd %edi (say1_exit: fd 1), exit %ebx. */
say1_exit:
	mov $1, %edi
say_exit:
	mov $1, %eax			/* write */
	syscall
	mov %ebx, %edi
	mov $60, %eax			/* exit */
	syscall

	.section .rodata
/* Register i (ymm8 + i), byte j: i * 31 + j + 1. Every byte of a register
 * differs from the others and from the same byte of any other register,
 * and none is zero, so a cleared upper half or a swap shows. */
	.p2align 5
pat:
	.irp i, 0, 1, 2, 3, 4, 5, 6, 7
	.set j, 0
	.rept 32
	.byte \i * 31 + j + 1
	.set j, j + 1
	.endr
	.endr
tenth:	.quad 0, 100000000
s_check:	.asciz "check"
s_hold:		.asciz "hold"
m_usage:	.ascii "usage: avxhold check|hold\n"
	.set m_usage_len, . - m_usage
m_ok:		.ascii "avx ok\n"
	.set m_ok_len, . - m_ok
m_wrong:	.ascii "avx wrong\n"
	.set m_wrong_len, . - m_wrong
m_absent:	.ascii "avx absent\n"
	.set m_absent_len, . - m_absent
m_held:		.ascii "STOCK-AVX held\n"
	.set m_held_len, . - m_held
	.irp reg, 8, 9, 10, 11, 12, 13, 14, 15
m_lost\reg:	.ascii "STOCK-AVX-FAIL ymm\reg lost its value\n"
	.set m_lost\reg\()_len, . - m_lost\reg
	.endr

	.bss
out:	.skip 32

	.section .note.GNU-stack,"",@progbits
