# stock-linux-two-hosts: live migration of a stock Linux guest (Debian's
# kernel, served through XenStore) to the second host. Its disk is the
# hosts' shared storage, /dev/vda on both (one disk image both emulated
# hosts see, as a SAN's LUN would be), its vif on br0, which holds the wire
# between the hosts. The guest ticks a counter on its disk every 2 s; it
# is migrated live over TCP with a pre-shared key while it does, and must
# go on ticking from where the disk was at the peer, and answer ping across
# the wire. The source keeps nothing: no domain, no XenStore entry, no
# backend.
# rig-hosts: 2
# rig-timeout: 900

GUEST_IP=10.99.0.60
. /rig/extra/stock-lib
ms() { awk -v v="$1" 'BEGIN {printf "%.1f", v / 1000}'; }

stock_host_up virtio_pci virtio_blk
rig_wait_for 20 test -b /dev/vda || rig_fail "no shared disk (/dev/vda)"
rig_wire_up $RIG_MAIN_IP
stock_chaosd_up
trap 'kill $xd $cd_pid 2>/dev/null; rig_stop_xenstore' EXIT
printf 'chaos-rig-two-hosts-migration-key\n' > psk
chmod 600 psk

mke2fs -F /dev/vda > /dev/null || rig_fail "cannot make ext2 on the shared disk"
cat > stock.cfg <<CFG
name = "stock"
type = "pv"
kernel = "/rig/guests/vmlinuz"
ramdisk = "/rig/guests/stock-initrd.gz"
extra = "console=hvc0 stock.ip=$GUEST_IP/24 stock.tick=2"
memory = 128
vcpus = 1
on_poweroff = "destroy"
vif = [ 'mac=00:16:3e:63:00:60,bridge=br0' ]
disk = [ 'format=raw, vdev=xvda, access=rw, target=/dev/vda' ]
CFG

diag() {
	echo "--- xendevd.log"; tail -n 20 xendevd.log
	echo "--- chaosd.log"; tail -n 20 chaosd.log
	echo "--- backends"; xenstore-ls -f /local/domain/0/backend 2>&1 | head -n 40
	echo "--- dmesg"; dmesg | tail -n 20
	echo "--- control/shutdown: '$(xenstore-read "/local/domain/$domid/control/shutdown" 2>&1)'"
	echo "--- guest entries"; xenstore-ls -f "/local/domain/$domid" 2>&1 | grep -v '/feature\|/multi-queue' | head -n 60
	echo "--- guest console (chaosd's log, handed back whole)"; tail -n 20 /var/log/chaos/stock.log
	rig_file stock-console.log < /var/log/chaos/stock.log
}

chaos create stock.cfg || { diag; rig_fail "chaos create stock.cfg failed"; }
chaos console stock --no-input --until 'STOCK-TICK 2' --timeout 600 > boot.console ||
	{ tail -n 30 boot.console; diag; rig_fail "the guest did not tick twice on the shared disk"; }
grep -q 'STOCK-DISK 0' boot.console || rig_fail "the shared disk was not fresh"
rig_wait_for 30 ping -c 1 -W 1 $GUEST_IP > /dev/null || { diag; rig_fail "the guest does not answer ping"; }
domid=$(chaos list | awk '$1 == "stock" {print $2}')

rig_wire_wait $RIG_PEER_IP 120
rig_wait_for 300 sh -c "nc $RIG_PEER_IP 7020 < /dev/null 2>/dev/null | grep -q listening" ||
	rig_fail "the peer's receiver is not listening"

# A save that keeps the guest running: its suspend cancelled, the guest
# goes on in the same domain with the same backends. chaosd's log of the
# guest's console holds every tick it printed here.
log=/var/log/chaos/stock.log
before=$(stock_max_tick $log)
chaos save stock keep.img --keep-running > keep.out 2>&1 ||
	{ cat keep.out; diag; rig_fail "chaos save --keep-running stock failed"; }
[ "$(chaos list | awk '$1 == "stock" {print $2}')" = "$domid" ] ||
	rig_fail "save --keep-running: the guest is not in its domain any more"
rig_wait_for 60 sh -c ". /rig/extra/stock-lib; [ \$(stock_max_tick $log) -ge $((before + 2)) ]" ||
	{ diag; rig_fail "save --keep-running: the guest did not tick on"; }
grep -q STOCK-TICK-FAIL $log && rig_fail "save --keep-running: $(grep STOCK-TICK-FAIL $log)"
rm -f keep.img

t0=$(rig_now_us)
( while :; do echo "$(cat /proc/uptime) $(xl list 2>/dev/null | awk '$1 == "stock" {print $5}')"; sleep 1; done ) > states.txt 2>&1 &
sampler=$!
chaos migrate stock $RIG_PEER_IP --port 7021 --psk-file psk --live --timing > mig.out 2>&1 ||
	{ kill $sampler; cat mig.out; echo "--- states"; cat states.txt; diag; rig_fail "chaos migrate --live stock to the peer failed"; }
kill $sampler
t1=$(rig_now_us)
cat mig.out

# The source keeps nothing.
chaos list | grep -q '^stock ' && rig_fail "the migrated guest is still listed here"
[ "$(rig-domains count)" = 0 ] || rig_fail "$(rig-domains count) domains left on the source"
for p in "/local/domain/$domid" "/local/domain/0/backend/vbd/$domid" "/local/domain/0/backend/vif/$domid"; do
	xenstore-exists "$p" && rig_fail "$p left on the source"
done
rig_wait_for 10 sh -c "! ls /sys/class/net | grep -q '^vif'" ||
	rig_fail "vif devices left on the source: $(ls /sys/class/net)"

# The guest answers from the peer, across the wire.
rig_wait_for 30 ping -c 1 -W 1 $GUEST_IP > /dev/null ||
	{ rig_fdb_dump br0; rig_fail "the guest does not answer after the migration"; }
ping -c 10 -i 0.2 -W 5 $GUEST_IP > ping1.txt 2>&1
grep -q '10 packets transmitted, 10 packets received' ping1.txt ||
	rig_fail "pings lost after the migration: $(tail -2 ping1.txt)"

# The peer's view: the guest ticked on past the last count it printed
# here (every tick printed here is in the log: the console was drained
# until the suspend; one printed just before may reach the peer in the
# ring, so the peer must see two more).
before=$(stock_max_tick $log)
rig_log "the guest's last tick here: $before"
rig_wait_for 30 sh -c "echo $before | nc $RIG_PEER_IP 7022 > /dev/null 2>&1" ||
	rig_fail "the peer did not take the tick count"
rig_wait_for 180 sh -c "nc $RIG_PEER_IP 7023 < /dev/null > view.txt 2>/dev/null && grep -q '^END' view.txt" ||
	rig_fail "no view from the peer: $(cat view.txt)"
cat view.txt
grep -q '^stock ' view.txt || rig_fail "the guest does not run under its name on the peer"
grep -q '^ticked on' view.txt || rig_fail "the guest did not tick on its disk at the peer"
grep -q '^br0 ports: .*vif[0-9]*\.0' view.txt || rig_fail "the guest's vif is not on the peer's br0"
rig_wait_for 120 sh -c "nc $RIG_PEER_IP 7024 < /dev/null 2>/dev/null | grep -q cleaned" ||
	rig_fail "the peer did not finish its cleanup (see its log)"

rig_metric stock_migrate_two_hosts_live_ms "$(ms $((t1 - t0)))" ms
down=$(sed -n 's/.*downtime \([0-9.]*\) ms.*/\1/p' mig.out | head -n 1)
[ -n "$down" ] && rig_metric stock_migrate_two_hosts_downtime_ms "$down" ms
rig_pass "a stock Linux guest migrated live to the peer with its shared disk: it ticked on there and answers across the wire; nothing left here"
