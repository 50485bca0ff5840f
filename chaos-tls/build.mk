# chaos-tls: the TLS pipe behind `chaos migrate --port` and
# `chaos migrate-receive --listen`. Linked dynamically (GnuTLS needs
# p11-kit, which Debian ships as a shared library only), so it is a
# program of its own rather than part of the static CLI; the CLI runs it
# from its own directory or PATH. The rig copies it into dom0 with its
# libraries like every program in $(BIN).

CHAOS_TLS_BIN := $(BIN)/chaos-tls

PROGRAMS += $(CHAOS_TLS_BIN)

# libchaos.a for chaos_migrate_key_load (the same key-file rules as chaos),
# which pulls in nothing of the Xen side: no Xen library is needed.
$(CHAOS_TLS_BIN): $(OBJ)/chaos-tls/chaos-tls.o $(LIBCHAOS_A)
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $< $(LIBCHAOS_A) -lgnutls -lpthread

.PHONY: chaos-tls-integration
INTEGRATION_TESTS += chaos-tls-integration
chaos-tls-integration: $(CHAOS_TLS_BIN)
	chaos-tls/tests/integration.sh $(CHAOS_TLS_BIN)
