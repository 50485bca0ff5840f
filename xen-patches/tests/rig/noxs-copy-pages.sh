# noxs-copy-pages: NOXS_DOMCTL_copy_pages, the call checkpoints move guest
# memory with, driven from dom0 against a running chaos guest: arguments
# refused (no pages, too many, unknown flag, pad, the caller's own
# domain, frames beyond memory or of another guest, a bad buffer, a
# failure part-way with the count of pages done), a data page read and
# written back, and a page table readable but never writable (EPERM, the
# table unchanged). The guest counts on afterwards, and both guests go
# with all their memory.
# rig-timeout: 180

T=/rig/guests/copy-pages-tool
[ -x $T ] || rig_fail "copy-pages-tool missing from /rig/guests"
rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
free0=$(rig-domains free-kib)

for g in cpa cpb; do
	printf '{ "name": "%s", "kernel": "/rig/guests/hello-loop.elf", "memory": 4 }\n' \
		$g > $g.json
	chaos create $g.json > /dev/null || rig_fail "chaos create $g failed"
done
chaos console cpa --no-input --until 'hello 2' --timeout 30 > c1.txt ||
	rig_fail "cpa did not count to 2: $(tail -3 c1.txt)"
da=$(chaos list | awk '$1 == "cpa" {print $2}')
db=$(chaos list | awk '$1 == "cpb" {print $2}')

$T "$da" "$db" > tool.txt 2>&1
rc=$?
cat tool.txt
[ $rc = 0 ] || rig_fail "copy-pages-tool: $(grep FAILED tool.txt | head -3 | tr '\n' ';')"

# The refused writes did nothing to it: the guest goes on counting.
n=$(awk '$1 == "hello" && $2 ~ /^[0-9]+$/ {n = $2} END {print n + 0}' c1.txt)
chaos console cpa --no-input --until "hello $((n + 3))" --timeout 30 > c2.txt ||
	rig_fail "cpa stopped counting after the checks: $(tail -3 c2.txt)"

chaos destroy cpa && chaos destroy cpb || rig_fail "chaos destroy failed"
rig_wait_for 30 sh -c '[ "$(rig-domains count)" = 0 ]' ||
	rig_fail "$(rig-domains count) domains left"
rig_wait_for 30 sh -c "[ \"\$(rig-domains free-kib)\" = $free0 ]" ||
	rig_fail "memory not back: $(rig-domains free-kib) KiB free, $free0 before"
rig_pass "$(grep -c '^ok' tool.txt) checks held; the guest counted on; nothing left"
