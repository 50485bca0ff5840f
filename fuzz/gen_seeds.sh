#!/bin/sh
# Regenerate the generated seeds of fuzz/corpus (make fuzz-seeds runs it
# after gen_seeds): the synthetic kernel compressed every way the image
# loader reads, as kernel images (image/) and as decompressor inputs
# (decompress/: kind byte, cap byte, stream; fuzz_decompress.c).
set -eu
c=${1:-fuzz/corpus}
elf=$c/image/fixture.elf
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$c/decompress"

gzip -9 -n -c "$elf" > "$tmp/gz"
xz -6 -c "$elf" > "$tmp/xz"
xz --format=lzma -6 -c "$elf" > "$tmp/lzma"
bzip2 -9 -c "$elf" > "$tmp/bz2"
zstd -q -19 -c "$elf" > "$tmp/zst"
lz4 -q -9 -c "$elf" > "$tmp/lz4"
lz4 -q -l -9 -c "$elf" > "$tmp/lz4l"

# kind bytes: fuzz_decompress.c's kinds[]; cap byte 2: 16 KiB, the size
# of the ELF (cap byte 1, 8 KiB, is the "bomb" case).
i=0
for k in gz xz lzma bz2 zst lz4 lz4l; do
	cp "$tmp/$k" "$c/image/fixture.elf.$k"
	{ printf "\\$(printf %03o $i)\\002"; cat "$tmp/$k"; } > "$c/decompress/$k"
	i=$((i + 1))
done
{ printf '\007\002'; cat "$tmp/xz"; } > "$c/decompress/detect-xz"
{ printf '\003\001'; cat "$tmp/bz2"; } > "$c/decompress/bz2-over-cap"

# A bzImage whose payload is the xz'd ELF (make_bzimage in
# libchaos/tests/unit/test_image_bzimage.c).
python3 - "$tmp/xz" "$c/image/fixture.bzimage-xz" <<'PY'
import struct, sys
payload = open(sys.argv[1], 'rb').read()
pm = 4 * 512
b = bytearray(pm + 0x40 + len(payload) + 4)
b[0x1f1] = 3
b[0x1fe:0x200] = struct.pack('<H', 0xaa55)
b[0x202:0x206] = b'HdrS'
b[0x206:0x208] = struct.pack('<H', 0x020f)
b[0x248:0x24c] = struct.pack('<I', 0x40)
b[0x24c:0x250] = struct.pack('<I', len(payload) + 4)
b[pm + 0x40:pm + 0x40 + len(payload)] = payload
b[pm + 0x40 + len(payload):] = struct.pack('<I', 0x4000)
open(sys.argv[2], 'wb').write(bytes(b))
PY
