# chaos: the command-line interface, linked statically against libchaos so
# the binary can be dropped anywhere (the rig copies it into dom0).

CHAOS_SRC := $(wildcard chaos/*.c)
CHAOS_OBJ := $(CHAOS_SRC:%.c=$(OBJ)/%.o)
CHAOS_BIN := $(BIN)/chaos

PROGRAMS += $(CHAOS_BIN)

$(CHAOS_BIN): $(CHAOS_OBJ) $(LIBCHAOS_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $(CHAOS_OBJ) $(LIBCHAOS_A) $(LIBCHAOS_LIBS)

.PHONY: cli-no-xen
cli-no-xen: $(CHAOS_BIN)
	tests/cli/no-xen.sh $(CHAOS_BIN)
INTEGRATION_TESTS += cli-no-xen
