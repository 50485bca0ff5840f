# chaos: top-level build.
#
#   make            userspace: libchaos (shared + static), chaos, chaosd, xendevd
#                   (any user; only the build dependencies)
#   make install    DESTDIR, PREFIX and the usual directories (mk/install.mk);
#                   make uninstall; make install-check; make check-units
#   make packages   the Debian packages (debian/); make lint-packages
#   make deps       install the Debian packages everything needs (root)
#   make unit       cmocka unit tests (SAN=1: AddressSanitizer + UBSan)
#   make rig        every rig scenario on the emulated Xen host
#                   (SCENARIOS="a b" picks some; RIG_EXTRA=dir adds more)
#   make check-exports  libchaos.so exports exactly its public headers'
#                   functions; the headers compile alone, as C and C++
#   make examples   build the embedding examples against the installed-style
#                   headers and libchaos.so, and run them once off Xen
#   make checkpatch the dom0 module's sources under the kernel's checkpatch.pl
#   make test       unit + integration + the checks above + rig (what CI runs)
#   make demo       boot the emulated host and show chaos at work
#   make bench      benchmark scenarios
#
# Each component contributes a fragment (<dir>/build.mk) that appends to the
# variables below; outputs go to build/.

BUILD      ?= build
BIN        := $(BUILD)/bin
LIB        := $(BUILD)/lib
INCLUDE    := $(BUILD)/include
OBJ        := $(BUILD)/obj

CC         ?= cc
SAN        ?= 0
WARNINGS   := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wvla
# gnu11: C11 plus the GNU attributes that Xen's public headers rely on.
CSTD       := -std=gnu11 -D_GNU_SOURCE
OPTFLAGS   ?= -O2 -g
ifeq ($(SAN),1)
OPTFLAGS   := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer \
              -fno-sanitize-recover=all
SANLDFLAGS := -fsanitize=address,undefined
OBJ        := $(BUILD)/obj-san
LIB        := $(BUILD)/lib-san
BIN        := $(BUILD)/bin-san
endif
CFLAGS_ALL  = $(CSTD) $(WARNINGS) $(OPTFLAGS) -fPIC -Ilibchaos/include -Iabi $(CFLAGS_EXTRA) $(CFLAGS)
LDFLAGS_ALL = $(SANLDFLAGS) $(LDFLAGS)

XEN_LIBS   := -lxenstore -lxenctrl -lxenforeignmemory -lxengnttab -lxenevtchn -lxencall -lxentoollog
YAJL_LIBS  := -lyajl
ZIP_LIBS   := -lz -llzma -lzstd -lbz2 -llz4

# Filled by the fragments.
PROGRAMS   :=
UNIT_TESTS :=
INTEGRATION_TESTS :=

.PHONY: all deps build-deps unit integration rig test demo bench clean
# Keep objects make considers intermediate (test objects), so reruns are quick.
.SECONDARY:
all: programs

# `make deps` (root) installs what the tests and the rig need too; a plain
# `make` only checks the build dependencies and runs as any user.
deps:
	@./mk/deps.sh

build-deps:
	@./mk/deps.sh build

include libchaos/build.mk
include chaos/build.mk
include tests/rig/build.mk
-include chaos-tls/build.mk
-include chaos-oci/build.mk
-include chaosd/build.mk
-include xendevd/build.mk
-include minios-noxs/build.mk
-include noxs-kmod/build.mk
-include xen-patches/build.mk
-include examples/build.mk
-include fuzz/build.mk
-include docs/man/build.mk
include mk/install.mk
include mk/packages.mk
# After every fragment: the layer check needs their object lists.
include mk/check-layers.mk

.PHONY: programs
programs: $(PROGRAMS)

$(OBJ)/%.o: %.c | build-deps
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -MMD -MP -c $< -o $@

-include $(shell find $(BUILD) -path $(BUILD)/deb -prune -o -name '*.d' -type f -print 2>/dev/null)

# Every test runs; the run fails if any failed. Without SAN each binary also
# runs under valgrind (memcheck, leaks are errors).
VALGRIND := valgrind --quiet --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite,indirect --track-origins=yes
# (After the fragments: each adds its own binaries to UNIT_TESTS.)
unit: deps $(UNIT_TESTS)
	@failed=0; \
	for t in $(UNIT_TESTS); do \
		echo "== $$t"; \
		if [ "$(SAN)" = 1 ]; then $$t || failed=$$((failed+1)); \
		else $(VALGRIND) $$t || failed=$$((failed+1)); fi; \
	done; \
	echo "unit: $(words $(UNIT_TESTS)) binaries, $$failed failed"; \
	[ $$failed -eq 0 ]

# Integration tests that need no Xen (network namespaces, daemons).
integration: $(INTEGRATION_TESTS)

# The public surface. Each public header compiles on its own, as C11 and as
# C++ (it carries its own includes and extern "C"); libchaos.so exports
# exactly the functions the headers declare with CHAOS_API, and no header
# leaks a Xen header or constant.
CXX ?= g++
HEADER_CHECK_DIR := $(BUILD)/header-check
.PHONY: check-headers check-exports
check-headers: $(LIBCHAOS_HEADERS)
	@command -v $(CXX) >/dev/null || \
		{ echo "check-headers: $(CXX) missing (run make deps)" >&2; exit 1; }
	@mkdir -p $(HEADER_CHECK_DIR)
	@f=$(HEADER_CHECK_DIR)/one.c; \
	for h in $(LIBCHAOS_HEADERS:$(INCLUDE)/%=%); do \
		printf '#include <%s>\ntypedef int nonempty;\n' $$h > $$f; \
		$(CC) -std=c11 -pedantic $(WARNINGS) -I$(INCLUDE) \
			-fsyntax-only $$f || { echo "check-headers: $$h (C)"; exit 1; }; \
		$(CXX) -x c++ -std=c++11 -pedantic -Wall -Wextra -Werror \
			-I$(INCLUDE) -fsyntax-only $$f || \
			{ echo "check-headers: $$h (C++)"; exit 1; }; \
	done
	@printf '#include <chaos/chaos.h>\n' > $(HEADER_CHECK_DIR)/umbrella.cc
	$(CXX) -std=c++11 -pedantic -Wall -Wextra -Werror -I$(INCLUDE) \
		-fsyntax-only $(HEADER_CHECK_DIR)/umbrella.cc
	@echo "check-headers: $(words $(LIBCHAOS_HEADERS)) headers compile alone as C and C++"

check-exports: $(LIBCHAOS_SO) check-headers
	mk/check-exports $(LIBCHAOS_SO) libchaos/include/chaos

test: deps check-layers checkpatch unit fuzz integration check-exports \
	examples install-check check-units lint-packages rig

clean:
	rm -rf $(BUILD)
