# two-hosts, the peer's half: join the wire, serve `chaos info` once.
# rig-timeout: 180

rig_wire_up $RIG_PEER_IP
rig_wire_wait $RIG_MAIN_IP 120
nc -l -p 7000 -e chaos info || rig_fail "nc failed"
rig_pass "served chaos info"
