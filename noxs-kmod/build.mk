# noxs-kmod: the dom0 backend module (noxs.ko) and its test tool (noxsctl).
#
#   make kmod    build noxs.ko against the linux-headers of the kernel the
#                rig boots (linux-image-amd64's current version; `make deps`
#                installs them). KMOD_KDIR=/path/to/kernel/build overrides.
#
# The module is built out of tree in $(BUILD)/noxs-kmod/ from copies of its
# sources, so the source tree stays clean. It is not part of `make`
# (programs); the rig targets build it and carry it to /rig/modules/.

KMOD_DIR   := $(BUILD)/noxs-kmod
NOXS_KO    := $(KMOD_DIR)/noxs.ko
NOXSCTL    := $(BUILD)/noxsctl/noxsctl
KMOD_SRC   := $(addprefix noxs-kmod/,Kbuild noxs_kmod.h noxs_main.c \
		noxs_dev.c noxs_power.c noxs_net.c)
KMOD_ABI   := abi/noxs.h abi/noxs_ioctl.h
KMOD_COPY  := $(KMOD_SRC:noxs-kmod/%=$(KMOD_DIR)/%) \
	      $(KMOD_ABI:abi/%=$(KMOD_DIR)/abi/%)

# Resolved only when the module is built (apt-cache is slow-ish).
KMOD_KVER = $(shell apt-cache depends linux-image-amd64 2>/dev/null | \
	    awk '/Depends: linux-image-[0-9]/ && !k {k = $$2} END {print k}' | \
	    sed 's/^linux-image-//')
KMOD_KDIR ?= /usr/src/linux-headers-$(KMOD_KVER)

.PHONY: kmod
kmod: $(NOXS_KO)

$(KMOD_DIR)/%: noxs-kmod/%
	@mkdir -p $(dir $@)
	cp $< $@

$(KMOD_DIR)/abi/%: abi/%
	@mkdir -p $(dir $@)
	cp $< $@

# Kbuild decides what to rebuild; our variables must not leak into it.
$(NOXS_KO): $(KMOD_COPY) | deps
	@kdir='$(KMOD_KDIR)'; [ -d "$$kdir" ] || \
		{ echo "kmod: no kernel headers at $$kdir (make deps)" >&2; exit 1; }
	env -u MAKEFLAGS -u MFLAGS -u MAKEOVERRIDES -u MAKELEVEL \
		$(MAKE) -C $(KMOD_KDIR) M=$(abspath $(KMOD_DIR)) modules

# The module's sources against the kernel's own style checker (mk/checkpatch
# fetches it from Debian's linux-source package); part of `make test`.
.PHONY: checkpatch
checkpatch: | deps
	@mk/checkpatch $(filter %.c %.h,$(KMOD_SRC)) \
		$(filter %.c,$(FAULTINJ_SRC))

# A rig-only test module: one failed irq bind and a port squatter
# (noxs-kmod/tests/faultinj/, scenario noxs-bind-fail).
FAULTINJ_DIR := $(BUILD)/noxs-faultinj
FAULTINJ_KO  := $(FAULTINJ_DIR)/noxs_faultinj.ko
FAULTINJ_SRC := noxs-kmod/tests/faultinj/Kbuild \
		noxs-kmod/tests/faultinj/noxs_faultinj.c

$(FAULTINJ_DIR)/%: noxs-kmod/tests/faultinj/%
	@mkdir -p $(dir $@)
	cp $< $@

$(FAULTINJ_KO): $(FAULTINJ_SRC:noxs-kmod/tests/faultinj/%=$(FAULTINJ_DIR)/%) | deps
	@kdir='$(KMOD_KDIR)'; [ -d "$$kdir" ] || \
		{ echo "kmod: no kernel headers at $$kdir (make deps)" >&2; exit 1; }
	env -u MAKEFLAGS -u MFLAGS -u MAKEOVERRIDES -u MAKELEVEL \
		$(MAKE) -C $(KMOD_KDIR) M=$(abspath $(FAULTINJ_DIR)) modules

# A static userspace tool: /rig/guests/noxsctl in the rig's dom0.
NOXSCTL_SRC := noxs-kmod/tests/noxsctl.c noxs-kmod/tests/netfe.c
$(NOXSCTL): $(NOXSCTL_SRC) noxs-kmod/tests/noxsctl.h $(KMOD_ABI) | build-deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -g -Iabi -static -o $@ $(NOXSCTL_SRC)

PROGRAMS    += $(NOXSCTL)
RIG_GUESTS  += $(NOXSCTL)
RIG_MODULES += $(NOXS_KO) $(FAULTINJ_KO)
rig demo bench: $(NOXS_KO) $(FAULTINJ_KO)
