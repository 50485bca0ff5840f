# noxs-bind-fail (audit finding 14): when Linux refuses the irq of a noxs
# event channel, noxs.ko must not close a port that is no longer its own.
# Linux's bind_evtchn_to_irqhandler_lateeoi() closes the port itself when
# request_irq() fails, and Xen hands the freed number to the next dom0
# user at once. The test module noxs_faultinj.ko makes one bind fail (by
# name) and, before noxs.ko's error path runs, takes that port for another
# domain, as the next user would. The squatter's port must come out still
# unbound, for both binds of the module: a device's control channel and a
# vif's data channel (which fails when the frontend connects). Each failed
# create or connect leaves no device, grant, port or irq, and the vif then
# works once the failure is gone. Runs in loopback mode (dom0 plays the
# guest).
# rig-timeout: 180

. /rig/extra/noxs-lib
fi_ko=/rig/modules/noxs_faultinj.ko
fi=/sys/module/noxs_faultinj/parameters
mac=00:16:3e:00:0e
cleanup() {
	rmmod noxs 2>/dev/null
	rmmod noxs_faultinj 2>/dev/null
}
cleanup
trap cleanup EXIT
dmesg_start=$(dmesg | wc -l)
insmod $ko loopback=1 || rig_fail "insmod noxs.ko loopback=1 failed"
insmod $fi_ko || rig_fail "insmod noxs_faultinj.ko failed (kprobes?)"

# check_squatter WHAT: the injected failure happened, the squatter got the
# very port that failed, and noxs.ko left it alone.
check_squatter() {
	failed=$(cat $fi/failed_port)
	squat=$(cat $fi/squat_port)
	status=$(cat $fi/squat_status)
	rig_log "$1: bind of port $failed failed; squatter holds port $squat: $status"
	[ "$failed" -ge 0 ] || rig_fail "$1: no bind failed (injection missed)"
	# Otherwise the test proves nothing: the freed port went elsewhere.
	[ "$squat" = "$failed" ] || rig_fail "$1: squatter got port $squat, not the freed $failed"
	[ "$status" = unbound ] || rig_fail "finding 14: $1: noxs.ko closed port $squat, which another dom0 user held ($status)"
	echo 1 > $fi/release
	[ "$(cat $fi/squat_status)" = none ] || rig_fail "$1: squatter not released"
}

# A device's control channel: the create fails, and leaves nothing.
echo noxs-0-vif0 > $fi/fail_name
out=$($ctl vif 0 0 $mac:02 2>&1) && rig_fail "vif create succeeded despite its failed bind"
echo "$out"
[ -z "$(cat $fi/fail_name)" ] || rig_fail "the armed failure was not used"
check_squatter "control channel"
[ -e /sys/class/net/vif0.0 ] && rig_fail "a failed create left vif0.0"
check_zero "after the failed create"

# A vif's data channel: the connect fails (dom0 out of resources), the
# device stays, closed, and a new vif then connects.
$ctl vif 0 0 $mac:02 || rig_fail "create vif0.0"
echo noxs-0-vif0-data > $fi/fail_name
$ctl netfe 0 evflood 10 > netfe.txt 2>&1 && { cat netfe.txt; rig_fail "vif0.0 connected despite its failed bind"; }
cat netfe.txt
[ -z "$(cat $fi/fail_name)" ] || rig_fail "the armed data-channel failure was not used"
check_squatter "data channel"
q=$($ctl query 0 vif 0) || rig_fail "query vif0.0"
echo "$q"
echo "$q" | grep -q " be Closed " || rig_fail "vif0.0 after a failed connect: $q"
$ctl destroy 0 vif 0 300 || rig_fail "destroy vif0.0"
check_zero "after the failed connect"

# With no failure armed, the same vif connects and carries frames.
$ctl vif 0 1 $mac:03 || rig_fail "create vif0.1"
$ctl netfe 1 evflood 10 > netfe1.txt 2>&1 || { cat netfe1.txt; rig_fail "vif0.1 did not connect"; }
grep -q "connected" netfe1.txt || { cat netfe1.txt; rig_fail "vif0.1: no connect"; }
$ctl destroy 0 vif 1 300 || rig_fail "destroy vif0.1"
check_zero "after the working vif"

rmmod noxs_faultinj || rig_fail "rmmod noxs_faultinj failed"
rmmod noxs || rig_fail "rmmod noxs failed"
dmesg | tail -n +$((dmesg_start + 1)) > dmesg.txt
grep -E "noxs" dmesg.txt | tail -20
grep -E "BUG|Oops|WARNING|Call Trace" dmesg.txt && rig_fail "kernel complained"
rig_pass "a failed bind of a control channel and of a data channel each left the freed port to the dom0 user who took it, and nothing behind"
