# The rig: boots Xen under QEMU with our dom0 initramfs and runs scenarios.
# The host-side runner is tests/rig/run; see tests/rig/README.md.

RIG_HELPERS_SRC := $(wildcard tests/rig/helpers/*.c)
RIG_HELPERS     := $(RIG_HELPERS_SRC:tests/rig/helpers/%.c=$(BUILD)/rig-helpers/%)

$(BUILD)/rig-helpers/%: tests/rig/helpers/%.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -static -o $@ $<

SCENARIOS ?=
RIG_EXTRA ?=
RIG_TARGETS = programs $(RIG_HELPERS) $(RIG_GUESTS)

rig: $(RIG_TARGETS) | deps
	tests/rig/run $(SCENARIOS)

demo: $(RIG_TARGETS) | deps
	tests/rig/run --demo

bench: $(RIG_TARGETS) | deps
	tests/rig/run --bench
