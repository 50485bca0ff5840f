# The `installed` rig scenario's build side: the Debian packages, noxs.ko
# built by DKMS from noxs-dkms, and the example built through pkg-config
# (tests/rig/installed/prepare). Made only when the scenario runs.

INSTALLED_RIG := $(BUILD)/installed-rig

.PHONY: installed-rig-extra
installed-rig-extra: packages xen
	tests/rig/installed/prepare $(DEB_OUT) $(KMOD_KVER) $(BUILD)/xen/xen.gz $(INSTALLED_RIG)

ifneq ($(if $(SCENARIOS),$(filter installed,$(SCENARIOS)),all),)
RIG_INSTALLED_EXTRA := $(INSTALLED_RIG)
rig: installed-rig-extra
endif
