# noxs-netback-loopback: the vif backend with dom0 playing the guest
# (module parameter loopback=1; noxsctl netfe grants its rings through
# gntalloc and its event channel through evtchn). Bad create parameters are
# refused; vif0.N appears with MTU 1500, carrier off, XENDEVD_BRIDGE in its
# uevent, and xendevd puts it on br0; ARP requests from the fake guest get
# dom0's replies (both directions, statistics counted); a TX flood and an
# event flood leave dom0 responsive; a vif destroyed mid-transfer goes
# cleanly; twelve kinds of hostile frontend each
# close their vif (net device gone, one log line) while another vif keeps
# working; a vif created unconfigured gets its settings later, and only
# before its frontend starts; one made with its net device ahead is on
# br0 before it has them, keeps that bridge, and connects only once it
# has them; destroy removes every vif and leaks nothing.
# rig-timeout: 300

. /rig/extra/noxs-lib
mac=00:16:3e:00:00
vifstat() { cat /sys/class/net/$1/statistics/$2; }
# rig_wait_for runs a program, not a shell function.
gone="! test -e /sys/class/net/\$0"
on_br0="test \"\$(readlink /sys/class/net/\$0/master)\" != '' && readlink /sys/class/net/\$0/master | grep -q br0\$"

xd=""
cleanup() {
	[ -n "$xd" ] && kill $xd 2>/dev/null
	rmmod noxs 2>/dev/null
}
rmmod noxs 2>/dev/null
trap cleanup EXIT
dmesg_start=$(dmesg | wc -l)
insmod $ko loopback=1 || rig_fail "insmod noxs.ko loopback=1 failed"

ip link add br0 type bridge 2>/dev/null || brctl addbr br0 || rig_fail "cannot make br0"
ip addr add 10.9.0.1/24 dev br0 && ip link set br0 up || rig_fail "cannot set up br0"
xendevd -s /run/xendevd.sock --no-ovs > xendevd.log 2>&1 &
xd=$!

# Bad parameters: each refused with EINVAL, nothing left behind.
for bad in "01:00:5e:00:00:01" "00:00:00:00:00:00" \
	"$mac:02 ip=10.9.0.2 mask=255.0.255.0" "$mac:02 gw=10.9.0.1" \
	"$mac:02 bridge=bad/name" "$mac:02 bridge=0123456789abcdef" \
	"$mac:02 bridge=.."; do
	# shellcheck disable=SC2086
	out=$($ctl vif 0 0 $bad 2>&1) && rig_fail "vif '$bad' accepted"
	echo "$out" | grep -q EINVAL || rig_fail "vif '$bad': $out"
done
[ -e /sys/class/net/vif0.0 ] && rig_fail "a refused vif left vif0.0"
check_zero "after refused creates"

# Create: the net device, its settings, its uevent, xendevd's bridge.
$ctl vif 0 0 $mac:02 ip=10.9.0.2/24 gw=10.9.0.1 bridge=br0 || rig_fail "create vif0.0"
[ -d /sys/class/net/vif0.0 ] || rig_fail "no vif0.0 net device"
[ "$(cat /sys/class/net/vif0.0/mtu)" = 1500 ] || rig_fail "mtu $(cat /sys/class/net/vif0.0/mtu)"
cat /sys/class/net/vif0.0/uevent
grep -q "^XENDEVD_BRIDGE=br0$" /sys/class/net/vif0.0/uevent || rig_fail "no XENDEVD_BRIDGE in uevent"
rig_wait_for 10 sh -c "$on_br0" vif0.0 || { cat xendevd.log; rig_fail "xendevd did not put vif0.0 on br0"; }
cat xendevd.log
[ "$(cat /sys/class/net/vif0.0/carrier 2>/dev/null)" = 0 ] || rig_fail "carrier on before connect"

# Both directions: ARP requests in, dom0's replies out.
# (The frontend's buffers go when it exits: look while it holds on.)
$ctl netfe 0 ping 10.9.0.2 10.9.0.1 20 5 > ping.txt 2>&1 &
pf=$!
rig_wait_for 60 grep -q "arp_replies" ping.txt || { cat ping.txt; rig_fail "ping did not finish"; }
$ctl query 0 vif 0 | grep -q " be Connected fe Connected " || rig_fail "vif0.0: $($ctl query 0 vif 0)"
[ "$(cat /sys/class/net/vif0.0/carrier)" = 1 ] || rig_fail "no carrier once connected"
ip -s link show vif0.0 2>/dev/null || ip link show vif0.0
rx=$(vifstat vif0.0 rx_packets)
tx=$(vifstat vif0.0 tx_packets)
wait $pf
st=$?
cat ping.txt
[ $st = 0 ] || rig_fail "ping through vif0.0 failed"
rig_log "vif0.0 rx_packets $rx tx_packets $tx"
[ "$rx" -ge 20 ] || rig_fail "vif0.0 rx_packets $rx < 20"
[ "$tx" -ge 20 ] || rig_fail "vif0.0 tx_packets $tx < 20"
sed -n 's/.* rtt \([0-9]*\) us$/\1/p' ping.txt > rtt.txt
set -- $(rig_stats rtt.txt)
rig_metric noxs_netback_arp_rtt_median "$1" us

# Destroy: the net device goes (the frontend is gone: only the timeout).
$ctl destroy 0 vif 0 300 || rig_fail "destroy vif0.0"
[ -e /sys/class/net/vif0.0 ] && rig_fail "vif0.0 still there after destroy"
check_zero "after destroy"

# A frontend that floods the TX ring: dom0 keeps answering.
$ctl vif 0 1 $mac:03 bridge=br0 >/dev/null || rig_fail "create vif0.1"
t0=$(rig_now_us)
$ctl query 0 vif 1 || rig_fail "query before flood failed"
t1=$(rig_now_us)
rig_metric noxs_netback_query_idle $((t1 - t0)) us
# It stays connected 30 s after its flood: its vif's statistics go with
# the vif once it exits.
$ctl netfe 1 flood 5 30 > flood.txt 2>&1 &
fl=$!
sleep 2
t0=$(rig_now_us)
$ctl query 0 vif 1 || rig_fail "query during flood failed"
t1=$(rig_now_us)
rig_metric noxs_netback_query_during_flood $((t1 - t0)) us
rig_wait_for 30 grep -q "flood sent" flood.txt || { cat flood.txt; rig_fail "flood did not end"; }
kill -0 $fl 2>/dev/null || { wait $fl; cat flood.txt; rig_fail "flood frontend failed"; }
cat flood.txt
rx=$(vifstat vif0.1 rx_packets)
kill $fl
wait $fl
rig_metric noxs_netback_flood_frames_per_s $((rx / 5)) frames/s
[ "$rx" -ge 100 ] || rig_fail "flood: only $rx frames received"
# In loopback the fake guest's buffers are dom0's own grants. Its RX
# requests stay posted after it exits, and the freed grant references are
# soon reused, e.g. for the next vif's control page: a broadcast copied
# into such a stale request would land there. A real guest's references
# live in its own grant table, so only the test needs this: destroy vif0.1
# before any other vif is created.
$ctl destroy 0 vif 1 100 || rig_fail "destroy vif0.1"

# Destroyed mid-transfer: the flooding frontend is cut off cleanly.
$ctl vif 0 6 $mac:08 bridge=br0 >/dev/null || rig_fail "create vif0.6"
$ctl netfe 6 flood 20 > flood6.txt 2>&1 &
fl6=$!
rig_wait_for 10 sh -c "$ctl query 0 vif 6 | grep -q ' be Connected '" || rig_fail "vif0.6 did not connect"
sleep 1
t0=$(rig_now_us)
$ctl destroy 0 vif 6 500 || rig_fail "destroy vif0.6 mid-transfer"
t1=$(rig_now_us)
rig_metric noxs_netback_destroy_mid_transfer $((t1 - t0)) us
[ -e /sys/class/net/vif0.6 ] && rig_fail "vif0.6 still there"
wait $fl6 && rig_fail "the cut-off frontend did not notice"
tail -1 flood6.txt

# A flood of events that move nothing: still connected, dom0 fine.
$ctl vif 0 2 $mac:04 >/dev/null || rig_fail "create vif0.2"
$ctl netfe 2 evflood 50000 > ev.txt 2>&1 || { cat ev.txt; rig_fail "event flood"; }
cat ev.txt
# Its frontend is gone (with its grants): destroy it.
$ctl destroy 0 vif 2 100 || rig_fail "destroy vif0.2"
check_zero "after the floods"

# Hostile frontends: each closes its own vif; a good one (vif0.5) stays.
$ctl vif 0 5 $mac:07 ip=10.9.0.5/24 bridge=br0 >/dev/null || rig_fail "create vif0.5"
rig_wait_for 10 sh -c "$on_br0" vif0.5 || rig_fail "vif0.5 not on br0"
$ctl netfe 5 ping 10.9.0.5 10.9.0.1 3 200 > keep.txt 2>&1 &
keeper=$!
rig_wait_for 30 grep -q "arp_replies 3" keep.txt || { cat keep.txt; rig_fail "vif0.5 ping"; }
closed0=$(stat_of closed_by_error)
errs=""
for kind in ring-ref evtchn split features tx-prod rx-prod tx-gref rx-gref \
	tx-offset tx-flags changed be-field; do
	$ctl vif 0 3 $mac:05 bridge=br0 >/dev/null || rig_fail "create for $kind"
	rig_wait_for 10 sh -c "$on_br0" vif0.3 || rig_fail "$kind: vif0.3 not on br0"
	$ctl netfe 3 hostile $kind > h.txt 2>&1 || { cat h.txt; rig_fail "hostile $kind: not closed"; }
	cat h.txt
	q=$($ctl query 0 vif 3)
	echo "$q" | grep -q " be Closed " || rig_fail "hostile $kind: $q"
	err=$(echo "$q" | sed -n 's/.* error \([0-9]*\) .*/\1/p')
	[ "$err" != 0 ] || rig_fail "hostile $kind: no error code"
	errs="$errs $kind=$err"
	rig_wait_for 5 sh -c "$gone" vif0.3 || rig_fail "hostile $kind: vif0.3 still there"
	$ctl destroy 0 vif 3 100 || rig_fail "destroy after $kind"
done
rig_log "errors:$errs"
[ $(($(stat_of closed_by_error) - closed0)) = 12 ] || rig_fail "closed_by_error: $($ctl stats)"
$ctl query 0 vif 5 | grep -q " be Connected fe Connected " || rig_fail "vif0.5 hurt: $($ctl query 0 vif 5)"
[ "$(cat /sys/class/net/vif0.5/carrier)" = 1 ] || rig_fail "vif0.5 lost its carrier"

# Another vif still carries traffic after all that.
$ctl vif 0 4 $mac:06 ip=10.9.0.6/24 bridge=br0 >/dev/null || rig_fail "create vif0.4"
rig_wait_for 10 sh -c "$on_br0" vif0.4 || rig_fail "vif0.4 not on br0"
$ctl netfe 4 ping 10.9.0.6 10.9.0.1 5 > ping4.txt 2>&1 || { cat ping4.txt; rig_fail "ping after hostiles"; }
tail -1 ping4.txt

# A pooled shell's vif: created without settings (and without a net
# device), given them later; once its frontend started they are fixed.
$ctl vif 0 7 unconfigured >/dev/null || rig_fail "create unconfigured vif0.7"
[ -e /sys/class/net/vif0.7 ] && rig_fail "unconfigured vif0.7 has a net device"
out=$($ctl vif-config 0 7 01:00:5e:00:00:01 2>&1) && rig_fail "vif-config: multicast MAC accepted"
echo "$out" | grep -q EINVAL || rig_fail "vif-config bad MAC: $out"
$ctl vif-config 0 7 $mac:09 ip=10.9.0.7/24 bridge=br0 || rig_fail "vif-config vif0.7"
grep -q "^XENDEVD_BRIDGE=br0$" /sys/class/net/vif0.7/uevent || rig_fail "vif0.7: no bridge in its uevent"
out=$($ctl vif-config 0 7 $mac:0a 2>&1) && rig_fail "second vif-config accepted"
echo "$out" | grep -q EALREADY || rig_fail "second vif-config: $out"
rig_wait_for 10 sh -c "$on_br0" vif0.7 || rig_fail "vif0.7 not on br0"
$ctl netfe 7 ping 10.9.0.7 10.9.0.1 5 > ping7.txt 2>&1 || { cat ping7.txt; rig_fail "ping through the configured vif0.7"; }
grep -q "mac $mac:09" ping7.txt || { cat ping7.txt; rig_fail "vif0.7's frontend did not read the configured MAC"; }
$ctl destroy 0 vif 7 100 || rig_fail "destroy vif0.7"
$ctl vif 0 8 unconfigured >/dev/null || rig_fail "create unconfigured vif0.8"
$ctl netfe 8 ping 10.9.0.8 10.9.0.1 1 > ping8.txt 2>&1 && rig_fail "unconfigured vif0.8 connected"
out=$($ctl vif-config 0 8 $mac:0b 2>&1) && rig_fail "vif-config after the frontend started accepted"
echo "$out" | grep -q EBUSY || rig_fail "vif-config after start: $out"
[ -e /sys/class/net/vif0.8 ] && rig_fail "refused vif-config left vif0.8"
out=$($ctl vif-config 0 9 $mac:0c 2>&1) && rig_fail "vif-config of a missing vif accepted"
echo "$out" | grep -q ENOENT || rig_fail "vif-config missing: $out"

# A net device made ahead: on br0 before the settings come, carrier off;
# the settings keep its bridge; its frontend connects only once they came.
$ctl vif 0 10 ahead br0 >/dev/null || rig_fail "create vif0.10 ahead"
rig_wait_for 10 sh -c "$on_br0" vif0.10 || rig_fail "vif0.10, made ahead, not on br0"
[ "$(cat /sys/class/net/vif0.10/carrier)" = 0 ] || rig_fail "vif0.10 has a carrier before its settings"
out=$($ctl vif-config 0 10 $mac:0d bridge=br9 2>&1) && rig_fail "vif-config onto another bridge accepted"
echo "$out" | grep -q EXDEV || rig_fail "vif-config onto another bridge: $out"
$ctl vif-config 0 10 $mac:0d ip=10.9.0.10/24 bridge=br0 || rig_fail "vif-config vif0.10"
out=$($ctl vif-config 0 10 $mac:0d bridge=br0 2>&1) && rig_fail "second vif-config of vif0.10 accepted"
echo "$out" | grep -q EALREADY || rig_fail "second vif-config of vif0.10: $out"
$ctl netfe 10 ping 10.9.0.10 10.9.0.1 5 > ping10.txt 2>&1 || { cat ping10.txt; rig_fail "ping through vif0.10, made ahead"; }
grep -q "mac $mac:0d" ping10.txt || { cat ping10.txt; rig_fail "vif0.10's frontend did not read the configured MAC"; }
$ctl destroy 0 vif 10 100 || rig_fail "destroy vif0.10"
rig_wait_for 10 sh -c "$gone" vif0.10 || rig_fail "vif0.10 left after destroy"
$ctl vif 0 11 ahead br0 >/dev/null || rig_fail "create vif0.11 ahead"
$ctl netfe 11 ping 10.9.0.11 10.9.0.1 1 > ping11.txt 2>&1 && rig_fail "vif0.11 connected before its settings"
[ "$(cat /sys/class/net/vif0.11/carrier)" = 0 ] || rig_fail "vif0.11 got a carrier without settings"
out=$($ctl vif-config 0 11 $mac:0e bridge=br0 2>&1) && rig_fail "vif-config of vif0.11 after its frontend started accepted"
echo "$out" | grep -q EBUSY || rig_fail "vif-config of vif0.11 after start: $out"

# Destroying the domain removes every vif (vif0.5 with its frontend on).
$ctl destroy-all 0 300 || rig_fail "destroy-all"
kill $keeper 2>/dev/null
wait $keeper
ls /sys/class/net
ls /sys/class/net | grep -q '^vif' && rig_fail "vif left after destroy-all"
check_zero "after destroy-all"

kill $xd 2>/dev/null
xd=""
rmmod noxs || rig_fail "rmmod failed"
dmesg | tail -n +$((dmesg_start + 1)) > dmesg.txt
grep -E "noxs|vif0" dmesg.txt | tail -40
grep -q "vif0.3: .*closing" dmesg.txt || rig_fail "no log line for a hostile frontend"
grep -E "BUG|Oops|WARNING|Call Trace" dmesg.txt && rig_fail "kernel complained"
rig_pass "params checked, vif0.0 on br0 via uevent, 20 ARP round trips, flood, destroy mid-transfer and event flood survived, 12 hostile kinds closed, destroy-all clean"
