# list-vs-xl: a guest created by Debian's xl shows the same id, memory and
# vCPUs in `chaos list` as in `xl list`.
# rig-timeout: 180

rig_start_xenstore
cat > guest.cfg <<CFG
name = "xlguest"
type = "pv"
kernel = "/rig/guests/vmlinuz"
ramdisk = "/rig/guests/tiny-initrd.gz"
extra = "console=hvc0 tiny.stay"
memory = 128
vcpus = 2
CFG
xl create guest.cfg || rig_fail "xl create failed"
rig_wait_for 90 grep -q TINY-INITRD-UP /var/log/xen/console/guest-xlguest.log ||
	rig_fail "the xl guest did not boot"

xl list > xl.txt || rig_fail "xl list failed"
chaos list > chaos.txt || rig_fail "chaos list failed"
cat xl.txt chaos.txt
# xl list: Name ID Mem VCPUs State Time; chaos list: Name ID Mem VCPUs State Time
set -- $(grep '^xlguest ' xl.txt) || rig_fail "xl does not list the guest"
id=$2 mem=$3 vcpus=$4
row=$(awk -v id="$id" '$2 == id' chaos.txt)
[ -n "$row" ] || rig_fail "chaos list has no domain $id"
set -- $row
[ "$3" = "$mem" ] || rig_fail "memory: xl $mem MiB, chaos $3 MiB"
[ "$4" = "$vcpus" ] || rig_fail "vcpus: xl $vcpus, chaos $4"
xl destroy xlguest || rig_fail "xl destroy failed"
rig_pass "domain $id: $mem MiB, $vcpus vCPUs in both"
