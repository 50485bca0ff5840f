# net-xendevd: with xendevd running, `chaos create` of a pingresp guest
# with a vif on br0 answers ping with no manual `ip link` step, and chaos
# waits for the attach before it unpauses the guest: while xendevd is
# stopped (SIGSTOP) the create does not return and the guest stays
# paused; once xendevd continues, the create returns with the vif already
# on br0. A create whose second vif cannot be attached rolls back fully.
# rig-timeout: 240

rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
ip link add br0 type bridge || rig_fail "cannot make br0"
ip addr add 10.12.0.1/24 dev br0 && ip link set br0 up || rig_fail "cannot set up br0"
xendevd --no-ovs > xendevd.log 2>&1 &
xd=$!
trap 'kill -CONT $xd 2>/dev/null; kill $xd 2>/dev/null' EXIT
rig_wait_for 10 test -S /run/xendevd.sock || { cat xendevd.log; rig_fail "xendevd did not start"; }

master_of() { basename "$(readlink /sys/class/net/$1/master 2>/dev/null)" 2>/dev/null; }

cat > pr.json <<CFG
{ "name": "nx", "kernel": "/rig/guests/pingresp.elf", "memory": 4,
  "vifs": [ { "ip": "10.12.0.2", "bridge": "br0" } ] }
CFG
chaos create --timing pr.json > create.txt 2>&1 || { cat create.txt; rig_fail "create failed"; }
cat create.txt
d=$(chaos list | awk '$1 == "nx" {print $2}')
# On the bridge and up the moment create returns: nobody else did it.
[ "$(master_of vif$d.0)" = br0 ] || rig_fail "vif$d.0 not on br0 when create returned"
grep -q "vif$d.0" xendevd.log || rig_fail "xendevd did not log vif$d.0"
chaos console nx --no-input --until ready --timeout 30 > nx.console ||
	rig_fail "nx did not print ready: $(cat nx.console)"
ping -c 20 -i 0.2 -W 2 10.12.0.2 > ping.txt 2>&1 || { cat ping.txt; rig_fail "no answer to ping"; }
grep -q ' 0% packet loss' ping.txt || { cat ping.txt; rig_fail "pings lost"; }
chaos destroy nx || rig_fail "destroy failed"
rig_wait_for 5 sh -c "! grep -q 'vif$d.0' /proc/net/dev" || rig_fail "vif$d.0 left"

# The wait: xendevd frozen, so the attach cannot complete.
kill -STOP $xd
chaos create pr.json > held.txt 2>&1 &
cr=$!
sleep 3
kill -0 $cr 2>/dev/null || { cat held.txt; kill -CONT $xd; rig_fail "create returned while xendevd was stopped"; }
# The name is claimed only after the vifs are attached: find it by id.
set -- $(chaos list --json | jq -r '.[] | select(.id != 0) | "\(.id) \(.state)"')
d=${1:-}
state=${2:-none}
kill -CONT $xd
[ "$state" = paused ] || rig_fail "guest state '$state' while its vif was not attached (want paused)"
wait $cr || { cat held.txt; rig_fail "create failed once xendevd continued"; }
[ "$(master_of vif$d.0)" = br0 ] || rig_fail "vif$d.0 not on br0 after the held create"
chaos console nx --no-input --until ready --timeout 30 > nx2.console ||
	rig_fail "nx did not print ready: $(cat nx2.console)"
ping -c 5 -i 0.2 -W 2 10.12.0.2 > ping2.txt 2>&1 || { cat ping2.txt; rig_fail "no answer to ping after the held create"; }
chaos destroy nx || rig_fail "destroy failed"

# A vif that cannot be attached (its bridge does not exist) fails the
# create, and the rollback leaves nothing: no domain, vif or noxs device.
cat > bad.json <<CFG
{ "name": "nxbad", "kernel": "/rig/guests/pingresp.elf", "memory": 4,
  "vifs": [ { "ip": "10.12.0.3", "bridge": "br0" },
            { "ip": "10.13.0.3", "bridge": "nosuchbr" } ] }
CFG
chaos create bad.json > bad.txt 2>&1 && rig_fail "create with a missing bridge succeeded"
cat bad.txt
grep -q "nosuchbr\|\.1:" bad.txt || rig_fail "the error does not name the failing vif: $(cat bad.txt)"
ls /sys/class/net | grep -q '^vif' && rig_fail "vif left: $(ls /sys/class/net)"
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left behind"
/rig/guests/noxsctl stats > stats.txt
grep -q '^devices 0 grants 0 ports 0 ' stats.txt || rig_fail "noxs devices left: $(cat stats.txt)"
chaos list | grep -q nxbad && rig_fail "nxbad still listed"
rmmod noxs || rig_fail "rmmod noxs failed"
rig_pass "vif attached by xendevd before unpause (create held while xendevd was stopped), 20 pings answered, a failed vif rolled back"
