# The rig: boots Xen under QEMU with our dom0 initramfs and runs scenarios.
# The host-side runner is tests/rig/run; see tests/rig/README.md.

RIG_HELPERS := $(BUILD)/rig-helpers/rigtime $(BUILD)/rig-helpers/rig-domains \
	       $(BUILD)/rig-helpers/mkbadimg $(BUILD)/rig-helpers/rig-as \
	       $(BUILD)/rig-helpers/rig-evtchn-warm \
	       $(BUILD)/rig-helpers/mkbadsave $(BUILD)/rig-helpers/mig-mitm

$(BUILD)/rig-helpers/rigtime: tests/rig/helpers/rigtime.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -o $@ $<

$(BUILD)/rig-helpers/mkbadimg: tests/rig/helpers/mkbadimg.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -o $@ $<

$(BUILD)/rig-helpers/mkbadsave: tests/rig/helpers/mkbadsave.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -o $@ $< -lnettle

$(BUILD)/rig-helpers/rig-evtchn-warm: tests/rig/helpers/rig-evtchn-warm.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -o $@ $< -lxenevtchn

$(BUILD)/rig-helpers/mig-mitm: tests/rig/helpers/mig-mitm.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -o $@ $<

$(BUILD)/rig-helpers/rig-as: tests/rig/helpers/rig-as.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -o $@ $<

$(BUILD)/rig-helpers/rig-domains: tests/rig/helpers/rig-domains.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -o $@ $< -lxenctrl

SCENARIOS ?=
RIG_EXTRA ?=
# Components keep the scenarios that prove them next to their code.
RIG_COMPONENT_DIRS := $(wildcard chaosd/tests/rig minios-noxs/tests/rig \
			noxs-kmod/tests/rig xen-patches/tests/rig xendevd/tests/rig)
RIG_TARGETS = programs $(RIG_HELPERS) $(RIG_GUESTS) $(RIG_MODULES)
RIG_ENV = BUILD=$(BUILD) RIG_GUESTS="$(RIG_GUESTS)" RIG_MODULES="$(RIG_MODULES)" \
	  RIG_EXTRA="$(RIG_EXTRA)"

# Only `rig` runs the components' scenarios; demo and bench have their own.
rig: $(RIG_TARGETS) | deps
	$(RIG_ENV) RIG_EXTRA="$(strip $(RIG_COMPONENT_DIRS) $(RIG_EXTRA))" \
		tests/rig/run $(SCENARIOS)

demo: $(RIG_TARGETS) | deps
	$(RIG_ENV) tests/rig/run --demo

# Benchmarks keep hundreds of guests at once: more memory unless told.
bench: $(RIG_TARGETS) | deps
	$(RIG_ENV) RIG_MEM_MB=$${RIG_MEM_MB:-4096} tests/rig/run --bench $(SCENARIOS)
