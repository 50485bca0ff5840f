# bad-input: hostile images and configs each give a one-line error and a
# non-zero exit, leave no domain behind, and leave the host healthy.
# rig-timeout: 240

free0=$(rig-domains free-kib)
noop=/rig/guests/noop.elf
head -c 100 $noop > truncated.elf
cp /etc/passwd notelf.elf
mkbadimg overlap $noop overlap.elf || rig_fail "mkbadimg overlap"
mkbadimg outofrange $noop outofrange.elf || rig_fail "mkbadimg outofrange"
mkbadimg bzimage-lie lying-bzimage || rig_fail "mkbadimg bzimage-lie"

kernel_cfg() { # kernel_cfg FILE KERNEL [MEMORY]
	printf '{ "name": "bad", "kernel": "%s", "memory": %s }\n' "$2" "${3:-4}" > "$1"
}
kernel_cfg truncated.json "$PWD/truncated.elf"
kernel_cfg notelf.json "$PWD/notelf.elf"
kernel_cfg overlap.json "$PWD/overlap.elf"
kernel_cfg outofrange.json "$PWD/outofrange.elf"
kernel_cfg bzimage.json "$PWD/lying-bzimage"
kernel_cfg absurd-memory.json $noop 1048576
kernel_cfg too-much-memory.json $noop 99999999
printf '{ "name": "bad", "kernel": ' > badjson.json
printf '{ "name": "bad", "kernel": "%s", "colour": "red" }\n' $noop > unknown.json
printf '{ "name": "dup", "kernel": "%s", "memory": 4 }\n' $noop > dup.json

expect_error() { # expect_error CASE CONFIG
	rc=0
	chaos create "$2" > "$1.out" 2>&1 || rc=$?
	[ "$rc" -ne 0 ] || rig_fail "$1: chaos create succeeded"
	[ "$(wc -l < "$1.out")" -eq 1 ] ||
		rig_fail "$1: expected one line, got: $(cat "$1.out")"
	rig_log "$1: $(cat "$1.out")"
	[ "$(rig-domains count)" = "$3" ] || rig_fail "$1: a domain was left behind"
}

for c in truncated notelf overlap outofrange bzimage absurd-memory \
	 too-much-memory badjson unknown; do
	expect_error $c $c.json 0
done
chaos create dup.json > /dev/null || rig_fail "first dup create failed"
expect_error duplicate-name dup.json 1
chaos destroy dup || rig_fail "destroy dup failed"
# A name whose domain died behind chaos's back is free again: the stale
# entry is replaced, and the name resolves to the new domain.
chaos create dup.json > /dev/null || rig_fail "dup create after destroy failed"
rig-domains destroy-all
chaos destroy dup > stale.out 2>&1 && rig_fail "destroy of a dead guest's name succeeded"
chaos create dup.json > /dev/null || rig_fail "dup create over a stale entry failed"
id=$(chaos list | awk '$1 == "dup" {print $2}')
[ -n "$id" ] && [ "$(rig-domains count)" = 1 ] || rig_fail "dup is not listed after the stale entry"
chaos destroy dup || rig_fail "destroy dup failed"

# Still healthy: a good guest boots, and all memory is back.
printf '{ "name": "good", "kernel": "%s", "memory": 4 }\n' $noop > good.json
chaos create good.json > /dev/null || rig_fail "a good create failed after bad input"
chaos console good --no-input --until ready --timeout 30 > /dev/null ||
	rig_fail "the good guest did not boot"
chaos destroy good || rig_fail "destroy good failed"
free1=$(rig-domains free-kib)
[ "$free1" = "$free0" ] || rig_fail "free memory $free1 KiB, was $free0 KiB"
rig_pass "every bad input refused cleanly"
