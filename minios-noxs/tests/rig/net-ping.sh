# net-ping: a pingresp unikernel on dom0's bridge answers ARP and 100 pings
# with no loss (and full-size ones); chaos destroy leaves no vif device,
# noxs device, grant or port. Metrics: median ping round trip, and the time
# from chaos create to the guest's "ready" (vif connected) as net_create_ms.
# rig-timeout: 300

. /rig/extra/net-lib
net_start
net_bridge
net_json pingresp pingresp.elf 10.10.0.2 > ping.json
cat ping.json

t0=$(rig_now_us)
net_create ping.json
net_attach "$net_domid"
net_ready pingresp
t1=$(rig_now_us)
cat pingresp.console
grep -q "pingresp: vif/0 mac .* ip 10.10.0.2/24" pingresp.console ||
	rig_fail "no address line on the console"
chaos network-list pingresp

ping -c 100 -i 0.2 -W 5 10.10.0.2 > ping.txt 2>&1
tail -3 ping.txt
grep -q '100 packets transmitted, 100 packets received, 0% packet loss' ping.txt ||
	rig_fail "pings lost: $(tail -2 ping.txt | head -1)"
sed -n 's/.* time=\([0-9.]*\) ms$/\1/p' ping.txt |
	awk '{printf "%d\n", $1 * 1000}' > rtt.us
[ "$(wc -l < rtt.us)" = 100 ] || rig_fail "expected 100 round-trip times"
rig_log "round trips (us): $(tr '\n' ' ' < rtt.us)"
# dom0 resolved the guest through ARP: its MAC is in the neighbour table.
mac=$(sed -n 's/.* mac \([0-9a-f:]*\) ip .*/\1/p' pingresp.console)
ip neigh show 10.10.0.2 | grep -qi "$mac" ||
	rig_fail "dom0 has no ARP entry with $mac: $(ip neigh show 10.10.0.2)"
# The largest ping that fits the MTU (1472 + 8 + 20 = 1500).
ping -c 5 -s 1472 -W 5 10.10.0.2 > big.txt 2>&1
grep -q '5 packets transmitted, 5 packets received' big.txt ||
	{ cat big.txt; rig_fail "full-size pings lost"; }

set -- $(rig_stats rtt.us)
rig_metric ping_rtt_us "$1" us
rig_metric ping_rtt_us_p90 "$2" us
rig_metric net_create_ms "$(us_to_ms $((t1 - t0)))" ms

chaos destroy pingresp || rig_fail "chaos destroy failed"
rig_wait_for 5 sh -c "! test -e /sys/class/net/vif$net_domid.0" ||
	rig_fail "vif$net_domid.0 still there after destroy"
net_no_leaks "after destroy"
net_dmesg_check
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left behind"
rig_pass "ARP and 100 pings answered (0% loss), full-size pings, destroy left nothing"
