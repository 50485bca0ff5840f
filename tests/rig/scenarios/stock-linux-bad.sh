# stock-linux-bad: `chaos create` of xl.cfg files with syntax errors,
# unsupported keys and values, and bad disk specs refuses each with one
# line naming the key (and its line), and leaves nothing behind: no
# domain, no vif, no noxs device, no XenStore entry. A valid disk spec
# parses, and a noxs kernel cannot have it; a Linux kernel (a XenStore
# guest) is refused without xenstored, and its disks when missing, given
# twice, not a file or device, of the wrong kind, or in use by another
# domain's vbd; and with no xendevd to set its backends up, it gives up
# and takes back its entries, backends and domain. Then the good
# side of xl.cfg: a pingresp unikernel with a vif from an xl.cfg answers
# ping on br0 (created by the CLI, then through chaosd), and one noop.cfg
# boots under `chaos create` and under real `xl create` in the same boot.
# rig-timeout: 420

rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
ip link add br0 type bridge || rig_fail "cannot make br0"
ip addr add 10.12.0.1/24 dev br0 && ip link set br0 up || rig_fail "cannot set up br0"
xendevd --no-ovs > xendevd.log 2>&1 &
xd=$!
cd_pid=
trap 'kill $xd $cd_pid 2>/dev/null; rig_stop_xenstore' EXIT
rig_wait_for 10 test -S /run/xendevd.sock || { cat xendevd.log; rig_fail "xendevd did not start"; }

noop=/rig/guests/noop.elf
dd if=/dev/zero of=disk.img bs=1024 count=4096 2>/dev/null
count0=$(rig-domains count)

nothing_left() { # nothing_left CASE
	[ "$(rig-domains count)" = "$count0" ] || rig_fail "$1: a domain was left behind"
	ls /sys/class/net | grep -q '^vif' && rig_fail "$1: vif left: $(ls /sys/class/net)"
	/rig/guests/noxsctl stats > stats.txt
	grep -q '^devices 0 grants 0 ports 0 ' stats.txt ||
		rig_fail "$1: noxs devices left: $(cat stats.txt)"
	return 0
}

# refuse CASE WANT LINE...: a guest.cfg of a good base (kernel $kernel,
# $mem MiB) and LINE...; chaos create must fail with one line containing
# WANT, and leave nothing (no XenStore entry either, where xenstored runs).
n=0
kernel=$noop
mem=4
refuse() {
	c=$1 want=$2
	shift 2
	{
		echo "name = \"bad\""
		echo "kernel = \"$kernel\""
		echo "memory = $mem"
		for l in "$@"; do printf '%s\n' "$l"; done
	} > "$c.cfg"
	rc=0
	chaos create "$c.cfg" > "$c.out" 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || rig_fail "$c: chaos create succeeded"
	[ "$(wc -l < "$c.out")" -eq 1 ] ||
		rig_fail "$c: expected one line, got: $(cat "$c.out")"
	grep -qF -- "$want" "$c.out" ||
		rig_fail "$c: expected '$want' in: $(cat "$c.out")"
	rig_log "$c: $(cat "$c.out")"
	nothing_left "$c"
	if [ -e /var/run/xenstored.pid ]; then
		[ "$(xenstore-list /local/domain | grep -vc '^0$')" = 0 ] ||
			rig_fail "$c: XenStore entries left: $(xenstore-list /local/domain)"
	fi
	n=$((n + 1))
}

# Syntax errors: the position of the offending character.
refuse syn-no-equals "syn-no-equals.cfg:4:7: vcpus: expected '=' after the key" "vcpus 2"
refuse syn-unterminated "syn-unterminated.cfg:4:9: extra: unterminated string" "extra = \"quiet"
refuse syn-no-bracket "syn-no-bracket.cfg:4:7: vif: the list has no closing ']'" "vif = [ 'bridge=br0',"
refuse syn-unquoted "syn-unquoted.cfg:4:8: type: a string needs quotes" "type = pv"
refuse syn-plus-equals "syn-plus-equals.cfg:4:7: extra: '+=' is not supported" "extra += \"x\""
refuse syn-octal "syn-octal.cfg:4:9: vcpus: a number with a leading zero" "vcpus = 01"
refuse syn-escape "syn-escape.cfg:4:11: extra: unknown escape" 'extra = "a\qb"'
refuse syn-garbage "syn-garbage.cfg:4:11: vcpus: expected the end of the line" "vcpus = 1 2"
# Keys chaos does not take, named with their line.
refuse key-unknown "key-unknown.cfg:4:1: memroy: unknown or unsupported xl.cfg key" "memroy = 4"
refuse key-vfb "key-vfb.cfg:4:1: vfb: not supported by chaos" "vfb = [ 'vnc=1' ]"
refuse key-bootloader "key-bootloader.cfg:4:1: bootloader: not supported by chaos" "bootloader = \"pygrub\""
refuse key-pci "key-pci.cfg:4:1: pci: not supported by chaos" "pci = [ '01:00.0' ]"
refuse key-twice "key-twice.cfg:4:1: memory: set twice (first at 3:1)" "memory = 8"
# Values xl takes and chaos cannot honour.
refuse val-hvm "type: \"hvm\" is not supported" "type = \"hvm\""
refuse val-coredump "on_crash: \"coredump-destroy\" is not supported" "on_crash = \"coredump-destroy\""
refuse val-maxmem "maxmem: 64 differs from memory (4)" "maxmem = 64"
refuse val-maxvcpus "maxvcpus: 2 differs from vcpus (1)" "maxvcpus = 2"
refuse val-cpus-list "cpus: a list pins each vCPU" "cpus = [ \"0\", \"1\" ]"
refuse val-vif-model "vif[0]: model: not supported" "vif = [ 'bridge=br0,model=e1000' ]"
refuse val-vif-script "vif[0].script: chaos runs no hotplug scripts" "vif = [ 'script=vif-openvswitch' ]"
refuse val-vif-mac "vif[0].mac: \"01:00:5e:00:00:01\": a multicast address" "vif = [ 'mac=01:00:5e:00:00:01' ]"
# Bad disk specs.
refuse disk-qcow2 "disk[0].format: \"qcow2\" is not supported" "disk = [ '$PWD/disk.img,qcow2,xvda,rw' ]"
refuse disk-vdev "disk[0].vdev: \"vda\": expected a virtual device" "disk = [ '$PWD/disk.img,raw,vda,rw' ]"
refuse disk-dup "disk[1].vdev: \"xvda\" is already disk[0]'s" "disk = [ '$PWD/disk.img,,xvda', '$PWD/disk.img,,xvda,ro' ]"
refuse disk-mode "disk[0].access: expected \"r\", \"ro\", \"w\" or \"rw\", got \"rwx\"" "disk = [ '$PWD/disk.img,,xvda,rwx' ]"
refuse disk-novdev "disk[0].vdev: missing" "disk = [ '$PWD/disk.img' ]"
refuse disk-cdrom "disk[0].cdrom: not supported" "disk = [ '$PWD/disk.img,,hdc,cdrom' ]"
refuse disk-tap "disk[0].target: prefix \"tap:\" is not supported" "disk = [ 'tap:aio:$PWD/disk.img,xvda,w' ]"
refuse disk-positional "disk[0]: too many positional parameters" "disk = [ '$PWD/disk.img,raw,xvda,rw,x' ]"
refuse disk-script "disk[0]: script: not supported" "disk = [ '$PWD/disk.img,,xvda,script=block-iscsi' ]"
# A valid disk parses; a noxs kernel (noop) cannot have it.
refuse disk-valid "disks: a noxs guest has no block devices" \
	"disk = [ 'phy:$PWD/disk.img,xvda,w', 'format=raw,vdev=xvdb,access=ro,target=$PWD/disk.img' ]"
printf '{ "name": "bad", "kernel": "%s", "memory": 4, "disks": [ { "target": "%s", "vdev": "xvda", "mode": "ro" } ] }\n' \
	$noop "$PWD/disk.img" > disk-json.json
rc=0
chaos create disk-json.json > disk-json.out 2>&1 || rc=$?
[ "$rc" -ne 0 ] && [ "$(wc -l < disk-json.out)" -eq 1 ] &&
	grep -q "disks: a noxs guest has no block devices" disk-json.out ||
	rig_fail "disk-json: $(cat disk-json.out)"
rig_log "disk-json: $(cat disk-json.out)"
nothing_left disk-json
n=$((n + 1))

# The good side: a noxs unikernel with a vif, from an xl.cfg.
cat > pingresp.cfg <<CFG
# pingresp on br0, as an xl user would write it
name = "xlpr"
type = "pv"
kernel = "/rig/guests/pingresp.elf"
memory = 4
vcpus = 1
on_crash = 'preserve'
vif = [ 'ip=10.12.0.2, bridge=br0, type=vif',
      ]
CFG
chaos create pingresp.cfg > pr.out 2>&1 ||
	{ tail -n 20 xendevd.log; rig_fail "chaos create pingresp.cfg: $(cat pr.out)"; }
chaos console xlpr --no-input --until ready --timeout 30 > pr.console ||
	rig_fail "pingresp did not print ready: $(cat pr.console)"
ping -c 5 -i 0.2 -W 2 10.12.0.2 > ping.txt 2>&1 || { cat ping.txt; rig_fail "pingresp from xl.cfg did not answer ping"; }
chaos destroy xlpr || rig_fail "chaos destroy xlpr failed"
nothing_left pingresp

# The same through chaosd: the CLI sends it the parsed config as JSON.
chaosd -f > chaosd.log 2>&1 &
cd_pid=$!
rig_wait_for 20 chaos pool > /dev/null 2>&1 || { cat chaosd.log; rig_fail "chaosd did not come up"; }
chaos create --timing pingresp.cfg > prd.out 2>&1 || rig_fail "chaos create pingresp.cfg via chaosd: $(cat prd.out)"
grep -q 'via=chaosd' prd.out || rig_fail "pingresp.cfg did not go through chaosd: $(cat prd.out)"
chaos console xlpr --no-input --until ready --timeout 30 > prd.console ||
	rig_fail "pingresp via chaosd did not print ready: $(cat prd.console)"
ping -c 5 -i 0.2 -W 2 10.12.0.2 > pingd.txt 2>&1 || { cat pingd.txt; rig_fail "pingresp via chaosd did not answer ping"; }
chaos destroy xlpr || rig_fail "chaos destroy xlpr (chaosd) failed"
nothing_left pingresp-chaosd
# chaosd refuses them too, in one line, before it makes anything.
rc=0
chaos create disk-valid.cfg > disk-chaosd.out 2>&1 || rc=$?
[ "$rc" -ne 0 ] && [ "$(wc -l < disk-chaosd.out)" -eq 1 ] &&
	grep -q "disks: a noxs guest has no block devices" disk-chaosd.out ||
	rig_fail "disk-valid via chaosd: $(cat disk-chaosd.out)"
rig_log "disk-valid via chaosd: $(cat disk-chaosd.out)"
nothing_left disk-chaosd
kill $cd_pid
wait $cd_pid 2>/dev/null
cd_pid=

# From here on, Debian's kernel: a XenStore guest, refused without
# xenstored.
kernel=/rig/guests/vmlinuz
mem=64
refuse xs-none "cannot reach xenstored" "disk = [ '$PWD/disk.img,,xvda,w' ]"

# One noop.cfg, under chaos and under Debian's xl, in this boot.
rig_start_xenstore
# Disks of a XenStore guest, refused before anything is made.
refuse disk-missing "disks[0].target: $PWD/no-such.img: No such file or directory" \
	"disk = [ '$PWD/no-such.img,,xvda,w' ]"
refuse disk-twice "disks[1].target: $PWD/disk.img is disks[0]'s too, and one of them is writable" \
	"disk = [ '$PWD/disk.img,,xvda,w', '$PWD/disk.img,,xvdb,r' ]"
mkdir -p adir
refuse disk-dir "disks[0].target: $PWD/adir is neither a regular file nor a block device" \
	"disk = [ '$PWD/adir,,xvda,r' ]"
# In use: a vbd of another domain serves it read-write (written here as
# a toolstack would, for a domain that does not run, which nothing else
# looks at before this check).
xenstore-write /local/domain/0/backend/vbd/4000/51712/params "$PWD/disk.img" \
	/local/domain/0/backend/vbd/4000/51712/mode w
refuse disk-in-use "disks[0].target: $PWD/disk.img is in use by domain 4000 (vbd 51712)" \
	"disk = [ '$PWD/disk.img,,xvda,r' ]"
xenstore-rm /local/domain/0/backend/vbd/4000
printf '{ "name": "bad", "kernel": "%s", "memory": 64, "disks": [ { "target": "%s", "vdev": "xvda", "kind": "block" } ] }\n' \
	$kernel "$PWD/disk.img" > disk-kind.json
rc=0
chaos create disk-kind.json > disk-kind.out 2>&1 || rc=$?
[ "$rc" -ne 0 ] && [ "$(wc -l < disk-kind.out)" -eq 1 ] &&
	grep -q "is a regular file, not a block device as its kind says" disk-kind.out ||
	rig_fail "disk-kind: $(cat disk-kind.out)"
rig_log "disk-kind: $(cat disk-kind.out)"
nothing_left disk-kind
n=$((n + 1))
# No xendevd: no backend is set up, and the create gives up after its
# 20 s, taking back all it made (entries, backends, domain).
kill $xd
wait $xd 2>/dev/null
{
	echo "name = \"bad\""
	echo "kernel = \"$kernel\""
	echo "memory = 128"
	echo "vif = [ 'bridge=br0' ]"
	echo "disk = [ '$PWD/disk.img,,xvda,r' ]"
} > no-hotplug.cfg
rc=0
chaos create no-hotplug.cfg > no-hotplug.out 2>&1 || rc=$?
[ "$rc" -ne 0 ] && [ "$(wc -l < no-hotplug.out)" -eq 1 ] &&
	grep -q "its backend was not set up within the time allowed" no-hotplug.out ||
	rig_fail "no-hotplug: $(cat no-hotplug.out)"
rig_log "no-hotplug: $(cat no-hotplug.out)"
# netback takes its vif away once the backend's directory is gone.
rig_wait_for 10 sh -c '! ls /sys/class/net | grep -q "^vif"' ||
	rig_fail "no-hotplug: a vif was left: $(ls /sys/class/net)"
nothing_left no-hotplug
[ -z "$(xenstore-list /local/domain/0/backend/vif 2>/dev/null)$(xenstore-list /local/domain/0/backend/vbd 2>/dev/null)" ] ||
	rig_fail "no-hotplug: backends left: $(xenstore-ls -f /local/domain/0/backend)"
[ "$(xenstore-list /local/domain | grep -vc '^0$')" = 0 ] ||
	rig_fail "no-hotplug: XenStore entries left: $(xenstore-list /local/domain)"
n=$((n + 1))
cat > noop.cfg <<CFG
name = "xlcfgnoop"
type = "pv"
kernel = "$noop"
memory = 4
vcpus = 1
on_poweroff = "destroy"
CFG
chaos create noop.cfg > cn.out 2>&1 || rig_fail "chaos create noop.cfg: $(cat cn.out)"
chaos console xlcfgnoop --no-input --until ready --timeout 30 > cn.console ||
	rig_fail "noop.cfg under chaos did not print ready: $(cat cn.console)"
chaos destroy xlcfgnoop || rig_fail "chaos destroy xlcfgnoop failed"
[ "$(rig-domains count)" = "$count0" ] || rig_fail "a domain was left after chaos"
xl create noop.cfg > xn.out 2>&1 || rig_fail "xl create noop.cfg: $(cat xn.out)"
rig_wait_for 30 grep -q ready /var/log/xen/console/guest-xlcfgnoop.log ||
	rig_fail "noop.cfg under xl did not print ready"
xl destroy xlcfgnoop || rig_fail "xl destroy failed"
[ "$(xl list | grep -c xlcfgnoop)" = 0 ] || rig_fail "xl still lists xlcfgnoop"
[ "$(rig-domains count)" = "$count0" ] || rig_fail "a domain was left after xl"
rig_pass "$n bad configs refused in one line each, nothing left; pingresp.cfg answered ping (CLI and chaosd); noop.cfg booted under chaos and xl"
