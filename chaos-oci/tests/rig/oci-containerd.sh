# oci-containerd: Debian's containerd runs a unikernel as a container.
# The pingresp OCI image (made by the build: chaos-oci/image/mkimage) is
# imported with ctr and run with `ctr run --cni --runc-binary chaos-oci`:
# containerd's runc shim drives chaos-oci, the bridge and host-local CNI
# plugins give the container's network namespace its address, and the
# guest answers ping on that address with its own MAC (its vif is in the
# namespace, bridged with the plugin's interface). `ctr task kill` powers
# it off (exit status 0), `ctr task delete` and `ctr container delete`
# remove it: no domain, vif, noxs device, network namespace, shim or
# runtime state is left. Reports the time from `ctr run` to the first
# ping answered. A second container ends with kill -s SIGKILL (137). A
# pod as containerd's CRI makes one (a sandbox that holds the network
# namespace, the unikernel joining it by path, 64-hex-digit ids) answers
# on the sandbox's address.
# rig-timeout: 900

# The noxs module, leak checks: minios-noxs's net-lib. No xendevd: the
# guest's vif goes into the container, not onto a dom0 bridge.
. /rig/extra/net-lib
net_start

CNI_NET=chaos-oci
SUBNET=10.88.0
ID=pr1
IMAGE=docker.io/chaos/pingresp:latest
OCI_ROOT=/run/containerd/runc/default

# Network namespaces in use, by inode: the container's must not outlive it.
netns_count() {
	for p in /proc/[0-9]*; do readlink "$p/ns/net" 2>/dev/null; done | sort -u | wc -l
}
domains0=$(rig-domains count)
netns0=$(netns_count)

mkdir -p /etc/containerd /var/lib/containerd /run/containerd /etc/cni/net.d /var/lib/cni
cat > /etc/containerd/config.toml <<'CFG'
version = 2
root = "/var/lib/containerd"
state = "/run/containerd"
disabled_plugins = ["io.containerd.grpc.v1.cri"]
[grpc]
  address = "/run/containerd/containerd.sock"
CFG
cat > /etc/cni/net.d/10-chaos-oci.conflist <<CFG
{ "cniVersion": "1.0.0", "name": "$CNI_NET",
  "plugins": [ { "type": "bridge", "bridge": "cni0", "isGateway": true,
                 "ipMasq": false,
                 "ipam": { "type": "host-local",
                           "ranges": [[{ "subnet": "$SUBNET.0/24" }]] } } ] }
CFG

containerd --config /etc/containerd/config.toml > containerd.log 2>&1 &
ctrd=$!
# On any exit: containerd stopped, what it left for the next scenario gone.
ctrd_cleanup() {
	kill "$ctrd" 2>/dev/null
	ip link del cni0 2>/dev/null
	net_cleanup
}
trap ctrd_cleanup EXIT
rig_wait_for 60 ctr version > /dev/null 2>&1 || { tail -20 containerd.log; rig_fail "containerd did not start"; }

ctr images import --snapshotter native /rig/guests/pingresp-oci.tar > import.txt 2>&1 ||
	{ cat import.txt; rig_fail "ctr images import failed"; }
ctr images ls -q | grep -qx "$IMAGE" || rig_fail "the image is not listed: $(ctr images ls -q)"

t0=$(rig_now_us)
ctr run -d --cni --snapshotter native --runc-binary /usr/bin/chaos-oci \
	--annotation org.chaos.memory=4 --log-uri file://$PWD/$ID.console \
	"$IMAGE" $ID > run.txt 2>&1 ||
	{ cat run.txt; tail -20 containerd.log; cat $OCI_ROOT/$ID/*.log 2>/dev/null; rig_fail "ctr run failed"; }
# host-local's lease names the container's address.
ip=$(ls /var/lib/cni/networks/$CNI_NET 2>/dev/null | grep "^$SUBNET\." | head -n 1)
[ -n "$ip" ] || rig_fail "no address leased on $CNI_NET"
rig_wait_for 120 ping -c 1 -W 1 "$ip" > /dev/null 2>&1 || {
	cat run.txt $ID.console; ctr task ls; chaos list; ip link
	tail -20 containerd.log
	rig_fail "$ID: no answer to ping on $ip"
}
rig_metric oci_ctr_run_to_ping_ms $(( ($(rig_now_us) - t0) / 1000 )) ms
ping -c 5 -i 0.2 -W 2 "$ip" > ping.txt 2>&1 || { cat ping.txt; rig_fail "$ID: ping on $ip lost packets"; }

# The guest answered, not the namespace: the address's MAC is the vif's.
mac=$(chaos network-list $ID | awk 'NR > 1 {print $3; exit}')
got=$(ip neigh show "$ip" | awk '{for (i = 1; i < NF; i++) if ($i == "lladdr") print $(i + 1)}')
[ -n "$mac" ] && [ "$mac" = "$got" ] ||
	rig_fail "$ID: $ip answers from '$got', the guest's vif has '$mac' ($(chaos network-list $ID))"
pid=$(ctr task ls | awk -v id=$ID '$1 == id {print $2}')
[ "$(readlink /proc/$pid/ns/net)" != "$(readlink /proc/self/ns/net)" ] ||
	rig_fail "$ID: the supervisor $pid is in dom0's network namespace"
domid=$(chaos list | awk -v id=$ID '$1 == id {print $2}')
ip link show "vif$domid.0" > /dev/null 2>&1 && rig_fail "$ID: vif$domid.0 is in dom0's namespace"
ctr task ls | grep -q "^$ID .*RUNNING" || rig_fail "$ID: not running: $(ctr task ls)"
grep -q ready $ID.console || rig_fail "$ID: no 'ready' in the console: $(cat $ID.console)"
rig_log "$ID: domain $domid, $ip at $mac, supervisor $pid"

# kill: the guest powers off, the supervisor exits 0.
ctr task kill $ID || rig_fail "ctr task kill failed"
rig_wait_for 60 sh -c "ctr task ls | grep -q '^$ID .*STOPPED'" ||
	rig_fail "$ID: not stopped: $(ctr task ls)"
# ctr task delete warns of a task's non-zero exit code.
ctr task delete $ID > delete.txt 2>&1 || { cat delete.txt; rig_fail "ctr task delete failed"; }
grep -q "exit code" delete.txt && rig_fail "$ID did not exit 0: $(cat delete.txt)"
ctr container delete $ID || rig_fail "ctr container delete failed"

# kill -s SIGKILL: destroyed at once, the task ends as if killed (137).
ctr run -d --cni --snapshotter native --runc-binary /usr/bin/chaos-oci \
	--annotation org.chaos.memory=4 --null-io "$IMAGE" pr2 > run2.txt 2>&1 ||
	{ cat run2.txt; rig_fail "ctr run pr2 failed"; }
ip2=$(ls /var/lib/cni/networks/$CNI_NET | grep "^$SUBNET\." | grep -vx "$ip" | head -n 1)
rig_wait_for 120 ping -c 1 -W 1 "$ip2" > /dev/null 2>&1 || rig_fail "pr2: no answer to ping on $ip2"
ctr task kill -s SIGKILL pr2 || rig_fail "ctr task kill -s SIGKILL failed"
rig_wait_for 60 sh -c "ctr task ls | grep -q '^pr2 .*STOPPED'" || rig_fail "pr2: not stopped: $(ctr task ls)"
ctr task delete pr2 > delete2.txt 2>&1 || { cat delete2.txt; rig_fail "ctr task delete pr2 failed"; }
grep -q "non-zero exit code 137" delete2.txt || rig_fail "pr2: not exit code 137: $(cat delete2.txt)"
ctr container delete pr2 || rig_fail "ctr container delete pr2 failed"
# A pod as Kubernetes's CRI runs it, with 64-hex-digit ids: a sandbox
# (the pod's network namespace, configured by the plugins; no guest) and
# the unikernel joining that namespace by path.
SB=5b1e0c2f7a9d4e6b8c0a2f4d6e8b0a2c4e6f8a0b2d4c6e8f0a2b4c6d8e0f2a4b
APP=a7c3e5f1b9d2c4e6f8a0b2d4c6e8f0a2b4d6c8e0f2a4b6d8c0e2f4a6b8d0c2e4
ctr run -d --cni --snapshotter native --runc-binary /usr/bin/chaos-oci \
	--annotation io.kubernetes.cri.container-type=sandbox --null-io \
	"$IMAGE" $SB > sb.txt 2>&1 || { cat sb.txt; rig_fail "the sandbox did not run"; }
sbpid=$(ctr task ls | awk -v id=$SB '$1 == id {print $2}')
[ "$(rig-domains count)" = "$domains0" ] || rig_fail "the sandbox made a domain"
ip3=$(ls /var/lib/cni/networks/$CNI_NET | grep "^$SUBNET\." | grep -vx "$ip" | grep -vx "$ip2" | head -n 1)
ctr run -d --snapshotter native --runc-binary /usr/bin/chaos-oci \
	--with-ns network:/proc/$sbpid/ns/net --null-io \
	--annotation io.kubernetes.cri.container-type=container \
	--annotation org.chaos.memory=4 "$IMAGE" $APP > app.txt 2>&1 ||
	{ cat app.txt; rig_fail "the pod's unikernel did not run"; }
rig_wait_for 120 ping -c 1 -W 1 "$ip3" > /dev/null 2>&1 || { chaos list; rig_fail "pod: no answer to ping on $ip3"; }
apppid=$(ctr task ls | awk -v id=$APP '$1 == id {print $2}')
[ "$(readlink /proc/$apppid/ns/net)" = "$(readlink /proc/$sbpid/ns/net)" ] ||
	rig_fail "pod: the unikernel's process is not in the sandbox's namespace"
chaos list | grep -q '^oci-[0-9a-f]\{32\} ' || rig_fail "pod: no guest named oci-<hash>: $(chaos list)"
rig_log "pod: sandbox $sbpid, unikernel $(chaos list | awk '$1 ~ /^oci-/ {print $1, "domain", $2}') on $ip3"
ctr task kill $APP || rig_fail "pod: kill failed"
rig_wait_for 60 sh -c "ctr task ls | grep -q '^$APP .*STOPPED'" || rig_fail "pod: the unikernel did not stop"
ctr task delete $APP > app-del.txt 2>&1 || { cat app-del.txt; rig_fail "pod: task delete failed"; }
grep -q "exit code" app-del.txt && rig_fail "pod: the unikernel did not exit 0: $(cat app-del.txt)"
ctr task kill $SB || rig_fail "pod: kill of the sandbox failed"
rig_wait_for 60 sh -c "ctr task ls | grep -q '^$SB .*STOPPED'" || rig_fail "pod: the sandbox did not stop"
ctr task delete $SB > sb-del.txt 2>&1 || { cat sb-del.txt; rig_fail "pod: sandbox delete failed"; }
ctr container delete $APP $SB || rig_fail "pod: container delete failed"

# ctr run -d never runs the plugins' DEL (ctr's way): the leases stay.
rig_log "CNI leases left by ctr run -d: $(ls /var/lib/cni/networks/$CNI_NET | grep -c "^$SUBNET\.")"

rig_wait_for 30 sh -c "[ \$(rig-domains count) = $domains0 ]" || rig_fail "domains left: $(rig-domains count)"
net_no_leaks "$ID"
ps | grep -v grep | grep -q containerd-shim && rig_fail "a shim is left: $(ps | grep containerd-shim)"
[ -z "$(ls $OCI_ROOT)" ] || rig_fail "chaos-oci's state is left: $(ls $OCI_ROOT)"
n=0
while [ "$(netns_count)" != "$netns0" ] && [ $n -lt 20 ]; do
	sleep 0.5
	n=$((n + 1))
done
[ "$(netns_count)" = "$netns0" ] || rig_fail "a network namespace is left ($(netns_count), $netns0 before)"
ip link | grep -q 'veth' && rig_fail "a veth is left: $(ip link | grep veth)"
chaos list | grep -q "^$ID " && rig_fail "$ID: still listed"
net_dmesg_check
rig_pass "ctr images import of the build's OCI tarball, ctr run --cni (chaos-oci through containerd's runc shim): the guest answers ping on its CNI address $ip with its own MAC, its vif in the container's network namespace; ctr task kill (exit 0), kill -s SIGKILL (137), task delete, container delete; a CRI-shaped pod (sandbox holding the namespace, unikernel joining it by path, 64-hex ids) answers on $ip3; no domain, vif, noxs device, namespace, shim or state left"
