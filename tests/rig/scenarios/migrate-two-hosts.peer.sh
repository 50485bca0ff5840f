# migrate-two-hosts, the peer's half: receive two guests over TCP with the
# pre-shared key, check them, tell the main host what runs here, and keep
# them running until the main host has pinged the networked one.
# rig-timeout: 400

N=/rig/guests/noxsctl
last_hello() { awk '$1 == "hello" && $2 ~ /^[0-9]+$/ {n = $2} END {print n + 0}' "$1"; }

rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
rig_wire_up $RIG_PEER_IP
xendevd -s /run/xendevd.sock --no-ovs > xendevd.log 2>&1 &
xendevd_pid=$!
trap 'kill $xendevd_pid 2>/dev/null' EXIT
rig_wait_for 10 test -S /run/xendevd.sock || rig_fail "xendevd did not start"
printf 'chaos-rig-two-hosts-migration-key\n' > psk
chmod 600 psk

# This host lets the incoming vif join br0 (its own bridge).
chaos migrate-receive --listen 7010 --psk-file psk --bridge br0 2> pr.err &
pr_pid=$!
chaos migrate-receive --listen 7011 --psk-file psk --bridge br0 2> hl.err &
hl_pid=$!
rig_wait_for 10 sh -c "grep -q listening pr.err && grep -q listening hl.err" ||
	rig_fail "the receivers did not listen: $(cat pr.err hl.err)"
rig_wire_wait $RIG_MAIN_IP 120
nc -l -p 7000 -e echo listening || rig_fail "nc failed"
wait $pr_pid || rig_fail "receiving pr failed: $(cat pr.err)"
wait $hl_pid || rig_fail "receiving hl failed: $(cat hl.err)"
cat pr.err hl.err

view() {
	chaos list
	chaos console pr --no-input --until 'pingresp: resumed in a new domain' \
		--timeout 30 > pr.console 2>&1 && echo "pingresp resumed"
	chaos console hl --no-input --until 'hello-loop: resumed in a new domain' \
		--timeout 30 > hl1.txt 2>&1
	n=$(last_hello hl1.txt)
	chaos console hl --no-input --until "hello $((n + 1))" --timeout 30 > hl2.txt 2>&1
	first=$(awk '$1 == "hello" {print $2; exit}' hl2.txt)
	[ "$first" = "$((n + 1))" ] && echo "counter ok: $n then $first"
	echo "br0 ports: $(ls /sys/class/net/br0/brif | tr '\n' ' ')"
	rig_fdb_dump br0
	$N stats
	echo END
}
view > view.txt
cat view.txt
# Listening for "done" before the view goes out: the main host sends it
# right after reading the view, and a refused connection would leave this
# side waiting until it is stopped.
nc -l -p 7003 > done.txt &
done_pid=$!
nc -l -p 7002 -e cat view.txt || rig_fail "nc failed"
# Until the main host has pinged the guest here.
wait $done_pid || rig_fail "nc failed"
grep -q '^pr ' view.txt && grep -q '^counter ok' view.txt ||
	rig_fail "the guests did not arrive whole: $(cat view.txt)"
chaos destroy pr && chaos destroy hl || rig_fail "destroying the migrated guests failed"
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left"
rig_wait_for 10 sh -c "! ls /sys/class/net | grep -q '^vif'" || rig_fail "vifs left"
$N stats | grep -q '^devices 0 grants 0 ports 0 ' || rig_fail "noxs devices left: $($N stats)"
# The main host waits for this before it ends its part.
nc -l -p 7004 -e echo cleaned || rig_fail "nc failed"
rig_pass "received pr and hl, both ran here under their names; nothing left after destroy"
