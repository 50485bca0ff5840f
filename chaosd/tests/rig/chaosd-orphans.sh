# chaosd-orphans: a guest destroyed behind chaos's back (here by the
# hypervisor call xl would make, rig-domains destroy-all) leaves its noxs
# backends in the module: a granted control page and a bound port for a
# domid that will be reused. chaosd collects them when the domain goes
# (audit finding 8), and a chaosd started later collects what went while
# none ran.
# rig-timeout: 300

. /rig/extra/chaosd-lib
rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
N=/rig/guests/noxsctl
devices() { $N stats | awk '$1 == "devices" {print $2}'; }

chaosd_start
hello_json hl > hl.json
chaos create hl.json > /dev/null || rig_fail "create hl failed"
[ "$(devices)" -ge 1 ] || rig_fail "hl has no noxs device: $($N stats)"
rig-domains destroy-all || rig_fail "destroy-all failed"
wait_until 20 sh -c "[ \"\$($N stats | awk '\$1 == \"devices\" {print \$2}')\" = 0 ]" ||
	{ $N list; cat chaosd.log; rig_fail "chaosd left the backends of a domain destroyed behind its back: $($N stats)"; }
grep -q 'devices of 1 domain' chaosd.log || rig_fail "chaosd did not say what it collected"
$N stats | grep -q '^devices 0 grants 0 ports 0 ' || rig_fail "grants or ports left: $($N stats)"

# While no chaosd runs: the next chaosd collects on start.
chaosd_stop
chaos create hl.json > /dev/null || rig_fail "create hl (no chaosd) failed"
rig-domains destroy-all || rig_fail "destroy-all failed"
[ "$(devices)" -ge 1 ] || rig_fail "the backends went without chaosd: $($N stats)"
chaosd_start
wait_until 20 sh -c "[ \"\$($N stats | awk '\$1 == \"devices\" {print \$2}')\" = 0 ]" ||
	rig_fail "a starting chaosd left orphaned backends: $($N stats)"
chaosd_stop
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left: $(rig-domains count)"
rig_pass "backends of domains destroyed behind chaos's back collected, by a running chaosd and by one starting later"
