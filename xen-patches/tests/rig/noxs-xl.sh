# noxs-xl: dom0 runs on the noxs-patched hypervisor, the hypercall answers,
# stock xl still creates and boots a PV guest, the guest got a device page
# at creation, and its page goes away with it.
# rig-timeout: 180

T=/rig/guests/noxs-tool
[ -x $T ] || rig_fail "noxs-tool missing from /rig/guests"

# An unpatched hypervisor says ENOSYS here.
$T get-page self > self.txt || rig_fail "NOXSOP_get_page failed: not the patched Xen?"
cat self.txt
$T list 0 > dom0.txt || rig_fail "NOXSOP_list of dom0 failed"
cat dom0.txt
grep -q 'magic=0x53584f4e version=1 gen=0 count=0 max=126 entry_size=32' dom0.txt ||
	rig_fail "dom0's page header is wrong"

rig_start_xenstore
cat > guest.cfg <<CFG
name = "noxsxl"
type = "pv"
kernel = "/rig/guests/vmlinuz"
ramdisk = "/rig/guests/tiny-initrd.gz"
extra = "console=hvc0 tiny.stay"
memory = 128
CFG
xl create guest.cfg || rig_fail "xl create failed on the patched Xen"
rig_wait_for 90 grep -q TINY-INITRD-UP /var/log/xen/console/guest-noxsxl.log ||
	rig_fail "the xl guest did not boot on the patched Xen"
d=$(xl domid noxsxl) || rig_fail "xl domid failed"
rig_log "xl guest is domain $d"

$T list "$d" > guest.txt || rig_fail "no device page for the xl guest"
cat guest.txt
grep -q "domid=$d magic=0x53584f4e .* count=0 " guest.txt ||
	rig_fail "the guest's page header is wrong"
$T get-page "$d" || rig_fail "get-page of the guest failed"

xl destroy noxsxl || rig_fail "xl destroy failed"
rig_wait_for 10 $T --expect ESRCH list "$d" ||
	rig_fail "the page of destroyed domain $d is still listed"
xl list
rig_stop_xenstore
rig_pass "patched Xen boots dom0, xl create/boot/destroy works, domain $d had a page"
