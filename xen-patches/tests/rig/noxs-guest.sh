# noxs-guest: the guest's side. A Linux PV guest (Debian's kernel with an
# initramfs made here, carrying noxs-tool) asks for its own device page,
# maps it read-only and sees what dom0 put there while it was paused; a
# writable mapping, foreign pages and every write are refused to it.
# rig-timeout: 240

T=/rig/guests/noxs-tool
[ -x $T ] || rig_fail "noxs-tool missing from /rig/guests"

# The guest initramfs: busybox, noxs-tool, the privcmd module, an /init.
ko=$(find /lib/modules/"$(uname -r)" -name 'xen-privcmd.ko*' | head -n 1)
[ -n "$ko" ] || rig_fail "no xen-privcmd module in dom0 to give the guest"
mkdir -p root/bin root/proc root/dev
cp /bin/busybox root/bin/busybox || rig_fail "no /bin/busybox"
cp $T root/noxs-tool
cp "$ko" root/
cat > root/init <<'INIT'
#!/bin/busybox sh
B=/bin/busybox
$B mount -t proc proc /proc
$B mount -t devtmpfs dev /dev
# A domU's privcmd refuses hypercalls itself (EPERM) unless unrestricted;
# get-page-self succeeding proves the later EPERMs come from Xen.
for k in /xen-privcmd.ko*; do $B insmod "$k" unrestricted=1; done
check() { # check NAME ARGS...: one result line per check on the console
	name=$1
	shift
	if out=$(/noxs-tool "$@" 2>&1); then
		echo "NOXS-GUEST OK $name: $out" | $B tr '\n' ' '
	else
		echo "NOXS-GUEST BAD $name: $out" | $B tr '\n' ' '
	fi
	echo
}
check get-page-self get-page self
check map-ro map self ro
check map-rw --expect EBUSY map self rw
check get-page-other --expect EPERM get-page 0
check add-self --expect EPERM add self vif 9 0 8 1
check add-dom0 --expect EPERM add 0 vif 9 0 8 1
check remove --expect EPERM remove self vif 0
check list-self --expect EPERM list self
check list-dom0 --expect EPERM list 0
echo NOXS-GUEST-DONE
$B poweroff -f
INIT
chmod 755 root/init
(cd root && find . | cpio -o -H newc 2>/dev/null | gzip) > guest.gz ||
	rig_fail "cannot build the guest initramfs"

rig_start_xenstore
cat > guest.cfg <<CFG
name = "noxsguest"
type = "pv"
kernel = "/rig/guests/vmlinuz"
ramdisk = "$PWD/guest.gz"
extra = "console=hvc0 quiet"
memory = 128
on_poweroff = "preserve"
CFG
xl create -p guest.cfg || rig_fail "xl create -p failed"
d=$(xl domid noxsguest) || rig_fail "xl domid failed"
P=$($T port "$d" | sed -n 's/^noxs-port //p')
[ -n "$P" ] || rig_fail "noxs-tool port $d failed"
$T add "$d" power 0 0 8 "$P" || rig_fail "add power 0 to the paused guest"
$T add "$d" vif 3 0 9 "$P" || rig_fail "add vif 3 to the paused guest"
xl unpause noxsguest || rig_fail "xl unpause failed"

log=/var/log/xen/console/guest-noxsguest.log
rig_wait_for 150 grep -q NOXS-GUEST-DONE "$log" || {
	tail -n 30 "$log"
	rig_fail "the guest did not finish its checks"
}
grep NOXS-GUEST "$log"
grep -q 'NOXS-GUEST BAD' "$log" && rig_fail "a guest-side check failed"
[ "$(grep -c 'NOXS-GUEST OK' "$log")" = 9 ] || rig_fail "not all 9 guest checks ran"
grep -q "NOXS-GUEST OK map-ro: noxs-map ro ok .* magic=0x53584f4e count=2 gen=4" "$log" ||
	rig_fail "the guest does not see dom0's 2 entries at generation 4"
# The guest's own read of its frame matches what dom0 is told.
gf=$(sed -n 's/.*NOXS-GUEST OK get-page-self: noxs-frame \(0x[0-9a-f]*\).*/\1/p' "$log")
hf=$($T get-page "$d" | sed -n 's/noxs-frame //p')
[ -n "$gf" ] && [ "$gf" = "$hf" ] || rig_fail "guest frame '$gf' != dom0's view '$hf'"
xl destroy noxsguest 2>/dev/null
$T close "$P"
rig_stop_xenstore
rig_pass "guest maps its page read-only (sees 2 entries), writable map and all writes refused (EBUSY/EPERM)"
