# chaos-oci: an OCI runtime (runc's command line) for chaos unikernels, so
# containerd's runc shim runs them (chaos-oci/README.md, docs/oci.md).
# Static like chaos, for the same reasons; it runs `chaos run` as each
# container's supervisor, found beside it or in PATH.

CHAOS_OCI_SRC := $(wildcard chaos-oci/*.c)
CHAOS_OCI_OBJ := $(CHAOS_OCI_SRC:%.c=$(OBJ)/%.o)
CHAOS_OCI_BIN := $(BIN)/chaos-oci

PROGRAMS += $(CHAOS_OCI_BIN)

$(CHAOS_OCI_BIN): $(CHAOS_OCI_OBJ) $(LIBCHAOS_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $(CHAOS_OCI_OBJ) $(LIBCHAOS_A) $(CHAOS_LINK)

# cmocka tests, each linked with the objects of the concerns it tests
# (no Xen: none of them is guest.c, create.c or ops.c).
CHAOS_OCI_UNIT_DIR := $(BUILD)/unit$(if $(filter 1,$(SAN)),-san)/chaos-oci
CHAOS_OCI_UNIT_BINS := $(CHAOS_OCI_UNIT_DIR)/test_spec \
		       $(CHAOS_OCI_UNIT_DIR)/test_state \
		       $(CHAOS_OCI_UNIT_DIR)/test_signame
UNIT_TESTS += $(CHAOS_OCI_UNIT_BINS)

$(OBJ)/chaos-oci/tests/unit/%.o: CFLAGS_EXTRA := -Ichaos-oci

CHAOS_OCI_UNIT_COMMON := $(OBJ)/chaos-oci/json.o $(OBJ)/chaos-oci/log.o

$(CHAOS_OCI_UNIT_DIR)/test_spec: $(OBJ)/chaos-oci/tests/unit/test_spec.o \
		$(OBJ)/chaos-oci/spec.o $(CHAOS_OCI_UNIT_COMMON) $(LIBCHAOS_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) $(LIBCHAOS_A) $(LIBCHAOS_LIBS) -lcmocka

$(CHAOS_OCI_UNIT_DIR)/test_state: $(OBJ)/chaos-oci/tests/unit/test_state.o \
		$(OBJ)/chaos-oci/state.o $(OBJ)/chaos-oci/proc.o \
		$(OBJ)/chaos-oci/guest.o \
		$(CHAOS_OCI_UNIT_COMMON) $(LIBCHAOS_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $(filter %.o,$^) $(LIBCHAOS_A) $(LIBCHAOS_LIBS) -lcmocka

$(CHAOS_OCI_UNIT_DIR)/test_signame: $(OBJ)/chaos-oci/tests/unit/test_signame.o \
		$(OBJ)/chaos-oci/signame.o
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ -lcmocka

# The rig's stand-in for the shim's reaping: a subreaper that reports the
# exit status of the supervisor create leaves behind.
# (tests/rig/build.mk's rules were read before this file: name it to them.)
RIG_HELPERS += $(BUILD)/rig-helpers/rig-subreaper
rig demo bench: $(BUILD)/rig-helpers/rig-subreaper
$(BUILD)/rig-helpers/rig-subreaper: chaos-oci/tests/rig-subreaper.c | deps
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARNINGS) -O2 -o $@ $<

-include chaos-oci/image/build.mk
