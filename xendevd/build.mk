# xendevd: the vif hotplug daemon, its unit tests, its integration tests
# (network namespaces, no Xen) and its benchmark against vif-bridge.

XENDEVD_LIB_SRC := xendevd/attach.c xendevd/clock.c xendevd/config.c xendevd/ctl.c \
		   xendevd/log.c xendevd/ovsdb.c xendevd/ovsdb_json.c \
		   xendevd/reconcile.c xendevd/rtnl.c xendevd/uevent.c \
		   xendevd/vifname.c xendevd/vifs.c xendevd/xs.c xendevd/xsvif.c \
		   xendevd/vbd.c xendevd/loop.c
XENDEVD_LIB_OBJ := $(XENDEVD_LIB_SRC:%.c=$(OBJ)/%.o)
XENDEVD_BIN     := $(BIN)/xendevd

PROGRAMS += $(XENDEVD_BIN)

$(XENDEVD_BIN): $(OBJ)/xendevd/main.o $(XENDEVD_LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(YAJL_LIBS) -lxenstore

# One cmocka binary per xendevd/tests/unit/test_*.c, linked with the
# daemon's objects (not main) so static helpers are tested through the API.
XENDEVD_UNIT_SRC  := $(wildcard xendevd/tests/unit/test_*.c)
XENDEVD_UNIT_DIR  := $(BUILD)/unit$(if $(filter 1,$(SAN)),-san)/xendevd
XENDEVD_UNIT_BINS := $(XENDEVD_UNIT_SRC:xendevd/tests/unit/%.c=$(XENDEVD_UNIT_DIR)/%)
UNIT_TESTS += $(XENDEVD_UNIT_BINS)

$(XENDEVD_UNIT_DIR)/%: $(OBJ)/xendevd/tests/unit/%.o $(XENDEVD_LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(YAJL_LIBS) -lxenstore -lcmocka

.PHONY: xendevd-integration bench-xendevd
INTEGRATION_TESTS += xendevd-integration

xendevd-integration: $(XENDEVD_BIN) $(BUILD)/xendevd-wait
	XENDEVD=$(XENDEVD_BIN) XENDEVD_WAIT=$(BUILD)/xendevd-wait \
		xendevd/tests/integration.sh

bench-xendevd: $(XENDEVD_BIN) $(BUILD)/xendevd-bench
	XENDEVD=$(XENDEVD_BIN) XENDEVD_BENCH=$(BUILD)/xendevd-bench \
		OUT=$(BUILD)/bench-xendevd.txt xendevd/tests/bench.sh

# Small clients of the completion socket (through libchaos, as chaos uses
# it) for the tests and the benchmark.
$(BUILD)/xendevd-wait: $(OBJ)/xendevd/tests/xendevd_wait.o $(LIBCHAOS_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBCHAOS_LIBS)

$(BUILD)/xendevd-bench: $(OBJ)/xendevd/tests/bench_attach.o $(LIBCHAOS_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(LIBCHAOS_LIBS)

# The rig benchmark (kept out of `make rig`: 200 runs of vif-bridge under
# emulation take about 25 minutes). Its extra directory: the scenario, xendevd-bench, and the
# bash and ip that Debian's vif-bridge needs, each with its libraries.
#   make xendevd-rig-extra && RIG_EXTRA=$(BUILD)/xendevd-rig make rig \
#        SCENARIOS=bench-xendevd      (RIG_BENCH_COUNT=50 for a short run)
RIG_BENCH_COUNT ?= 200
.PHONY: xendevd-rig-extra
xendevd-rig-extra: $(BUILD)/xendevd-bench
	rm -rf $(BUILD)/xendevd-rig
	mkdir -p $(BUILD)/xendevd-rig/bin $(BUILD)/xendevd-rig/lib
	cp xendevd/tests/rig-bench/bench-xendevd.sh $(BUILD)/xendevd-rig/
	echo $(RIG_BENCH_COUNT) > $(BUILD)/xendevd-rig/count
	for b in $(BUILD)/xendevd-bench /bin/bash /sbin/ip; do \
		cp -L $$b $(BUILD)/xendevd-rig/bin/ && \
		ldd $$b | awk '/=> \// && $$1 !~ /^(libc\.so|libm\.so|ld-linux)/ {print $$3}' | \
			xargs -r cp -L -t $(BUILD)/xendevd-rig/lib/ || exit 1; \
	done
