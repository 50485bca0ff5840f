# save-restore: chaos save / restore of a hello-loop guest through its noxs
# power device. A save with --keep-running lets the guest go on in the same
# domain; a plain save destroys it; the restore brings it back in a new
# domain and its counter carries on where it stopped. Nothing leaks.
# rig-timeout: 600

rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
N=/rig/guests/noxsctl
free0=$(rig-domains free-kib)

no_leaks() { # no_leaks WHEN
	$N stats > stats.txt || rig_fail "noxsctl stats failed"
	grep -q '^devices 0 grants 0 ports 0 ' stats.txt ||
		rig_fail "$1: devices left: $(cat stats.txt)"
}
ms() { awk -v v="$1" 'BEGIN {printf "%.1f", v / 1000}'; }
# last_hello FILE: the last counter value printed in FILE.
last_hello() { awk '$1 == "hello" && $2 ~ /^[0-9]+$/ {n = $2} END {print n + 0}' "$1"; }
# connected.sh NAME: NAME's power device is connected at both ends.
cat > connected.sh <<'SH'
chaos list -l > list.txt &&
	awk -v n="$1" '/^[^ ]/ {g = ($1 == n)} g' list.txt |
	grep -Eq '^ +power +0 .* be connected +fe connected'
SH

printf '{ "name": "hl", "kernel": "/rig/guests/hello-loop.elf", "memory": 4 }\n' > hl.json
chaos create hl.json || rig_fail "chaos create failed"
chaos console hl --no-input --until 'hello 3' --timeout 30 > c1.txt ||
	rig_fail "hello-loop did not count to 3: $(cat c1.txt)"
rig_wait_for 5 sh connected.sh hl || rig_fail "power device not connected"

# --- save --keep-running: same domain goes on ----------------------------
dom=$(chaos list | awk '$1 == "hl" {print $2}')
chaos save hl keep.img --keep-running --timing > keep.out 2>&1 ||
	rig_fail "save --keep-running failed: $(cat keep.out)"
cat keep.out
chaos console hl --no-input --until 'hello-loop: resumed' --timeout 20 > c2.txt ||
	rig_fail "no resume line after save --keep-running: $(cat c2.txt)"
cat c2.txt
grep -q 'minios: resumed (suspend cancelled)' c2.txt ||
	rig_fail "the guest did not see a cancelled suspend"
[ "$(chaos list | awk '$1 == "hl" {print $2}')" = "$dom" ] ||
	rig_fail "hl changed domain after --keep-running"
before=$(last_hello c2.txt)
[ "$before" -ge 3 ] || before=$(last_hello c1.txt)
chaos console hl --no-input --until "hello $((before + 2))" --timeout 20 > c3.txt ||
	rig_fail "counter stuck after --keep-running at $before: $(cat c3.txt)"
rig_wait_for 5 sh connected.sh hl || rig_fail "power device not reconnected after --keep-running"

# --- save: the guest goes away ------------------------------------------
chaos console hl --no-input --until 'hello ' --timeout 20 > c4.txt
save_us=$(rig_time_us chaos save hl hl.img)
chaos list | grep -q '^hl ' && rig_fail "hl still listed after save"
[ "$(rig-domains count)" = 0 ] || rig_fail "domain left after save"
no_leaks "after save"
ls -l hl.img
# The console ring is saved with the guest: what it printed after the last
# read shows after the restore.

# --- restore: a new domain, the counter carries on ----------------------
restore_us=$(rig_time_us chaos restore hl.img)
new=$(chaos list | awk '$1 == "hl" {print $2}')
[ -n "$new" ] || rig_fail "hl not listed after restore"
[ "$new" != "$dom" ] || rig_fail "restored hl reuses domain id $dom"
chaos console hl --no-input --until 'hello-loop: resumed in a new domain' \
	--timeout 20 > c5.txt || rig_fail "no resume line after restore: $(cat c5.txt)"
cat c5.txt
# Everything printed before the save, in order: the last count is the
# one the restored guest must follow.
cat c3.txt c4.txt c5.txt > before.txt
saved=$(last_hello before.txt)
[ "$saved" -gt "$before" ] || rig_fail "no count seen before the save"
chaos console hl --no-input --until "hello $((saved + 1))" --timeout 20 > c6.txt ||
	rig_fail "counter did not continue from $saved after restore: $(cat c6.txt)"
first=$(awk '$1 == "hello" {print $2; exit}' c6.txt)
[ "$first" = "$((saved + 1))" ] ||
	rig_fail "first count after restore is $first, expected $((saved + 1))"
rig_wait_for 5 sh connected.sh hl || rig_fail "power device not connected after restore"
rig_log "counter $saved before the save, $first after the restore (domain $dom -> $new)"

# --- the restored guest still obeys ---------------------------------------
chaos shutdown hl --timeout 10 || rig_fail "shutdown of the restored guest failed"
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left at the end"
no_leaks "at the end"
free1=$(rig-domains free-kib)
[ "$free1" = "$free0" ] || rig_fail "free memory $free1 KiB, was $free0 KiB"
rig_metric save_ms "$(ms "$save_us")" ms
rig_metric restore_ms "$(ms "$restore_us")" ms
rig_metric save_image_kib "$(( $(wc -c < hl.img) / 1024 ))" KiB

# --- xl beside it --------------------------------------------------------
# xl cannot suspend hello-loop: it asks through XenStore (control/shutdown)
# and minios-noxs has no XenStore client, by design. What xl can save is a
# guest with a XenStore frontend: Debian's Linux with the tiny initramfs.
# chaos saves a hello-loop of the same memory beside it, so both move the
# same number of pages (the guests differ: the numbers compare the
# toolstacks' paths, not two kernels).
MEM=128
rig_start_xenstore
cat > lx.cfg <<CFG
name = "xllinux"
type = "pv"
kernel = "/rig/guests/vmlinuz"
ramdisk = "/rig/guests/tiny-initrd.gz"
extra = "console=hvc0 tiny.stay"
memory = $MEM
vcpus = 1
CFG
xl create lx.cfg > /dev/null 2>&1 || rig_fail "xl create failed"
rig_wait_for 120 grep -q TINY-INITRD-UP /var/log/xen/console/guest-xllinux.log ||
	rig_fail "the xl Linux guest did not boot"
# Judged by their effect too: xl can print errors and still exit 0.
xl_save_us=$(rig_time_us xl save xllinux lx.img)
xl list | grep -q '^xllinux ' && rig_fail "xl save left xllinux running (it failed)"
[ "$(wc -c < lx.img)" -ge $((MEM * 1024 * 1024)) ] ||
	rig_fail "xl's image is $(wc -c < lx.img) bytes, less than the guest's $MEM MiB"
xl_restore_us=$(rig_time_us xl restore lx.img)
xl list | grep -q '^xllinux ' || rig_fail "xl restore did not bring xllinux back"
# Running or blocked, not crashed, shut down or paused.
state=$(xl list | awk '$1 == "xllinux" {print $5}')
echo "$state" | grep -q '^-*[rb]-*$' || rig_fail "restored xllinux is in state '$state'"
xl destroy xllinux || rig_fail "xl destroy failed"
rig_stop_xenstore

printf '{ "name": "hlbig", "kernel": "/rig/guests/hello-loop.elf", "memory": %s }\n' \
	"$MEM" > hlbig.json
chaos create hlbig.json || rig_fail "chaos create of $MEM MiB failed"
chaos console hlbig --no-input --until 'hello 2' --timeout 30 > /dev/null ||
	rig_fail "the $MEM MiB hello-loop did not count"
big_save_us=$(rig_time_us chaos save hlbig hlbig.img)
big_restore_us=$(rig_time_us chaos restore hlbig.img)
chaos console hlbig --no-input --until 'hello-loop: resumed in a new domain' \
	--timeout 30 > /dev/null || rig_fail "the $MEM MiB hello-loop did not resume"
chaos destroy hlbig || rig_fail "chaos destroy hlbig failed"
no_leaks "after the $MEM MiB round"
rig_metric xl_save_linux_${MEM}mib_ms "$(ms "$xl_save_us")" ms
rig_metric xl_restore_linux_${MEM}mib_ms "$(ms "$xl_restore_us")" ms
rig_metric save_${MEM}mib_ms "$(ms "$big_save_us")" ms
rig_metric restore_${MEM}mib_ms "$(ms "$big_restore_us")" ms
rig_pass "save --keep-running, save, restore: counter $saved -> $first, nothing leaked; xl beside it at $MEM MiB"
