# minios-noxs: our x86_64 PV unikernel base and its apps. Each app under
# minios-noxs/apps/<app>/ is linked with the kernel into its own image:
# $(BUILD)/minios-noxs/<app>.elf (with symbols) and the stripped
# $(BUILD)/guests/<app>.elf that the rig copies into dom0.

MINIOS_APPS := noop hello-loop selftest deaf scribbler pingresp daytime udp-echo \
	       console-flood crasher si-liar memfill
MINIOS_OUT  := $(BUILD)/minios-noxs
MINIOS_GUESTS := $(MINIOS_APPS:%=$(BUILD)/guests/%.elf)

# Freestanding, no FPU/SSE state to save, no red zone (Xen pushes trap
# frames on our stack), addresses in the low 2 GiB (VIRT_BASE 0).
MINIOS_CFLAGS := -std=gnu11 $(WARNINGS) -Os -g -ffreestanding -nostdlib \
	-fno-pic -fno-pie -fno-stack-protector -fcf-protection=none \
	-mno-red-zone -mcmodel=small -mgeneral-regs-only \
	-fno-asynchronous-unwind-tables -fno-omit-frame-pointer \
	-ffunction-sections -fdata-sections \
	-D__XEN_INTERFACE_VERSION__=0x00040e00 -Iminios-noxs/include -Iminios-noxs -Iabi
MINIOS_LDFLAGS := -nostdlib -static -no-pie -Wl,-T,minios-noxs/minios.lds \
	-Wl,--gc-sections -Wl,-n -Wl,--build-id=none -Wl,-z,noexecstack \
	-Wl,--no-warn-rwx-segments

MINIOS_KERNEL_SRC := $(wildcard minios-noxs/kernel/*.c minios-noxs/noxs/*.c \
	minios-noxs/net/*.c minios-noxs/netapp/*.c minios-noxs/arch/x86_64/*.S)
MINIOS_KERNEL_OBJ := $(MINIOS_KERNEL_SRC:minios-noxs/%=$(MINIOS_OUT)/obj/%.o)

PROGRAMS   += $(MINIOS_GUESTS)
RIG_GUESTS += $(MINIOS_GUESTS)

$(MINIOS_OUT)/obj/%.c.o: minios-noxs/%.c | build-deps
	@mkdir -p $(dir $@)
	$(CC) $(MINIOS_CFLAGS) -MMD -MP -c $< -o $@

$(MINIOS_OUT)/obj/%.S.o: minios-noxs/%.S | build-deps
	@mkdir -p $(dir $@)
	$(CC) $(MINIOS_CFLAGS) -D__ASSEMBLY__ -MMD -MP -c $< -o $@

define MINIOS_APP_RULES
MINIOS_APP_OBJ_$(1) := $$(patsubst minios-noxs/%,$$(MINIOS_OUT)/obj/%.o,\
	$$(wildcard minios-noxs/apps/$(1)/*.c))

$$(MINIOS_OUT)/$(1).elf: $$(MINIOS_KERNEL_OBJ) $$(MINIOS_APP_OBJ_$(1)) \
		minios-noxs/minios.lds
	$$(CC) $$(MINIOS_LDFLAGS) -o $$@ $$(MINIOS_KERNEL_OBJ) \
		$$(MINIOS_APP_OBJ_$(1))

$$(BUILD)/guests/$(1).elf: $$(MINIOS_OUT)/$(1).elf
	@mkdir -p $$(dir $$@)
	objcopy --strip-all $$< $$@
endef
$(foreach app,$(MINIOS_APPS),$(eval $(call MINIOS_APP_RULES,$(app))))

# The IP stack (minios-noxs/net) and netfront's checks of the backend's
# responses (noxs/net_checks.h) are portable C: their cmocka tests
# (minios-noxs/tests/unit) build them hosted, with the userspace flags (and
# SAN=1's sanitizers).
NET_STACK_SRC  := $(wildcard minios-noxs/net/*.c)
NET_UNIT_DIR   := $(BUILD)/unit$(if $(filter 1,$(SAN)),-san)/minios-net
NET_UNIT_BINS  := $(NET_UNIT_DIR)/test_net $(NET_UNIT_DIR)/test_net_checks
UNIT_TESTS += $(NET_UNIT_BINS)

$(OBJ)/minios-noxs/tests/unit/%.o: CFLAGS_EXTRA := -Iminios-noxs

$(NET_UNIT_DIR)/test_net: $(OBJ)/minios-noxs/tests/unit/test_net.o \
		$(NET_STACK_SRC:%.c=$(OBJ)/%.o)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ -lcmocka

$(NET_UNIT_DIR)/test_net_checks: $(OBJ)/minios-noxs/tests/unit/test_net_checks.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ -lcmocka

# The dom0 end of the UDP scenarios (busybox nc has no UDP): static, so the
# rig carries it to /rig/guests/udp-client as it is.
NET_UDP_CLIENT := $(BUILD)/minios-noxs/udp-client
PROGRAMS   += $(NET_UDP_CLIENT)
RIG_GUESTS += $(NET_UDP_CLIENT)

$(NET_UDP_CLIENT): minios-noxs/tests/udp-client.c | build-deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -g -static -o $@ $<

