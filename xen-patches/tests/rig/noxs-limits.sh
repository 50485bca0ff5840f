# noxs-limits: the device page's rules, driven through the hypercall from
# dom0 against a paused guest: exact-match remove, duplicate refused, full
# page refused cleanly (ENOSPC, no crash), every field validated,
# generation bumped per change, guest mapping read-only only.
# rig-timeout: 180

T=/rig/guests/noxs-tool
[ -x $T ] || rig_fail "noxs-tool missing from /rig/guests"

rig_start_xenstore
cat > guest.cfg <<CFG
name = "noxslim"
type = "pv"
kernel = "/rig/guests/vmlinuz"
ramdisk = "/rig/guests/tiny-initrd.gz"
memory = 128
CFG
xl create -p guest.cfg || rig_fail "xl create -p failed"
d=$(xl domid noxslim) || rig_fail "xl domid failed"
rig_log "paused guest is domain $d"

# A port that dom0 (the backend) opened for the guest, and a grant above
# the reserved.
P=$($T port "$d" | sed -n 's/^noxs-port //p')
[ -n "$P" ] || rig_fail "noxs-tool port $d failed"
G=8

expect() { # expect ERR DESC ARGS...
	err=$1 desc=$2
	shift 2
	$T --expect "$err" "$@" || rig_fail "$desc: want $err"
}
count() { $T list "$d" | sed -n 's/.* count=\([0-9]*\) .*/\1/p'; }
gen() { $T list "$d" | sed -n 's/.* gen=\([0-9]*\) .*/\1/p'; }

[ "$(count)" = 0 ] || rig_fail "new guest's page is not empty"
for dev in "power 0" "console 0" "vif 0" "vif 1" "vif 2"; do
	$T add "$d" $dev 0 $G $P || rig_fail "add $dev failed"
done
$T list "$d" > five.txt
cat five.txt
[ "$(count)" = 5 ] || rig_fail "5 adds, count $(count)"
[ "$(gen)" = 10 ] || rig_fail "5 changes should give generation 10, got $(gen)"

# Duplicate (type, devid): refused, page unchanged.
expect EEXIST "duplicate vif 1" add "$d" vif 1 0 $G $P
[ "$(gen)" = 10 ] || rig_fail "a refused add changed the generation"

# Remove exactly one of several devices.
$T remove "$d" vif 1 || rig_fail "remove vif 1 failed"
$T list "$d" > four.txt
cat four.txt
[ "$(count)" = 4 ] || rig_fail "after remove, count $(count)"
grep -q 'type=3 devid=1 ' four.txt && rig_fail "vif 1 still listed"
for want in 'type=1 devid=0 ' 'type=2 devid=0 ' 'type=3 devid=0 ' 'type=3 devid=2 '; do
	grep -q "$want" four.txt || rig_fail "remove of vif 1 also removed '$want'"
done
[ "$(gen)" = 12 ] || rig_fail "remove should bump generation to 12, got $(gen)"
expect ENOENT "remove of a missing device" remove "$d" vif 1
expect ENOENT "remove with a type that has no such devid" remove "$d" power 2

# Every caller-supplied field is validated.
expect EINVAL "type 0" add "$d" 0 5 0 $G $P
expect EINVAL "unknown type 9" add "$d" 9 5 0 $G $P
expect EINVAL "devid 256" add "$d" vif 256 0 $G $P
expect EINVAL "reserved grant 3" add "$d" vif 5 0 3 $P
expect EINVAL "event channel 0" add "$d" vif 5 0 $G 0
expect EINVAL "event channel not in the backend" add "$d" vif 5 0 $G 4000000
# A port the backend has, but not for this guest: one of dom0's own (port 1
# is bound in dom0 to something else) and one unbound for another domain.
[ "$P" != 1 ] || rig_fail "the guest's port is 1"
expect EINVAL "backend port bound to something else" add "$d" vif 5 0 $G 1
Q=$($T port 0 | sed -n 's/^noxs-port //p')
[ -n "$Q" ] || rig_fail "noxs-tool port 0 failed"
expect EINVAL "backend port opened for another domain" add "$d" vif 5 0 $G "$Q"
$T close "$Q" || rig_fail "close of port $Q failed"
expect EINVAL "unknown flag" add "$d" vif 5 0 $G $P 128
expect ESRCH "backend that does not exist" add "$d" vif 5 4321 $G $P
expect EINVAL "reserved backend id" add "$d" vif 5 32752 $G $P
expect ESRCH "target that does not exist" add 4321 vif 5 0 $G $P
expect EINVAL "reserved target id" add 32753 vif 5 0 $G $P
expect EINVAL "remove type 0" remove "$d" 0 0
expect EINVAL "remove devid 300" remove "$d" vif 300
expect ENOSYS "unknown sub-op" raw 9 00
# Raw ops: add with a non-zero pad, then with a non-zero reserved word.
dl=$(printf '%02x%02x' $((d & 255)) $((d >> 8)))
z8=0000000000000000
pl=$(printf '%02x%02x%02x%02x' $((P & 255)) $(((P >> 8) & 255)) \
	$(((P >> 16) & 255)) $((P >> 24)))
ent="0300 0500 0000 0000 08000000 $pl"
ent=$(echo $ent | tr -d ' ')
expect EINVAL "non-zero pad" raw 1 "${dl}010000000000${ent}${z8}${z8}"
expect EINVAL "non-zero reserved" raw 1 "${dl}000000000000${ent}0100000000000000${z8}"
$T raw 1 "${dl}000000000000${ent}${z8}${z8}" || rig_fail "well-formed raw add failed"
$T remove "$d" vif 5 || rig_fail "remove of the raw-added vif 5 failed"
expect EINVAL "non-zero list pad" raw 3 "${dl}000001000000"
[ "$(count)" = 4 ] || rig_fail "refused ops changed the page"
[ "$(gen)" = 16 ] || rig_fail "refused ops changed the generation ($(gen), want 16)"

# Fill the page to its limit; the next add fails cleanly.
$T fill "$d" 0 $P > fill.txt || rig_fail "fill did not end in ENOSPC"
cat fill.txt
[ "$(count)" = 126 ] || rig_fail "full page holds $(count), want 126"
expect ENOSPC "add to a full page" add "$d" power 1 0 $G $P
expect ENOSPC "add to a full page again" add "$d" console 7 0 $G $P
rig_metric noxs_max_entries "$(count)" entries
$T remove "$d" vif 100 || rig_fail "remove from a full page failed"
[ "$(count)" = 125 ] || rig_fail "remove from a full page left $(count)"
$T list "$d" | grep -q 'type=3 devid=100 ' && rig_fail "vif 100 still listed"
$T add "$d" power 1 0 $G $P || rig_fail "add after a remove from a full page failed"
[ "$(count)" = 126 ] || rig_fail "count $(count) after re-add"

# The guest's page maps read-only, never writable.
$T map "$d" ro > map.txt || rig_fail "read-only mapping of the page failed"
cat map.txt
grep -q 'magic=0x53584f4e count=126' map.txt || rig_fail "mapped page shows the wrong header"
# Xen's refusal of a writable mapping of a read-only page is EBUSY.
expect EBUSY "writable mapping of the device page" map "$d" rw

# The page dies with the domain.
xl destroy noxslim || rig_fail "xl destroy failed"
rig_wait_for 10 $T --expect ESRCH list "$d" ||
	rig_fail "the page of destroyed domain $d is still listed"
$T close "$P" || rig_fail "close of port $P failed"
rig_stop_xenstore
rig_pass "full page -> ENOSPC at 126, remove takes exactly one, all fields validated (the port only if opened for the guest), read-only mapping only"
