# The rig: boots Xen under QEMU with our dom0 initramfs and runs scenarios.
# The host-side runner is tests/rig/run; see tests/rig/README.md.

RIG_HELPERS := $(BUILD)/rig-helpers/rigtime $(BUILD)/rig-helpers/rig-domains \
	       $(BUILD)/rig-helpers/mkbadimg $(BUILD)/rig-helpers/rig-as \
	       $(BUILD)/rig-helpers/rig-evtchn-warm \
	       $(BUILD)/rig-helpers/mkbadsave $(BUILD)/rig-helpers/mig-mitm \
	       $(BUILD)/rig-helpers/ckpt-hashbench $(BUILD)/rig-helpers/rig-downtime \
	       $(BUILD)/rig-helpers/rig-kill-at $(BUILD)/rig-helpers/rig-create-load \
	       $(BUILD)/rig-helpers/rig-hello $(BUILD)/rig-helpers/chaos-dynamic \
	       $(BUILD)/rig-helpers/rig-floor $(BUILD)/rig-helpers/rig-fill \
	       $(BUILD)/rig-helpers/rig-ckpt-threads $(BUILD)/rig-helpers/rig-syscost

$(BUILD)/rig-helpers/rigtime: tests/rig/helpers/rigtime.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -o $@ $<

$(BUILD)/rig-helpers/mkbadimg: tests/rig/helpers/mkbadimg.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -o $@ $<

$(BUILD)/rig-helpers/mkbadsave: tests/rig/helpers/mkbadsave.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -o $@ $< -lxxhash

$(BUILD)/rig-helpers/rig-evtchn-warm: tests/rig/helpers/rig-evtchn-warm.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -o $@ $< -lxenevtchn

$(BUILD)/rig-helpers/mig-mitm: tests/rig/helpers/mig-mitm.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -o $@ $<

$(BUILD)/rig-helpers/ckpt-hashbench: tests/rig/helpers/ckpt-hashbench.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -o $@ $< -lnettle -lxxhash -lz

$(BUILD)/rig-helpers/rig-downtime: tests/rig/helpers/rig-downtime.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -o $@ $< -lxenctrl

# Kills chaos or chaosd (ptrace) at an exact system call.
$(BUILD)/rig-helpers/rig-kill-at: tests/rig/helpers/rig-kill-at.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -o $@ $<

# The floor of a pooled create: libchaos's own builder steps, from the
# static library with its internal headers.
$(BUILD)/rig-helpers/rig-floor: tests/rig/helpers/rig-floor.c $(LIBCHAOS_A) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -Ilibchaos/include -Iabi -Ilibchaos/src \
		$(LDFLAGS_ALL) -o $@ $< $(LIBCHAOS_A) $(LIBCHAOS_LIBS)

# What a create's bookkeeping system calls cost in the rig's dom0.
$(BUILD)/rig-helpers/rig-syscost: tests/rig/helpers/rig-syscost.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -o $@ $<

# Static, as chaos is: the floor of a program's start.
$(BUILD)/rig-helpers/rig-hello: tests/rig/helpers/rig-hello.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -static -o $@ $<

# The CLI linked against shared libraries, as it was before it went
# static: what dynamic loading costs, measured beside the real one.
$(BUILD)/rig-helpers/chaos-dynamic: $(CHAOS_OBJ) $(LIBCHAOS_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $(CHAOS_OBJ) $(LIBCHAOS_A) $(LIBCHAOS_LIBS)

# Concurrent creates through chaosd on open connections (public client API).
$(BUILD)/rig-helpers/rig-create-load: tests/rig/helpers/rig-create-load.c \
		$(LIBCHAOS_A) $(LIBCHAOS_HEADERS) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -I$(INCLUDE) $(LDFLAGS_ALL) -o $@ $< $(LIBCHAOS_A) \
		$(LIBCHAOS_LIBS)

# The density bench: creates through chaosd until the host is full.
$(BUILD)/rig-helpers/rig-fill: tests/rig/helpers/rig-fill.c \
		$(LIBCHAOS_A) $(LIBCHAOS_HEADERS) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -I$(INCLUDE) $(LDFLAGS_ALL) -o $@ $< $(LIBCHAOS_A) \
		$(LIBCHAOS_LIBS)

# Saves of two guests from two threads at once (audit finding 13), each
# thread on its own host (public API).
$(BUILD)/rig-helpers/rig-ckpt-threads: tests/rig/helpers/rig-ckpt-threads.c \
		$(LIBCHAOS_A) $(LIBCHAOS_HEADERS) | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -I$(INCLUDE) $(LDFLAGS_ALL) -o $@ $< $(LIBCHAOS_A) \
		$(LIBCHAOS_LIBS)

$(BUILD)/rig-helpers/rig-as: tests/rig/helpers/rig-as.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -o $@ $<

$(BUILD)/rig-helpers/rig-domains: tests/rig/helpers/rig-domains.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -o $@ $< -lxenctrl

SCENARIOS ?=
include tests/rig/installed/build.mk
RIG_EXTRA ?=
# Components keep the scenarios that prove them next to their code.
RIG_COMPONENT_DIRS := $(wildcard chaosd/tests/rig minios-noxs/tests/rig chaos-oci/tests/rig \
			noxs-kmod/tests/rig xen-patches/tests/rig xendevd/tests/rig)
RIG_TARGETS = programs $(RIG_HELPERS) $(RIG_GUESTS) $(RIG_MODULES)
RIG_ENV = BUILD=$(BUILD) RIG_GUESTS="$(RIG_GUESTS)" RIG_MODULES="$(RIG_MODULES)" \
	  RIG_EXTRA="$(RIG_EXTRA)"

# Only `rig` runs the components' scenarios; demo and bench have their own.
rig: $(RIG_TARGETS) | deps
	$(RIG_ENV) RIG_EXTRA="$(strip $(RIG_COMPONENT_DIRS) $(RIG_INSTALLED_EXTRA) $(RIG_EXTRA))" \
		tests/rig/run $(SCENARIOS)

demo: $(RIG_TARGETS) | deps
	$(RIG_ENV) tests/rig/run --demo

# Benchmarks keep hundreds of guests at once, and checkpoint-scale keeps
# 512 MiB images in dom0's tmpfs: more memory unless told.
bench: $(RIG_TARGETS) | deps
	$(RIG_ENV) RIG_MEM_MB=$${RIG_MEM_MB:-8192} RIG_DOM0_MB=$${RIG_DOM0_MB:-2048} \
		tests/rig/run --bench $(SCENARIOS)
	mk/bench-report $(BUILD) docs
