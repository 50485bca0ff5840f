# noxs-cycles: device pages come and go with their domains. Create paused
# guests with xl, fill part of each page, destroy them, and check that the
# hypervisor's free memory comes back (a page leaked per domain would show
# as 4 KiB per cycle). The 200-cycle version waits for chaos and the module.
# rig-timeout: 300

T=/rig/guests/noxs-tool
[ -x $T ] || rig_fail "noxs-tool missing from /rig/guests"
N=${NOXS_CYCLES:-20}

rig_start_xenstore
# The guest never runs; a small kernel and memory keep each cycle short.
if [ -f /rig/guests/noop.elf ]; then
	kernel='kernel = "/rig/guests/noop.elf"' mem=16
else
	kernel='kernel = "/rig/guests/vmlinuz"' mem=128
fi
cat > guest.cfg <<CFG
name = "noxscyc"
type = "pv"
$kernel
memory = $mem
CFG
cat guest.cfg

cycle() {
	xl create -p -q guest.cfg || rig_fail "xl create -p failed"
	d=$(xl domid noxscyc) || rig_fail "xl domid failed"
	p=$($T port "$d" | sed -n 's/^noxs-port //p')
	[ -n "$p" ] || rig_fail "noxs-tool port $d failed"
	for dev in "power 0" "console 0" "vif 0"; do
		$T add "$d" $dev 0 8 "$p" || rig_fail "add $dev to domain $d"
	done
	xl destroy noxscyc || rig_fail "xl destroy failed"
	rig_wait_for 10 $T --expect ESRCH list "$d" ||
		rig_fail "domain $d's page outlived it"
	$T close "$p" || rig_fail "close of port $p failed"
}

# One cycle first, so one-time allocations do not count as leaks.
rig_log "first cycle"
cycle
rig_log "first cycle done (domain $d)"
before=$(rig-domains free-kib) || rig_fail "rig-domains free-kib failed"
i=0
while [ $i -lt $N ]; do
	t0=$(rig_now_us)
	cycle
	i=$((i + 1))
	rig_log "cycle $i: domain $d, $(( ($(rig_now_us) - t0) / 1000 )) ms"
done
after=$(rig-domains free-kib) || rig_fail "rig-domains free-kib failed"
lost=$((before - after))
rig_log "free before $before KiB, after $after KiB, over $N cycles"
rig_metric noxs_cycles_lost_kib "$lost" KiB
rig_stop_xenstore
# Xen may keep a page of one-off growth (e.g. dom0's maptrack); a per-domain
# leak of even one page would cost 4 KiB x N.
[ "$lost" -lt $((N * 2)) ] ||
	rig_fail "$lost KiB lost over $N create/destroy cycles"
rig_pass "$N create/fill/destroy cycles, $lost KiB lost (no per-domain leak)"
