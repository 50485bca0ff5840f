# stock-linux-two-hosts, the peer's half: receive the stock Linux guest
# live over TCP with the pre-shared key (its vif goes on this host's br0,
# its disk is the shared /dev/vda), check that it ticks on past the count
# the main host saw, tell the main host what runs here, then destroy it and
# check that nothing is left.
# rig-timeout: 900

. /rig/extra/stock-lib

stock_host_up virtio_pci virtio_blk
rig_wait_for 20 test -b /dev/vda || rig_fail "no shared disk (/dev/vda)"
rig_wire_up $RIG_PEER_IP
stock_chaosd_up
trap 'kill $xd $cd_pid 2>/dev/null; rig_stop_xenstore' EXIT
printf 'chaos-rig-two-hosts-migration-key\n' > psk
chmod 600 psk

chaos migrate-receive --listen 7021 --psk-file psk --bridge br0 --disk /dev/vda 2> recv.err &
recv_pid=$!
rig_wait_for 10 grep -q listening recv.err || rig_fail "the receiver did not listen: $(cat recv.err)"
rig_wire_wait $RIG_MAIN_IP 120
nc -l -p 7020 -e echo listening || rig_fail "nc failed"
wait $recv_pid || rig_fail "receiving the guest failed: $(cat recv.err) $(tail -n 20 chaosd.log)"
cat recv.err
before=$(nc -l -p 7022) || rig_fail "nc failed"
case $before in '' | *[!0-9]*) rig_fail "a bad tick count from the main host: '$before'" ;; esac
want=$((before + 2))

# ticked_here: the guest's output here (chaosd's replay and 5 s more)
# shows a tick of at least $want; tried for 90 s.
ticked_here() {
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18; do
		chaos console stock --no-input --timeout 5 > ticks.console 2>&1
		[ "$(stock_max_tick ticks.console)" -ge "$want" ] && return 0
	done
	return 1
}

view() {
	chaos list
	if ticked_here && ! grep -q STOCK-TICK-FAIL ticks.console; then
		echo "ticked on to $(stock_max_tick ticks.console) (from $before)"
	else
		echo "no tick: $(tail -n 5 ticks.console | tr '\n' ' ')"
	fi
	echo "br0 ports: $(ls /sys/class/net/br0/brif | tr '\n' ' ')"
	echo END
}
view > view.txt
cat view.txt
nc -l -p 7023 -e cat view.txt || rig_fail "nc failed"
grep -q '^ticked on' view.txt || rig_fail "the guest did not tick on here: $(cat view.txt)"
domid=$(chaos list | awk '$1 == "stock" {print $2}')
chaos destroy stock || rig_fail "destroying the migrated guest failed"
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left"
for p in "/local/domain/$domid" "/local/domain/0/backend/vbd/$domid" "/local/domain/0/backend/vif/$domid"; do
	xenstore-exists "$p" && rig_fail "$p left behind"
done
rig_wait_for 10 sh -c "! ls /sys/class/net | grep -q '^vif'" || rig_fail "vifs left"
nc -l -p 7024 -e echo cleaned || rig_fail "nc failed"
rig_pass "received the stock Linux guest live; it ticked on its shared disk here; nothing left after destroy"
