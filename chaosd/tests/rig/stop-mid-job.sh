# stop-mid-job: chaosd told to stop (SIGTERM) while a save runs on one of
# its job threads still answers that save's client: the job's connection
# stays open until its reply is out. The save writes into a pipe nobody
# reads until chaosd's serving loop has ended (chaosd-probe
# stop-mid-save), so the save is certainly under way when the stop comes.
# The guest is saved and gone, chaosd exits cleanly and leaves nothing.
# rig-timeout: 300

. /rig/extra/chaosd-lib
# A save suspends the guest through its noxs power device.
rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
chaosd_start --pool memory=4,vcpus=1,size=2
hello_json hl 16 > hl.json
chaos create hl.json > /dev/null || rig_fail "create hl failed"
chaos console hl --no-input --until 'hello 2' --timeout 30 > /dev/null ||
	rig_fail "hl did not count"
/rig/guests/chaosd-probe stop-mid-save hl "$chaosd_pid" > probe.out 2>&1
rc=$?
cat probe.out
[ $rc = 0 ] || rig_fail "the save's client got no reply: $(tail -1 probe.out)"
wait "$chaosd_pid"
rc=$?
trap - EXIT
[ $rc = 0 ] || { tail -20 chaosd.log; rig_fail "chaosd exited with $rc"; }
grep -q 'stopping: waiting for the save of domain' chaosd.log ||
	rig_fail "chaosd did not wait for the save: $(tail -5 chaosd.log)"
grep -q 'saved domain' chaosd.log || rig_fail "the save did not finish: $(tail -5 chaosd.log)"
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left: $(rig-domains count)"
rig_pass "a save under way when chaosd stopped answered its client ($(sed -n 's/.*(\([0-9]* bytes\)).*/\1/p' probe.out) of image), chaosd waited for it and left nothing"
