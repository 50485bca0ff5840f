#!/bin/sh
# On a machine without Xen, chaos must say so in one line and exit 1.
set -u
chaos=${1:?usage: no-xen.sh path/to/chaos}
if [ -r /sys/hypervisor/type ] && grep -q xen /sys/hypervisor/type; then
	echo "cli-no-xen: this machine runs on Xen; the test needs one that does not" >&2
	exit 1
fi
failed=0
for cmd in "info" "list" "list --json"; do
	rc=0
	# shellcheck disable=SC2086
	out=$("$chaos" $cmd 2>&1) || rc=$?
	lines=$(printf '%s\n' "$out" | wc -l)
	if [ "$rc" -ne 1 ] || [ "$lines" -ne 1 ] ||
	   ! printf '%s' "$out" | grep -q '^chaos: not running on Xen'; then
		echo "FAIL: chaos $cmd: exit $rc, output: $out"
		failed=$((failed + 1))
	else
		echo "ok: chaos $cmd: $out"
	fi
done
rc=0
"$chaos" frobnicate >/dev/null 2>&1 || rc=$?
if [ "$rc" -ne 2 ]; then echo "FAIL: unknown command exit $rc"; failed=$((failed + 1)); fi
[ "$failed" -eq 0 ]
