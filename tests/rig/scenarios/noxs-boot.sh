# noxs-boot: without xenstored, a noop guest finds its device page through
# the hypercall and connects its power device; chaos list -l shows it
# connected at both ends. Prints noxs_create_ms (median CLI time of 20
# creates) and the guest's own boot time with noxs.
# rig-timeout: 240

rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
N=/rig/guests/noxsctl
grep -qxE "o?xenstored" /proc/[0-9]*/comm 2>/dev/null &&
	rig_fail "xenstored is running"

cat > noop.json <<CFG
{ "name": "noxsboot", "kernel": "/rig/guests/noop.elf", "memory": 4 }
CFG
chaos create noop.json || rig_fail "chaos create failed"
chaos console noxsboot --no-input --until ready --timeout 30 > boot.console ||
	rig_fail "noop did not print ready: $(cat boot.console)"
cat boot.console
grep -q 'noxs: 1 of 1 devices attached' boot.console ||
	rig_fail "the guest did not attach its power device"
rig_wait_for 5 sh -c "chaos list -l > list.txt &&
	grep -Eq '^ +power +0 .* be connected +fe connected' list.txt" || rig_fail "power device not connected: $(cat list.txt)"
cat list.txt
chaos destroy noxsboot || rig_fail "chaos destroy failed"

# The CLI's create time with the power device (module + device page).
: > create.us
i=0
while [ $i -lt 20 ]; do
	rig_time_us chaos create noop.json >> create.us 2> create.out ||
		rig_fail "create $i failed: $(cat create.out)"
	chaos destroy noxsboot || rig_fail "destroy $i failed"
	i=$((i + 1))
done
# Guest-side times from a warm guest (the first after boot is slow, TCG).
chaos create noop.json || rig_fail "chaos create failed"
chaos console noxsboot --no-input --until ready --timeout 30 > warm.console ||
	rig_fail "noop did not print ready: $(cat warm.console)"
chaos destroy noxsboot || rig_fail "chaos destroy failed"
rig_metric noxs_noop_boot_us "$(sed -n 's/.*booted in \([0-9]*\) us.*/\1/p' warm.console)" us
rig_metric noxs_attach_us "$(sed -n 's/.*devices attached in \([0-9]*\) us.*/\1/p' warm.console)" us
set -- $(rig_stats create.us)
rig_metric noxs_create_ms "$(awk -v v="$1" 'BEGIN {printf "%.2f", v / 1000}')" ms
$N stats > stats.txt || rig_fail "noxsctl stats failed"
cat stats.txt
grep -q '^devices 0 grants 0 ports 0 ' stats.txt ||
	rig_fail "devices left behind: $(cat stats.txt)"
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left behind"
rig_pass "power device connected without xenstored; 20 creates, nothing left"
