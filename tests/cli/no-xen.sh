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
# Options: getopt_long's rules everywhere; every command has its --help.
for cmd in info list create destroy pause unpause shutdown reboot console \
	network-list block-list save restore resume migrate migrate-receive pool; do
	rc=0
	out=$("$chaos" "$cmd" --help 2>&1) || rc=$?
	if [ "$rc" -ne 0 ] || ! printf '%s' "$out" | grep -q "^usage: chaos $cmd "; then
		echo "FAIL: chaos $cmd --help: exit $rc, output: $out"
		failed=$((failed + 1))
	fi
done
check() { # WANT-STATUS WANT-TEXT ARGS...: exit status and a line of output
	want=$1 text=$2 rc=0
	shift 2
	out=$("$chaos" "$@" 2>&1) || rc=$?
	if [ "$rc" -ne "$want" ] || ! printf '%s' "$out" | grep -q -- "$text"; then
		echo "FAIL: chaos $*: exit $rc (want $want), output: $out"
		failed=$((failed + 1))
	else
		echo "ok: chaos $*: exit $rc"
	fi
}
check 0 "^usage: chaos create " help create
check 0 "^usage: chaos list " list -h
check 0 "^usage: chaos <command>" -h list
check 2 "unexpected argument '--bogus'" list --bogus
check 2 "unexpected argument '-lx'" list -lx
check 2 "'abc' is not a number of seconds" shutdown web --timeout=abc
check 2 "'abc' is not a number of seconds" console web --timeout abc
# Well-formed, bundled or =-joined: parsed, then refused off Xen (status 1).
check 1 "not running on Xen" list -l --json
check 1 "not running on Xen" --no-chaosd shutdown --timeout=5 --force web
check 1 "not running on Xen" --no-chaosd destroy -- web
[ "$failed" -eq 0 ]
