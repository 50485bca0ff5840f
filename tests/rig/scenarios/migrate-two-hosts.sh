# migrate-two-hosts: chaos migrate of a networked guest to another host.
# Both hosts bridge eth0 in br0 and run xendevd; the peer waits with
# `chaos migrate-receive --listen` and a pre-shared key. The main host
# creates a pingresp guest on br0 (10.99.0.50) and a hello-loop, pings the
# guest, migrates both over TCP to the peer, then pings the guest across
# the wire where it now runs: no ping lost. The source keeps no domain,
# vif or noxs device; the peer reports its view (both guests listed under
# their names, the vif on its bridge, the counter going on) over TCP.
# rig-hosts: 2
# rig-timeout: 400

GUEST_IP=10.99.0.50
N=/rig/guests/noxsctl
ms() { awk -v v="$1" 'BEGIN {printf "%.1f", v / 1000}'; }

rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
rig_wire_up $RIG_MAIN_IP
xendevd -s /run/xendevd.sock --no-ovs > xendevd.log 2>&1 &
xendevd_pid=$!
ping_pid=
trap 'kill $xendevd_pid $ping_pid 2>/dev/null' EXIT
rig_wait_for 10 test -S /run/xendevd.sock || rig_fail "xendevd did not start"
# The same test key on both hosts (the peer script writes it too).
printf 'chaos-rig-two-hosts-migration-key\n' > psk
chmod 600 psk

printf '{ "name": "pr", "kernel": "/rig/guests/pingresp.elf", "memory": 4,\n  "vifs": [{"ip": "%s", "bridge": "br0"}] }\n' \
	"$GUEST_IP" > pr.json
chaos create pr.json || rig_fail "chaos create pr failed"
chaos console pr --no-input --until ready --timeout 60 > pr.console ||
	rig_fail "pingresp did not print ready: $(cat pr.console)"
printf '{ "name": "hl", "kernel": "/rig/guests/hello-loop.elf", "memory": 4 }\n' > hl.json
chaos create hl.json || rig_fail "chaos create hl failed"
chaos console hl --no-input --until 'hello 3' --timeout 30 > /dev/null ||
	rig_fail "hello-loop did not count to 3"
ping -c 5 -i 0.2 -W 5 $GUEST_IP > ping0.txt 2>&1
grep -q '5 packets transmitted, 5 packets received' ping0.txt ||
	{ cat ping0.txt; rig_fail "the guest does not answer ping before the migration"; }

rig_wire_wait $RIG_PEER_IP 120
rig_wait_for 120 sh -c "nc $RIG_PEER_IP 7000 < /dev/null 2>/dev/null | grep -q listening" ||
	rig_fail "the peer's receivers are not listening"

# hello-loop first; then pingresp with a ping every 100 ms going on: the
# lost ones are its downtime as the network sees it.
chaos migrate hl $RIG_PEER_IP --port 7011 --psk-file psk > mig-hl.out 2>&1 ||
	rig_fail "chaos migrate hl failed: $(cat mig-hl.out)"
cat mig-hl.out
ping -c 600 -i 0.1 -W 1 $GUEST_IP > during.txt 2>&1 &
ping_pid=$!
sleep 1
t0=$(rig_now_us)
chaos migrate pr $RIG_PEER_IP --port 7010 --psk-file psk --timing > mig.out 2>&1 ||
	rig_fail "chaos migrate pr failed: $(cat mig.out)"
t1=$(rig_now_us)
cat mig.out

# The source keeps nothing.
chaos list | grep -Eq '^(pr|hl) ' && rig_fail "a migrated guest is still listed here"
[ "$(rig-domains count)" = 0 ] || rig_fail "$(rig-domains count) domains left on the source"
rig_wait_for 10 sh -c "! ls /sys/class/net | grep -q '^vif'" ||
	rig_fail "vif devices left on the source: $(ls /sys/class/net)"
$N stats > stats.txt || rig_fail "noxsctl stats failed"
grep -q '^devices 0 grants 0 ports 0 ' stats.txt ||
	rig_fail "noxs devices left on the source: $(cat stats.txt)"

# The guest answers from the peer: back within 30 s, then 20 of 20.
if ! rig_wait_for 30 ping -c 1 -W 1 $GUEST_IP > /dev/null; then
	echo "here: $(ip neigh show $GUEST_IP)"
	rig_fdb_dump br0
	rig_fail "the guest does not answer after the migration"
fi
kill -INT $ping_pid 2>/dev/null
wait $ping_pid
ping_pid=
tail -2 during.txt
sent=$(sed -n 's/^\([0-9]*\) packets transmitted.*/\1/p' during.txt)
got=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' during.txt)
ping -c 20 -i 0.2 -W 5 $GUEST_IP > ping1.txt 2>&1
cat ping1.txt | tail -2
grep -q '20 packets transmitted, 20 packets received' ping1.txt ||
	rig_fail "pings lost after the migration: $(tail -2 ping1.txt)"

# The peer's view: both guests under their names, the vif on its bridge.
rig_wait_for 60 sh -c "nc $RIG_PEER_IP 7002 < /dev/null > view.txt 2>/dev/null && grep -q '^END' view.txt" ||
	rig_fail "no view from the peer: $(cat view.txt)"
cat view.txt
grep -q '^pr ' view.txt || rig_fail "pr is not running under its name on the peer"
grep -q '^hl ' view.txt || rig_fail "hl is not running under its name on the peer"
grep -q '^counter ok' view.txt || rig_fail "hello-loop's counter did not go on at the peer"
grep -q '^pingresp resumed' view.txt || rig_fail "pingresp did not resume at the peer"
grep -q '^br0 ports: .*vif[0-9]*\.0' view.txt || rig_fail "the guest's vif is not on the peer's br0"
rig_wait_for 30 sh -c "echo done | nc $RIG_PEER_IP 7003 > /dev/null 2>&1" ||
	rig_fail "the peer did not take the end of the pings"
# The peer destroys both guests and checks that nothing is left there:
# wait for it, so that its part is not cut short when this one ends.
rig_wait_for 120 sh -c "nc $RIG_PEER_IP 7004 < /dev/null 2>/dev/null | grep -q cleaned" ||
	rig_fail "the peer did not finish its cleanup (see its log)"

rig_metric migrate_ms "$(ms $((t1 - t0)))" ms
down=$(sed -n 's/.*(downtime \([0-9.]*\) ms).*/\1/p' mig.out)
[ -n "$down" ] && rig_metric migrate_downtime_ms "$down" ms
if [ -n "$sent" ] && [ -n "$got" ]; then
	rig_metric migrate_ping_lost "$((sent - got))" pings
	rig_metric migrate_ping_downtime_ms "$(( (sent - got) * 100 ))" ms
fi
rig_pass "pingresp and hello-loop migrated to the peer over TCP+PSK; 20/20 pings across the wire; nothing left on the source"
