// SPDX-License-Identifier: MIT
/*
 * The virtual IDT (trap table), the event and failsafe callbacks, and what
 * happens on a fault: a register dump, then SHUTDOWN_crash.
 */
#include <minios/events.h>
#include <minios/hypercall.h>
#include <minios/lib.h>
#include <minios/os.h>
#include <minios/sched.h>
#include <minios/traps.h>

#define VECTOR_UPCALL 256
#define VECTOR_FAILSAFE 257
#define VECTOR_PAGE_FAULT 14
/* trap_info.flags: bits 0-1 DPL, bit 2 masks events on entry. */
#define TI_MASK_EVENTS 4

#define STUB(name) extern char name[]
STUB(trap_divide_error);
STUB(trap_debug);
STUB(trap_int3);
STUB(trap_overflow);
STUB(trap_bounds);
STUB(trap_invalid_op);
STUB(trap_device_not_available);
STUB(trap_coprocessor_segment_overrun);
STUB(trap_invalid_tss);
STUB(trap_segment_not_present);
STUB(trap_stack_segment);
STUB(trap_general_protection);
STUB(trap_page_fault);
STUB(trap_coprocessor_error);
STUB(trap_alignment_check);
STUB(trap_machine_check);
STUB(trap_simd_error);
STUB(hypervisor_callback);
STUB(failsafe_callback);

#define ENTRY(vec, dpl, stub)                                                 \
	{ (vec), (dpl) | TI_MASK_EVENTS, FLAT_KERNEL_CS, (unsigned long)stub }

static const trap_info_t trap_table[] = {
	ENTRY(0, 0, trap_divide_error),
	ENTRY(1, 0, trap_debug),
	ENTRY(3, 3, trap_int3),
	ENTRY(4, 3, trap_overflow),
	ENTRY(5, 3, trap_bounds),
	ENTRY(6, 0, trap_invalid_op),
	ENTRY(7, 0, trap_device_not_available),
	ENTRY(9, 0, trap_coprocessor_segment_overrun),
	ENTRY(10, 0, trap_invalid_tss),
	ENTRY(11, 0, trap_segment_not_present),
	ENTRY(12, 0, trap_stack_segment),
	ENTRY(13, 0, trap_general_protection),
	ENTRY(14, 0, trap_page_fault),
	ENTRY(16, 0, trap_coprocessor_error),
	ENTRY(17, 0, trap_alignment_check),
	ENTRY(18, 0, trap_machine_check),
	ENTRY(19, 0, trap_simd_error),
	{ 0, 0, 0, 0 },
};

static const char *const trap_names[] = {
	[0] = "divide error",	   [1] = "debug",
	[3] = "int3",		   [4] = "overflow",
	[5] = "bounds",		   [6] = "invalid opcode",
	[7] = "device not available", [9] = "coprocessor segment overrun",
	[10] = "invalid TSS",	   [11] = "segment not present",
	[12] = "stack segment",	   [13] = "general protection",
	[14] = "page fault",	   [16] = "x87 error",
	[17] = "alignment check",  [18] = "machine check",
	[19] = "SIMD error",
};

void traps_init(void)
{
	callback_register_t event = {
		.type = CALLBACKTYPE_event,
		.address = (unsigned long)hypervisor_callback,
	};
	callback_register_t failsafe = {
		.type = CALLBACKTYPE_failsafe,
		.flags = CALLBACKF_mask_events,
		.address = (unsigned long)failsafe_callback,
	};

	if (hyp_set_trap_table(trap_table))
		printk("minios: set_trap_table failed\n");
	if (hyp_callback_op(CALLBACKOP_register, &event))
		printk("minios: registering the event callback failed\n");
	if (hyp_callback_op(CALLBACKOP_register, &failsafe))
		printk("minios: registering the failsafe callback failed\n");
}

void dump_registers(const struct trap_frame *f)
{
	printk("RIP: %04lx:%016lx RFLAGS: %016lx\n", f->cs, f->rip,
	       f->rflags);
	printk("RSP: %04lx:%016lx ERR: %016lx\n", f->ss, f->rsp,
	       f->error_code);
	printk("RAX: %016lx RBX: %016lx RCX: %016lx\n", f->rax, f->rbx, f->rcx);
	printk("RDX: %016lx RSI: %016lx RDI: %016lx\n", f->rdx, f->rsi, f->rdi);
	printk("RBP: %016lx R8:  %016lx R9:  %016lx\n", f->rbp, f->r8, f->r9);
	printk("R10: %016lx R11: %016lx R12: %016lx\n", f->r10, f->r11,
	       f->r12);
	printk("R13: %016lx R14: %016lx R15: %016lx\n", f->r13, f->r14,
	       f->r15);
}

/* Walk the frame-pointer chain while it stays inside our boot stack. */
static void dump_stack(uint64_t rbp)
{
	extern char boot_stack_top[];
	uint64_t top = (uint64_t)boot_stack_top;

	printk("Call trace:");
	for (int depth = 0; depth < 16; depth++) {
		const uint64_t *frame = (const uint64_t *)rbp;

		if (rbp < top - 16384 || rbp + 16 > top || (rbp & 7))
			break;
		printk(" %lx", frame[1]);
		rbp = frame[0];
	}
	printk("\n");
}

void failsafe_dispatch(struct trap_frame *frame)
{
	printk("minios: failsafe callback (bad segment on return)\n");
	dump_registers(frame);
	sched_shutdown(SHUTDOWN_crash);
}

void trap_dispatch(struct trap_frame *frame)
{
	static int crashing;
	const char *name = "unknown";

	if (frame->vector == VECTOR_UPCALL) {
		events_upcall(frame);
		return;
	}
	/* A fault while reporting a fault: just stop. */
	if (crashing++)
		sched_shutdown(SHUTDOWN_crash);
	if (frame->vector == VECTOR_FAILSAFE)
		failsafe_dispatch(frame);
	if (frame->vector < ARRAY_SIZE(trap_names) &&
	    trap_names[frame->vector])
		name = trap_names[frame->vector];
	printk("minios: fatal trap %lu (%s)", frame->vector, name);
	if (frame->vector == VECTOR_PAGE_FAULT)
		printk(" at address %lx", this_vcpu()->arch.cr2);
	printk("\n");
	dump_registers(frame);
	dump_stack(frame->rbp);
	sched_shutdown(SHUTDOWN_crash);
}
