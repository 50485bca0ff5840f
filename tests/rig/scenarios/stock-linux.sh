# stock-linux: one stock Linux guest (Debian's kernel, its own xen-netfront
# and xen-blkfront) with a vif on br0, a file-backed ext2 disk
# and a read-only block-device disk, served through XenStore by dom0's
# netback and blkback, with xendevd doing what Xen's vif-bridge and block
# scripts do. chaos and xl each run it from the same xl.cfg in this boot
# (xl with its own hotplug scripts, as xl users run it): the guest mounts
# the first disk, reads and increments a counter on it (each run finds the
# last one's), and answers ping on br0. chaos block-list, network-list and
# list -l show its devices. Then through chaosd: created, rebooted (a new
# domain, its disk and vif again) and powered off through
# control/shutdown. Nothing is left behind (no domain, no XenStore entry,
# no loop device). Ratios xl over chaos: create to ping, destroy.
# rig-timeout: 1500
# rig-boot: alone

rig_start_xenstore
modprobe xen-blkback || rig_fail "modprobe xen-blkback failed"
modprobe loop || rig_fail "modprobe loop failed"
ip link add br0 type bridge || rig_fail "cannot make br0"
ip addr add 10.13.0.1/24 dev br0 && ip link set br0 up ||
	rig_fail "cannot set up br0"
xendevd --no-ovs > xendevd.log 2>&1 &
xd=$!
trap 'kill $xd 2>/dev/null; losetup -d "$rodev" 2>/dev/null; rig_stop_xenstore' EXIT
rig_wait_for 10 test -S /run/xendevd.sock ||
	{ cat xendevd.log; rig_fail "xendevd did not start"; }
# xl runs Debian's vif-bridge and block scripts itself, as on any Xen
# host (xendevd leaves backends that name a script alone); they need the
# real ip, losetup and stat (tests/rig/mkbase).
xl_tools="env PATH=/usr/lib/rig-xl-tools:$PATH"

disk=$PWD/stock-disk.img
dd if=/dev/zero of="$disk" bs=1M count=8 2>/dev/null && mke2fs -F "$disk" > /dev/null ||
	rig_fail "cannot make the ext2 disk image"
# A second disk, read-only, on a block device (a loop device made here,
# standing for a partition or an LV).
dd if=/dev/zero of=ro.img bs=1M count=2 2>/dev/null
rodev=$(losetup -f) && losetup "$rodev" ro.img || rig_fail "cannot make a loop device for the block-backed disk"
cat > stock.cfg <<CFG
name = "stock"
type = "pv"
kernel = "/rig/guests/vmlinuz"
ramdisk = "/rig/guests/stock-initrd.gz"
extra = "console=hvc0 stock.ip=10.13.0.2/24"
memory = 128
vcpus = 1
on_poweroff = "destroy"
vif = [ 'mac=00:16:3e:13:00:02,bridge=br0' ]
disk = [ 'format=raw, vdev=xvda, access=rw, target=$disk',
         'format=raw, vdev=xvdb, access=ro, target=$rodev' ]
CFG

# diag: what the backends and xendevd did, for a failure.
diag() {
	echo "--- xendevd.log"; tail -n 40 xendevd.log
	echo "--- xen-backend devices"; ls /sys/bus/xen-backend/devices 2>&1
	echo "--- links"; ip -o link | cut -c1-120
	echo "--- backends"; xenstore-ls -f /local/domain/0/backend 2>&1 | head -n 60
	echo "--- dmesg"; dmesg | tail -n 30
}

# leftovers WHO DOMID: nothing of domain DOMID may remain.
leftovers() {
	[ "$(rig-domains count)" = 0 ] || rig_fail "$1: a domain was left behind"
	xenstore-exists "/local/domain/$2" && rig_fail "$1: /local/domain/$2 left behind"
	xenstore-exists "/local/domain/0/backend/vbd/$2" &&
		rig_fail "$1: its vbd backend was left behind"
	xenstore-exists "/local/domain/0/backend/vif/$2" &&
		rig_fail "$1: its vif backend was left behind"
	# The image's loop device goes once blkback lets go of it (the one
	# standing for xvdb's block device is the scenario's own).
	rig_wait_for 10 sh -c '! grep -qs stock-disk.img /sys/block/loop*/loop/backing_file' ||
		rig_fail "$1: a loop device is still attached: $(cat /sys/block/loop*/loop/backing_file)"
	return 0
}

# until_ping: until the guest answers on br0 (at most 60 s; its network
# is up by then: the caller waited for STOCK-NET).
until_ping() {
	rig_wait_for 60 ping -c 1 -W 1 10.13.0.2 > /dev/null
}

# --- chaos ---
t0=$(rig_now_us)
chaos create stock.cfg || { diag; rig_fail "chaos create stock.cfg failed"; }
domid=$(chaos list | awk '$1 == "stock" {print $2}')
chaos console stock --no-input --until 'STOCK-NET' --timeout 600 > chaos.console ||
	{ tail -n 30 chaos.console; diag; rig_fail "chaos: no STOCK-NET"; }
until_ping || { diag; rig_fail "chaos: the guest does not answer ping"; }
t1=$(rig_now_us)
chaos_ping_ms=$(( (t1 - t0) / 1000 ))
rig_file chaos.console < chaos.console
grep -q 'STOCK-DISK 0' chaos.console && grep -q 'STOCK-DISK-WROTE 1' chaos.console ||
	{ tail -n 30 chaos.console; rig_fail "chaos: the guest did not read 0 and write 1 on its disk"; }
grep -q 'STOCK-NET 10.13.0.2/24' chaos.console || rig_fail "chaos: no STOCK-NET"
chaos block-list stock > block.txt || rig_fail "chaos block-list failed"
cat block.txt
grep -q "^xvdb .* r .*$rodev .*Connected *Connected .*$rodev" block.txt ||
	rig_fail "block-list does not show xvdb connected, read-only, on $rodev"
grep -q "^xvda .* w .*/dev/loop.* Connected *Connected .*stock-disk.img" block.txt ||
	rig_fail "block-list does not show xvda connected on a loop device"
chaos network-list stock > net.txt || rig_fail "chaos network-list failed"
cat net.txt
grep -q "vif$domid.0 .*00:16:3e:13:00:02 .*br0 .*connected *connected" net.txt ||
	rig_fail "network-list does not show the connected vif on br0"
[ -e "/sys/class/net/br0/brif/vif$domid.0" ] || rig_fail "vif$domid.0 is not on br0"
chaos list -l > list.txt || rig_fail "chaos list -l failed"
cat list.txt
grep -q "^ *vif  *0  xenstore  vif$domid.0 on br0  be connected  fe connected" list.txt &&
	grep -q "^ *vbd  *51712  xenstore  xvda on /dev/loop[0-9]* (w)  be connected  fe connected" list.txt ||
	rig_fail "chaos list -l does not show the guest's vif and vbd"
chaos_destroy_us=$(rig_time_us chaos destroy stock)
leftovers "chaos destroy" "$domid"

# --- xl, the same xl.cfg ---
t0=$(rig_now_us)
$xl_tools xl create stock.cfg > xl-create.log 2>&1 || { cat xl-create.log; rig_fail "xl create stock.cfg failed"; }
rig_wait_for 600 grep -q 'STOCK-NET' /var/log/xen/console/guest-stock.log ||
	{ tail -n 30 /var/log/xen/console/guest-stock.log; diag; rig_fail "xl: no STOCK-NET"; }
until_ping || { diag; rig_fail "xl: the guest does not answer ping"; }
t1=$(rig_now_us)
xl_ping_ms=$(( (t1 - t0) / 1000 ))
xdomid=$($xl_tools xl domid stock)
rig_wait_for 60 grep -q 'STOCK-DISK-WROTE' /var/log/xen/console/guest-stock.log ||
	rig_fail "xl: no STOCK-DISK-WROTE"
grep -q 'STOCK-DISK 1' /var/log/xen/console/guest-stock.log ||
	{ tail -n 30 /var/log/xen/console/guest-stock.log; rig_fail "xl: the guest did not find chaos's writes on the disk"; }
xl_destroy_us=$(rig_time_us $xl_tools xl destroy stock)
leftovers "xl destroy" "$xdomid"

# Once more, through chaosd (xenstored holds VIRQ_DOM_EXC, as beside xl):
# a XenStore guest is built in full, never in a pooled shell; it finds
# xl's write, survives a reboot (on_reboot restart: a new domain from the
# same config, disk and vif again), and powers off through control/shutdown
# (on_poweroff destroys it).
chaosd -f > chaosd.log 2>&1 &
cd_pid=$!
trap 'kill $xd $cd_pid 2>/dev/null; losetup -d "$rodev" 2>/dev/null; rig_stop_xenstore' EXIT
rig_wait_for 20 chaos pool > /dev/null 2>&1 || { cat chaosd.log; rig_fail "chaosd did not come up"; }
chaos create --timing stock.cfg > create2.out 2>&1 ||
	{ cat create2.out; tail -n 20 chaosd.log; rig_fail "chaos create stock.cfg through chaosd failed"; }
grep -q 'via=chaosd' create2.out || rig_fail "the create did not go through chaosd: $(cat create2.out)"
domid=$(chaos list | awk '$1 == "stock" {print $2}')
chaos console stock --no-input --until 'STOCK-NET' --timeout 600 > chaos2.console ||
	{ tail -n 30 chaos2.console; rig_fail "chaosd: no STOCK-NET"; }
grep -q 'STOCK-DISK 2' chaos2.console ||
	{ tail -n 30 chaos2.console; rig_fail "chaosd: the guest did not find xl's write on the disk"; }
# block-list through chaosd now: the same disk, connected.
chaos block-list stock > block2.txt || rig_fail "chaos block-list through chaosd failed"
grep -q "^xvda .* w .*/dev/loop.* Connected *Connected .*stock-disk.img" block2.txt ||
	rig_fail "block-list through chaosd: $(cat block2.txt)"
chaos reboot stock --timeout 120 || { tail -n 20 chaosd.log; rig_fail "chaos reboot stock failed"; }
rig_wait_for 30 sh -c "chaos list | awk '\$1 == \"stock\" && \$2 != $domid {f = 1} END {exit !f}'" ||
	rig_fail "the rebooted guest is not back as a new domain"
rdomid=$(chaos list | awk '$1 == "stock" {print $2}')
chaos console stock --no-input --until 'STOCK-NET' --timeout 600 > chaos3.console ||
	{ tail -n 30 chaos3.console; rig_fail "after the reboot: no STOCK-NET"; }
grep -q 'STOCK-DISK 3' chaos3.console ||
	{ tail -n 30 chaos3.console; rig_fail "after the reboot: the disk does not hold the count before it"; }
until_ping || rig_fail "after the reboot: no ping"
xenstore-exists "/local/domain/$domid" && rig_fail "the domain before the reboot left its XenStore entries"
chaos_shutdown_us=$(rig_time_us chaos shutdown stock --timeout 120)
leftovers "chaos shutdown" "$rdomid"
kill $cd_pid
wait $cd_pid 2>/dev/null

rig_log "create to ping: chaos $chaos_ping_ms ms, xl $xl_ping_ms ms"
rig_log "destroy: chaos $chaos_destroy_us us, xl $xl_destroy_us us; chaos shutdown $chaos_shutdown_us us"
rig_metric stock_create_to_ping_chaos_ms "$chaos_ping_ms" ms
rig_metric stock_create_to_ping_xl_ms "$xl_ping_ms" ms
rig_metric stock_create_to_ping_xl_over_chaos \
	"$(awk -v a="$xl_ping_ms" -v b="$chaos_ping_ms" 'BEGIN {printf "%.2f", a / b}')" x
rig_metric stock_destroy_xl_over_chaos \
	"$(awk -v a="$xl_destroy_us" -v b="$chaos_destroy_us" 'BEGIN {printf "%.2f", a / b}')" x
rig_pass "a stock Linux guest with a vif and a disk ran under chaos and xl from one xl.cfg"
