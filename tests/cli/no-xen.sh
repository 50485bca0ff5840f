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
# Audit finding 20, "chaos migrate builds an ssh shell command from an
# unquoted host": a host that is not a host name is refused before any
# shell runs (the argument check comes before Xen is needed).
pwned=$(mktemp -u /tmp/chaos-pwned.XXXXXX)
rc=0
out=$("$chaos" migrate web "h;touch $pwned" 2>&1) || rc=$?
if [ "$rc" -ne 2 ] || [ -e "$pwned" ] ||
   ! printf '%s' "$out" | grep -q "a host name or address only"; then
	echo "FAIL: migrate to a host with shell code: exit $rc, output: $out"
	failed=$((failed + 1))
	rm -f "$pwned"
else
	echo "ok: migrate to a host with shell code refused"
fi
rc=0
out=$("$chaos" migrate web h1 --psk-file "/tmp/k;touch $pwned" 2>&1) || rc=$?
if [ "$rc" -ne 2 ] || [ -e "$pwned" ]; then
	echo "FAIL: migrate with shell code in --psk-file: exit $rc, output: $out"
	failed=$((failed + 1))
	rm -f "$pwned"
else
	echo "ok: migrate with shell code in --psk-file refused"
fi
[ "$failed" -eq 0 ]
