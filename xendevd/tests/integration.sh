#!/bin/bash
# xendevd integration tests: no Xen. Runs the daemon inside a network
# namespace of its own, makes veth interfaces named like vifs and checks
# that they end up on the right bridge and up, and that removal detaches
# them. Linux bridges through rtnetlink; Open vSwitch against Debian's real
# ovsdb-server and ovs-vswitchd (userspace datapath, no kernel module
# needed), or ovsdb-server alone if ovs-vswitchd cannot run.
# Needs root. Env: XENDEVD, XENDEVD_WAIT (paths of the binaries);
# XENDEVD_WRAP (optional, e.g. "valgrind --error-exitcode=99
# --leak-check=full") runs the daemon under a checker.
set -euo pipefail

XENDEVD=$(readlink -f "${XENDEVD:?path of xendevd}")
XENDEVD_WAIT=$(readlink -f "${XENDEVD_WAIT:?path of xendevd-wait}")
NS=xendevd-it-$$
TMP=$(mktemp -d /tmp/xendevd-it.XXXXXX)
SOCK=$TMP/xendevd.sock
LOG=$TMP/xendevd.log
XPID=
XS_PID=
OVS_PIDS=()
HOLD_PIDS=()
passed=0
failed=0

if [ "$(id -u)" -ne 0 ]; then
	echo "xendevd-integration: SKIP: needs root (network namespaces)"
	exit 0
fi

cleanup() {
	set +e
	[ -n "$XPID" ] && kill "$XPID" 2>/dev/null && wait "$XPID" 2>/dev/null
	for p in "${OVS_PIDS[@]}" "${HOLD_PIDS[@]}"; do kill "$p" 2>/dev/null; done
	[ -n "$XS_PID" ] && kill "$XS_PID" 2>/dev/null
	# Loop devices over our files (xendevd's and the test's own).
	losetup -n -O NAME,BACK-FILE 2>/dev/null |
		awk -v t="$TMP/" 'index($2, t) == 1 {print $1}' |
		xargs -r -n1 losetup -d 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	if [ "$failed" -ne 0 ] && [ -f "$LOG" ]; then
		echo "---- xendevd log (last 40 lines)"
		tail -40 "$LOG"
	fi
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ok() { echo "ok   $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
check() { # check "description" command...
	local what=$1
	shift
	if "$@"; then ok "$what"; else bad "$what"; fi
}
in_ns() { ip netns exec "$NS" "$@"; }
master_of() { in_ns ip -o link show dev "$1" 2>/dev/null |
	sed -n 's/.* master \([^ ]*\) .*/\1/p'; }
is_up() { in_ns ip -o link show dev "$1" | grep -q '<[^>]*\bUP\b'; }
on_bridge_up() { [ "$(master_of "$1")" = "$2" ] && is_up "$1"; }
wait_answer() { # wait_answer vif timeout_ms -> prints the answer
	in_ns "$XENDEVD_WAIT" -s "$SOCK" "$1" "$2" 2>&1 || true
}
add_vif() { in_ns ip link add "$1" type veth peer name "p${1#vif}"; }
log_has() { grep -q -- "$1" "$LOG"; }
# The log, from the first line matching $1 on, has a line matching $2.
log_after_has() { sed -n "\\|$1|,\$p" "$LOG" | grep -q -- "$2"; }
uevent_drops() { # events the kernel dropped on xendevd's uevent socket
	local inodes
	inodes=$(for f in /proc/"$XPID"/fd/*; do readlink "$f"; done |
		sed -n 's/^socket:\[\([0-9]*\)\]$/\1/p' | tr '\n' ' ')
	# /proc/net/netlink: protocol 15 is NETLINK_KOBJECT_UEVENT.
	in_ns cat /proc/net/netlink |
		awk -v l=" $inodes" '$2 == 15 && index(l " ", " " $10 " ") {print $9}'
}
retry() { # retry tries command... (50 ms apart)
	local n=$1
	shift
	while [ "$n" -gt 0 ]; do
		"$@" && return 0
		sleep 0.05
		n=$((n - 1))
	done
	return 1
}
start_xendevd() {
	# ip netns exec execs the daemon: $! is xendevd itself. Started with
	# systemd's soft limit of open files, which it must raise.
	# shellcheck disable=SC2086
	(ulimit -Sn 1024 && exec ip netns exec "$NS" ${XENDEVD_WRAP:-} \
		"$XENDEVD" -c "$TMP/xendevd.conf" -v >>"$LOG" 2>&1) &
	XPID=$!
	retry 400 test -S "$SOCK" || { bad "xendevd starts"; exit 1; }
}

ip netns add "$NS"
in_ns ip link set lo up
for br in br0 br1 br2; do
	in_ns ip link add "$br" type bridge
	in_ns ip link set "$br" up
done

# --- Open vSwitch: a private ovsdb-server (and ovs-vswitchd if it runs).
OVS=none
if command -v ovsdb-server >/dev/null && command -v ovsdb-tool >/dev/null; then
	ovsdb-tool create "$TMP/conf.db" \
		/usr/share/openvswitch/vswitch.ovsschema
	in_ns ovsdb-server "$TMP/conf.db" --remote="punix:$TMP/db.sock" \
		--unixctl="$TMP/ovsdb.ctl" --log-file="$TMP/ovsdb.log" \
		--pidfile="$TMP/ovsdb.pid" --no-chdir --detach
	OVS_PIDS+=("$(cat "$TMP/ovsdb.pid")")
	VSCTL=(ovs-vsctl --db="unix:$TMP/db.sock" --timeout=10)
	"${VSCTL[@]}" --no-wait init
	OVS=ovsdb-server
	if OVS_RUNDIR=$TMP in_ns ovs-vswitchd "unix:$TMP/db.sock" \
		--unixctl="$TMP/vswitchd.ctl" --log-file="$TMP/vswitchd.log" \
		--pidfile="$TMP/vswitchd.pid" --no-chdir --detach \
		2>>"$TMP/vswitchd.err"; then
		OVS_PIDS+=("$(cat "$TMP/vswitchd.pid")")
		OVS="ovsdb-server+ovs-vswitchd"
		"${VSCTL[@]}" add-br ovsbr0 -- set bridge ovsbr0 \
			datapath_type=netdev
	else
		"${VSCTL[@]}" --no-wait add-br ovsbr0
	fi
fi
echo "Open vSwitch under test: $OVS"

cat >"$TMP/xendevd.conf" <<CONF
# integration test config
default-bridge br0
bridge vif7.* br1
bridge vif8.* brmissing
bridge vif6.* ovsbr0
ovsdb-socket $TMP/db.sock
control-socket $SOCK
control-group daemon
CONF

# --- Restart: a vif that exists before the daemon starts is reconciled.
add_vif vif9.0
start_xendevd
check "xendevd runs as pid $XPID" \
	grep -qE '^(xendevd|memcheck)' "/proc/$XPID/comm"
check "reconcile on start: vif9.0 on br0 and up" \
	retry 40 on_bridge_up vif9.0 br0
# (valgrind refuses to raise the limit past what it reserved at start)
if [ -z "${XENDEVD_WRAP:-}" ]; then
	check "open files limit raised for 1024 control connections" \
		eval '[ "$(awk "/^Max open files/ {print \$4}" /proc/$XPID/limits)" -ge 1088 ]'
else
	echo "note: open files limit not checked under XENDEVD_WRAP"
fi

# --- Linux bridge, default bridge, completion protocol.
add_vif vif1.0
ans=$(wait_answer vif1.0 5000)
check "completion answers 'attached br0' (got '$ans')" \
	test "$ans" = "attached br0"
check "vif1.0 on br0 and up" on_bridge_up vif1.0 br0
# A wait sent before the vif exists is answered when it appears.
wait_answer vif2.0 5000 >"$TMP/early" &
wpid=$!
sleep 0.2
add_vif vif2.0
wait "$wpid"
check "wait before the vif appears: '$(cat "$TMP/early")'" \
	test "$(cat "$TMP/early")" = "attached br0"

# --- Pattern rule.
add_vif vif7.3
check "rule vif7.* -> br1: $(wait_answer vif7.3 5000)" \
	on_bridge_up vif7.3 br1

# --- The uevent's bridge property (a synthetic uevent carries it).
echo "add 00000000-0000-0000-0000-000000000000 XENDEVDBRIDGE=br2" |
	in_ns tee /sys/class/net/vif1.0/uevent >/dev/null
check "uevent bridge property moves vif1.0 to br2" \
	retry 40 on_bridge_up vif1.0 br2

# --- Missing bridge: clear log line, vif left down, no crash.
add_vif vif8.0
ans=$(wait_answer vif8.0 5000)
check "missing bridge answers an error (got '$ans')" \
	test "$ans" = "xendevd-wait: vif8.0: xendevd: bridge brmissing does not exist"
check "missing bridge logged" \
	log_has "vif8.0: bridge brmissing does not exist; vif left down"
check "vif8.0 left down and on no bridge" \
	eval '! is_up vif8.0 && [ -z "$(master_of vif8.0)" ]'
check "daemon alive after a missing bridge" kill -0 "$XPID"

# --- SIGHUP retries failed vifs (the bridge now exists).
in_ns ip link add brmissing type bridge
kill -HUP "$XPID"
check "SIGHUP retries: vif8.0 on brmissing" \
	retry 40 on_bridge_up vif8.0 brmissing

# --- Removal detaches.
in_ns ip link del vif7.3
check "removal logged as detach" retry 40 log_has "vif7.3: removed, detached from br1"
ans=$(wait_answer vif7.3 100)
check "removed vif is no longer reported attached (got '$ans')" \
	test "$ans" = "xendevd-wait: vif7.3: not attached to a bridge in time"
check "bridge br1 has no ports left" \
	test -z "$(in_ns ip -o link show master br1)"

# --- Timeout and bad requests.
ans=$(wait_answer vif55.0 200)
check "timeout for a vif that never comes (got '$ans')" \
	test "$ans" = "xendevd-wait: vif55.0: not attached to a bridge in time"
ans=$(printf 'wait eth0 10\n' | in_ns socat - "UNIX-CONNECT:$SOCK" 2>/dev/null ||
	python3 -c 'import socket,sys
s=socket.socket(socket.AF_UNIX); s.connect(sys.argv[1])
s.sendall(b"wait eth0 10\n"); print(s.recv(100).decode().strip())' "$SOCK")
check "bad request answered with an error (got '$ans')" \
	test "$ans" = "error bad vif name"

# --- Peer credentials: a non-root peer outside control-group is refused.
# Let the connect through to the SO_PEERCRED check.
chmod 0711 "$TMP"
chmod 0666 "$SOCK"
ans=$(in_ns setpriv --reuid=65534 --regid=65534 --clear-groups \
	"$XENDEVD_WAIT" -s "$SOCK" vif1.0 100 2>&1 || true)
check "non-root peer refused (got '$ans')" \
	test "$ans" = "xendevd-wait: xendevd: permission denied (need root or its control-group)"
check "refusal logged" log_has "control: refused peer"

# --- Control slots: members of control-group ("daemon", gid 1, whose
# members the tests make up by uid) cannot take them all, nor keep them
# by sending nothing (audit finding 18). hold uid n expect [--silent]:
# a holder (tests/ctl_hold.py) keeps n connections open; its report is in
# $REPORT. (The system's python: root's own may be out of their reach.)
cp "$(dirname "$0")/ctl_hold.py" "$TMP/ctl_hold.py"
chmod 0644 "$TMP/ctl_hold.py"
hold() {
	local out=$TMP/hold.$1
	setpriv --reuid="$1" --regid=1 --clear-groups \
		/usr/bin/python3 "$TMP/ctl_hold.py" "$SOCK" "$2" "$3" "${@:4}" >"$out" &
	HOLD_PIDS+=($!)
	retry 400 test -s "$out" || true
	REPORT=$(cat "$out")
}
hold 4009 3 3 --silent
last=${REPORT#*last }
last=${last%% *}
check "slots: silent connections dropped within 2 s ($REPORT)" \
	eval '[[ "$REPORT" == "held 0 answered 3 "*"'"'"'error no request'"'"'" ]] && [ "$last" -lt 2000 ]'
hold 4001 130 2
check "slots: one member keeps at most 128 ($REPORT)" \
	eval '[[ "$REPORT" == "held 128 answered 2 "*" first '"'"'error busy: uid 4001 already holds 128 connections, the most one user may hold'"'"'" ]]'
for u in 4002 4003 4004 4005 4006 4007; do
	hold "$u" 128 0
	[ "${REPORT%% answered*}" = "held 128" ] || break
done
check "slots: six more members hold 128 each ($REPORT)" \
	test "${REPORT%% answered*}" = "held 128"
hold 4008 100 36
check "slots: members together keep at most 960 ($REPORT)" \
	eval '[[ "$REPORT" == "held 64 answered 36 "*" first '"'"'error busy: the last 64 of 1024 connections are kept for root'"'"'" ]]'
ans=$(wait_answer vif2.0 1000)
check "slots: root is served meanwhile (got '$ans')" \
	test "$ans" = "attached br0"
check "slots: refusals logged" log_has "control: busy: "
kill "${HOLD_PIDS[@]}" 2>/dev/null || true
wait "${HOLD_PIDS[@]}" 2>/dev/null || true
HOLD_PIDS=()
check "slots: daemon alive after the holders left" kill -0 "$XPID"

# --- Interfaces that vanish mid-handling and a burst of 300 vifs.
for i in $(seq 1 100); do
	echo "link add vif30$i.0 type veth peer name q$i"
	echo "link del vif30$i.0"
done >"$TMP/vanish.batch"
in_ns ip -batch "$TMP/vanish.batch"
sleep 0.5
check "daemon alive after 100 vifs vanished mid-handling" kill -0 "$XPID"
for i in $(seq 1 300); do
	echo "link add vif$((1000 + i)).0 type veth peer name b$i"
done >"$TMP/burst.batch"
t0=$(date +%s%N)
in_ns ip -batch "$TMP/burst.batch"
all_attached() {
	[ "$(in_ns ip -o link show master br0 | grep -c ' vif1[0-9][0-9][0-9]\.0@')" -eq 300 ]
}
if retry 400 all_attached; then
	t1=$(date +%s%N)
	ok "burst: 300 vifs on br0 in $(( (t1 - t0) / 1000000 )) ms"
else
	bad "burst: only $(in_ns ip -o link show master br0 | grep -c ' vif1[0-9][0-9][0-9]\.0@') of 300 vifs on br0"
fi
down=$(in_ns ip -o link show master br0 | grep ' vif1[0-9][0-9][0-9]\.0@' |
	grep -vc '<[^>]*\bUP\b' || true)
check "burst: all 300 up ($down down)" test "$down" -eq 0
sed 's/link add \(vif[0-9.]*\) .*/link del \1/' "$TMP/burst.batch" >"$TMP/unburst.batch"
in_ns ip -batch "$TMP/unburst.batch"
check "burst removal: 300 detaches logged" \
	retry 100 eval '[ "$(grep -c "vif1[0-9][0-9][0-9].0: removed, detached" "$LOG")" -eq 300 ]'

# --- A uevent overflow: vifs re-created meanwhile are checked again.
# Audit finding 18: with xendevd stopped, flood its uevent socket with
# synthetic "change" uevents (ignored, but they fill the 32 MiB buffer)
# until the kernel drops events; then re-create two attached vifs whose
# remove and add are lost: vif5.0 on no bridge, vif5.1 put on br0 by hand
# but down. After the overflow's reconcile, both must really be attached.
add_vif vif5.0
add_vif vif5.1
wait_answer vif5.0 5000 >/dev/null
wait_answer vif5.1 5000 >/dev/null
check "overflow: vif5.0 and vif5.1 attached first" \
	eval 'on_bridge_up vif5.0 br0 && on_bridge_up vif5.1 br0'
kill -STOP "$XPID"
drops=$(uevent_drops)
for _ in $(seq 1 20); do
	[ "${drops:-0}" -gt 0 ] && break
	in_ns bash -c 'exec 3>/sys/class/net/br2/uevent
		for i in $(seq 1 10000); do echo change >&3; done'
	drops=$(uevent_drops)
done
check "overflow: the kernel dropped uevents (${drops:-none})" \
	test "${drops:-0}" -gt 0
in_ns ip link del vif5.0
add_vif vif5.0
in_ns ip link del vif5.1
add_vif vif5.1
in_ns ip link set vif5.1 master br0
drops2=$(uevent_drops)
check "overflow: the re-created vifs' uevents were dropped too ($drops2)" \
	test "${drops2:-0}" -gt "${drops:-0}"
kill -CONT "$XPID"
check "overflow: logged and reconciled" \
	retry 600 log_after_has "uevent queue overflowed" "reconciled:"
ans=$(wait_answer vif5.0 1000)
check "overflow: re-created vif5.0 answered '$ans', master '$(master_of vif5.0)'" \
	eval '[ "$ans" = "attached br0" ] && on_bridge_up vif5.0 br0'
ans=$(wait_answer vif5.1 1000)
check "overflow: re-created vif5.1 (on br0, down) answered '$ans' and is up" \
	eval '[ "$ans" = "attached br0" ] && on_bridge_up vif5.1 br0'
# Taken off its bridge by hand: a SIGHUP reconcile puts it back.
in_ns ip link set vif5.0 nomaster
kill -HUP "$XPID"
check "SIGHUP: a vif taken off its bridge is attached again" \
	retry 100 on_bridge_up vif5.0 br0
in_ns ip link del vif5.0
in_ns ip link del vif5.1

# --- Open vSwitch.
if [ "$OVS" != none ]; then
	add_vif vif6.0
	ans=$(wait_answer vif6.0 5000)
	check "OVS ($OVS): completion says 'attached ovsbr0' (got '$ans')" \
		test "$ans" = "attached ovsbr0"
	check "OVS: OVSDB has vif6.0 on ovsbr0" \
		test "$("${VSCTL[@]}" port-to-br vif6.0)" = ovsbr0
	check "OVS: vif6.0 up" is_up vif6.0
	if [ "$OVS" = "ovsdb-server+ovs-vswitchd" ]; then
		check "OVS: ovs-vswitchd added vif6.0 to the datapath" \
			retry 40 grep -q "added interface vif6.0" "$TMP/vswitchd.log"
	fi
	in_ns ip link del vif6.0
	check "OVS: removal deletes the port from OVSDB" \
		retry 40 eval '! "${VSCTL[@]}" list-ports ovsbr0 | grep -qx vif6.0'
	"${VSCTL[@]}" --no-wait add-br ovsbr1
	add_vif vif6.1
	ans=$(wait_answer vif6.1 5000)
	echo "add 00000000-0000-0000-0000-000000000000 XENDEVDBRIDGE=ovsbr1" |
		in_ns tee /sys/class/net/vif6.1/uevent >/dev/null
	check "OVS: a port is moved between OVS bridges" \
		retry 40 eval '[ "$("${VSCTL[@]}" port-to-br vif6.1)" = ovsbr1 ]'
	# Its port deleted behind xendevd's back: a SIGHUP puts it back on
	# the bridge it was on.
	"${VSCTL[@]}" del-port vif6.1
	kill -HUP "$XPID"
	check "OVS: SIGHUP puts back a port deleted behind its back" \
		retry 40 eval '[ "$("${VSCTL[@]}" port-to-br vif6.1 2>/dev/null)" = ovsbr1 ]'
	add_vif vif6.2
	# With ovs-vswitchd, wait until it has removed the bridge's netdev.
	if [ "$OVS" = ovsdb-server ]; then
		"${VSCTL[@]}" --no-wait del-br ovsbr0
	else
		"${VSCTL[@]}" del-br ovsbr0
	fi
	add_vif vif6.3
	ans=$(wait_answer vif6.3 5000)
	check "OVS: missing OVS bridge is an error (got '$ans')" \
		test "$ans" = "xendevd-wait: vif6.3: xendevd: bridge ovsbr0 does not exist"
else
	bad "OVS: ovsdb-server not installed (apt-get install openvswitch-switch)"
fi

# --- Clean shutdown on SIGTERM.
kill -TERM "$XPID"
rc=0
wait "$XPID" || rc=$?
XPID=
check "SIGTERM: exit status 0 (got $rc)" test "$rc" -eq 0
check "SIGTERM: control socket removed" test ! -e "$SOCK"
check "SIGTERM: logged" log_has "stopping on signal 15"
# --- Restart after a vif went away while stopped: its OVS port is stale.
if [ "$OVS" != none ]; then
	in_ns ip link del vif6.1
	check "OVS: a vif removed while stopped keeps its port in OVSDB" \
		eval '"${VSCTL[@]}" list-ports ovsbr1 | grep -qx vif6.1'
	start_xendevd
	check "OVS: restart removes the stale port" \
		retry 40 eval '! "${VSCTL[@]}" list-ports ovsbr1 | grep -qx vif6.1'
	check "OVS: stale port logged" log_has "vif6.1: gone; stale Open vSwitch port removed"
	kill -TERM "$XPID"
	rc=0
	wait "$XPID" || rc=$?
	XPID=
	check "second SIGTERM: exit status 0 (got $rc)" test "$rc" -eq 0
fi
# --- XenStore disks: blkback's side of a vbd, against the xenstored stand-in
# (no Xen here: no xen-backend uevents, so the start-up and SIGHUP reconciles
# find the backends) with real loop devices.
if command -v xenstore-write >/dev/null && [ -e /dev/loop-control ] &&
	command -v losetup >/dev/null; then
	XSOCK=$TMP/xenstored.sock
	python3 "$(dirname "$0")/xenstored_standin.py" "$XSOCK" &
	XS_PID=$!
	retry 100 test -S "$XSOCK" || bad "xenstored stand-in starts"
	xsw() { XENSTORED_PATH=$XSOCK xenstore-write "$@"; }
	xsr() { XENSTORED_PATH=$XSOCK xenstore-read "$1" 2>/dev/null; }
	xsrm() { XENSTORED_PATH=$XSOCK xenstore-rm "$@"; }
	loop_of() { losetup -n -O NAME -j "$1" | head -1; }
	loop_ro() { losetup -n -O RO "$1" | tr -d ' '; }
	hexdev() { printf '%x:%x' "0x$(stat -c %t "$1")" "0x$(stat -c %T "$1")"; }
	truncate -s 4M "$TMP/disk-a" "$TMP/disk-b" "$TMP/disk-c"
	V1=backend/vbd/5/51712 V2=backend/vbd/6/51712 V3=backend/vbd/7/51712
	V4=backend/vbd/8/51712 V5=backend/vbd/9/51712
	xsw $V1/params "$TMP/disk-a" $V1/mode w
	xsw $V2/params "$TMP/disk-b" $V2/mode r
	xsw $V3/params "$TMP/disk-a" $V3/mode r
	xsw $V5/params "$TMP/disk-c" $V5/mode x
	# A loop that is not xendevd's, over disk-c: must be left alone.
	OTHER_LOOP=$(losetup -f --show "$TMP/disk-c")
	export XENSTORED_PATH=$XSOCK
	start_xendevd
	unset XENSTORED_PATH
	check "vbd: a file (w) is completed at start-up" \
		retry 100 eval 'test "$(xsr $V1/hotplug-status)" = connected'
	L1=$(xsr $V1/physical-device-path)
	check "vbd: physical-device-path is the loop over the file ($L1)" \
		test -n "$L1" -a "$L1" = "$(loop_of "$TMP/disk-a")"
	check "vbd: physical-device is the loop's major:minor in hex" \
		test "$(xsr $V1/physical-device)" = "$(hexdev "$L1")"
	check "vbd: xendevd-loop names it" test "$(xsr $V1/xendevd-loop)" = "$L1"
	check "vbd: mode w gives a writable loop" test "$(loop_ro "$L1")" = 0
	L2=$(xsr $V2/physical-device-path)
	check "vbd: mode r gives a read-only loop" \
		eval 'test -n "$L2" && test "$(loop_ro "$L2")" = 1'
	check "vbd: sharing a written file is refused" \
		test "$(xsr $V3/hotplug-status)" = error
	check "vbd: ... with hotplug-error naming the user" \
		test "$(xsr $V3/hotplug-error)" = "$TMP/disk-a: in use by domain 5 (vbd 51712)"
	check "vbd: ... and no loop made for it" \
		test "$(losetup -n -O NAME -j "$TMP/disk-a" | wc -l)" = 1
	check "vbd: a bad mode is refused, naming the field" \
		test "$(xsr $V5/hotplug-error)" = "mode: 'x' is not r or w"
	# A block device (the read-only loop) shared by two readers.
	xsw $V4/params "$L2" $V4/mode r
	kill -HUP "$XPID"
	check "vbd: SIGHUP completes a new one; a block device is used as is" \
		retry 100 eval 'test "$(xsr $V4/hotplug-status)" = connected'
	check "vbd: ... its physical-device is the device's" \
		test "$(xsr $V4/physical-device)" = "$(hexdev "$L2")"
	check "vbd: ... no xendevd-loop for a block device" \
		test -z "$(xsr $V4/xendevd-loop)"
	# A restarted xendevd takes its loops back, and detaches them once
	# their backend is gone.
	kill -TERM "$XPID"
	wait "$XPID" || true
	XPID=
	check "vbd: loops stay attached when xendevd stops" \
		test -n "$(loop_of "$TMP/disk-a")"
	export XENSTORED_PATH=$XSOCK
	start_xendevd
	unset XENSTORED_PATH
	check "vbd: a restarted xendevd takes its loop back" \
		retry 100 log_has "$V1: $L1 taken back"
	xsrm $V1
	kill -HUP "$XPID"
	check "vbd: a loop whose backend is gone is detached" \
		retry 100 eval 'test -z "$(loop_of "$TMP/disk-a")"'
	check "vbd: ... and logged" log_has "$V1: backend gone; $L1 detached"
	check "vbd: someone else's loop is left alone" \
		test "$(losetup -n -O BACK-FILE "$OTHER_LOOP")" = "$TMP/disk-c"
	# Without xenstored: logged, not fatal, vifs still handled.
	kill "$XS_PID"
	wait "$XS_PID" 2>/dev/null || true
	XS_PID=
	# The first request finds the connection broken and drops it; the
	# next event tries to connect again and says it cannot.
	kill -HUP "$XPID"
	sleep 0.2
	kill -HUP "$XPID"
	check "vbd: xenstored gone: logged" \
		retry 100 log_has "backend/vbd: cannot reach xenstored"
	add_vif vif91.0
	check "vbd: xenstored gone: xendevd still attaches vifs" \
		test "$(wait_answer vif91.0 5000)" = "attached br0"
	check "vbd: xenstored gone: xendevd still runs" kill -0 "$XPID"
	kill -TERM "$XPID"
	rc=0
	wait "$XPID" || rc=$?
	XPID=
	check "vbd: SIGTERM: exit status 0 (got $rc)" test "$rc" -eq 0
	losetup -d "$OTHER_LOOP"
else
	echo "SKIP XenStore vbds: needs xenstore-utils, losetup and /dev/loop-control"
fi
check "no sanitizer or crash report in the log" \
	eval '! grep -qE "AddressSanitizer|runtime error|Segmentation" "$LOG"'

echo "xendevd-integration: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
