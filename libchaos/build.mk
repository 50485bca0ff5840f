# libchaos: the toolstack library, static and shared, with its public
# headers copied under $(INCLUDE)/chaos.

LIBCHAOS_SRC     := $(wildcard libchaos/src/*.c)
LIBCHAOS_OBJ     := $(LIBCHAOS_SRC:%.c=$(OBJ)/%.o)
LIBCHAOS_HDR     := $(wildcard libchaos/include/chaos/*.h)
LIBCHAOS_A       := $(LIB)/libchaos.a
LIBCHAOS_SO      := $(LIB)/libchaos.so.0
# nettle: SHA-256 and HMAC for saved images and migration streams.
LIBCHAOS_LIBS    := $(XEN_LIBS) $(YAJL_LIBS) $(ZIP_LIBS) -lnettle
LIBCHAOS_HEADERS := $(LIBCHAOS_HDR:libchaos/include/%=$(INCLUDE)/%)

PROGRAMS += $(LIBCHAOS_A) $(LIBCHAOS_SO) $(LIBCHAOS_HEADERS)

$(LIBCHAOS_A): $(LIBCHAOS_OBJ)
	@mkdir -p $(dir $@)
	rm -f $@ && $(AR) rcs $@ $^

$(LIBCHAOS_SO): $(LIBCHAOS_OBJ)
	@mkdir -p $(dir $@)
	$(CC) -shared -Wl,-soname,libchaos.so.0 $(LDFLAGS_ALL) -o $@ $^ $(LIBCHAOS_LIBS)
	ln -sf libchaos.so.0 $(LIB)/libchaos.so

$(INCLUDE)/%.h: libchaos/include/%.h
	@mkdir -p $(dir $@)
	cp $< $@
