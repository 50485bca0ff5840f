# kill-anywhere: chaos killed with SIGKILL at many points of a create, a
# restore and a save. The next chaos that looks (a create without chaosd)
# finishes the work off: no domain, device, name or memory is left behind,
# and a guest a killed save left suspended runs again (busy marks,
# docs/cli.md "Recovery after a killed chaos process").
# rig-timeout: 900

. /rig/extra/kill-lib

# killed CMD...: run CMD, SIGKILL it after $delay seconds (if still alive).
killed() {
	"$@" > killed.out 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
	wait "$pid" 2>/dev/null
	return 0
}
printf '{ "name": "big", "kernel": "/rig/guests/hello-loop.elf", "memory": 48 }\n' > big.json

# --- create ---------------------------------------------------------------
for delay in 0.005 0.01 0.02 0.04 0.07 0.1 0.15 0.25 0.4; do
	killed chaos create big.json --no-chaosd
	look
	# A create that finished before the kill leaves a whole guest.
	chaos destroy big 2>/dev/null
	no_leaks "create killed after ${delay}s"
done
recovered_creates=$kills

# --- restore --------------------------------------------------------------
chaos create big.json --no-chaosd > /dev/null || rig_fail "create big failed"
chaos console big --no-input --until 'hello 1' --timeout 30 > /dev/null ||
	rig_fail "big did not count"
chaos save big big.img > save.out 2>&1 || rig_fail "save big failed: $(cat save.out)"
for delay in 0.01 0.03 0.06 0.1 0.2 0.4 0.8; do
	killed chaos restore big.img
	look
	chaos destroy big 2>/dev/null
	no_leaks "restore killed after ${delay}s"
done

# --- save: a guest left suspended runs again -------------------------------
resumed=0
for delay in 0.02 0.05 0.1 0.2; do
	chaos create hl.json --no-chaosd > /dev/null || rig_fail "create hl failed"
	chaos console hl --no-input --until 'hello 2' --timeout 30 > /dev/null ||
		rig_fail "hl did not count"
	rm -f hl.img
	killed chaos save hl hl.img
	look
	# The image is written unnamed until it is whole (issue 12's known
	# gap before: the temporary file stayed beside the target).
	ls hl.img.* 2>/dev/null | grep . &&
		rig_fail "save killed after ${delay}s: left $(ls hl.img.*)"
	if chaos list | grep -q '^hl '; then
		state=$(chaos list | awk '$1 == "hl" {print $5}')
		[ "$state" = shutdown ] && rig_fail "save killed after ${delay}s: hl left $state"
		# Suspended and resumed, or never suspended: it counts on.
		chaos console hl --no-input --until 'hello-loop: resumed' --timeout 3 \
			> resumed.txt 2>&1 && resumed=$((resumed + 1))
		n=$(awk '$1 == "hello" && $2 ~ /^[0-9]+$/ {n = $2} END {print n + 0}' resumed.txt)
		chaos console hl --no-input --until "hello $((n + 2))" --timeout 20 > /dev/null ||
			rig_fail "save killed after ${delay}s: hl does not count on"
		chaos destroy hl || rig_fail "destroy hl failed"
	else
		# The save finished: the image restores.
		[ -s hl.img ] || rig_fail "save killed after ${delay}s: hl gone, no image"
		chaos restore hl.img > /dev/null || rig_fail "restore of a finished save failed"
		chaos destroy hl || rig_fail "destroy restored hl failed"
	fi
	no_leaks "save killed after ${delay}s"
done

# --- save killed between its destroy and the name's release ---------------
# The window is a few microseconds wide, so it is made by hand: the name's
# entry as the killed save would have left it (naming the destroyed
# domain) is put back after a save that finished. The restore takes the
# name back instead of "name 'hl' is already used by domain N".
chaos create hl.json --no-chaosd > /dev/null || rig_fail "create hl failed"
chaos console hl --no-input --until 'hello 1' --timeout 30 > /dev/null ||
	rig_fail "hl did not count"
cp -P /run/chaos/names/hl stale-entry || rig_fail "hl has no name entry"
rm -f hl.img
chaos save hl hl.img > save.out 2>&1 || rig_fail "save hl failed: $(cat save.out)"
cp -P stale-entry /run/chaos/names/hl
chaos restore hl.img > restore.out 2>&1 ||
	rig_fail "restore over a stale name entry failed: $(cat restore.out)"
chaos list | grep -q '^hl ' || rig_fail "restored hl is not listed by name"
chaos destroy hl || rig_fail "destroy restored hl failed"
no_leaks "restore over a stale name entry"
ls /run/chaos/busy 2>/dev/null | grep . && rig_fail "busy marks left: $(ls /run/chaos/busy)"
rig_metric kill_anywhere_kills "$kills" kills
rig_pass "$kills kills ($recovered_creates during creates), $resumed suspended guests resumed; nothing left, memory back ($free0 KiB)"
