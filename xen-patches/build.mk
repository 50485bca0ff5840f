# xen-patches: the noxs hypervisor patch series and its dom0 test tool.
#
#   make xen     fetch Debian's pinned Xen source, apply patches/*.patch
#                (with abi/noxs.h as public/noxs.h) and build the hypervisor
#                into $(BUILD)/xen/{xen.gz,xen,xen-syms}; cached by content
#                under ~/.cache/chaos/xen-<hash> (CHAOS_CACHE overrides).
#   make xen-flask  the same with XSM/FLASK on, into $(BUILD)/xen-flask.
#
# noxs-tool drives the hypercall through privcmd; it is static so the rig's
# dom0 runs it as /rig/guests/noxs-tool. copy-pages-tool (Xen's libraries,
# as dom0 has them) drives the copy domctl.

NOXS_TOOL := $(BUILD)/noxs-tool/noxs-tool

.PHONY: xen
xen:
	xen-patches/build $(BUILD)/xen

# The same with XSM and FLASK (Xen's default policy built in; needs
# checkpolicy): boot it with RIG_XEN=$(BUILD)/xen-flask/xen.gz and
# RIG_XEN_CMDLINE_EXTRA=flask=enforcing (xen-patches/README.md).
.PHONY: xen-flask
xen-flask:
	xen-patches/build --flask $(BUILD)/xen-flask

# The rig boots $(BUILD)/xen/xen.gz when it exists: make sure it does (a
# cached build only costs a hash and a copy).
rig demo bench: xen

$(NOXS_TOOL): xen-patches/tests/noxs-tool.c abi/noxs.h | build-deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -g -static -o $@ $<

PROGRAMS   += $(NOXS_TOOL)
RIG_GUESTS += $(NOXS_TOOL)

# copy-pages-tool drives NOXS_DOMCTL_copy_pages with arguments the
# hypervisor must refuse (xen-patches/tests/rig/noxs-copy-pages.sh).
COPY_PAGES_TOOL := $(BUILD)/noxs-tool/copy-pages-tool

$(COPY_PAGES_TOOL): xen-patches/tests/copy-pages-tool.c abi/noxs.h | build-deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -g -Iabi -o $@ $< -lxenctrl -lxencall

PROGRAMS   += $(COPY_PAGES_TOOL)
RIG_GUESTS += $(COPY_PAGES_TOOL)
