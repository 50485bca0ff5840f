/* SPDX-License-Identifier: MIT */
/*
 * compat32: a 32-bit program that makes its system calls through the
 * vDSO's __kernel_vsyscall, so on a Xen PV guest they take the kernel's
 * 32-bit fast entry (syscall or sysenter), which works only while the
 * hypervisor holds the guest's syscall32/sysenter callbacks: a restored
 * guest that lost them faults here instead of printing.
 * Prints "compat32 syscall|sysenter|int80" (the entry the kernel patched
 * into the vDSO) and exits 0; exits 1 if the write comes back short and 2
 * with no AT_SYSINFO in the auxiliary vector.
 * Build: as --32 -o compat32.o compat32.S; ld -m elf_i386 -static.
 *
 * The layout relied on, from the kernel's vdso32/system_call.S and
 * checked in both kernels at hand: __kernel_vsyscall is
 *   51 52 55      push %ecx; push %edx; push %ebp
 *   xx xx xx xx   an ALTERNATIVE_2 patched at boot:
 *                 89 cd 0f 05  mov %ecx,%ebp; syscall   (SYSCALL32)
 *                 89 e5 0f 34  mov %esp,%ebp; sysenter  (SYSENTER32)
 *                 90 90 90 90  unpatched: falls through to the int $0x80
 *   cd 80 5d 5a 59 c3
 * The build machine's 6.18 (AMD, dumped from AT_SYSINFO of a running
 * program) has 51 52 55 89 cd 0f 05 cd 80 5d 5a 59 c3; the guest's Debian
 * 6.1 (vdso32 image taken out of its vmlinuz) has 51 52 55 90 90 90 90
 * cd 80 ... with 89 e5 0f 34 and 89 cd 0f 05 as the replacements.
 */
	.text
	.globl _start
_start:
	/* Above argc: argv[argc], NULL, envp..., NULL, then the auxv pairs. */
	mov (%esp), %eax
	lea 8(%esp,%eax,4), %esi
1:	lodsl
	test %eax, %eax
	jnz 1b
2:	mov (%esi), %eax
	test %eax, %eax			/* AT_NULL */
	jz no_sysinfo
	cmp $32, %eax			/* AT_SYSINFO */
	je 3f
	add $8, %esi
	jmp 2b
3:	mov 4(%esi), %edi

	lea msg_int80, %ecx
	mov $msg_int80_len, %edx
	cmpl $0x050fcd89, 3(%edi)	/* 89 cd 0f 05 */
	jne 4f
	lea msg_syscall, %ecx
	mov $msg_syscall_len, %edx
4:	cmpl $0x340fe589, 3(%edi)	/* 89 e5 0f 34 */
	jne 5f
	lea msg_sysenter, %ecx
	mov $msg_sysenter_len, %edx

	/* __kernel_vsyscall keeps %ecx, %edx and %ebp. */
5:	mov $4, %eax			/* write */
	mov $1, %ebx
	call *%edi
	cmp %edx, %eax
	jne short_write
	mov $1, %eax			/* exit */
	xor %ebx, %ebx
	call *%edi
	hlt				/* not reached */

	/* The failures leave by int $0x80: the fast entry may be the fault. */
short_write:
	mov $1, %eax
	mov $1, %ebx
	int $0x80

no_sysinfo:
	mov $4, %eax
	mov $2, %ebx
	lea msg_nosysinfo, %ecx
	mov $msg_nosysinfo_len, %edx
	int $0x80
	mov $1, %eax
	mov $2, %ebx
	int $0x80

	.section .rodata
msg_syscall:	.ascii "compat32 syscall\n"
	.set msg_syscall_len, . - msg_syscall
msg_sysenter:	.ascii "compat32 sysenter\n"
	.set msg_sysenter_len, . - msg_sysenter
msg_int80:	.ascii "compat32 int80\n"
	.set msg_int80_len, . - msg_int80
msg_nosysinfo:	.ascii "compat32: no AT_SYSINFO\n"
	.set msg_nosysinfo_len, . - msg_nosysinfo

	.section .note.GNU-stack,"",@progbits
