# pool-vif: a flavour with a vif. chaosd keeps shells of 4 MiB, 1 vCPU
# and one vif made ahead (unconfigured: no dom0 net device yet). Creates of
# pingresp guests with one vif each take such a shell; the vif gets the
# request's MAC, address and bridge (not the shell's), xendevd attaches it,
# and every guest answers ping. A config with no vif does not take a vif
# shell. Then a flavour with bridge=br0: its shells' vifs have their net
# devices on br0 before any guest (carrier off); creates on br0 take them
# and give only MAC and address, and those guests answer ping too; a guest
# on br1 does not take one. Prints the in-library, devices and CLI create
# times of both beside full creates of the same guest. SIGTERM leaves no
# shell, vif or noxs device behind.
# rig-timeout: 400

. /rig/extra/chaosd-lib
N=/rig/guests/noxsctl
rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
ip link add br0 type bridge || rig_fail "cannot make br0"
ip addr add 10.14.0.1/24 dev br0 && ip link set br0 up || rig_fail "cannot set up br0"
xendevd --no-ovs > xendevd.log 2>&1 &
rig_wait_for 10 test -S /run/xendevd.sock || { cat xendevd.log; rig_fail "xendevd did not start"; }

chaosd_start --pool memory=4,vcpus=1,vifs=1,size=5
wait_until 120 pool_full 4 5 1 || { chaos pool; cat chaosd.log; rig_fail "the vif pool did not fill"; }
chaos pool
chaos pool | awk '$1 == 4 {print $3}' | grep -qx 1 || rig_fail "chaos pool does not show the flavour's vif"
# The shells' vifs exist in the module, unconfigured: no net device yet.
[ "$($N list | grep -c ' type vif ')" = 5 ] || rig_fail "expected 5 pre-made vifs: $($N list)"
ls /sys/class/net | grep -q '^vif' && rig_fail "an unconfigured vif has a net device: $(ls /sys/class/net)"

# check_guest NAME MAC IP: it booted with the request's MAC and address,
# its vif is on br0 with its carrier, and it answers ping.
check_guest() {
	_d=$(chaos list | awk -v n="$1" '$1 == n {print $2}')
	chaos console "$1" --no-input --until ready --timeout 60 > "$1.console" ||
		rig_fail "$1 did not print ready: $(cat "$1.console")"
	grep -q "mac $2 ip $3/24" "$1.console" ||
		rig_fail "$1 does not have the request's MAC and address: $(cat "$1.console")"
	[ "$(basename "$(readlink /sys/class/net/vif$_d.0/master)")" = br0 ] ||
		rig_fail "vif$_d.0 is not on br0"
	[ "$(cat /sys/class/net/vif$_d.0/carrier)" = 1 ] || rig_fail "vif$_d.0 has no carrier"
	ping -c 3 -i 0.2 -W 5 "$3" > ping.txt 2>&1 ||
		{ cat ping.txt; rig_fail "$1 does not answer ping"; }
}

pr_json() { # NAME IP MAC
	printf '{ "name": "%s", "kernel": "/rig/guests/pingresp.elf", "memory": 4,\n' "$1"
	printf '  "vifs": [ { "mac": "%s", "ip": "%s", "bridge": "br0" } ] }\n' "$3" "$2"
}

: > pool.us
: > pool-lib.us
: > pool-devices.us
pooled=0
i=1
while [ $i -le 10 ]; do
	pr_json v$i 10.14.0.$((10 + i)) 00:16:3e:14:00:$((10 + i)) > v$i.json
	wait_until 60 sh -c "[ \"\$(chaos pool | awk '\$1 == 4 && \$3 == 1 {print \$5}')\" -ge 1 ]" ||
		rig_fail "no ready vif shell for v$i"
	rigtime run chaos create --timing v$i.json >> pool.us 2> out.txt ||
		{ cat out.txt; rig_fail "create v$i failed"; }
	cat out.txt
	grep -q 'via=pool' out.txt && pooled=$((pooled + 1))
	sed -n 's/.*total=\([0-9]*\).*/\1/p' out.txt >> pool-lib.us
	sed -n 's/.*devices=\([0-9]*\).*/\1/p' out.txt >> pool-devices.us
	i=$((i + 1))
done
[ "$pooled" = 10 ] || rig_fail "only $pooled of 10 creates took a vif shell"
i=1
while [ $i -le 10 ]; do
	check_guest v$i 00:16:3e:14:00:$((10 + i)) 10.14.0.$((10 + i))
	i=$((i + 1))
done
chaos network-list v1

# No vif in the config: not a vif shell (a full create, or another flavour).
noop_json plain > plain.json
chaos create --timing plain.json > out.txt || rig_fail "create plain failed"
grep -q 'via=pool' out.txt && rig_fail "a guest without vifs took a vif shell"
chaos destroy plain || rig_fail "destroy plain failed"

# Shells whose vifs' net devices are made ahead, on br0: on the bridge
# before any guest is known, carrier off; creates on br0 take them and
# only give the vifs MAC and address; a create on another bridge does not.
ip link add br1 type bridge && ip link set br1 up || rig_fail "cannot make br1"
chaos pool set memory=4,vcpus=1,vifs=1,size=0 || rig_fail "cannot empty the vif flavour"
chaos pool set memory=4,vcpus=1,vifs=1,bridge=br0,size=5 || rig_fail "cannot set the br0 flavour"
out=$(chaos pool set memory=4,vcpus=1,vifs=0,bridge=br0,size=1 2>&1) && rig_fail "a bridge without vifs accepted"
echo "$out" | grep -q "bridge=br0 needs vifs" || rig_fail "bridge without vifs: $out"
wait_until 120 pool_full 4 5 1 br0 || { chaos pool; cat chaosd.log; rig_fail "the br0 flavour did not fill"; }
wait_until 60 sh -c '[ -z "$(chaos pool | awk "\$1 == 4 && \$3 == 1 && \$6 == \"-\"")" ]' ||
	{ chaos pool; rig_fail "the vif flavour without a bridge stayed"; }
chaos pool
# The ten guests' vifs have their carrier; the shells' do not yet.
ahead=0
for n in /sys/class/net/vif*; do
	[ "$(cat $n/carrier)" = 0 ] || continue
	ahead=$((ahead + 1))
	[ "$(basename "$(readlink $n/master)")" = br0 ] ||
		rig_fail "$(basename $n), made ahead, is not on br0"
done
[ "$ahead" = 5 ] || rig_fail "expected the 5 br0 shells' net devices, found $ahead: $(ls /sys/class/net)"
: > ahead.us
: > ahead-lib.us
: > ahead-devices.us
i=1
while [ $i -le 10 ]; do
	pr_json a$i 10.14.0.$((40 + i)) 00:16:3e:14:02:$((10 + i)) > a$i.json
	wait_until 60 sh -c '[ "$(chaos pool | awk "\$1 == 4 && \$6 == \"br0\" {print \$5}")" -ge 1 ]' ||
		rig_fail "no ready br0 shell for a$i"
	rigtime run chaos create --timing a$i.json >> ahead.us 2> out.txt ||
		{ cat out.txt; rig_fail "create a$i failed"; }
	cat out.txt
	grep -q 'via=pool' out.txt || rig_fail "a$i did not take a br0 shell"
	sed -n 's/.*total=\([0-9]*\).*/\1/p' out.txt >> ahead-lib.us
	sed -n 's/.*devices=\([0-9]*\).*/\1/p' out.txt >> ahead-devices.us
	i=$((i + 1))
done
i=1
while [ $i -le 10 ]; do
	check_guest a$i 00:16:3e:14:02:$((10 + i)) 10.14.0.$((40 + i))
	i=$((i + 1))
done
printf '{ "name": "other", "kernel": "/rig/guests/pingresp.elf", "memory": 4,\n  "vifs": [ { "bridge": "br1" } ] }\n' > other.json
chaos create --timing other.json > out.txt 2>&1 || { cat out.txt; rig_fail "create on br1 failed"; }
grep -q 'via=pool' out.txt && rig_fail "a guest on br1 took a br0 shell"
d=$(chaos list | awk '$1 == "other" {print $2}')
[ "$(basename "$(readlink /sys/class/net/vif$d.0/master)")" = br1 ] || rig_fail "other's vif is not on br1"
chaos destroy other || rig_fail "destroy other failed"
metric_stats pool_vif_ahead_create_ms ahead.us
metric_stats pool_vif_ahead_create_lib_ms ahead-lib.us
metric_stats pool_vif_ahead_devices_ms ahead-devices.us

# The same guests built in full, beside the pooled ones.
: > full.us
: > full-lib.us
i=1
while [ $i -le 10 ]; do
	pr_json f$i 10.14.0.$((100 + i)) 00:16:3e:14:01:$((10 + i)) > f$i.json
	rigtime run chaos create --no-chaosd --timing f$i.json >> full.us 2> out.txt ||
		{ cat out.txt; rig_fail "full create f$i failed"; }
	sed -n 's/.*total=\([0-9]*\).*/\1/p' out.txt >> full-lib.us
	chaos destroy f$i || rig_fail "destroy f$i failed"
	i=$((i + 1))
done
metric_stats pool_vif_create_ms pool.us
metric_stats full_vif_create_ms full.us
metric_stats pool_vif_create_lib_ms pool-lib.us
metric_stats pool_vif_devices_ms pool-devices.us
metric_stats full_vif_create_lib_ms full-lib.us
set -- $(rig_stats pool-lib.us)
p=$1
set -- $(rig_stats full-lib.us)
rig_metric full_over_pool_vif_inlib "$(awk -v f="$1" -v p="$p" 'BEGIN {printf "%.2f", f / p}')" x

i=1
while [ $i -le 10 ]; do
	chaos destroy v$i || rig_fail "destroy v$i failed"
	chaos destroy a$i || rig_fail "destroy a$i failed"
	i=$((i + 1))
done
chaosd_stop
ls /sys/class/net | grep -q '^vif' && rig_fail "vif left: $(ls /sys/class/net)"
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left: $(rig-domains count)"
$N stats > stats.txt
grep -q '^devices 0 grants 0 ports 0 ' stats.txt || rig_fail "noxs devices left: $(cat stats.txt)"
rmmod noxs || rig_fail "rmmod noxs failed"
rig_pass "10 pingresp guests from vif shells and 10 from br0 shells (net devices made ahead), each with its request's MAC, address and bridge, all answer ping; a br1 guest takes no br0 shell; nothing left"
