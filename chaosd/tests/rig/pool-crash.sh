# pool-crash: kill -9 chaosd in the middle of a refill and in the middle of
# a create, restart it: no domain or memory leaks, guests still listed
# under their names, their consoles still attach.
# rig-timeout: 400

. /rig/extra/chaosd-lib
free0=$(rig-domains free-kib)
chaosd_start --pool memory=4,vcpus=1,size=10
wait_until 120 pool_full 4 10 || rig_fail "pool did not fill"
i=1
while [ $i -le 3 ]; do
	noop_json g$i > g$i.json
	chaos create g$i.json > /dev/null || rig_fail "create g$i failed"
	i=$((i + 1))
done
# Mid-refill: grow the pool a lot, kill while shells are being made.
chaos pool set memory=4,vcpus=1,size=60 || rig_fail "pool set failed"
sleep 1
kill -9 "$chaosd_pid"; wait "$chaosd_pid" 2>/dev/null; trap - EXIT
rig_log "killed mid-refill with $(rig-domains count) domains"
chaosd_start --pool memory=4,vcpus=1,size=0
grep 'adopted' chaosd.log | tail -n1
[ "$(rig-domains count)" = 3 ] || rig_fail "after restart: $(rig-domains count) domains, want the 3 guests"
i=1
while [ $i -le 3 ]; do
	chaos list | grep -q "^g$i " || rig_fail "g$i not listed after restart"
	chaos console g$i --no-input --until ready --timeout 20 > /dev/null ||
		rig_fail "g$i console does not attach after restart"
	i=$((i + 1))
done

# Mid-create: a burst of creates from the client, killed while it runs.
chaos pool set memory=4,vcpus=1,size=10
wait_until 120 pool_full 4 10 || rig_fail "pool did not refill"
( i=1; while [ $i -le 30 ]; do noop_json b$i > b$i.json; chaos create b$i.json > /dev/null 2>&1; i=$((i + 1)); done ) &
burst=$!
sleep 1
kill -9 "$chaosd_pid"; wait "$chaosd_pid" 2>/dev/null; trap - EXIT
wait $burst
rig_log "killed mid-create with $(rig-domains count) domains"
chaosd_start --pool memory=4,vcpus=1,size=0
grep 'adopted' chaosd.log | tail -n1
# Every domain left is a guest with a name, and every named guest is live.
n=$(rig-domains count)
named=$(chaos list | awk 'NR > 1 && $1 ~ /^[gb][0-9]+$/' | wc -l)
rig_log "$n domains, $named named guests"
[ "$n" = "$named" ] || { chaos list; rig_fail "$n domains but $named named guests: leak"; }
for g in $(chaos list | awk 'NR > 1 && $1 ~ /^[gb][0-9]+$/ { print $1 }'); do
	chaos destroy "$g" || rig_fail "destroy $g failed"
done
chaosd_stop
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left: $(rig-domains count)"
free1=$(rig-domains free-kib)
[ "$free1" = "$free0" ] || rig_fail "free memory $free1 KiB, was $free0 KiB"
rig_pass "two kill -9 (refill, create), restarts adopted guests, nothing leaked"
