# noxs-flask: the noxs XSM hooks under FLASK. Only for the hypervisor that
# `make xen-flask` builds, booted enforcing (xen-patches/README.md):
#   RIG_XEN=build/xen-flask/xen.gz RIG_XEN_CMDLINE_EXTRA=flask=enforcing \
#   RIG_EXTRA=xen-patches/tests/flask make rig SCENARIOS=noxs-flask
# Xen's default policy, with 0005's rules, lets dom0 run a chaos guest whose
# power device connects through its device page, and get, list, add and
# remove on that page. A Linux PV guest (domU_t) may get its own page; its
# get_page, list and add on dom0's page are refused by FLASK, and each
# refusal is an AVC line of class noxs in xl dmesg.
# rig-timeout: 300

T=/rig/guests/noxs-tool
[ -x $T ] || rig_fail "noxs-tool missing from /rig/guests"
mode=$(xl getenforce 2>&1)
[ "$mode" = Enforcing ] || rig_fail "FLASK is not enforcing (xl getenforce: $mode)"

# --- dom0 (dom0_t) on a guest's (domU_t) page: allowed ------------------
rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
cat > noop.json <<CFG
{ "name": "flasknoop", "kernel": "/rig/guests/noop.elf", "memory": 4 }
CFG
chaos create noop.json || rig_fail "chaos create failed"
chaos console flasknoop --no-input --until ready --timeout 30 > boot.console ||
	rig_fail "noop did not print ready: $(cat boot.console)"
grep -q 'noxs: 1 of 1 devices attached' boot.console ||
	rig_fail "the guest did not attach its power device"
rig_wait_for 5 sh -c "chaos list -l > list.txt &&
	grep -Eq '^ +power +0 .* be connected +fe connected' list.txt" ||
	rig_fail "power device not connected: $(cat list.txt)"
d=$(chaos list | awk '$1 == "flasknoop" {print $2}')
[ -n "$d" ] || rig_fail "no domain for flasknoop"
xl list -Z | grep flasknoop
$T get-page "$d" || rig_fail "dom0 get-page of domain $d refused"
$T list "$d" > page.txt || rig_fail "dom0 list of domain $d refused"
grep -q 'type=1 devid=0 ' page.txt || rig_fail "power 0 not listed: $(cat page.txt)"
P=$($T port "$d" | sed -n 's/^noxs-port //p')
[ -n "$P" ] || rig_fail "noxs-tool port $d failed"
$T add "$d" vif 7 0 8 "$P" || rig_fail "dom0 add to domain $d refused"
$T remove "$d" vif 7 || rig_fail "dom0 remove on domain $d refused"
$T close "$P"
$T list 0 > dom0.txt || rig_fail "dom0 list of its own page refused"
chaos destroy flasknoop || rig_fail "chaos destroy failed"

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
check get-page-dom0 --expect EPERM get-page 0
check list-dom0 --expect EPERM list 0
check add-dom0 --expect EPERM add 0 vif 9 0 8 1
echo NOXS-FLASK-DONE
$B poweroff -f
INIT
chmod 755 root/init
(cd root && find . | cpio -o -H newc 2>/dev/null | gzip) > guest.gz ||
	rig_fail "cannot build the guest initramfs"

rig_start_xenstore
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
rig_stop_xenstore
grep -q 'NOXS-FLASK BAD' "$log" && rig_fail "a guest-side check failed"
[ "$(grep -c 'NOXS-FLASK OK' "$log")" = 4 ] || rig_fail "not all 4 guest checks ran"

# The refusals are FLASK's: one AVC denial each, domU_t against dom0_t.
xl dmesg > dmesg.txt
grep 'avc:' dmesg.txt > avc.txt
rig_file avc.txt < avc.txt
cat avc.txt
for perm in get_page list add; do
	grep "denied  { $perm } for source=d$g target=d0 " avc.txt |
		grep 'scontext=[^ ]*:domU_t ' |
		grep 'tcontext=[^ ]*:dom0_t ' | grep -q 'tclass=noxs' ||
		rig_fail "no AVC denial of noxs $perm for domain $g"
done
grep 'tclass=noxs' avc.txt | grep -q 'scontext=[^ ]*:dom0_t ' &&
	rig_fail "dom0 was denied a noxs permission"
n=$(grep -c 'denied' avc.txt)
rig_metric flask_avc_denials "$n" lines
rig_pass "FLASK enforcing: dom0 runs a noxs guest and gets, lists, adds, removes; the guest's get_page, list, add on dom0 denied by AVC (class noxs)"
