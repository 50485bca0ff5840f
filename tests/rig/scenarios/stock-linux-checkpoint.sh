# stock-linux-checkpoint: the stock Linux guest of stock-linux (Debian's
# kernel, a vif on br0 and a file-backed ext2 disk, served through
# XenStore) goes through every checkpoint chaos has, through chaosd: a
# reboot, a save and restore, a migration to the same host and a live
# one. Its initramfs ticks a counter on its disk every 2 s (mounted,
# read, incremented, unmounted, caches dropped), so after each step the
# guest must tick on from where the disk was, and answer ping, in a new
# domain. Then the same guest under xl, with the same xl.cfg: save,
# restore and migration to the same host. Nothing is left behind.
# Each tick also runs a 32-bit program through the kernel's fast system
# call entry (its callback is the hypervisor's to keep: a checkpoint must
# carry it), and from boot on a program holds patterns in the AVX
# registers (the vCPU's XSAVE state and XCR0 must travel too): hence an
# emulated CPU with AVX, and Xen switching the FPU eagerly: with its lazy
# switching (its default on this AMD-like CPU) the holder's registers
# changed within seconds of the guest's boot, before any checkpoint (the
# emulator seems not to raise #NM for AVX instructions; on bare QEMU
# without Xen they hold).
# Ratios xl over chaos: save, restore, migration.
# rig-timeout: 1500
# rig-boot: alone
# rig-cpu: qemu64,+xsave,+xsaveopt,+avx
# rig-xen: spec-ctrl=eager-fpu

. /rig/extra/stock-lib
stock_host_up loop
ip link add br0 type bridge || rig_fail "cannot make br0"
ip addr add 10.13.0.1/24 dev br0 && ip link set br0 up ||
	rig_fail "cannot set up br0"
trap 'kill $xd $cd_pid 2>/dev/null; rig_stop_xenstore' EXIT
xl_tools="env PATH=/usr/lib/rig-xl-tools:$PATH"

disk=$PWD/stock-disk.img
dd if=/dev/zero of="$disk" bs=1M count=8 2>/dev/null && mke2fs -F "$disk" > /dev/null ||
	rig_fail "cannot make the ext2 disk image"
cat > stock.cfg <<CFG
name = "stock"
type = "pv"
kernel = "/rig/guests/vmlinuz"
ramdisk = "/rig/guests/stock-initrd.gz"
extra = "console=hvc0 stock.ip=10.13.0.2/24 stock.tick=2"
memory = 128
vcpus = 1
on_poweroff = "destroy"
vif = [ 'mac=00:16:3e:13:00:02,bridge=br0' ]
disk = [ 'format=raw, vdev=xvda, access=rw, target=$disk' ]
CFG

diag() {
	echo "--- xendevd.log"; tail -n 40 xendevd.log
	echo "--- chaosd.log"; tail -n 40 chaosd.log
	echo "--- backends"; xenstore-ls -f /local/domain/0/backend 2>&1 | head -n 60
	echo "--- guests"; chaos list -l 2>&1
	echo "--- guest console"; tail -n 30 "$log" 2>/dev/null
	for f in /var/log/chaos/domain-*.log; do
		[ -e "$f" ] && { echo "--- $f"; tail -n 10 "$f"; }
	done
	echo "--- dmesg"; dmesg | tail -n 30
}

# leftovers WHO DOMID: nothing of domain DOMID may remain.
leftovers() {
	xenstore-exists "/local/domain/$2" && rig_fail "$1: /local/domain/$2 left behind"
	xenstore-exists "/local/domain/0/backend/vbd/$2" &&
		rig_fail "$1: its vbd backend was left behind"
	xenstore-exists "/local/domain/0/backend/vif/$2" &&
		rig_fail "$1: its vif backend was left behind"
	return 0
}

last_tick() { stock_max_tick "$log"; }

# ticks_on WHAT BEFORE: the guest ticks at least twice past BEFORE (one
# may have come before its suspend; the next is the new domain's), reading
# back the count it left on the disk, and answers ping.
ticks_on() {
	want=$(($2 + 2))
	rig_wait_for 90 sh -c ". /rig/extra/stock-lib; [ \$(stock_max_tick '$log') -ge $want ]" ||
		{ diag; rig_fail "$1: the guest did not tick on its disk to $want"; }
	grep -q 'STOCK-TICK-FAIL' "$log" && { diag; rig_fail "$1: $(grep STOCK-TICK-FAIL "$log" | head -n 1)"; }
	grep -q 'STOCK-AVX-FAIL' "$log" && { diag; rig_fail "$1: $(grep STOCK-AVX-FAIL "$log" | head -n 1)"; }
	rig_wait_for 30 ping -c 1 -W 1 10.13.0.2 > /dev/null ||
		{ diag; rig_fail "$1: the guest does not answer ping"; }
	rig_log "$1: ticked on to $want, answers ping"
}

domid_of() { chaos list | awk -v n="$1" '$1 == n {print $2}'; }

# moved WHAT OLD: the guest is back under its name in a new domain, the
# old one and its entries gone.
moved() {
	new=$(domid_of stock)
	[ -n "$new" ] && [ "$new" != "$2" ] || rig_fail "$1: stock is not in a new domain (was $2, now '$new')"
	[ "$(rig-domains count)" = 1 ] || rig_fail "$1: $(rig-domains count) domains, the guest's only expected"
	leftovers "$1" "$2"
	[ -e "/sys/class/net/br0/brif/vif$new.0" ] || { diag; rig_fail "$1: vif$new.0 is not on br0"; }
}

ms() { awk -v v="$1" 'BEGIN {printf "%.1f", v / 1000}'; }

# timed WHAT CMD...: CMD's wall time in microseconds; its output to
# WHAT.out, shown with the diagnostics when it fails.
timed() {
	t_what=$1
	shift
	rigtime run "$@" 2> "$t_what.out" ||
		{ { cat "$t_what.out"; diag; } >&2; rig_fail "$t_what: $* failed"; }
}

# --- chaos, through chaosd (which keeps the guest's console log) ---
stock_chaosd_up
log=/var/log/chaos/stock.log
chaos create stock.cfg || { diag; rig_fail "chaos create stock.cfg failed"; }
rig_wait_for 600 grep -q 'STOCK-NET' "$log" || { diag; rig_fail "chaos: no STOCK-NET"; }
grep -q 'STOCK-DISK 0' "$log" || { diag; rig_fail "chaos: the guest did not find a fresh disk"; }
# What the checkpoints below must keep is in use: 32-bit programs enter
# the kernel by SYSCALL or SYSENTER (not int $0x80, which needs no
# callback), and AVX registers hold values.
grep -Eq 'STOCK-COMPAT32 (syscall|sysenter)' "$log" ||
	{ diag; rig_fail "the guest's 32-bit programs do not use a fast system call entry: $(grep STOCK-COMPAT32 "$log")"; }
grep -q 'STOCK-AVX held' "$log" ||
	{ diag; rig_fail "no AVX state held in the guest: $(grep STOCK-AVX "$log")"; }
ticks_on "boot" "$(last_tick)"
# Served as chaos checked it: the file's device and inode beside params
# (docs/xendevd.md, chaos-target).
tgt=$(xenstore-read "/local/domain/0/backend/vbd/$(domid_of stock)/51712/chaos-target") ||
	{ diag; rig_fail "no chaos-target beside the disk's params"; }
[ "$tgt" = "file $(stat -c '%d %i' "$disk")" ] ||
	rig_fail "chaos-target '$tgt', the disk is 'file $(stat -c '%d %i' "$disk")'"

old=$(domid_of stock)
before=$(last_tick)
chaos reboot stock --timeout 120 || { diag; rig_fail "chaos reboot stock failed"; }
rig_wait_for 30 sh -c "[ -n \"\$(chaos list | awk '\$1 == \"stock\" && \$2 != $old')\" ]" ||
	rig_fail "the rebooted guest is not back as a new domain"
rig_wait_for 600 sh -c "[ \$(grep -c 'STOCK-NET' '$log') -ge 2 ]" || { diag; rig_fail "reboot: no STOCK-NET"; }
moved "reboot" "$old"
ticks_on "reboot" "$before"

old=$(domid_of stock)
before=$(last_tick)
save_us=$(timed save chaos save stock stock.img) || exit 1
[ "$(rig-domains count)" = 0 ] || rig_fail "save: the guest is still there"
leftovers "save" "$old"
# The image names the disk's path; this host decides: without --disk the
# restore is refused before anything is built.
chaos restore stock.img --bridge br0 > nodisk.out 2>&1 &&
	rig_fail "restored with a disk this host did not allow"
grep -q "disk xvda: the image serves it from $disk; allow that here (--disk $disk)" nodisk.out ||
	rig_fail "restore without --disk: $(cat nodisk.out)"
[ "$(rig-domains count)" = 0 ] || rig_fail "a refused restore left a domain"
restore_us=$(timed restore chaos restore stock.img --bridge br0 --disk "$disk") || exit 1
moved "save and restore" "$old"
ticks_on "save and restore" "$before"

old=$(domid_of stock)
before=$(last_tick)
mig_us=$(timed migrate chaos migrate stock "chaos migrate-receive --bridge br0 --disk $disk" -s '') || exit 1
moved "migrate" "$old"
ticks_on "migrate" "$before"

old=$(domid_of stock)
before=$(last_tick)
live_us=$(timed live chaos migrate stock "chaos migrate-receive --bridge br0 --disk $disk" -s '' --live) || exit 1
moved "live migrate" "$old"
ticks_on "live migrate" "$before"

old=$(domid_of stock)
chaos shutdown stock --timeout 120 || { diag; rig_fail "chaos shutdown stock failed"; }
# Powered off with its disk clean: the next boot (under xl, below) finds
# at least the last count it printed.
last=$(last_tick)
leftovers "shutdown" "$old"
rig_wait_for 10 sh -c '! grep -qs stock-disk.img /sys/block/loop*/loop/backing_file' ||
	rig_fail "a loop device is still attached: $(cat /sys/block/loop*/loop/backing_file)"
kill $cd_pid
wait $cd_pid 2>/dev/null
cd_pid=

# --- xl, the same guest from the same xl.cfg ---
log=/var/log/xen/console/guest-stock.log
$xl_tools xl create stock.cfg > xl-create.log 2>&1 || { cat xl-create.log; rig_fail "xl create stock.cfg failed"; }
rig_wait_for 600 grep -q 'STOCK-NET' "$log" || { diag; rig_fail "xl: no STOCK-NET"; }
ticks_on "xl boot" "$(last_tick)"
found=$(sed -n 's/.*STOCK-DISK \([0-9][0-9]*\).*/\1/p' "$log" | head -n 1)
[ -n "$found" ] && [ "$found" -ge "$last" ] ||
	rig_fail "after chaos shutdown the disk held '$found', the guest's last count was $last"
rig_log "after the shutdown the next boot found $found on the disk (last count $last)"
before=$(last_tick)
xl_save_us=$(timed xl-save $xl_tools xl save stock xl.img) || exit 1
xl_restore_us=$(timed xl-restore $xl_tools xl restore xl.img) || exit 1
rig_wait_for 30 ping -c 1 -W 1 10.13.0.2 > /dev/null || { diag; rig_fail "xl restore: no ping"; }
# Its console log goes on here; after xl migrate it is another file (the
# receiving domain is named stock--incoming when xenconsoled opens it).
ticks_on "xl save and restore" "$before"
xl_mig_us=$(timed xl-migrate $xl_tools xl migrate -s '' stock "$xl_tools xl migrate-receive") || exit 1
rig_wait_for 30 ping -c 1 -W 1 10.13.0.2 > /dev/null || { diag; rig_fail "xl migrate: no ping"; }
$xl_tools xl destroy stock || rig_fail "xl destroy failed"
rig_wait_for 10 sh -c '! grep -qs stock-disk.img /sys/block/loop*/loop/backing_file' ||
	rig_fail "xl: a loop device is still attached"

rig_log "chaos: save $(ms "$save_us") ms, restore $(ms "$restore_us") ms, migrate $(ms "$mig_us") ms, live $(ms "$live_us") ms"
rig_log "xl: save $(ms "$xl_save_us") ms, restore $(ms "$xl_restore_us") ms, migrate $(ms "$xl_mig_us") ms"
rig_metric stock_save_chaos_ms "$(ms "$save_us")" ms
rig_metric stock_restore_chaos_ms "$(ms "$restore_us")" ms
rig_metric stock_migrate_chaos_ms "$(ms "$mig_us")" ms
rig_metric stock_migrate_live_chaos_ms "$(ms "$live_us")" ms
rig_metric stock_save_xl_over_chaos "$(awk -v a="$xl_save_us" -v b="$save_us" 'BEGIN {printf "%.2f", a / b}')" x
rig_metric stock_restore_xl_over_chaos "$(awk -v a="$xl_restore_us" -v b="$restore_us" 'BEGIN {printf "%.2f", a / b}')" x
rig_metric stock_migrate_xl_over_chaos "$(awk -v a="$xl_mig_us" -v b="$mig_us" 'BEGIN {printf "%.2f", a / b}')" x
# xl migrate is always live (pre-copy): like with like.
rig_metric stock_migrate_live_xl_over_chaos "$(awk -v a="$xl_mig_us" -v b="$live_us" 'BEGIN {printf "%.2f", a / b}')" x
rig_pass "a stock Linux guest kept its disk and network through reboot, save and restore, migration and live migration; xl ran the same"
