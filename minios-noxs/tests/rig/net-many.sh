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
answered=0
i=1
while [ $i -le $COUNT ]; do
	if ping -c 2 -i 0.2 -W 5 10.10.0.$((100 + i)) > ping$i.txt 2>&1 &&
	   grep -q ' 0% packet loss' ping$i.txt; then
		answered=$((answered + 1))
	else
		tail -2 ping$i.txt
		rig_log "pr$i did not answer"
	fi
	i=$((i + 1))
done
rig_log "$answered of $COUNT guests answered"
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
