# two-hosts: the rig's second host. The main host and its peer boot Xen
# each, meet on the QEMU socket network, and the main host reads the
# peer's `chaos info` over TCP: what two-host scenarios build on.
# rig-hosts: 2
# rig-timeout: 300

rig_wire_up $RIG_MAIN_IP
rig_wire_wait $RIG_PEER_IP 120
t0=$(rig_now_us)
ping -c 10 -i 0.2 $RIG_PEER_IP > ping.txt || { cat ping.txt; rig_fail "pings to the peer lost"; }
# The peer may still be leaving its previous scenario (its wire address
# answers until its reset): give it time to come to this one.
rig_wait_for 120 sh -c "nc $RIG_PEER_IP 7000 > info.txt 2>/dev/null && grep -q xen_version info.txt" ||
	rig_fail "no chaos info from the peer: $(cat info.txt)"
cat info.txt
rtt=$(sed -n 's|.*min/avg/max = [0-9.]*/\([0-9.]*\)/.*|\1|p' ping.txt)
rig_metric wire_rtt_ms "$rtt" ms
rig_pass "peer up on the wire; its chaos info read over TCP"
