# install: what `make install` puts on a host, and `make uninstall` takes
# away again. Every directory honours DESTDIR and can be set on make's
# command line (debian/rules sets the Debian ones).
#
#   make install PREFIX=/usr/local DESTDIR=/tmp/root
#   make install-check     install + uninstall into a scratch DESTDIR, build
#                          the examples there through pkg-config
#   make check-units       systemd-analyze verify on the installed units
#
# The installed programs are linked dynamically against libchaos.so; the
# static ones in $(BIN) stay what the rig copies into its dom0.

PREFIX         ?= /usr/local
EXEC_PREFIX    ?= $(PREFIX)
BINDIR         ?= $(EXEC_PREFIX)/bin
SBINDIR        ?= $(EXEC_PREFIX)/sbin
LIBDIR         ?= $(EXEC_PREFIX)/lib
INCLUDEDIR     ?= $(PREFIX)/include
DATADIR        ?= $(PREFIX)/share
MANDIR         ?= $(DATADIR)/man
DOCDIR         ?= $(DATADIR)/doc/chaos
PKGCONFIGDIR   ?= $(LIBDIR)/pkgconfig
# /etc for a /usr install, $(PREFIX)/etc otherwise (the GNU convention).
SYSCONFDIR     ?= $(if $(filter /usr,$(PREFIX)),/etc,$(PREFIX)/etc)
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR    ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR    ?= $(PREFIX)/lib/tmpfiles.d
BASHCOMPDIR    ?= $(DATADIR)/bash-completion/completions
DESTDIR        ?=

INSTALL        ?= install

# Dynamically linked programs for installing (chaos-tls already is).
DYN            := $(BUILD)/dyn
DYN_LINK        = -L$(LIB) -lchaos -Wl,--as-needed
DYN_PROGRAMS   := $(DYN)/chaos $(DYN)/chaosd $(DYN)/chaos-tls $(DYN)/chaos-oci

$(DYN)/chaos: $(CHAOS_OBJ) $(LIBCHAOS_SO)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $(CHAOS_OBJ) $(DYN_LINK) $(YAJL_LIBS)

$(DYN)/chaosd: $(CHAOSD_OBJ) $(LIBCHAOS_SO)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $(CHAOSD_OBJ) $(DYN_LINK) $(YAJL_LIBS) -lpthread

$(DYN)/chaos-oci: $(CHAOS_OCI_OBJ) $(LIBCHAOS_SO)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $(CHAOS_OCI_OBJ) $(DYN_LINK) $(YAJL_LIBS) -lnettle

$(DYN)/chaos-tls: $(OBJ)/chaos-tls/chaos-tls.o $(LIBCHAOS_SO)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(DYN_LINK) -lgnutls -lpthread

# Files whose paths depend on the directories above: generated per build.
GEN            := $(BUILD)/gen
GEN_SUBST       = sed -e 's|@BINDIR@|$(BINDIR)|g' -e 's|@SBINDIR@|$(SBINDIR)|g' \
		  -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' -e 's|@DOCDIR@|$(DOCDIR)|g' \
		  -e 's|@LIBDIR@|$(LIBDIR)|g' -e 's|@INCLUDEDIR@|$(INCLUDEDIR)|g' \
		  -e 's|@PREFIX@|$(PREFIX)|g' -e 's|@VERSION@|$(LIBCHAOS_VERSION)|g'
GEN_VARS        = $(BINDIR) $(SBINDIR) $(SYSCONFDIR) $(DOCDIR) $(LIBDIR) \
		  $(INCLUDEDIR) $(PREFIX) $(LIBCHAOS_VERSION)
UNITS          := $(GEN)/chaosd.service $(GEN)/xendevd.service
GENERATED      := $(UNITS) $(GEN)/libchaos.pc

# The directories are part of the output: rebuild when they change.
$(GEN)/dirs.stamp: FORCE
	@mkdir -p $(dir $@)
	@echo "$(GEN_VARS)" | cmp -s - $@ || echo "$(GEN_VARS)" > $@
.PHONY: FORCE
FORCE:

$(GEN)/chaosd.service: chaosd/chaosd.service.in $(GEN)/dirs.stamp
	$(GEN_SUBST) $< > $@
$(GEN)/xendevd.service: xendevd/xendevd.service.in $(GEN)/dirs.stamp
	$(GEN_SUBST) $< > $@
$(GEN)/libchaos.pc: libchaos/libchaos.pc.in $(GEN)/dirs.stamp
	$(GEN_SUBST) $< > $@

PROGRAMS += $(DYN_PROGRAMS) $(GENERATED)

# Documentation that goes with the programs.
INSTALL_DOCS := README.md LICENSE $(wildcard docs/*.md) \
		chaosd/chaosd.conf.example xendevd/xendevd.conf.example

.PHONY: install uninstall install-check check-units installables
# What install copies (debian/rules builds this, then installs).
installables: $(DYN_PROGRAMS) $(GENERATED) $(LIBCHAOS_SO) $(LIBCHAOS_HEADERS) \
	$(MAN_PAGES) $(XENDEVD_BIN)

install: installables
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBDIR) \
		$(DESTDIR)$(INCLUDEDIR)/chaos $(DESTDIR)$(PKGCONFIGDIR) \
		$(DESTDIR)$(SYSTEMDUNITDIR) $(DESTDIR)$(SYSUSERSDIR) \
		$(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(BASHCOMPDIR) \
		$(DESTDIR)$(DOCDIR) $(DESTDIR)$(SYSCONFDIR)/chaos
	$(INSTALL) -m 755 $(DYN)/chaos $(DYN)/chaos-tls $(DYN)/chaos-oci $(DESTDIR)$(BINDIR)/
	$(INSTALL) -m 755 $(DYN)/chaosd $(XENDEVD_BIN) $(DESTDIR)$(SBINDIR)/
	$(INSTALL) -m 644 $(LIBCHAOS_SO) $(DESTDIR)$(LIBDIR)/
	ln -sf $(notdir $(LIBCHAOS_SO)) $(DESTDIR)$(LIBDIR)/$(LIBCHAOS_SONAME)
	ln -sf $(LIBCHAOS_SONAME) $(DESTDIR)$(LIBDIR)/libchaos.so
	$(INSTALL) -m 644 $(LIBCHAOS_HDR) $(DESTDIR)$(INCLUDEDIR)/chaos/
	$(INSTALL) -m 644 $(GEN)/libchaos.pc $(DESTDIR)$(PKGCONFIGDIR)/
	$(INSTALL) -m 644 $(UNITS) $(DESTDIR)$(SYSTEMDUNITDIR)/
	$(INSTALL) -m 644 chaosd/chaosd.sysusers $(DESTDIR)$(SYSUSERSDIR)/chaos.conf
	$(INSTALL) -m 644 chaosd/chaosd.tmpfiles $(DESTDIR)$(TMPFILESDIR)/chaos.conf
	$(INSTALL) -m 644 chaos/chaos.bash-completion $(DESTDIR)$(BASHCOMPDIR)/chaos
	$(INSTALL) -m 644 $(INSTALL_DOCS) $(DESTDIR)$(DOCDIR)/
	$(foreach s,$(MAN_SECTIONS),$(INSTALL) -d $(DESTDIR)$(MANDIR)/man$(s) && \
		$(INSTALL) -m 644 $(filter %.$(s),$(MAN_PAGES)) $(DESTDIR)$(MANDIR)/man$(s)/ &&) true
	@# chaos-tls is described in chaos(1).
	echo '.so man1/chaos.1' > $(DESTDIR)$(MANDIR)/man1/chaos-tls.1
	@# Configuration: never over an administrator's own file.
	[ -e $(DESTDIR)$(SYSCONFDIR)/chaos/chaosd.conf ] || \
		$(INSTALL) -m 644 chaosd/chaosd.conf $(DESTDIR)$(SYSCONFDIR)/chaos/chaosd.conf
	[ -e $(DESTDIR)$(SYSCONFDIR)/xendevd.conf ] || \
		$(INSTALL) -m 644 xendevd/xendevd.conf.example $(DESTDIR)$(SYSCONFDIR)/xendevd.conf

# Removes what install put there; a configuration file only while it is
# still the one shipped, and directories only once empty.
uninstall:
	rm -f $(DESTDIR)$(BINDIR)/chaos $(DESTDIR)$(BINDIR)/chaos-tls $(DESTDIR)$(BINDIR)/chaos-oci \
		$(DESTDIR)$(SBINDIR)/chaosd $(DESTDIR)$(SBINDIR)/xendevd \
		$(DESTDIR)$(LIBDIR)/$(notdir $(LIBCHAOS_SO)) \
		$(DESTDIR)$(LIBDIR)/$(LIBCHAOS_SONAME) $(DESTDIR)$(LIBDIR)/libchaos.so \
		$(DESTDIR)$(PKGCONFIGDIR)/libchaos.pc \
		$(addprefix $(DESTDIR)$(SYSTEMDUNITDIR)/,$(notdir $(UNITS))) \
		$(DESTDIR)$(SYSUSERSDIR)/chaos.conf $(DESTDIR)$(TMPFILESDIR)/chaos.conf \
		$(DESTDIR)$(BASHCOMPDIR)/chaos
	rm -rf $(DESTDIR)$(INCLUDEDIR)/chaos $(DESTDIR)$(DOCDIR)
	rm -f $(DESTDIR)$(MANDIR)/man1/chaos-tls.1
	$(foreach m,$(MAN_PAGES),rm -f $(DESTDIR)$(MANDIR)/man$(subst .,,$(suffix $(m)))/$(notdir $(m)) &&) true
	! cmp -s chaosd/chaosd.conf $(DESTDIR)$(SYSCONFDIR)/chaos/chaosd.conf || \
		rm -f $(DESTDIR)$(SYSCONFDIR)/chaos/chaosd.conf
	! cmp -s xendevd/xendevd.conf.example $(DESTDIR)$(SYSCONFDIR)/xendevd.conf || \
		rm -f $(DESTDIR)$(SYSCONFDIR)/xendevd.conf
	@# chaos's own directory; into a staging DESTDIR, also every directory
	@# install may have made, deepest first, once empty. Never the shared
	@# ones of a real root (/usr/local/bin and the like belong to base-files).
	if [ -d "$(DESTDIR)$(SYSCONFDIR)/chaos" ] && \
	   [ -z "$$(ls -A "$(DESTDIR)$(SYSCONFDIR)/chaos")" ]; then \
		rmdir "$(DESTDIR)$(SYSCONFDIR)/chaos"; \
	fi
	[ -z "$(DESTDIR)" ] || for d in $(SYSCONFDIR) $(INCLUDEDIR) \
		$(SYSTEMDUNITDIR) $(patsubst %/system,%,$(SYSTEMDUNITDIR)) \
		$(patsubst %/systemd/system,%,$(SYSTEMDUNITDIR)) \
		$(PREFIX)/lib/systemd $(SYSUSERSDIR) $(TMPFILESDIR) \
		$(PKGCONFIGDIR) $(LIBDIR) $(BINDIR) $(SBINDIR) \
		$(BASHCOMPDIR) $(DATADIR)/bash-completion \
		$(addprefix $(MANDIR)/man,$(MAN_SECTIONS)) $(MANDIR) \
		$(DATADIR)/doc $(DATADIR) $(PREFIX)/lib $(EXEC_PREFIX) $(PREFIX); do \
		if [ -d "$(DESTDIR)$$d" ] && [ -z "$$(ls -A "$(DESTDIR)$$d")" ]; then \
			rmdir "$(DESTDIR)$$d" || exit 1; \
		fi; \
	done

install-check: $(DYN_PROGRAMS) $(GENERATED) $(MAN_PAGES) | deps
	BUILD=$(BUILD) MAKE="$(MAKE)" mk/install-check

check-units: $(DYN_PROGRAMS) $(GENERATED) $(MAN_PAGES) | deps
	MAKE="$(MAKE)" mk/verify-units
