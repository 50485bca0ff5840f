# chaos: the command-line interface, linked statically against libchaos so
# the binary can be dropped anywhere (the rig copies it into dom0).

CHAOS_SRC := $(wildcard chaos/*.c)
CHAOS_OBJ := $(CHAOS_SRC:%.c=$(OBJ)/%.o)
CHAOS_BIN := $(BIN)/chaos

PROGRAMS += $(CHAOS_BIN)

# Fully static outside sanitizer builds: under emulation, loading a dozen
# shared libraries costs more than a pooled create itself.
CHAOS_STATIC_LIBS := -lxenstore -lxenctrl -lxenforeignmemory -lxengnttab -lxenevtchn \
		     -lxendevicemodel -lxencall -lxentoollog -lxentoolcore \
		     -l:libyajl_s.a $(ZIP_LIBS) -lnettle -lxxhash -lpthread
ifeq ($(SAN),1)
CHAOS_LINK := $(LIBCHAOS_LIBS)
else
CHAOS_LINK := -static $(CHAOS_STATIC_LIBS)
endif

$(CHAOS_BIN): $(CHAOS_OBJ) $(LIBCHAOS_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $(CHAOS_OBJ) $(LIBCHAOS_A) $(CHAOS_LINK)

.PHONY: cli-no-xen
cli-no-xen: $(CHAOS_BIN)
	tests/cli/no-xen.sh $(CHAOS_BIN)
INTEGRATION_TESTS += cli-no-xen

# One cmocka binary per chaos/tests/unit/test_*.c, linked with the CLI's
# object of the same concern (test_tty: tty.o).
CHAOS_UNIT_SRC  := $(wildcard chaos/tests/unit/test_*.c)
CHAOS_UNIT_DIR  := $(BUILD)/unit$(if $(filter 1,$(SAN)),-san)/chaos
CHAOS_UNIT_BINS := $(CHAOS_UNIT_SRC:chaos/tests/unit/%.c=$(CHAOS_UNIT_DIR)/%)
UNIT_TESTS += $(CHAOS_UNIT_BINS)

$(OBJ)/chaos/tests/unit/%.o: CFLAGS_EXTRA := -Ichaos

$(CHAOS_UNIT_DIR)/test_tty: $(OBJ)/chaos/tests/unit/test_tty.o $(OBJ)/chaos/tty.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ -lutil -lcmocka

$(CHAOS_UNIT_DIR)/test_abs_path: $(OBJ)/chaos/tests/unit/test_abs_path.o \
				 $(OBJ)/chaos/abs_path.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ -lcmocka
