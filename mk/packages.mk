# Debian packages: `make packages` runs dpkg-buildpackage -b on a copy of
# the tree (its results land beside the tree it builds, so the copy keeps
# them inside $(BUILD)); `make lint-packages` runs lintian on them.
#
#   $(BUILD)/deb/*.deb       libchaos0, libchaos-dev, chaos, chaosd,
#                            xendevd, noxs-dkms, xen-hypervisor-4.17-chaos-amd64

DEB_OUT     := $(BUILD)/deb
DEB_TREE    := $(DEB_OUT)/chaos-$(LIBCHAOS_VERSION)
DEB_CHANGES := $(DEB_OUT)/chaos_$(LIBCHAOS_VERSION)_amd64.changes

.PHONY: packages lint-packages
# Only the build dependencies: dpkg-buildpackage checks debian/control's
# Build-Depends itself (no test-only packages for a packager).
packages: | build-deps
	rm -rf $(DEB_OUT)
	mkdir -p $(DEB_TREE)
	git ls-files -co --exclude-standard -z | \
		xargs -0 cp --parents -t $(DEB_TREE)
	cd $(DEB_TREE) && dpkg-buildpackage -b -us -uc -Jauto >../dpkg-buildpackage.log 2>&1 || \
		{ tail -40 ../dpkg-buildpackage.log; exit 1; }
	@ls $(DEB_OUT)/*.deb

# Errors and warnings fail (there are no overrides: a tag we accepted would
# carry its reason in debian/<package>.lintian-overrides). (--allow-root:
# CI runs as root.)
lint-packages: packages | deps
	lintian --allow-root --fail-on error,warning $(DEB_CHANGES)
	@echo "lint-packages: lintian clean on $(words $(wildcard $(DEB_OUT)/*.deb)) packages"
