# boot-noop: create, list, pause, unpause and destroy guests of our own
# unikernel with chaos alone (no xenstored), and get all memory back.
# rig-timeout: 240

free0=$(rig-domains free-kib)
cat > noop.json <<CFG
{ "name": "noop", "kernel": "/rig/guests/noop.elf", "memory": 4 }
CFG
t0=$(rig_now_us)
chaos create noop.json || rig_fail "chaos create noop.json failed"
chaos console noop --no-input --until ready --timeout 30 > noop.console ||
	rig_fail "noop did not print ready on its console"
t1=$(rig_now_us)
cat noop.console
rig_metric create_to_ready_ms "$(awk -v v=$((t1 - t0)) 'BEGIN {printf "%.1f", v / 1000}')" ms
rig_metric noop_boot_us "$(sed -n 's/.*booted in \([0-9]*\) us.*/\1/p' noop.console)" us

chaos list > list.txt || rig_fail "chaos list failed"
cat list.txt
set -- $(grep '^noop ' list.txt) || rig_fail "chaos list does not show noop by name"
case $5 in running|blocked) ;; *) rig_fail "noop is $5, not running" ;; esac

# A hello-loop guest shows pause and unpause on its counter.
cat > hello.json <<CFG
{ "name": "hello", "kernel": "/rig/guests/hello-loop.elf", "memory": 4 }
CFG
chaos create hello.json || rig_fail "chaos create hello.json failed"
chaos console hello --no-input --until "hello 2" --timeout 30 > /dev/null ||
	rig_fail "hello-loop counter does not advance"
chaos pause hello || rig_fail "chaos pause failed"
set -- $(chaos list | grep '^hello ')
[ "$5" = paused ] || rig_fail "hello is $5 after pause"
# Drain what was printed before the pause, then nothing new may come.
chaos console hello --no-input --timeout 1 > /dev/null 2>&1
rc=0
chaos console hello --no-input --until hello --timeout 3 > paused.out 2>&1 || rc=$?
[ "$rc" -ne 0 ] || rig_fail "counter advanced while paused: $(cat paused.out)"
chaos unpause hello || rig_fail "chaos unpause failed"
chaos console hello --no-input --until hello --timeout 10 > resumed.out ||
	rig_fail "counter did not resume after unpause"
rig_log "resumed: $(grep hello resumed.out | tail -n1)"

# Size targets: the image, and the least memory it boots in under chaos.
rig_metric noop_image_bytes "$(stat -c %s /rig/guests/noop.elf)" bytes
min=""
for mib in 1 2 3 4; do
	printf '{ "name": "small", "kernel": "/rig/guests/noop.elf", "memory": %s }\n' $mib > small.json
	chaos create small.json > /dev/null 2>&1 || continue
	if chaos console small --no-input --until ready --timeout 20 > /dev/null 2>&1; then
		min=$mib
	fi
	chaos destroy small || rig_fail "chaos destroy small failed"
	[ -n "$min" ] && break
done
[ -n "$min" ] || rig_fail "noop did not boot in 4 MiB or less"
rig_metric noop_min_memory_mib "$min" MiB

chaos destroy noop || rig_fail "chaos destroy noop failed"
chaos destroy hello || rig_fail "chaos destroy hello failed"
chaos list | grep -qE '^(noop|hello) ' && rig_fail "destroyed guests still listed"
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left behind"
free1=$(rig-domains free-kib)
[ "$free1" = "$free0" ] || rig_fail "free memory $free1 KiB, was $free0 KiB"
rig_pass "noop ready, pause/unpause seen on hello-loop, memory back ($free0 KiB)"
