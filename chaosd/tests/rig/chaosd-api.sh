# chaosd-api: protocol version 2 through the socket, and the event stream.
#  - hello gives the protocol version and the capabilities; info, stats
#    (all, one), network-list and block-list answer; a bad field is
#    named; a pingresp guest's vif counters (the noxs netback's dom0
#    device) count the pings; chaos top shows it;
#  - a subscriber (chaos events) sees, in order and for the right domain:
#    create (created, started), pause, unpause, shutdown (shutdown
#    poweroff, destroyed poweroff), crash (crashed, destroyed crash), save
#    and restore (saved, destroyed saved, restored, started), migration
#    to this host through chaosd at both ends (migrated-away, destroyed,
#    migrated-in, started), destroy, and a guest made and destroyed behind
#    chaosd's back (created, destroyed gone);
#  - a burst of creates and destroys through chaosd: every event arrives,
#    seq numbers without a gap;
#  - a subscriber that reads nothing meanwhile (a queue of 16) gets an
#    overflow event, and what it saw plus what it was told it lost is
#    every event.
# rig-timeout: 900

. /rig/extra/chaosd-lib
rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
BURST=${RIG_VAR_API_BURST:-200}
chaosd_start --pool memory=4,vcpus=1,size=4 --events-queue 16
call() { /rig/guests/chaosd-probe call "$1" 2>&1 | sed -n 's/^probe: call: //p'; }

# --- version 2 queries -------------------------------------------------------
call '{"op":"hello"}' > hello.json
cat hello.json
[ "$(jq .protocol hello.json)" = 2 ] || rig_fail "hello: no protocol 2: $(cat hello.json)"
for cap in events stats info network-list block-list; do
	jq -e --arg c $cap '.caps | index($c)' hello.json > /dev/null ||
		rig_fail "hello: capability $cap missing"
done
call '{"op":"info"}' > info.json
[ "$(jq '.host.nr_cpus' info.json)" -ge 1 ] || rig_fail "info: $(cat info.json)"
chaos info > /dev/null || rig_fail "chaos info through chaosd failed"
call '{"op":"stats","domain":7}' > bad.json
grep -q 'domain: expected' bad.json || rig_fail "a bad field is not named: $(cat bad.json)"

# --- the sequence a subscriber sees ----------------------------------------
chaos events --json > ev.log 2> ev.err &
evpid=$!
wait_until 10 grep -q 'events: subscriber' chaosd.log || rig_fail "chaos events did not subscribe: $(cat ev.err)"
# ev NAME: the events of NAME, "type:reason", one line.
ev() { jq -r --arg n "$1" 'select(.name == $n) | .event + ":" + (.reason // "")' ev.log | tr '\n' ' '; }
expect() {
	wait_until 20 sh -c "jq -r --arg n '$1' 'select(.name == \$n) | .event + \":\" + (.reason // \"\")' ev.log | tr '\n' ' ' | grep -q '$2\$'" ||
		rig_fail "events of $1: '$(ev "$1")', expected '$2'"
	rig_log "events of $1: $(ev "$1")"
}

hello_json life > life.json
chaos create life.json > /dev/null || rig_fail "create life failed"
expect life 'created: started: '
chaos pause life && chaos unpause life || rig_fail "pause/unpause failed"
expect life 'created: started: paused: unpaused: '
call '{"op":"network-list","domain":"life"}' > nl.json
[ "$(jq '.vifs | length' nl.json)" = 0 ] || rig_fail "network-list: $(cat nl.json)"
# A noxs guest has no disks (XenStore guests' are in stock-linux).
call '{"op":"block-list","domain":"life"}' > bl.json
[ "$(jq '.disks | length' bl.json)" = 0 ] || rig_fail "block-list: $(cat bl.json)"
call '{"op":"stats","domain":"life"}' > st.json
[ "$(jq -r '.guests[0].name' st.json)" = life ] || rig_fail "stats: $(cat st.json)"
[ "$(jq '.guests[0].cpu_time_ns' st.json)" -gt 0 ] || rig_fail "stats: no CPU time: $(cat st.json)"
chaos top --json > top.json || rig_fail "chaos top --json failed"
jq -e '.guests[] | select(.name == "life") | .memory_kib > 0' top.json > /dev/null ||
	rig_fail "chaos top --json has no life: $(cat top.json)"
chaos shutdown life --timeout 20 || rig_fail "shutdown life failed"
expect life 'created: started: paused: unpaused: shutdown:poweroff destroyed:poweroff '

printf '{ "name": "boom", "kernel": "/rig/guests/crasher.elf", "memory": 4 }\n' > boom.json
chaos create boom.json > /dev/null || rig_fail "create boom failed"
expect boom 'created: started: crashed:crash destroyed:crash '

# vif counters from the noxs netback's dom0 device, and network-list.
ip link add br0 type bridge || rig_fail "cannot make br0"
ip addr add 10.15.0.1/24 dev br0 && ip link set br0 up || rig_fail "cannot set up br0"
xendevd --no-ovs > xendevd.log 2>&1 &
xdpid=$!
rig_wait_for 10 test -S /run/xendevd.sock || { cat xendevd.log; rig_fail "xendevd did not start"; }
printf '{ "name": "net", "kernel": "/rig/guests/pingresp.elf", "memory": 4,\n  "vifs": [ { "mac": "00:16:3e:15:00:02", "ip": "10.15.0.2", "bridge": "br0" } ] }\n' > net.json
chaos create net.json > /dev/null || rig_fail "create net failed"
chaos console net --no-input --until ready --timeout 60 > /dev/null || rig_fail "net did not print ready"
ping -c 5 -i 0.2 -W 5 10.15.0.2 > ping.txt 2>&1 || { cat ping.txt; rig_fail "net does not answer ping"; }
call '{"op":"stats","domain":"net"}' > nst.json
cat nst.json
[ "$(jq '.guests[0].vifs[0].rx_packets' nst.json)" -ge 5 ] &&
	[ "$(jq '.guests[0].vifs[0].tx_packets' nst.json)" -ge 5 ] &&
	[ "$(jq '.guests[0].vifs[0].rx_bytes' nst.json)" -gt 0 ] ||
	rig_fail "vif counters do not show the pings: $(cat nst.json)"
call '{"op":"network-list","domain":"net"}' > nnl.json
[ "$(jq -r '.vifs[0].mac + " " + .vifs[0].ip + " " + .vifs[0].bridge' nnl.json)" = \
  "00:16:3e:15:00:02 10.15.0.2 br0" ] || rig_fail "network-list: $(cat nnl.json)"
chaos network-list net | grep -q '10.15.0.2' || rig_fail "chaos network-list through chaosd: $(chaos network-list net 2>&1)"
chaos top --iterations 2 --delay 1 > top.txt || rig_fail "chaos top failed"
cat top.txt
grep -q ' net ' top.txt || rig_fail "chaos top does not show net"
chaos destroy net || rig_fail "destroy net failed"
kill $xdpid
wait $xdpid 2>/dev/null

hello_json hl > hl.json
chaos create hl.json > /dev/null || rig_fail "create hl failed"
chaos console hl --no-input --until 'hello 2' --timeout 30 > /dev/null ||
	rig_fail "hl did not count"
cat > connected.sh <<'SH'
chaos list -l > list.txt &&
	awk -v n="$1" '/^[^ ]/ {g = ($1 == n)} g' list.txt |
	grep -Eq '^ +power +0 .* be connected +fe connected'
SH
rig_wait_for 10 sh connected.sh hl || rig_fail "hl's power device not connected"
chaos save hl hl.img || rig_fail "save hl failed"
chaos restore hl.img > /dev/null || rig_fail "restore hl failed"
expect hl 'created: started: saved: destroyed:saved restored: started: '
chaos console hl --no-input --until 'resumed in a new domain' --timeout 20 > /dev/null ||
	rig_fail "restored hl did not go on"
rig_wait_for 10 sh connected.sh hl || rig_fail "restored hl's power device not connected"
chaos migrate hl 'chaos migrate-receive' -s '' > mig.out 2>&1 ||
	rig_fail "migrate hl failed: $(cat mig.out)"
# Both ends finish in chaosd at about the same time: either may be first.
has() { wait_until 20 sh -c "jq -r 'select(.name == \"hl\") | .event + \":\" + (.reason // \"\")' ev.log | tr '\n' ' ' | grep -q '$1'" || rig_fail "events of hl: '$(ev hl)', no '$1'"; }
has 'migrated-away: destroyed:migrated '
has 'migrated-in: started: '
rig_log "events of hl: $(ev hl)"
chaos destroy hl || rig_fail "destroy hl failed"
expect hl 'destroyed:destroy '

# Behind chaosd's back: announced from the hypervisor's list.
noop_json side > side.json
chaos --no-chaosd create side.json > /dev/null || rig_fail "--no-chaosd create failed"
expect side 'created: started: '
chaos --no-chaosd destroy side || rig_fail "--no-chaosd destroy failed"
expect side 'created: started: destroyed:gone '

# --- a burst, and a subscriber that falls behind ------------------------------
/rig/guests/chaosd-probe events-stall 20 > stall.out 2>&1 &
stallpid=$!
wait_until 10 grep -q 'probe: subscribed' stall.out || rig_fail "the stalled subscriber did not subscribe"
first=$(tail -n 1 ev.log | jq .seq)
t0=$(rig_now_us)
i=0
while [ $i -lt "$BURST" ]; do
	noop_json "b$i" > b.json
	chaos create b.json > /dev/null || rig_fail "burst create b$i failed"
	chaos destroy "b$i" || rig_fail "burst destroy b$i failed"
	i=$((i + 1))
done
burst_us=$(( $(rig_now_us) - t0 ))
rig_metric chaosd_api_burst_ms $((burst_us / 1000)) ms
rig_metric chaosd_api_burst_pairs_per_s \
	"$(awk -v n="$BURST" -v us="$burst_us" 'BEGIN { printf "%.1f", n * 1e6 / us }')" /s
want=$((BURST * 3))   # created, started, destroyed
count_burst() { jq -r 'select(.name | test("^b[0-9]+$")) | .event' ev.log | wc -l; }
wait_until 30 sh -c "[ \$(jq -r 'select(.name | test(\"^b[0-9]+\$\")) | .event' ev.log | wc -l) -ge $want ]" ||
	rig_fail "burst: $(count_burst) events of $want"
for e in created started destroyed; do
	n=$(jq -r --arg e $e 'select(.name | test("^b[0-9]+$")) | select(.event == $e) | .name' ev.log | sort -u | wc -l)
	[ "$n" = "$BURST" ] || rig_fail "burst: $n distinct guests with '$e', expected $BURST"
done
last=$(tail -n 1 ev.log | jq .seq)
jq -s '[.[].seq] | . as $s | [range(1; length) | select($s[.] != $s[. - 1] + 1)] | length' ev.log > gaps
[ "$(cat gaps)" = 0 ] || rig_fail "seq numbers have $(cat gaps) gaps"
grep -q '"overflow"' ev.log && rig_fail "the reading subscriber was told of an overflow"
rig_log "burst: $want events, seq $first..$last, no gap"

wait $stallpid || rig_fail "the stalled subscriber failed: $(tail -3 stall.out)"
grep -q '^probe: event overflow' stall.out || rig_fail "the stalled subscriber got no overflow: $(tail -5 stall.out)"
seen=$(grep -c '^probe: event ' stall.out)
ovf=$(grep -c '^probe: event overflow' stall.out)
lost=$(awk '$3 == "overflow" { s += $5 } END { print s + 0 }' stall.out)
total=$(( seen - ovf + lost ))
rig_log "stalled subscriber: $((seen - ovf)) events seen, $lost lost in $ovf overflow event(s)"
[ "$total" = "$want" ] || rig_fail "stalled subscriber: $((seen - ovf)) seen + $lost lost != $want"
rig_metric chaosd_api_stalled_lost "$lost" events

kill $evpid 2>/dev/null
wait $evpid 2>/dev/null
wait_until 60 pool_full 4 4 || rig_fail "the pool did not refill"
chaosd_stop
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left: $(rig-domains count)"
rig_pass "hello/info/stats/network-list through the socket; events in order for create, pause, shutdown, crash, save/restore, migration, destroy and behind chaosd's back; $BURST creates+destroys with every event; a stalled subscriber told exactly what it lost"
