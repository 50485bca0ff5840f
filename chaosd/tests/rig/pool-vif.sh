# pool-vif: a flavour with a vif. chaosd keeps shells of 4 MiB, 1 vCPU
# and one vif made ahead (unconfigured: no dom0 net device yet). Creates of
# pingresp guests with one vif each take such a shell; the vif gets the
# request's MAC, address and bridge (not the shell's), xendevd attaches it,
# and every guest answers ping. A config with no vif does not take a vif
# shell. Prints the in-library and CLI create time beside full creates of
# the same guest. SIGTERM leaves no shell, vif or noxs device behind.
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

pr_json() { # NAME IP MAC
	printf '{ "name": "%s", "kernel": "/rig/guests/pingresp.elf", "memory": 4,\n' "$1"
	printf '  "vifs": [ { "mac": "%s", "ip": "%s", "bridge": "br0" } ] }\n' "$3" "$2"
}

: > pool.us
: > pool-lib.us
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
	i=$((i + 1))
done
[ "$pooled" = 10 ] || rig_fail "only $pooled of 10 creates took a vif shell"
i=1
while [ $i -le 10 ]; do
	d=$(chaos list | awk -v n=v$i '$1 == n {print $2}')
	chaos console v$i --no-input --until ready --timeout 60 > v$i.console ||
		rig_fail "v$i did not print ready: $(cat v$i.console)"
	grep -q "mac 00:16:3e:14:00:$((10 + i)) ip 10.14.0.$((10 + i))/24" v$i.console ||
		rig_fail "v$i does not have the request's MAC and address: $(cat v$i.console)"
	[ "$(basename "$(readlink /sys/class/net/vif$d.0/master)")" = br0 ] ||
		rig_fail "vif$d.0 is not on br0"
	ping -c 3 -i 0.2 -W 5 10.14.0.$((10 + i)) > ping.txt 2>&1 ||
		{ cat ping.txt; rig_fail "v$i does not answer ping"; }
	i=$((i + 1))
done
chaos network-list v1

# No vif in the config: not a vif shell (a full create, or another flavour).
noop_json plain > plain.json
chaos create --timing plain.json > out.txt || rig_fail "create plain failed"
grep -q 'via=pool' out.txt && rig_fail "a guest without vifs took a vif shell"
chaos destroy plain || rig_fail "destroy plain failed"

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
metric_stats full_vif_create_lib_ms full-lib.us
set -- $(rig_stats pool-lib.us)
p=$1
set -- $(rig_stats full-lib.us)
rig_metric full_over_pool_vif_inlib "$(awk -v f="$1" -v p="$p" 'BEGIN {printf "%.2f", f / p}')" x

i=1
while [ $i -le 10 ]; do
	chaos destroy v$i || rig_fail "destroy v$i failed"
	i=$((i + 1))
done
chaosd_stop
ls /sys/class/net | grep -q '^vif' && rig_fail "vif left: $(ls /sys/class/net)"
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left: $(rig-domains count)"
$N stats > stats.txt
grep -q '^devices 0 grants 0 ports 0 ' stats.txt || rig_fail "noxs devices left: $(cat stats.txt)"
rmmod noxs || rig_fail "rmmod noxs failed"
rig_pass "10 pingresp guests from vif shells, each with its request's MAC, address and bridge, all answer ping; nothing left"
