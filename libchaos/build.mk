# libchaos: the toolstack library, static and shared, with its public
# headers copied under $(INCLUDE)/chaos.
#
# The sources sit in one folder per layer, listed here lowest first: a file
# may use its own layer and those before it, never one after it
# (`make check-layers` enforces this; docs/architecture.md has the diagram).

LIBCHAOS_LAYERS := util config state hyp dev build guest ckpt migrate front

LIBCHAOS_SRC_util    := error.c clock.c io.c cred.c json.c hex.c version.c
LIBCHAOS_SRC_config  := config.c parse.c check.c mac.c disk.c load.c \
			xlcfg_lex.c xlcfg.c xlcfg_dev.c emit.c
LIBCHAOS_SRC_state   := registry.c record.c busy.c
LIBCHAOS_SRC_hyp     := host.c host_info.c domain_state.c domain_list.c \
			domain_ops.c page_copy.c vcpu_context.c vcpu_ext.c cpu_policy.c \
			host_later.c
LIBCHAOS_SRC_dev     := noxs.c collect.c console_common.c console_ring.c \
			console_throttle.c console_backend.c console.c watch.c xendevd_client.c \
			xs_guest.c xs_disks.c
LIBCHAOS_SRC_build   := image.c image_elf.c image_bzimage.c \
			image_decompress.c pv_layout.c pv_pagetable.c \
			pv_start_info.c shell_prepare.c shell_record.c shell_boot.c \
			shell_fate.c shell_public.c grant_seed.c
LIBCHAOS_SRC_guest   := vifs.c policy.c kernel.c host_prepare.c xenstore.c guest.c \
			info.c
LIBCHAOS_SRC_ckpt    := image_format.c image_devices.c image_vcpu_ext.c image_cpu.c \
			image_stream.c \
			image_writer.c live_format.c canon.c \
			travel.c suspend.c save.c save_file.c restore_domain.c \
			restore.c recover.c
LIBCHAOS_SRC_ckpt    += travel_xs.c restore_xs.c
LIBCHAOS_SRC_migrate := wire.c image_in.c live_send.c live_recv.c session.c key.c
LIBCHAOS_SRC_front   := chaosd_frame.c chaosd_reply.c chaosd_client.c \
			chaosd_ckpt.c chaosd_console.c chaosd_api.c chaosd_events.c \
			flavour.c format_info.c format_list.c json_depth.c
# Statistics and vif listings (chaosd's protocol version 2).
LIBCHAOS_SRC_guest   += stats.c network.c block.c xs_list.c

LIBCHAOS_SRC     := $(foreach l,$(LIBCHAOS_LAYERS),\
			$(addprefix libchaos/src/$(l)/,$(LIBCHAOS_SRC_$(l))))
LIBCHAOS_OBJ     := $(LIBCHAOS_SRC:%.c=$(OBJ)/%.o)
LIBCHAOS_HDR     := $(wildcard libchaos/include/chaos/*.h)
LIBCHAOS_A       := $(LIB)/libchaos.a
# The soname follows the major version of chaos/version.h; the file carries
# the whole version (libchaos.so.0 -> libchaos.so.0.1.0, libchaos.so the
# link-time name).
LIBCHAOS_VERSION := $(shell sed -n 's/^\#define CHAOS_VERSION "\(.*\)"/\1/p' \
			libchaos/include/chaos/version.h)
LIBCHAOS_SONAME  := libchaos.so.$(firstword $(subst ., ,$(LIBCHAOS_VERSION)))
LIBCHAOS_SO      := $(LIB)/libchaos.so.$(LIBCHAOS_VERSION)
# nettle: SHA-256 and HMAC for saved images and migration streams.
LIBCHAOS_LIBS    := $(XEN_LIBS) $(YAJL_LIBS) $(ZIP_LIBS) -lnettle -lxxhash -lpthread
LIBCHAOS_HEADERS := $(LIBCHAOS_HDR:libchaos/include/%=$(INCLUDE)/%)

PROGRAMS += $(LIBCHAOS_A) $(LIBCHAOS_SO) $(LIBCHAOS_HEADERS)

# The library's own sources see its internal layer headers as "layer/x.h".
# Symbols are hidden unless declared with CHAOS_API in a public header, so
# libchaos.so exports the public API and nothing else (the static library
# and the programs linked against it are unaffected).
$(LIBCHAOS_OBJ): CFLAGS_EXTRA := -Ilibchaos/src -fvisibility=hidden

$(LIBCHAOS_A): $(LIBCHAOS_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(LIBCHAOS_SO): $(LIBCHAOS_OBJ)
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,$(LIBCHAOS_SONAME) -Wl,--as-needed \
		$(LDFLAGS_ALL) -o $@ $^ $(LIBCHAOS_LIBS)
	ln -sf $(notdir $@) $(LIB)/$(LIBCHAOS_SONAME)
	ln -sf $(LIBCHAOS_SONAME) $(LIB)/libchaos.so

$(INCLUDE)/%.h: libchaos/include/%.h
	@mkdir -p $(dir $@)
	cp $< $@

# cmocka unit tests: one binary per libchaos/tests/unit/test_*.c, linked
# against the static library; they may reach the internal layer headers.
LIBCHAOS_UNIT_SRC  := $(wildcard libchaos/tests/unit/test_*.c)
LIBCHAOS_UNIT_DIR  := $(BUILD)/unit$(if $(filter 1,$(SAN)),-san)/libchaos
LIBCHAOS_UNIT_BINS := $(LIBCHAOS_UNIT_SRC:libchaos/tests/unit/%.c=$(LIBCHAOS_UNIT_DIR)/%)
UNIT_TESTS += $(LIBCHAOS_UNIT_BINS)

$(LIBCHAOS_UNIT_SRC:%.c=$(OBJ)/%.o): CFLAGS_EXTRA := -Ilibchaos/src

$(LIBCHAOS_UNIT_DIR)/%: $(OBJ)/libchaos/tests/unit/%.o $(LIBCHAOS_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) $(UNIT_WRAP) -o $@ $< $(LIBCHAOS_A) \
		$(LIBCHAOS_LIBS) -lcmocka

# The console backend test stands in for Xen's event channel and foreign
# memory calls (and the domain lookup, and the clock) with its own __wrap_
# functions.
$(LIBCHAOS_UNIT_DIR)/test_console_backend: UNIT_WRAP := \
	-Wl,--wrap=xenevtchn_open -Wl,--wrap=xenevtchn_close \
	-Wl,--wrap=xenevtchn_fd -Wl,--wrap=xenevtchn_bind_interdomain \
	-Wl,--wrap=xenevtchn_bind_virq -Wl,--wrap=xenevtchn_unbind \
	-Wl,--wrap=xenevtchn_notify -Wl,--wrap=xenevtchn_pending \
	-Wl,--wrap=xenevtchn_unmask -Wl,--wrap=xenforeignmemory_map \
	-Wl,--wrap=xenforeignmemory_unmap -Wl,--wrap=chaos_domain_get \
	-Wl,--wrap=chaos_clock_ms
