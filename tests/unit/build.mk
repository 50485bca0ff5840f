# cmocka unit tests: one binary per tests/unit/test_*.c, linked against the
# static libchaos. Components add their own test binaries to UNIT_TESTS.

UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/unit$(if $(filter 1,$(SAN)),-san)/%)
UNIT_TESTS += $(UNIT_BINS)

$(BUILD)/unit$(if $(filter 1,$(SAN)),-san)/%: $(OBJ)/tests/unit/%.o $(LIBCHAOS_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(LIBCHAOS_A) $(LIBCHAOS_LIBS) -lcmocka

# Every test runs; the run fails if any failed. Without SAN each binary also
# runs under valgrind (memcheck, leaks are errors).
VALGRIND := valgrind --quiet --error-exitcode=99 --leak-check=full \
            --errors-for-leak-kinds=definite,indirect --track-origins=yes
unit: $(UNIT_TESTS) | deps
	@failed=0; \
	for t in $(UNIT_TESTS); do \
		echo "== $$t"; \
		if [ "$(SAN)" = 1 ]; then $$t || failed=$$((failed+1)); \
		else $(VALGRIND) $$t || failed=$$((failed+1)); fi; \
	done; \
	echo "unit: $(words $(UNIT_TESTS)) binaries, $$failed failed"; \
	[ $$failed -eq 0 ]
