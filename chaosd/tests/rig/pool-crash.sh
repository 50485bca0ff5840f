# pool-crash: kill -9 chaosd in the middle of a refill and in the middle of
# a create, restart it: no domain or memory leaks, guests still listed
# under their names, their consoles still attach, and chaosd takes their
# consoles back: a hello-loop guest's log keeps growing across restarts.
# rig-timeout: 400

. /rig/extra/chaosd-lib
# chaosd holds a console channel per guest: grow dom0's event channel table
# to that size first, so the free-memory check below sees only guests.
rig-evtchn-warm 256 || rig_fail "cannot warm dom0's event channels"
free0=$(rig-domains free-kib)
chaosd_start --pool memory=4,vcpus=1,size=10
wait_until 120 pool_full 4 10 || rig_fail "pool did not fill"
i=1
while [ $i -le 3 ]; do
	noop_json g$i > g$i.json
	chaos create g$i.json > /dev/null || rig_fail "create g$i failed"
	i=$((i + 1))
done
hello_json hl > hl.json
chaos create hl.json > /dev/null || rig_fail "create hl failed"
wait_until 20 log_has hl '^hello 2$' || rig_fail "hl's console is not logged"
# Mid-refill: grow the pool a lot, kill while shells are being made.
chaos pool set memory=4,vcpus=1,size=60 || rig_fail "pool set failed"
sleep 1
kill -9 "$chaosd_pid"; wait "$chaosd_pid" 2>/dev/null; trap - EXIT
rig_log "killed mid-refill with $(rig-domains count) domains"
chaosd_start --pool memory=4,vcpus=1,size=0
grep 'adopted' chaosd.log | tail -n1
[ "$(rig-domains count)" = 4 ] || rig_fail "after restart: $(rig-domains count) domains, want the 4 guests"
# The restarted chaosd holds hl's console again: its log keeps growing.
n0=$(hello_count hl)
wait_until 20 hello_grew hl "$n0" || rig_fail "hl.log stopped at $n0 hello lines after the restart"
[ "$(grep -c 'console of domain [0-9]* attached' /var/log/chaos/hl.log)" -ge 2 ] ||
	rig_fail "hl.log does not show the console re-attached"
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
named=$(chaos list | awk 'NR > 1 && $1 ~ /^([gb][0-9]+|hl)$/' | wc -l)
rig_log "$n domains, $named named guests"
[ "$n" = "$named" ] || { chaos list; rig_fail "$n domains but $named named guests: leak"; }
n0=$(hello_count hl)
wait_until 20 hello_grew hl "$n0" || rig_fail "hl.log stopped at $n0 hello lines after the second restart"
rig_log "hl.log: $(hello_count hl) hello lines"
for g in $(chaos list | awk 'NR > 1 && $1 ~ /^([gb][0-9]+|hl)$/ { print $1 }'); do
	chaos destroy "$g" || rig_fail "destroy $g failed"
done
chaosd_stop
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left: $(rig-domains count)"
# The record files the killed chaosd's shells were made with went with
# the shells the restarts reclaimed.
left=$(ls -A /run/chaos/domains | tr '\n' ' ')
[ -z "$left" ] || rig_fail "left in /run/chaos/domains: $left"
free1=$(rig-domains free-kib)
[ "$free1" = "$free0" ] || rig_fail "free memory $free1 KiB, was $free0 KiB"
rig_pass "two kill -9 (refill, create), restarts adopted guests and their consoles (hl.log kept growing), nothing leaked"
