# migrate-splitbrain: a RUNNING tampered with on the way must never leave
# the guest running at both ends (audit finding 1). The answer after "go"
# is relayed by mig-mitm, which flips the last byte of its MAC (with a
# key) or rewrites its type (without one). The source then keeps its copy
# suspended and says so; exactly one copy runs (the destination's). The
# operator's way out is shown too: destroy one copy, `chaos resume` the
# other.
# rig-timeout: 300

. /rig/extra/migrate-lib
old=$(domid)
head -c 32 /dev/urandom > k
chmod 600 k

# states: "running shutdown" counts of the domains other than dom0.
states() {
	chaos list | awk 'NR > 1 && $2 != 0 {
		if ($5 == "running" || $5 == "blocked") r++
		else if ($5 == "shutdown") s++
	} END {print r + 0, s + 0}'
}

for mode in flipmac retype; do
	if [ $mode = flipmac ]; then keyed="--psk-file k"; else keyed=""; fi
	rc=0
	# shellcheck disable=SC2086
	chaos migrate hl "mig-mitm $mode chaos migrate-receive $keyed" -s '' $keyed \
		> $mode.out 2>&1 || rc=$?
	cat $mode.out
	[ $rc -ne 0 ] || rig_fail "$mode: the migration claims success"
	grep -q 'kept suspended here' $mode.out ||
		rig_fail "$mode: the source does not say it kept the guest suspended"
	grep -q 'resumed here' $mode.out && rig_fail "$mode: the source resumed the guest"
	[ "$(states)" = "1 1" ] ||
		rig_fail "$mode: running/suspended domains are '$(states)', want '1 1': $(chaos list)"
	new=$(chaos list | awk -v old="$old" 'NR > 1 && $2 != 0 && $2 != old {print $2}')
	[ -n "$new" ] || rig_fail "$mode: no destination copy"
	rig_log "$mode: source $old kept suspended, destination $new runs"
	# The operator checks, keeps one copy: the source, resumed.
	chaos destroy "$new" || rig_fail "$mode: destroy of the destination copy failed"
	chaos resume hl > resume.out 2>&1 || rig_fail "$mode: chaos resume failed: $(cat resume.out)"
	chaos console hl --no-input --until 'hello-loop: resumed' --timeout 20 > r.txt ||
		rig_fail "$mode: hl did not resume: $(cat r.txt)"
	cat r.txt >> seen.txt
	stayed "$mode"
	ls /run/chaos/busy 2>/dev/null | grep . && rig_fail "$mode: busy marks left: $(ls /run/chaos/busy)"
done

shut_down_clean
rig_pass "a tampered RUNNING (MAC flipped, or retyped) kept the source suspended, one copy ran; chaos resume brought the source back"
