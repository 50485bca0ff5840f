# cmocka unit tests: one binary per tests/unit/test_*.c, linked against the
# static libchaos. Components add their own test binaries to UNIT_TESTS.

UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit$(if $(filter 1,$(SAN)),-san)/%)
UNIT_TESTS += $(UNIT_BINS)

$(BUILD)/unit$(if $(filter 1,$(SAN)),-san)/%: $(OBJ)/tests/unit/%.o $(LIBCHAOS_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(LIBCHAOS_A) $(LIBCHAOS_LIBS) -lcmocka

