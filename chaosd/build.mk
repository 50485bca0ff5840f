# chaosd: the daemon (pool of prepared shells, console backend, reaper,
# socket API), linked statically against libchaos like the CLI. Its probe
# (tests/probe.c, a test client that misbehaves on purpose) goes to the rig
# as a guest file.

CHAOSD_SRC     := $(wildcard chaosd/*.c)
CHAOSD_OBJ     := $(CHAOSD_SRC:%.c=$(OBJ)/%.o)
CHAOSD_LIB_OBJ := $(filter-out $(OBJ)/chaosd/main.o,$(CHAOSD_OBJ))
CHAOSD_BIN     := $(BIN)/chaosd
CHAOSD_PROBE   := $(BUILD)/chaosd/chaosd-probe

PROGRAMS   += $(CHAOSD_BIN) $(CHAOSD_PROBE)
RIG_GUESTS += $(CHAOSD_PROBE)

$(CHAOSD_BIN): $(CHAOSD_OBJ) $(LIBCHAOS_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $(CHAOSD_OBJ) $(LIBCHAOS_A) $(LIBCHAOS_LIBS) -lpthread

$(CHAOSD_PROBE): $(OBJ)/chaosd/tests/probe.o $(LIBCHAOS_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(LIBCHAOS_A) $(LIBCHAOS_LIBS)

# One cmocka binary per chaosd/tests/unit/test_*.c, linked with the daemon's
# objects (not main) and libchaos.
CHAOSD_UNIT_SRC  := $(wildcard chaosd/tests/unit/test_*.c)
CHAOSD_UNIT_DIR  := $(BUILD)/unit$(if $(filter 1,$(SAN)),-san)/chaosd
CHAOSD_UNIT_BINS := $(CHAOSD_UNIT_SRC:chaosd/tests/unit/%.c=$(CHAOSD_UNIT_DIR)/%)
UNIT_TESTS += $(CHAOSD_UNIT_BINS)

$(CHAOSD_UNIT_DIR)/%: $(OBJ)/chaosd/tests/unit/%.o $(CHAOSD_LIB_OBJ) $(LIBCHAOS_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(CHAOSD_LIB_OBJ) $(LIBCHAOS_A) \
		$(LIBCHAOS_LIBS) -lpthread -lcmocka
