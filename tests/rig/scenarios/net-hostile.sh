# net-hostile: two pingresp guests answer ping on br0 while a hostile
# frontend on the same bridge (noxsctl netfe: dom0 playing a guest, with
# the module's loopback=1) posts bogus ring indexes, grant references,
# ring references and requests, one kind per vif. Each hostile vif is torn
# down with one log line; dom0 and the guests keep working (no ping lost
# before or after); a guest destroyed during a ping flood and then the
# other leave no vif, grant or port.
# rig-timeout: 300

N=/rig/guests/noxsctl
mac=00:16:3e:77:00
rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko loopback=1 || rig_fail "insmod noxs.ko loopback=1 failed"
ip link add br0 type bridge || rig_fail "cannot make br0"
ip addr add 10.11.0.1/24 dev br0 && ip link set br0 up || rig_fail "cannot set up br0"
dmesg_start=$(dmesg | wc -l)

# ping_all LABEL: 20 pings to each guest, none lost.
ping_all() {
	for i in 1 2; do
		ping -c 20 -i 0.2 -W 2 10.11.0.1$i > ping.txt 2>&1 ||
			{ cat ping.txt; rig_fail "$1: guest $i does not answer ping"; }
		grep -q ' 0% packet loss' ping.txt ||
			{ cat ping.txt; rig_fail "$1: guest $i lost pings"; }
	done
}

for i in 1 2; do
	cat > g$i.json <<CFG
{ "name": "nh$i", "kernel": "/rig/guests/pingresp.elf", "memory": 4,
  "vifs": [ { "ip": "10.11.0.1$i", "bridge": "br0" } ] }
CFG
	chaos create g$i.json || rig_fail "create nh$i failed"
	d=$(chaos list | awk -v n=nh$i '$1 == n {print $2}')
	# No xendevd here: the scenario attaches the vif itself.
	ip link set vif$d.0 master br0 && ip link set vif$d.0 up ||
		rig_fail "cannot put vif$d.0 on br0"
	chaos console nh$i --no-input --until ready --timeout 30 > nh$i.console ||
		rig_fail "nh$i did not print ready: $(cat nh$i.console)"
done
ping_all "before"

closed0=$($N stats | awk '{for (i = 1; i < NF; i++) if ($i == "closed_by_error") print $(i + 1)}')
errs=""
kinds="tx-prod rx-prod tx-gref rx-gref ring-ref tx-offset tx-flags evtchn"
for kind in $kinds; do
	$N vif 0 3 $mac:03 bridge=br0 > /dev/null || rig_fail "create vif0.3 for $kind"
	ip link set vif0.3 master br0 && ip link set vif0.3 up ||
		rig_fail "$kind: cannot put vif0.3 on br0"
	$N netfe 3 hostile $kind > h.txt 2>&1 || { cat h.txt; rig_fail "hostile $kind: not closed"; }
	cat h.txt
	q=$($N query 0 vif 3)
	echo "$q" | grep -q " be Closed " || rig_fail "hostile $kind: $q"
	err=$(echo "$q" | sed -n 's/.* error \([0-9]*\) .*/\1/p')
	[ "$err" != 0 ] || rig_fail "hostile $kind: closed without an error code"
	errs="$errs $kind=$err"
	rig_wait_for 5 sh -c '! test -e /sys/class/net/vif0.3' ||
		rig_fail "hostile $kind: vif0.3 still there"
	$N destroy 0 vif 3 100 || rig_fail "destroy vif0.3 after $kind"
done
rig_log "errors:$errs"
closed1=$($N stats | awk '{for (i = 1; i < NF; i++) if ($i == "closed_by_error") print $(i + 1)}')
n=$(echo $kinds | wc -w)
[ $((closed1 - closed0)) = "$n" ] || rig_fail "closed_by_error went from $closed0 to $closed1, not up by $n"

ping_all "after"
for i in 1 2; do
	chaos list -l | grep -A4 "^nh$i " | grep -Eq "vif +0 .* be connected +fe connected" ||
		rig_fail "nh$i's vif is no longer connected: $(chaos list -l)"
done
# Destroyed mid-transfer: nh2 goes while dom0 floods it with pings.
ping -i 0.01 -s 1400 -q 10.11.0.12 > flood.txt 2>&1 &
fp=$!
sleep 2
chaos destroy nh2 || rig_fail "destroy nh2 mid-transfer failed"
kill -INT $fp 2>/dev/null
wait $fp
tail -2 flood.txt
chaos destroy nh1 || rig_fail "destroy nh1 failed"
ls /sys/class/net | grep -q '^vif' && rig_fail "vif left: $(ls /sys/class/net)"
$N stats > stats.txt
grep -q '^devices 0 grants 0 ports 0 ' stats.txt || rig_fail "left behind: $(cat stats.txt)"
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left behind"

dmesg | tail -n +$((dmesg_start + 1)) > dmesg.txt
grep -E "noxs|vif" dmesg.txt | tail -30
lines=$(grep -c "vif0.3: .*closing" dmesg.txt)
[ "$lines" -ge 1 ] || rig_fail "no log line for a hostile frontend"
grep -E "BUG|Oops|WARNING|Call Trace" dmesg.txt && rig_fail "kernel complained"
rmmod noxs || rig_fail "rmmod noxs failed"
rig_pass "$n hostile frontends closed ($lines log lines, rate-limited), two pingresp guests kept answering, one destroyed mid-flood, nothing left"
