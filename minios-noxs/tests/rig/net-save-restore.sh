# net-save-restore: netfront across a suspend. A pingresp guest answers
# ping; `chaos save --keep-running` suspends it and cancels (same domain:
# netfront connects again with new rings); `chaos save` + `chaos restore`
# move it to a new domain (new vif, put on br0 by xendevd), and the
# restored guest is saved and restored once more, then migrated with the
# destination's --bridge and --config on ssh's command line (a stand-in
# for ssh runs it here). Each save carries the vif the guest has (its
# MAC, address and bridge), not what its config file says by then: the
# file is rewritten after the create, and a restored guest has none. It
# answers ping after each step with the same MAC, and its counters show
# one app all along (5 connects, every echo counted). Nothing leaks.
# rig-timeout: 600

. /rig/extra/net-lib
net_start
net_bridge
xendevd -s /run/xendevd.sock --no-ovs > xendevd.log 2>&1 &
net_pids=$!
rig_wait_for 10 test -S /run/xendevd.sock || rig_fail "xendevd did not start"

pings() { # pings WHEN: 10 pings, none lost
	ping -c 10 -i 0.2 -W 5 10.10.0.2 > ping.txt 2>&1
	grep -q '10 packets transmitted, 10 packets received' ping.txt ||
		{ cat ping.txt; rig_fail "$1: pings lost"; }
}

# mac_of: the MAC the guest answers ARP with (the last pings asked).
mac_of() { ip neigh show 10.10.0.2 | sed -n 's/.* lladdr \([0-9a-f:]*\).*/\1/p'; }

net_json pr pingresp.elf 10.10.0.2 > pr.json
cp pr.json pr-orig.json
net_create pr.json
dom=$net_domid
net_ready pr
pings "before any save"
mac=$(mac_of)
[ -n "$mac" ] || rig_fail "no MAC for 10.10.0.2: $(ip neigh)"
# The file changes under the running guest: no save may take its vif
# from there (this bridge is not allowed below).
net_json pr pingresp.elf 10.10.0.9 | sed 's/"br0"/"br-edited"/' > pr.json

chaos save pr keep.img --keep-running > keep.out 2>&1 ||
	rig_fail "save --keep-running failed: $(cat keep.out)"
chaos console pr --no-input --until 'pingresp: resumed' --timeout 30 > c1.txt ||
	rig_fail "no resume line: $(cat c1.txt)"
cat c1.txt
grep -q 'netfront: vif/0: connecting again after a resume' c1.txt ||
	rig_fail "netfront did not reconnect"
rig_wait_for 10 sh -c "readlink /sys/class/net/vif$dom.0/master | grep -q '/$NET_BRIDGE\$'" ||
	{ ls -l /sys/class/net/; cat xendevd.log; rig_fail "vif$dom.0 is not on $NET_BRIDGE after --keep-running"; }
pings "after save --keep-running"

chaos save pr pr.img > save.out 2>&1 || rig_fail "save failed: $(cat save.out)"
[ "$(rig-domains count)" = 0 ] || rig_fail "domain left after save"
net_no_leaks "after save"
# Audit finding 17: this host decides where an incoming vif goes. Without
# --bridge the image's bridge is refused, and nothing is left behind.
chaos restore pr.img > refused.out 2>&1 &&
	rig_fail "a restore put a vif on the image's bridge without --bridge"
grep -q "vif 0: the image puts it on bridge '$NET_BRIDGE'" refused.out ||
	rig_fail "no clear refusal: $(cat refused.out)"
[ "$(rig-domains count)" = 0 ] || rig_fail "a refused restore left a domain"
net_no_leaks "after a refused restore"
chaos restore pr.img --bridge "$NET_BRIDGE" > restore.out 2>&1 ||
	rig_fail "restore failed: $(cat restore.out)"
new=$(chaos list | awk '$1 == "pr" {print $2}')
[ -n "$new" ] && [ "$new" != "$dom" ] || rig_fail "restored pr: domain '$new'"
chaos console pr --no-input --until 'pingresp: resumed in a new domain' \
	--timeout 30 > c2.txt || rig_fail "no resume line after restore: $(cat c2.txt)"
cat c2.txt
# Asked afresh: the answer shows the restored guest's MAC.
ip neigh flush dev "$NET_BRIDGE"
pings "after restore"
[ "$(mac_of)" = "$mac" ] || rig_fail "MAC after restore: $(mac_of), was $mac"

# A restored guest (no config file) is saved and restored again.
chaos save pr pr2.img > save2.out 2>&1 ||
	rig_fail "second save (of the restored guest) failed: $(cat save2.out)"
[ "$(rig-domains count)" = 0 ] || rig_fail "domain left after the second save"
net_no_leaks "after the second save"
chaos restore pr2.img --bridge "$NET_BRIDGE" > restore2.out 2>&1 ||
	rig_fail "second restore failed: $(cat restore2.out)"
chaos console pr --no-input --until 'pingresp: resumed in a new domain' \
	--timeout 30 > c3.txt || rig_fail "no resume line after the second restore: $(cat c3.txt)"
ip neigh flush dev "$NET_BRIDGE"
pings "after the second restore"
[ "$(mac_of)" = "$mac" ] || rig_fail "MAC after the second restore: $(mac_of), was $mac"

# Migrated (here, through a stand-in for ssh) with the destination's
# options on the ssh command line: the bridge its vif may join and the
# config it restarts from. An unsafe word never reaches the shell.
cat > ssh-here <<'SH'
#!/bin/sh
# ssh HOST WORDS...: the words, run by a shell, as ssh's remote end does.
shift
exec sh -c "$*"
SH
chmod +x ssh-here
chaos migrate pr localhost -s ./ssh-here --bridge "$NET_BRIDGE;touch pwned" \
	> unsafe.out 2>&1 && rig_fail "an unsafe --bridge was sent"
grep -q 'it goes to the remote shell' unsafe.out || rig_fail "unclear: $(cat unsafe.out)"
[ -e pwned ] && rig_fail "an unsafe --bridge ran in the remote shell"
chaos migrate pr localhost -s ./ssh-here --bridge "$NET_BRIDGE" \
	--config "$PWD/pr-orig.json" > mig.out 2>&1 ||
	rig_fail "migration with --bridge and --config failed: $(cat mig.out)"
cat mig.out
new=$(chaos list | awk '$1 == "pr" {print $2}')
[ -n "$new" ] || rig_fail "pr is not named after the migration: $(chaos list)"
grep -qx "config $PWD/pr-orig.json" "/run/chaos/domains/$new" ||
	rig_fail "migrated pr's record: $(cat "/run/chaos/domains/$new")"
ip neigh flush dev "$NET_BRIDGE"
pings "after the migration"
[ "$(mac_of)" = "$mac" ] || rig_fail "MAC after the migration: $(mac_of), was $mac"

chaos console pr --no-input --timeout 20 > end.txt 2>&1 &
cpid=$!
sleep 1
chaos shutdown pr --timeout 10 || rig_fail "shutdown failed"
wait $cpid
cat end.txt
grep -q 'connects 5$' end.txt || rig_fail "the app did not live through the four suspends"
replies=$(sed -n 's/.* echo-replies \([0-9]*\) .*/\1/p' end.txt)
[ "${replies:-0}" -ge 50 ] || rig_fail "echo replies counted: ${replies:-none}, want 50"
rig_wait_for 10 sh -c "! ls /sys/class/net | grep -q '^vif'" ||
	rig_fail "vif devices left: $(ls /sys/class/net)"
net_no_leaks "at the end"
net_dmesg_check
rig_pass "pings answered before, after save --keep-running, after two restores and a migration through ssh with --bridge and --config, one MAC throughout; a save carries the guest's vif, not its edited config; one app throughout"
