# check-layers: the library's layering (libchaos/build.mk lists the layers,
# lowest first; mk/check-layers says what it checks). It reads the objects'
# symbol tables, so it needs them built; the self-test runs first, so that a
# checker that has stopped seeing violations cannot pass the real check.
#
# Included after the fragments that define LIBCHAOS_OBJ, CHAOS_OBJ and
# CHAOSD_OBJ: a rule's prerequisites are expanded when it is read.

.PHONY: check-layers
check-layers: $(LIBCHAOS_OBJ) $(CHAOS_OBJ) $(CHAOSD_OBJ) $(CHAOS_OCI_OBJ)
	@CC='$(CC)' mk/check-layers --self-test
	@mk/check-layers --src libchaos/src --include libchaos/include/chaos \
		--abi abi --obj $(OBJ) --layers '$(LIBCHAOS_LAYERS)' \
		--front chaos --front chaosd --front chaos-oci \
		$(LIBCHAOS_OBJ) $(CHAOS_OBJ) $(CHAOSD_OBJ) $(CHAOS_OCI_OBJ)
