# fuzz: libFuzzer targets for every parser that reads outside input
# (fuzz/README.md). Built with clang, libFuzzer, ASan and UBSan from the
# library's own sources into fuzz-specific objects under $(BUILD)/fuzz/.
#
#   make fuzz        build every target, run each FUZZ_TIME seconds on its
#                    corpus (part of `make test`); a finding fails the run
#   make fuzz-long   run each for FUZZ_LONG_RUNS executions (10^7)
#   make fuzz-build  build only;  FUZZ_TARGETS="config record" picks some

FUZZ_CC        ?= clang
# FUZZ_EXTRA=-DFUZZ_SKIP_KNOWN: targets step around the findings not yet
# fixed (fuzz/README.md), to explore past them; not for `make fuzz`.
FUZZ_EXTRA     ?=
FUZZ_DIR       := $(BUILD)/fuzz
FUZZ_OBJ       := $(FUZZ_DIR)/obj
FUZZ_BIN       := $(FUZZ_DIR)/bin
FUZZ_TIME      ?= 18
FUZZ_LONG_RUNS ?= 10000000
FUZZ_NICE      ?= 19
FUZZ_SAN       := -fsanitize=address,undefined -fno-sanitize-recover=all
FUZZ_CFLAGS    := $(CSTD) $(FUZZ_EXTRA) -g -O1 -fno-omit-frame-pointer $(FUZZ_SAN) \
		  -fsanitize=fuzzer-no-link -Ilibchaos/include -Iabi \
		  -Ilibchaos/src
# The library's sources as they are (their warnings are gcc's business);
# our own targets with the project's warnings.
FUZZ_LIB_WARN  := -w
FUZZ_WARN      := $(WARNINGS)
FUZZ_LDFLAGS   := -fsanitize=fuzzer $(FUZZ_SAN)

FUZZ_ALL       := config xlcfg image decompress saveimg saveimg_live migrate_wire \
		  chaosd_client chaosd_request record registry ovsdb \
		  xendevd_ctl uevent noxs_checks console oci
FUZZ_TARGETS   ?= $(FUZZ_ALL)
FUZZ_BINS      := $(FUZZ_TARGETS:%=$(FUZZ_BIN)/fuzz_%)

FUZZ_LIBCHAOS_OBJ := $(LIBCHAOS_SRC:%.c=$(FUZZ_OBJ)/%.o)
FUZZ_LIBCHAOS_A   := $(FUZZ_DIR)/libchaos-fuzz.a
FUZZ_XENDEVD_OBJ  := $(XENDEVD_LIB_SRC:%.c=$(FUZZ_OBJ)/%.o)
FUZZ_XENDEVD_A    := $(FUZZ_DIR)/xendevd-fuzz.a

.PHONY: fuzz fuzz-build fuzz-long fuzz-seeds
fuzz-build: $(FUZZ_BINS)

fuzz: $(FUZZ_BINS)
	@FUZZ_BIN=$(FUZZ_BIN) FUZZ_DIR=$(FUZZ_DIR) FUZZ_NICE=$(FUZZ_NICE) \
		fuzz/run.sh time $(FUZZ_TIME) $(FUZZ_TARGETS)

fuzz-long: $(FUZZ_BINS)
	@FUZZ_BIN=$(FUZZ_BIN) FUZZ_DIR=$(FUZZ_DIR) FUZZ_NICE=$(FUZZ_NICE) \
		fuzz/run.sh runs $(FUZZ_LONG_RUNS) $(FUZZ_TARGETS)

$(FUZZ_OBJ)/libchaos/%.o: libchaos/%.c | deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_LIB_WARN) -MMD -MP -c $< -o $@

$(FUZZ_OBJ)/xendevd/%.o: xendevd/%.c | deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_LIB_WARN) -MMD -MP -c $< -o $@

$(FUZZ_OBJ)/chaosd/%.o: chaosd/%.c | deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_LIB_WARN) -MMD -MP -c $< -o $@

$(FUZZ_OBJ)/chaos-oci/%.o: chaos-oci/%.c | deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_LIB_WARN) -MMD -MP -c $< -o $@

$(FUZZ_OBJ)/fuzz/%.o: fuzz/%.c | deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_WARN) -Ifuzz -Ixendevd -Ichaosd -Ichaos-oci \
		-Iminios-noxs -Ilibchaos/tests/unit -I$(FUZZ_DIR)/gen -MMD -MP -c $< -o $@

$(FUZZ_LIBCHAOS_A): $(FUZZ_LIBCHAOS_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

$(FUZZ_XENDEVD_A): $(FUZZ_XENDEVD_OBJ)
	rm -f $@ && $(AR) rcs $@ $^

# Every target links the library archive (only what it calls comes in);
# the xendevd ones its own archive.
$(FUZZ_BIN)/fuzz_%: $(FUZZ_OBJ)/fuzz/targets/fuzz_%.o $(FUZZ_LIBCHAOS_A)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $< $(FUZZ_LIBCHAOS_A) \
		$(LIBCHAOS_LIBS) -lpthread

# The daemon's request parser lives in the daemon.
$(FUZZ_BIN)/fuzz_chaosd_request: $(FUZZ_OBJ)/fuzz/targets/fuzz_chaosd_request.o \
		$(FUZZ_OBJ)/chaosd/request.o $(FUZZ_OBJ)/chaosd/derr.o \
		$(FUZZ_LIBCHAOS_A)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $^ $(LIBCHAOS_LIBS) -lpthread

# chaos-oci's parsers live in chaos-oci.
FUZZ_OCI_OBJ := $(FUZZ_OBJ)/chaos-oci/spec.o $(FUZZ_OBJ)/chaos-oci/state.o \
		$(FUZZ_OBJ)/chaos-oci/json.o $(FUZZ_OBJ)/chaos-oci/log.o \
		$(FUZZ_OBJ)/chaos-oci/proc.o
$(FUZZ_BIN)/fuzz_oci: $(FUZZ_OBJ)/fuzz/targets/fuzz_oci.o $(FUZZ_OCI_OBJ) \
		$(FUZZ_LIBCHAOS_A)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $^ $(LIBCHAOS_LIBS) -lpthread

$(FUZZ_BIN)/fuzz_ovsdb $(FUZZ_BIN)/fuzz_xendevd_ctl $(FUZZ_BIN)/fuzz_uevent: \
		$(FUZZ_BIN)/fuzz_%: \
		$(FUZZ_OBJ)/fuzz/targets/fuzz_%.o $(FUZZ_XENDEVD_A)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $< $(FUZZ_XENDEVD_A) $(YAJL_LIBS)

# noxs-kmod's checks: the functions themselves, cut out of the module's
# sources unchanged (fuzz/noxs_extract.sh) and built over a userspace shim
# of the few kernel definitions they use (fuzz/shim/).
# What a guest's write to its control page goes through: the device's
# processing step (noxs_dev_process) and everything it calls but the
# wait queues and the net device.
FUZZ_NOXS_FUNCS := noxs-kmod/noxs_dev.c:noxs_type_name \
		   noxs-kmod/noxs_dev.c:noxs_err_text \
		   noxs-kmod/noxs_dev.c:noxs_dev_write_be_state \
		   noxs-kmod/noxs_dev.c:noxs_fe_next \
		   noxs-kmod/noxs_power.c:noxs_power_snapshot \
		   noxs-kmod/noxs_power.c:noxs_power_check \
		   noxs-kmod/noxs_power.c:noxs_power_apply \
		   noxs-kmod/noxs_net.c:noxs_net_valid_bridge \
		   noxs-kmod/noxs_net.c:noxs_net_valid_netmask \
		   noxs-kmod/noxs_net.c:noxs_net_valid_params \
		   noxs-kmod/noxs_net.c:noxs_net_init_page \
		   noxs-kmod/noxs_net.c:noxs_net_snapshot \
		   noxs-kmod/noxs_net.c:noxs_net_fe_ready \
		   noxs-kmod/noxs_net.c:noxs_net_check \
		   noxs-kmod/noxs_net.c:noxs_net_apply \
		   noxs-kmod/noxs_dev.c:noxs_dev_snapshot \
		   noxs-kmod/noxs_dev.c:noxs_dev_check_hdr \
		   noxs-kmod/noxs_dev.c:noxs_dev_fail \
		   noxs-kmod/noxs_dev.c:noxs_dev_follow \
		   noxs-kmod/noxs_dev.c:noxs_dev_process
$(FUZZ_DIR)/gen/noxs_checks.inc: fuzz/noxs_extract.sh noxs-kmod/noxs_dev.c \
		noxs-kmod/noxs_power.c noxs-kmod/noxs_net.c
	@mkdir -p $(dir $@)
	fuzz/noxs_extract.sh $(FUZZ_NOXS_FUNCS) > $@.tmp && mv $@.tmp $@
$(FUZZ_OBJ)/fuzz/targets/fuzz_noxs_checks.o: $(FUZZ_DIR)/gen/noxs_checks.inc
$(FUZZ_OBJ)/fuzz/targets/fuzz_noxs_checks.o: fuzz/targets/fuzz_noxs_checks.c | deps
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(FUZZ_WARN) -Wno-unused-function -Ifuzz \
		-Ifuzz/shim -Inoxs-kmod -Iminios-noxs -I$(FUZZ_DIR)/gen \
		-MMD -MP -c $< -o $@
$(FUZZ_BIN)/fuzz_noxs_checks: $(FUZZ_OBJ)/fuzz/targets/fuzz_noxs_checks.o
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_LDFLAGS) -o $@ $<

# The seed corpora's generated files (ELF, saved images): rebuilt and
# committed by hand when a format changes.
$(FUZZ_BIN)/gen_seeds: $(FUZZ_OBJ)/fuzz/gen_seeds.o $(FUZZ_LIBCHAOS_A)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_SAN) -o $@ $< $(FUZZ_LIBCHAOS_A) $(LIBCHAOS_LIBS)
fuzz-seeds: $(FUZZ_BIN)/gen_seeds
	$(FUZZ_BIN)/gen_seeds fuzz/corpus
	fuzz/gen_seeds.sh fuzz/corpus
