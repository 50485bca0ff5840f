# noxs-shutdown: chaos shutdown and reboot through the guest's power
# device. The guest runs its shutdown hook, acknowledges and stops with the
# right reason; devices are released. A restored guest reboots only from
# the config `chaos restore --config` gave it (checked to name it), and
# says why not without one. A deaf guest (never acknowledges) makes chaos
# shutdown --timeout fail clearly, and --force cleans up.
# rig-timeout: 300

rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
N=/rig/guests/noxsctl
free0=$(rig-domains free-kib)

no_leaks() { # no_leaks WHEN
	$N stats > stats.txt || rig_fail "noxsctl stats failed"
	grep -q '^devices 0 grants 0 ports 0 ' stats.txt ||
		rig_fail "$1: devices left: $(cat stats.txt)"
}
# connected.sh NAME: NAME's power device is connected at both ends.
cat > connected.sh <<'SH'
chaos list -l > list.txt &&
	awk -v n="$1" '/^[^ ]/ {g = ($1 == n)} g' list.txt |
	grep -Eq '^ +power +0 .* be connected +fe connected'
SH
# ended PID: wait for a background console to end (10 s at most).
ended() {
	( sleep 10; kill "$1" 2>/dev/null ) &
	w=$!
	wait "$1"
	kill "$w" 2>/dev/null
	return 0
}
# refused OUT WANT CMD...: CMD fails and says WANT (its words in OUT).
refused() {
	out=$1 want=$2
	shift 2
	"$@" > "$out" 2>&1 && rig_fail "$* succeeded"
	cat "$out"
	grep -q "$want" "$out" || rig_fail "$*: unclear message: $(cat "$out")"
}
boot() { # boot NAME IMAGE
	printf '{ "name": "%s", "kernel": "/rig/guests/%s", "memory": 4 }\n' \
		"$1" "$2" > "$1.json"
	chaos create "$1.json" || rig_fail "chaos create $1 failed"
	chaos console "$1" --no-input --until ready --timeout 30 > "$1.boot" ||
		rig_fail "$1 did not print ready: $(cat "$1.boot")"
	rig_wait_for 5 sh connected.sh "$1" ||
		rig_fail "$1: power device not connected: $(cat list.txt)"
}

# --- poweroff ---------------------------------------------------------
boot off noop.elf
chaos console off --no-input > off.console 2>&1 &
cpid=$!
sleep 1 # attached before the guest can go
us=$(rigtime run chaos shutdown off --timeout 10) ||
	rig_fail "chaos shutdown failed"
ended $cpid
cat off.console
grep -q 'noop: shutdown hook ran' off.console ||
	rig_fail "no shutdown hook line on the console"
grep -q 'minios: shutdown (poweroff)' off.console ||
	rig_fail "guest did not shut down with poweroff"
chaos list | grep -q '^off ' && rig_fail "off still listed after shutdown"
[ "$(rig-domains count)" = 0 ] || rig_fail "domain still there after shutdown"
no_leaks "after shutdown"
rig_metric noxs_shutdown_ms "$(awk -v v="$us" 'BEGIN {printf "%.1f", v / 1000}')" ms

# --- reboot -----------------------------------------------------------
boot rb noop.elf
old=$(chaos list | awk '$1 == "rb" {print $2}')
chaos console rb --no-input > rb.console 2>&1 &
cpid=$!
sleep 1 # attached before the guest can go
chaos reboot rb --timeout 10 || rig_fail "chaos reboot failed"
ended $cpid
cat rb.console
grep -q 'noop: shutdown hook ran' rb.console ||
	rig_fail "no shutdown hook line before the reboot"
grep -q 'minios: shutdown (reboot)' rb.console ||
	rig_fail "guest did not shut down with reboot"
new=$(chaos list | awk '$1 == "rb" {print $2}')
[ -n "$new" ] || rig_fail "rb did not come back after reboot"
[ "$new" != "$old" ] || rig_fail "rb still has domain id $old"
chaos console rb --no-input --until ready --timeout 30 > rb2.console ||
	rig_fail "restarted rb did not print ready"
rig_wait_for 5 sh connected.sh rb || rig_fail "restarted rb: power not connected"
rig_log "rb: domain $old rebooted as $new"
chaos shutdown rb --timeout 10 || rig_fail "shutting the restarted rb down failed"
no_leaks "after reboot and shutdown"

# --- a restored guest's reboot -----------------------------------------
# An image holds no kernel: without --config the restart cannot happen,
# and says so; the guest stays shut down.
boot rs noop.elf
chaos save rs rs.img > save.out 2>&1 || rig_fail "save of rs failed: $(cat save.out)"
chaos restore rs.img > restore.out 2>&1 ||
	rig_fail "restore of rs failed: $(cat restore.out)"
rig_wait_for 10 sh connected.sh rs || rig_fail "restored rs: power not connected"
refused reboot.out 'cannot restart, its config path is unknown' \
	chaos reboot rs --timeout 10
chaos destroy rs || rig_fail "destroying the shut-down rs failed"
no_leaks "after the refused restart"
# A config naming another guest is refused before anything is built.
sed 's/"rs"/"other"/' rs.json > other.json
refused bad.out "other.json: names the guest 'other', the image 'rs'" \
	chaos restore rs.img --config other.json
[ "$(rig-domains count)" = 0 ] || rig_fail "a refused restore left a domain"
no_leaks "after a refused --config"
# With its config (relative: recorded absolute), the reboot rebuilds it.
chaos restore rs.img --config rs.json > restore2.out 2>&1 ||
	rig_fail "restore --config failed: $(cat restore2.out)"
rig_wait_for 10 sh connected.sh rs || rig_fail "restored rs: power not connected"
old=$(chaos list | awk '$1 == "rs" {print $2}')
grep -qx "config $PWD/rs.json" "/run/chaos/domains/$old" ||
	rig_fail "rs's record: $(cat "/run/chaos/domains/$old")"
chaos reboot rs --timeout 10 > reboot2.out 2>&1 ||
	rig_fail "reboot of rs restored with --config failed: $(cat reboot2.out)"
new=$(chaos list | awk '$1 == "rs" {print $2}')
[ -n "$new" ] && [ "$new" != "$old" ] ||
	rig_fail "rs did not come back in a new domain (was $old, now '$new')"
chaos console rs --no-input --until ready --timeout 30 > rs2.console ||
	rig_fail "rebuilt rs did not print ready"
rig_log "rs: restored as domain $old, rebooted from its config as $new"
chaos shutdown rs --timeout 10 || rig_fail "shutting the rebuilt rs down failed"
no_leaks "after the restored guest's reboot"

# --- deaf guest -------------------------------------------------------
boot deaf deaf.elf
refused deaf.out 'did not answer the poweroff request within 2000 ms' \
	chaos shutdown deaf --timeout 2
chaos list | grep -q '^deaf ' || rig_fail "deaf is gone without --force"
chaos shutdown deaf --timeout 2 --force > force.out 2>&1 ||
	rig_fail "--force failed: $(cat force.out)"
cat force.out
grep -q 'destroyed (--force)' force.out || rig_fail "no --force message"
chaos list | grep -q '^deaf ' && rig_fail "deaf still listed after --force"
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left behind"
no_leaks "after --force"
free1=$(rig-domains free-kib)
[ "$free1" = "$free0" ] || rig_fail "free memory $free1 KiB, was $free0 KiB"
rig_pass "poweroff and reboot through the power device, a restored guest rebooted from --config only, deaf guest forced, nothing leaked"
