#!/bin/sh
# An example, linked against libchaos.so, run on a machine without Xen
# (and without chaosd): it must say so in one line and exit 1, like the
# CLI (tests/cli/no-xen.sh); with bad usage it exits 2. The line begins
# with WANT (default: "<name>: not running on Xen").
set -u
prog=${1:?usage: no-xen.sh path/to/example [WANT]}
name=$(basename "$prog")
want=${2:-"$name: not running on Xen"}
if [ -r /sys/hypervisor/type ] && grep -q xen /sys/hypervisor/type; then
	echo "examples: this machine runs on Xen; the test needs one that does not" >&2
	exit 1
fi
failed=0
if ldd "$prog" | grep -q 'libchaos\.so\.0 => .*not found'; then
	echo "FAIL: $prog: libchaos.so.0 not found (LD_LIBRARY_PATH?)"
	exit 1
fi
ldd "$prog" | grep -q 'libchaos\.so\.0' ||
	{ echo "FAIL: $prog is not linked against libchaos.so.0"; failed=$((failed + 1)); }
rc=0
out=$("$prog" examples/guest.json 2>&1) || rc=$?
lines=$(printf '%s\n' "$out" | wc -l)
if [ "$rc" -ne 1 ] || [ "$lines" -ne 1 ] ||
   ! printf '%s' "$out" | grep -q "^$want"; then
	echo "FAIL: $name: exit $rc, output: $out"
	failed=$((failed + 1))
else
	echo "ok: $name: $out"
fi
rc=0
"$prog" >/dev/null 2>&1 || rc=$?
if [ "$rc" -ne 2 ]; then echo "FAIL: $name without arguments: exit $rc"; failed=$((failed + 1)); fi
[ "$failed" -eq 0 ]
