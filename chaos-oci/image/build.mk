# The rig's pingresp unikernel as an OCI image tarball, for containerd's
# `ctr images import` (chaos-oci/README.md, "The image"). The kernel is the
# one the rig's scenarios boot, /rig/guests/pingresp.elf.
CHAOS_OCI_IMAGE := $(BUILD)/guests/pingresp-oci.tar
RIG_GUESTS += $(CHAOS_OCI_IMAGE)
# (tests/rig/build.mk's rules were read before this file: name it to them.)
rig demo bench: $(CHAOS_OCI_IMAGE)

$(CHAOS_OCI_IMAGE): $(BUILD)/guests/pingresp.elf chaos-oci/image/mkimage
	chaos-oci/image/mkimage $< docker.io/chaos/pingresp:latest $@
