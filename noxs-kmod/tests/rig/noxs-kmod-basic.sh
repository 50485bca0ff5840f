# noxs-kmod-basic: the noxs module loads, creates, lists, queries and
# destroys power devices for a paused xl guest, refuses malformed requests
# and non-root callers, times out power requests to a guest that never
# connects, leaks nothing over 200 create/destroy cycles, and unloads
# cleanly while devices exist.
# rig-timeout: 240

. /rig/extra/noxs-lib
[ -e $ko ] || rig_fail "$ko missing"

# Start from an unloaded module and leave none behind, pass or fail.
rmmod noxs 2>/dev/null
trap 'rmmod noxs 2>/dev/null' EXIT
dmesg_start=$(dmesg | wc -l)
insmod $ko || rig_fail "insmod noxs.ko failed"
[ -c /dev/noxs ] || rig_fail "/dev/noxs missing"
mode=$(ls -l /dev/noxs | cut -c1-10)
[ "$mode" = "crw-------" ] || rig_fail "/dev/noxs mode $mode"
$ctl version || rig_fail "version ioctl failed"

rig_start_xenstore
cat > guest.cfg <<CFG
name = "kmodguest"
type = "pv"
kernel = "/rig/guests/vmlinuz"
ramdisk = "/rig/guests/tiny-initrd.gz"
extra = "console=hvc0 tiny.stay"
memory = 128
CFG
xl create -p guest.cfg || rig_fail "xl create -p failed"
dom=$(xl domid kmodguest) || rig_fail "no domid for kmodguest"
rig_log "paused guest is domain $dom"

# Malformed requests: every one refused with the right errno.
$ctl badargs "$dom" > badargs.txt 2>&1
rc=$?
cat badargs.txt
[ $rc -eq 0 ] || rig_fail "badargs: $(grep -c WRONG badargs.txt) wrong answers"
check_zero "after badargs"

# Two devices, listed and queried.
$ctl create "$dom" power 0 > c0.txt || rig_fail "create power/0 failed"
$ctl create "$dom" power 1 > c1.txt || rig_fail "create power/1 failed"
cat c0.txt c1.txt
$ctl create "$dom" power 1 2> dup.txt && rig_fail "duplicate create succeeded"
grep -q EEXIST dup.txt || rig_fail "duplicate create: $(cat dup.txt)"
$ctl list "$dom" > list.txt || rig_fail "list failed"
cat list.txt
[ "$(grep -c "^dom $dom type power devid [01] be InitWait fe Unknown" list.txt)" = 2 ] ||
	rig_fail "list does not show both devices in InitWait"
set -- $(cat c0.txt)
$ctl query "$dom" power 0 > q0.txt || rig_fail "query failed"
cat q0.txt
grep -q "grant $2 evtchn $4 " q0.txt || rig_fail "query disagrees with create ($(cat c0.txt))"
[ "$(stat_of devices)" = 2 ] && [ "$(stat_of grants)" = 2 ] &&
	[ "$(stat_of ports)" = 2 ] && [ "$(stat_of irqs)" = 2 ] ||
	rig_fail "stats do not show 2 devices: $($ctl stats)"
grep -q "noxs-$dom-power0" /proc/interrupts || rig_fail "no irq noxs-$dom-power0"

# A guest that never connects: -ENOTCONN, on time (noxsctl times the
# ioctl itself: starting a process under emulation is slow and uneven).
$ctl power "$dom" 0 poweroff 700 2> p.txt && rig_fail "power to a paused guest succeeded"
cat p.txt
grep -q ENOTCONN p.txt || rig_fail "power: want ENOTCONN, got $(cat p.txt)"
ms=$(sed -n 's/.* after \([0-9]*\) ms$/\1/p' p.txt)
rig_metric noxs_power_notconn_700ms "$ms" ms
[ "$ms" -ge 690 ] && [ "$ms" -lt 1200 ] || rig_fail "power timeout took $ms ms, asked 700"
# One request at a time per device.
$ctl power "$dom" 0 reboot 1500 2>/dev/null &
bg=$!
sleep 0.3
$ctl power "$dom" 0 reboot 100 2> busy.txt
wait $bg
grep -q EBUSY busy.txt || rig_fail "second concurrent request: $(cat busy.txt)"

# Destroy: never connected, so no wait; twice is ENOENT.
t0=$(rig_now_us)
$ctl destroy "$dom" power 0 || rig_fail "destroy power/0 failed"
t1=$(rig_now_us)
rig_metric noxs_destroy_unconnected $(( t1 - t0 )) us
$ctl destroy "$dom" power 0 2> d2.txt && rig_fail "second destroy succeeded"
grep -q ENOENT d2.txt || rig_fail "second destroy: $(cat d2.txt)"
$ctl destroy-all "$dom" | grep -q "destroyed 1" || rig_fail "destroy-all did not take power/1"
check_zero "after destroy"
grep -q "noxs-$dom-power" /proc/interrupts && rig_fail "irq left in /proc/interrupts"

# 200 create/destroy cycles leak nothing.
t0=$(rig_now_us)
$ctl cycle "$dom" 200 || rig_fail "cycle failed"
t1=$(rig_now_us)
rig_metric noxs_create_destroy_cycle $(( (t1 - t0) / 200 )) us
check_zero "after 200 cycles"
$ctl stats | grep -q "created 203 destroyed 203" || rig_fail "counters: $($ctl stats)"

# Only root: the node is 0600; opened up, the ioctls still say no.
su -s /bin/sh nobody -c "$ctl stats" 2> nr1.txt && rig_fail "nobody opened /dev/noxs"
cat nr1.txt
chmod 666 /dev/noxs
su -s /bin/sh nobody -c "$ctl stats" 2> nr2.txt && rig_fail "nobody used /dev/noxs"
cat nr2.txt
chmod 600 /dev/noxs
grep -q EPERM nr2.txt || rig_fail "non-root open of a 0666 node: $(cat nr2.txt)"

# Unload with devices: refused while a caller holds the device open,
# then releases everything.
for i in 0 1 2; do $ctl create "$dom" power $i >/dev/null || rig_fail "create $i"; done
$ctl power "$dom" 0 suspend 2000 2>/dev/null &
bg=$!
sleep 0.3
rmmod noxs 2> rm1.txt && rig_fail "rmmod succeeded with /dev/noxs open"
cat rm1.txt
wait $bg
rmmod noxs || rig_fail "rmmod with 3 idle devices failed"
dmesg | grep "noxs: unload: releasing 3 devices" || rig_fail "unload did not release the devices"
[ -e /dev/noxs ] && rig_fail "/dev/noxs still there after rmmod"
insmod $ko || rig_fail "reload failed"
check_zero "after reload"
rmmod noxs || rig_fail "final rmmod failed"
xl destroy kmodguest
dmesg | tail -n +$((dmesg_start + 1)) > dmesg.txt
grep -E "BUG|Oops|WARNING|Call Trace" dmesg.txt && rig_fail "kernel complained"
rig_pass "create/list/query/destroy, ENOTCONN in ${ms} ms, 200 cycles clean, root only, unload clean"
