# front-door-live: a live migration to this host through chaosd at both
# ends (the sending CLI hands chaosd its transport, the receiving CLI its
# stdin and stdout): the guest moves while it runs, chaosd's log shows
# both ends, and its counter goes on in the new domain.
# rig-timeout: 300

. /rig/extra/chaosd-lib
rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
chaosd_start
chaosd_said() { grep -q "$1" chaosd.log; }
cat > connected.sh <<'SH'
chaos list -l > list.txt &&
	awk -v n="$1" '/^[^ ]/ {g = ($1 == n)} g' list.txt |
	grep -Eq '^ +power +0 .* be connected +fe connected'
SH
printf '{ "name": "hl", "kernel": "/rig/guests/hello-loop.elf", "memory": 4 }\n' > hl.json
chaos create hl.json > /dev/null || rig_fail "create hl failed"
chaos console hl --no-input --until 'hello 3' --timeout 30 > /dev/null ||
	rig_fail "hl did not count to 3"
rig_wait_for 5 sh connected.sh hl || rig_fail "hl's power device not connected"
old=$(chaos list | awk '$1 == "hl" {print $2}')
chaos migrate hl 'chaos migrate-receive' -s '' --live > mig.out 2>&1 ||
	{ cat chaosd.log; rig_fail "migrate --live through chaosd failed: $(cat mig.out)"; }
cat mig.out
new=$(chaos list | awk '$1 == "hl" {print $2}')
[ -n "$new" ] && [ "$new" != "$old" ] || rig_fail "hl did not move ($old -> '$new')"
chaosd_said "migrated domain $old live" && chaosd_said "received domain $new by migration" ||
	rig_fail "chaosd's log has no live migration of $old to $new"
chaos console hl --no-input --until 'hello-loop: resumed in a new domain' \
	--timeout 20 > /dev/null || rig_fail "hl did not go on after the live migration"
chaos destroy hl || rig_fail "destroy hl failed"
chaosd_stop
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left: $(rig-domains count)"
rig_pass "live migration through chaosd at both ends: domain $old -> $new, counter went on"
