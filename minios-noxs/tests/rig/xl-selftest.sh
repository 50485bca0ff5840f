# xl-selftest: under stock xl, the selftest unikernel takes every page the
# allocator has (16 MiB guest: most of it past the bootstrap mapping, so
# it has to map more), frees and retakes them, then faults on purpose: the
# console must show the fault and a register dump, and the domain must be
# left crashed (SHUTDOWN_crash).
# rig-timeout: 120

img=/rig/guests/selftest.elf
[ -r "$img" ] || rig_fail "$img missing"
rig_start_xenstore
log=/var/log/xen/console/guest-selftest.log
cat > selftest.cfg <<CFG
name = "selftest"
type = "pv"
kernel = "$img"
memory = 16
vcpus = 1
on_crash = "preserve"
CFG
xl create selftest.cfg || rig_fail "xl create failed"
rig_wait_for 60 sh -c "xl list selftest | awk 'NR == 2 { print \$5 }' | grep -q c"
state=$(xl list selftest | awk 'NR == 2 { print $5 }')
cat "$log"
xl destroy selftest
case $state in *c*) ;; *) rig_fail "domain state '$state', expected crashed" ;; esac
grep -q '^selftest: ok' "$log" || rig_fail "allocator self-test did not pass"
pages=$(sed -n 's/^selftest: allocated \([0-9]*\) pages.*/\1/p' "$log")
[ "${pages:-0}" -gt 3000 ] ||
	rig_fail "only ${pages:-0} pages of 16 MiB were allocatable"
grep -q 'fatal trap 14 (page fault) at address 0$' "$log" ||
	rig_fail "no page-fault report on the console"
grep -q '^RIP: ' "$log" || rig_fail "no register dump"
rig_metric selftest_pages_allocated "$pages" pages
rig_pass "$pages pages allocated twice; NULL fault reported and crashed"
