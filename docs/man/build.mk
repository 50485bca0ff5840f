# Manual pages, each made from a page of docs/ (mk/mkman): the reference
# and the manual are one text. go-md2man (Debian's go-md2man package) reads
# markdown, which docs/ is written in already; scdoc or pandoc would need
# a second source format or a far larger tool.

MAN_OUT      := $(BUILD)/man
MAN_SECTIONS := 1 5 8
MAN_PAGES    := $(MAN_OUT)/chaos.1 $(MAN_OUT)/chaos-config.5 \
		$(MAN_OUT)/chaosd.8 $(MAN_OUT)/xendevd.8 $(MAN_OUT)/chaos-oci.8

MAN_DESC_chaos        := control Xen guests as processes (create, list, save, migrate)
MAN_DESC_chaos-config := the JSON configuration of a chaos guest
MAN_DESC_chaosd       := the chaos daemon: pre-created domain shells, reaper, consoles
MAN_DESC_xendevd      := put Xen vif interfaces on their bridge, from kernel uevents
MAN_DESC_chaos-oci    := an OCI runtime (runc's command line) for chaos unikernels under containerd

MAN_SRC_chaos        := docs/cli.md
MAN_SRC_chaos-config := docs/config.md
MAN_SRC_chaosd       := docs/chaosd.md
MAN_SRC_xendevd      := docs/xendevd.md
MAN_SRC_chaos-oci    := docs/oci.md

PROGRAMS += $(MAN_PAGES)

.SECONDEXPANSION:
$(MAN_OUT)/%: $$(MAN_SRC_$$(basename $$*)) mk/mkman | build-deps
	@mkdir -p $(dir $@)
	mk/mkman $(basename $*) $(subst .,,$(suffix $*)) $< \
		"$(MAN_DESC_$(basename $*))" $(LIBCHAOS_VERSION) $@

# The pages keep every "<placeholder>" of their source (mk/check-man).
.PHONY: check-man
check-man: $(MAN_PAGES)
	mk/check-man $(foreach p,$(MAN_PAGES),$(MAN_SRC_$(basename $(notdir $(p)))) $(p))
INTEGRATION_TESTS += check-man
