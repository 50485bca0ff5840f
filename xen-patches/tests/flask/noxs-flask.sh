# noxs-flask: the noxs XSM hooks under FLASK. Only for the hypervisor that
# `make xen-flask` builds, booted enforcing (xen-patches/README.md):
#   RIG_XEN=build/xen-flask/xen.gz RIG_XEN_CMDLINE_EXTRA=flask=enforcing \
#   RIG_EXTRA=xen-patches/tests/flask make rig SCENARIOS=noxs-flask
# With Xen's default policy and 0005's rules, dom0 (dom0_t) gets, lists,
# adds to and removes from the page of an xl guest (domU_t) and drives
# NOXS_DOMCTL_copy_pages through all of copy-pages-tool's checks, with no
# denial. A Linux PV guest may get its own page; its get_page, list and add
# on dom0's page are refused by FLASK (EACCES, where the dummy module says
# EPERM), each with an AVC denial of class noxs in xl dmesg.
# Then a chaos guest (labelled domU_t, as libxl labels its guests) is
# created, saved and restored with no denial.
# rig-timeout: 360

T=/rig/guests/noxs-tool
C=/rig/guests/copy-pages-tool
[ -x $T ] || rig_fail "noxs-tool missing from /rig/guests"
[ -x $C ] || rig_fail "copy-pages-tool missing from /rig/guests"
mode=$(xl getenforce 2>&1)
[ "$mode" = Enforcing ] || rig_fail "FLASK is not enforcing (xl getenforce: $mode)"
xl dmesg -c > /dev/null

rig_start_xenstore
# --- dom0 on xl guests' pages and memory: allowed -----------------------
for g in flaska flaskb; do
	cat > $g.cfg <<CFG
name = "$g"
type = "pv"
kernel = "/rig/guests/vmlinuz"
ramdisk = "/rig/guests/tiny-initrd.gz"
memory = 128
CFG
	xl create -p $g.cfg || rig_fail "xl create -p $g failed"
done
xl list -Z
da=$(xl domid flaska) && db=$(xl domid flaskb) || rig_fail "xl domid failed"
$T get-page "$da" || rig_fail "dom0 get-page of domain $da refused"
P=$($T port "$da" | sed -n 's/^noxs-port //p')
[ -n "$P" ] || rig_fail "noxs-tool port $da failed"
$T add "$da" power 0 0 8 "$P" || rig_fail "dom0 add to domain $da refused"
$T add "$da" vif 7 0 9 "$P" || rig_fail "dom0 add to domain $da refused"
$T remove "$da" vif 7 || rig_fail "dom0 remove on domain $da refused"
$T list "$da" > page.txt || rig_fail "dom0 list of domain $da refused"
cat page.txt
grep -q 'count=1 ' page.txt || rig_fail "domain $da's page is wrong: $(cat page.txt)"
$T list 0 > /dev/null || rig_fail "dom0 list of its own page refused"
$C "$da" "$db" > copy.txt 2>&1
rc=$?
cat copy.txt
[ $rc = 0 ] || rig_fail "copy-pages-tool: $(grep FAILED copy.txt | head -3 | tr '\n' ';')"
xl destroy flaska && xl destroy flaskb || rig_fail "xl destroy failed"
$T close "$P"

# --- a guest on dom0's page: refused by FLASK ----------------------------
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
for k in /xen-privcmd.ko*; do $B insmod "$k" unrestricted=1; done
check() { # check NAME ARGS...
	name=$1
	shift
	if out=$(/noxs-tool "$@" 2>&1); then
		echo "NOXS-FLASK OK $name: $out" | $B tr '\n' ' '
	else
		echo "NOXS-FLASK BAD $name: $out" | $B tr '\n' ' '
	fi
	echo
}
check get-page-self get-page self
check get-page-dom0 --expect EACCES get-page 0
check list-dom0 --expect EACCES list 0
check add-dom0 --expect EACCES add 0 vif 9 0 8 1
echo NOXS-FLASK-DONE
$B poweroff -f
INIT
chmod 755 root/init
(cd root && find . | cpio -o -H newc 2>/dev/null | gzip) > guest.gz ||
	rig_fail "cannot build the guest initramfs"

cat > guest.cfg <<CFG
name = "flaskguest"
type = "pv"
kernel = "/rig/guests/vmlinuz"
ramdisk = "$PWD/guest.gz"
extra = "console=hvc0 quiet"
memory = 128
on_poweroff = "preserve"
CFG
xl create guest.cfg || rig_fail "xl create failed"
g=$(xl domid flaskguest) || rig_fail "xl domid failed"
log=/var/log/xen/console/guest-flaskguest.log
rig_wait_for 150 grep -q NOXS-FLASK-DONE "$log" || {
	tail -n 30 "$log"
	rig_fail "the guest did not finish its checks"
}
grep NOXS-FLASK "$log"
xl destroy flaskguest 2>/dev/null
# --- chaos's own guests: labelled domU_t, as libxl labels its guests ----
rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
printf '{ "name": "hl", "kernel": "/rig/guests/hello-loop.elf", "memory": 4 }\n' > hl.json
chaos create hl.json > create.out 2>&1 || rig_fail "chaos create under FLASK failed: $(cat create.out)"
id=$(chaos list | awk '$1 == "hl" {print $2}')
# xl knows no name for it (no XenStore entry): found by id.
xl list -Z | awk -v id="$id" '$2 == id' | grep -q ':domU_t' ||
	rig_fail "chaos's guest is not domU_t: $(xl list -Z)"
chaos console hl --no-input --until 'hello 2' --timeout 30 > /dev/null ||
	rig_fail "hl did not count under FLASK"
chaos save hl hl.img > save.out 2>&1 || rig_fail "chaos save under FLASK failed: $(cat save.out)"
chaos restore hl.img > restore.out 2>&1 || rig_fail "chaos restore under FLASK failed: $(cat restore.out)"
chaos console hl --no-input --until 'hello-loop: resumed' --timeout 30 > /dev/null ||
	rig_fail "the restored hl did not go on under FLASK"
chaos destroy hl || rig_fail "chaos destroy under FLASK failed"

rig_stop_xenstore
grep -q 'NOXS-FLASK BAD' "$log" && rig_fail "a guest-side check failed"
[ "$(grep -c 'NOXS-FLASK OK' "$log")" = 4 ] || rig_fail "not all 4 guest checks ran"

# The refusals are FLASK's: one AVC denial each, domU_t against dom0_t;
# dom0 was refused nothing of noxs's, its copies or page queries.
xl dmesg > dmesg.txt
grep -E 'avc:|FLASK' dmesg.txt > avc.txt
rig_file avc.txt < avc.txt
cat avc.txt
for perm in get_page list add; do
	grep "denied  { $perm } for source=d$g target=d0 " avc.txt |
		grep 'scontext=[^ ]*:domU_t ' |
		grep 'tcontext=[^ ]*:dom0_t ' | grep -q 'tclass=noxs' ||
		rig_fail "no AVC denial of noxs $perm for domain $g"
done
grep 'scontext=[^ ]*:dom0_t ' avc.txt | grep -Eq 'tclass=(noxs|mmu)' &&
	rig_fail "dom0 was denied: $(grep 'scontext=[^ ]*:dom0_t ' avc.txt | head -3)"
grep -q 'unknown domctl' avc.txt && rig_fail "FLASK met an unknown domctl"
rig_metric flask_avc_denials "$(grep -c denied avc.txt)" lines
rig_pass "FLASK enforcing: dom0 gets, lists, adds, removes and copies ($(grep -c '^ok' copy.txt) copy checks); a chaos guest created, saved and restored; the guest's get_page, list, add on dom0 denied by AVC (class noxs, EACCES)"
