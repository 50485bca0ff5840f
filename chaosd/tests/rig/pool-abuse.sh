# pool-abuse: a non-root client is refused; garbage, oversized, truncated,
# stalled and random frames get error replies (or a clean close) while the
# daemon keeps serving.
# rig-timeout: 240

. /rig/extra/chaosd-lib
chaosd_start --pool memory=4,vcpus=1,size=2
# The socket's mode keeps others out; and were it opened up by mistake, the
# peer-credential check still refuses them.
/rig/guests/chaosd-probe nonroot > nonroot.out 2>&1 || { cat nonroot.out; rig_fail "a non-root client was served"; }
cat nonroot.out
grep -q 'connect refused' nonroot.out || rig_fail "socket mode let uid 65534 connect"
chmod 0777 /run/chaos /run/chaos/chaosd.sock
/rig/guests/chaosd-probe nonroot > nonroot2.out 2>&1 || { cat nonroot2.out; rig_fail "a non-root client was served on an open socket"; }
cat nonroot2.out
grep -q 'permission denied' nonroot2.out || rig_fail "no permission-denied reply"
grep -q 'refused a client' chaosd.log || rig_fail "chaosd did not log the refusal"
chmod 0660 /run/chaos/chaosd.sock; chmod 0755 /run/chaos
/rig/guests/chaosd-probe abuse 200 > abuse.out 2>&1
rc=$?
grep -c '^probe:' abuse.out | { read n; rig_log "$n probe exchanges"; }
grep -E 'PROBE-FAIL|oversized|4 GiB|stalled|nul bytes|byte-by-byte' abuse.out
[ $rc -eq 0 ] || rig_fail "abuse probe failed"
kill -0 "$chaosd_pid" || rig_fail "chaosd died"
# Still fully working: a create from the pool.
noop_json ok > ok.json
chaos create --timing ok.json | grep -q via=pool || rig_fail "create after abuse not pooled"
chaos console ok --no-input --until ready --timeout 30 > /dev/null || rig_fail "guest after abuse not ready"
chaos destroy ok
chaosd_stop
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left"
rig_pass "non-root refused, $(grep -c '^probe:' abuse.out) hostile exchanges answered, daemon still serving"
