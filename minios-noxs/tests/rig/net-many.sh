# net-many: 50 pingresp unikernels, one vif each, put on br0 by xendevd
# (chaos create waits for it); every one answers ping; destroying them
# removes every vif device and leaves no noxs device, grant or port.
# Metrics: median create time with a vif (xendevd's attach included), and
# create-to-ready.
# rig-timeout: 1200

. /rig/extra/net-lib
COUNT=50
net_start
net_bridge
xendevd -s /run/xendevd.sock --no-ovs > xendevd.log 2>&1 &
net_pids=$!
rig_wait_for 10 test -S /run/xendevd.sock || rig_fail "xendevd did not start"

: > create.us
i=1
while [ $i -le $COUNT ]; do
	net_json pr$i pingresp.elf 10.10.0.$((100 + i)) > pr$i.json
	t0=$(rig_now_us)
	net_create pr$i.json
	echo $(( $(rig_now_us) - t0 )) >> create.us
	echo "$net_domid" > pr$i.domid
	i=$((i + 1))
done
ls /sys/class/net | grep -c '^vif' > vifs.count
[ "$(cat vifs.count)" = $COUNT ] || rig_fail "$(cat vifs.count) vif devices, want $COUNT"
# xendevd put every vif on br0 before chaos unpaused the guest.
[ "$(ls /sys/class/net/$NET_BRIDGE/brif | grep -c '^vif')" = $COUNT ] ||
	{ cat xendevd.log; rig_fail "not every vif is on $NET_BRIDGE"; }

i=1
while [ $i -le $COUNT ]; do
	net_ready pr$i
	i=$((i + 1))
done
# Every guest must answer. On a loaded emulated host 50 guests woken by
# each ARP broadcast can be slow enough for dom0's ARP to give up (3
# probes, 1 s apart), so a guest gets up to 3 rounds of 3 pings; the rounds
# it needed and the pings lost are metrics, and one that never answers
# fails the scenario (with its state and its counters).
answers() { # answers IP: 0 if at least one of 3 pings came back
	ping -c 3 -i 0.2 -W 10 "$1" > ping.txt 2>&1
	got=$(sed -n 's/.* \([0-9]*\) packets received.*/\1/p' ping.txt)
	lost=$((lost + 3 - ${got:-0}))
	[ "${got:-0}" -ge 1 ]
}
answered=0
lost=0
retried=0
i=1
while [ $i -le $COUNT ]; do
	ip=10.10.0.$((100 + i))
	round=1
	until answers $ip || [ $round = 3 ]; do
		round=$((round + 1))
	done
	if [ "${got:-0}" -ge 1 ]; then
		answered=$((answered + 1))
		[ $round = 1 ] || { retried=$((retried + 1)); rig_log "pr$i answered in round $round"; }
	else
		d=$(cat pr$i.domid)
		rig_log "pr$i (domain $d, $ip) did not answer:"
		tail -2 ping.txt
		chaos network-list pr$i
		$NOXSCTL query "$d" vif 0
		for f in rx_packets tx_packets rx_dropped tx_dropped rx_errors; do
			printf '%s=%s ' $f "$(cat /sys/class/net/vif$d.0/statistics/$f 2>/dev/null)"
		done
		echo
		ip neigh show $ip
		dmesg | grep -E "vif$d\.0|dom$d " | tail -5
		# Its own counters, from its shutdown hook.
		chaos console pr$i --no-input --timeout 15 > pr$i.end 2>&1 &
		c=$!
		sleep 1
		chaos shutdown pr$i --timeout 10
		wait $c
		cat pr$i.end
	fi
	i=$((i + 1))
done
rig_log "$answered of $COUNT guests answered ($retried needed more than one round); $lost pings unanswered"
rig_metric net_many_pings_lost "$lost" pings
rig_metric net_many_guests_retried "$retried" guests
[ $answered = $COUNT ] || rig_fail "only $answered of $COUNT guests answered ping"

set -- $(rig_stats create.us)
rig_metric net_many_create_ms "$(us_to_ms "$1")" ms
rig_metric net_many_create_ms_p90 "$(us_to_ms "$2")" ms

i=1
while [ $i -le $COUNT ]; do
	chaos destroy pr$i || rig_fail "chaos destroy pr$i failed"
	i=$((i + 1))
done
rig_wait_for 10 sh -c "! ls /sys/class/net | grep -q '^vif'" ||
	rig_fail "vif devices left: $(ls /sys/class/net | grep '^vif' | head)"
net_no_leaks "after destroying $COUNT guests"
net_dmesg_check
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left behind"
rig_pass "$COUNT networked guests answered ping; destroy removed every vif, nothing left"
