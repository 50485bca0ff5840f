# smoke: dom0 is up with the Xen modules, and chaos sees the hypervisor.
# rig-timeout: 60

for dev in privcmd evtchn gntdev gntalloc; do
	[ -e /dev/xen/$dev ] || rig_fail "/dev/xen/$dev missing"
done
grep -q '^xen_privcmd\|^xen_evtchn' /proc/modules || rig_fail "Xen modules not loaded"

# The version chaos prints is the one the hypervisor reports itself.
chaos info > info.txt || rig_fail "chaos info failed"
cat info.txt
want="$(cat /sys/hypervisor/version/major).$(cat /sys/hypervisor/version/minor)$(cat /sys/hypervisor/version/extra)"
got=$(sed -n 's/^xen_version *: *//p' info.txt)
[ "$got" = "$want" ] || rig_fail "chaos info says version '$got', hypervisor says '$want'"
rig_log "hypervisor version $want"
chaos info --json | jq -e '.nr_cpus >= 1 and .free_memory_kib > 0' >/dev/null ||
	rig_fail "chaos info --json does not parse or is wrong"

# Domain-0 carries the memory given on the Xen command line.
want_mib=$(sed -n 's/.*dom0_mem=\([0-9]*\)M.*/\1/p' /rig/xen-cmdline)
chaos list > list.txt || rig_fail "chaos list failed"
cat list.txt
line=$(grep '^Domain-0 ' list.txt) || rig_fail "no Domain-0 in chaos list"
set -- $line
[ "$2" = 0 ] || rig_fail "Domain-0 has id '$2'"
[ "$3" = "$want_mib" ] || rig_fail "Domain-0 has $3 MiB, Xen was told $want_mib"
[ "$5" = running ] || rig_fail "Domain-0 state is '$5'"

chaos list --json > list.json || rig_fail "chaos list --json failed"
jq -e ".[] | select(.id == 0) | .name == \"Domain-0\" and .memory_mib == $want_mib" \
	list.json >/dev/null || rig_fail "chaos list --json does not parse or disagrees"

# Unprivileged: one clear line, exit status 1.
rc=0
su -s /bin/sh nobody -c 'chaos list' > nonroot.out 2>&1 || rc=$?
cat nonroot.out
[ "$rc" -eq 1 ] || rig_fail "non-root chaos list exited $rc, want 1"
[ "$(wc -l < nonroot.out)" -eq 1 ] || rig_fail "non-root chaos list printed more than one line"
grep -q 'permission denied' nonroot.out || rig_fail "non-root message unclear"

rig_pass "chaos info and list agree with the hypervisor"
