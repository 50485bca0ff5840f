/* SPDX-License-Identifier: MIT */
/* Trap table, failsafe callback, register dumps. */
#ifndef MINIOS_TRAPS_H
#define MINIOS_TRAPS_H

#include <stdint.h>

/* Layout pushed by arch/x86_64/entry.S (lowest address first). */
struct trap_frame {
	uint64_t r15, r14, r13, r12, r11, r10, r9, r8;
	uint64_t rbp, rdi, rsi, rdx, rcx, rbx, rax;
	uint64_t vector;
	uint64_t error_code;
	uint64_t rip, cs, rflags, rsp, ss;
};

void traps_init(void);
void trap_dispatch(struct trap_frame *frame);
void failsafe_dispatch(struct trap_frame *frame);
void dump_registers(const struct trap_frame *frame);

#endif
