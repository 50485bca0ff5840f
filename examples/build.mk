# examples: programs that embed libchaos the way an outside project would,
# built only against the installed-style headers ($(INCLUDE), filled by
# the library's header copy rule) and the shared library, never against the
# source tree. `make examples` builds them and runs each once off Xen.

EXAMPLES_SRC := $(wildcard examples/*.c)
EXAMPLES_DIR := $(BUILD)/examples$(if $(filter 1,$(SAN)),-san)
EXAMPLES_BIN := $(EXAMPLES_SRC:examples/%.c=$(EXAMPLES_DIR)/%)
EXAMPLES_CFLAGS := -std=c11 -pedantic -Wall -Wextra -Werror -O2 -g

$(EXAMPLES_DIR)/%: examples/%.c $(LIBCHAOS_SO) $(LIBCHAOS_HEADERS) | deps
	@mkdir -p $(dir $@)
	$(CC) $(EXAMPLES_CFLAGS) -I$(INCLUDE) -o $@ $< -L$(LIB) -lchaos $(LDFLAGS_ALL)

.PHONY: examples
examples: $(EXAMPLES_BIN)
	LD_LIBRARY_PATH=$(LIB) examples/no-xen.sh $(EXAMPLES_DIR)/orchestrator
	LD_LIBRARY_PATH=$(LIB) examples/no-xen.sh $(EXAMPLES_DIR)/supervisor \
		"supervisor: chaosd is not running"
