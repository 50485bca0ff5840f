# crash-windows: audit finding 19. A create or restore killed between
# writing the guest's record and unpausing it used to leave the guest
# paused for good, its name taken (a pooled create in chaosd: kept as a
# guest by the next chaosd; without chaosd: its busy mark's work looked
# done).
# rig-kill-at (ptrace) kills chaos or chaosd exactly as it starts and as it
# ends committing the guest's record (the rename into /run/chaos/domains),
# so both sides of the unpause are hit; in every case the next chaos
# or chaosd that looks leaves no paused guest, no leaked domain and no
# taken name: a guest killed before it was recorded is destroyed, and the
# same create or restore then succeeds and runs.
# rig-timeout: 150

. /rig/extra/chaosd-lib
rm -rf /var/log/chaos
rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
hello_json hl > hl.json
echo '{ "name": "probe", "kernel": "/rig/guests/noop.elf", "memory": 4 }' > probe.json

# Warm up (the first domain grows the hypervisor's tables once).
chaos create probe.json --no-chaosd > /dev/null || rig_fail "warm-up create failed"
chaos destroy probe || rig_fail "warm-up destroy failed"
doms0=$(rig-domains count)

# settled WHEN: no paused hl, hl creatable and counting, then nothing left.
settled() {
	chaos list > list.txt 2>&1
	cat list.txt
	grep -E '^hl +[0-9]+ .*paused' list.txt &&
		rig_fail "$1: hl is left paused for good"
	# An hl that ran before the kill is a whole guest: a user destroys it.
	grep -q '^hl ' list.txt && { chaos destroy hl || rig_fail "$1: destroy hl failed"; }
	# Through chaosd: what is there now is its pool (and nothing else).
	if [ -z "$2" ]; then
		wait_until 20 pool_full 4 1 || rig_fail "$1: pool not full"
		doms_now=$(rig-domains count)
	fi
	if [ "${3:-}" = restore ]; then
		chaos restore hl.img > create.out 2>&1 ||
			rig_fail "$1: the same restore then fails: $(cat create.out)"
	else
		chaos create hl.json $2 > create.out 2>&1 ||
			rig_fail "$1: the same create then fails: $(cat create.out)"
	fi
	chaos console hl --no-input --until "hello $4" --timeout 20 > /dev/null ||
		rig_fail "$1: the new hl does not run"
	chaos destroy hl || rig_fail "$1: destroy hl failed"
	# Through chaosd: its pool makes a new shell for the one hl took.
	[ -n "$2" ] || wait_until 20 pool_full 4 1 || rig_fail "$1: pool not refilled"
	[ "$(rig-domains count)" = "$doms_now" ] ||
		rig_fail "$1: $(rig-domains count) domains, want $doms_now: $(chaos list)"
	[ -z "$(ls /run/chaos/names 2>/dev/null)" ] ||
		rig_fail "$1: names left: $(ls /run/chaos/names)"
	rig_log "$1: settled"
}

# --- without chaosd: the next chaos that looks recovers ---------------------
doms_now=$doms0
for when in enter exit; do
	rig-kill-at $when /domains/ chaos create hl.json --no-chaosd > killed.out 2>&1 &&
		rig_fail "chaos create was not killed ($when record)"
	# The next chaos that looks: a create of something else.
	chaos create probe.json --no-chaosd > look.out 2>&1 ||
		rig_fail "create after a kill failed: $(cat look.out)"
	cat look.out
	chaos destroy probe || rig_fail "destroy probe failed"
	settled "chaos create killed at $when of its record" --no-chaosd create 1
done

# --- a restore, likewise ----------------------------------------------------
chaos create hl.json --no-chaosd > /dev/null || rig_fail "create hl to save failed"
chaos console hl --no-input --until 'hello 2' --timeout 20 > /dev/null || rig_fail "hl did not count"
chaos save hl hl.img > save.out 2>&1 || rig_fail "save hl failed: $(cat save.out)"
for when in enter exit; do
	rig-kill-at $when /domains/ chaos restore hl.img > killed.out 2>&1 &&
		rig_fail "chaos restore was not killed ($when record)"
	chaos create probe.json --no-chaosd > look.out 2>&1 ||
		rig_fail "create after a kill failed: $(cat look.out)"
	cat look.out
	chaos destroy probe || rig_fail "destroy probe failed"
	settled "chaos restore killed at $when of its record" --no-chaosd restore 3
done

# --- chaosd killed in a pooled create: the next chaosd looks ----------------
for when in enter exit; do
	rig-kill-at $when /domains/ chaosd -f --pool memory=4,vcpus=1,size=1 >> chaosd.log 2>&1 &
	chaosd_pid=$!
	wait_until 20 pool_full 4 1 || { cat chaosd.log; rig_fail "chaosd did not fill its pool"; }
	chaos create hl.json > killed.out 2>&1 && rig_fail "create through chaosd was not killed ($when record)"
	wait "$chaosd_pid"
	chaosd_start --pool memory=4,vcpus=1,size=1
	grep 'adopted' chaosd.log | tail -n 1
	settled "chaosd killed at $when of a record" "" create 1
	chaosd_stop
done
[ "$(rig-domains count)" = "$doms0" ] || rig_fail "$(rig-domains count) domains left, want $doms0"
rig_pass "chaos create, chaos restore and chaosd killed as they start and end committing a new guest's record: no guest left paused, no name taken, the same create or restore then runs"
