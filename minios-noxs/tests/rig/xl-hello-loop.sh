# xl-hello-loop: the hello-loop unikernel prints "hello <n>" once a second
# under stock xl; the counter stops while the domain is paused and moves on
# after it is unpaused.
# rig-timeout: 180

img=/rig/guests/hello-loop.elf
[ -r "$img" ] || rig_fail "$img missing"
rig_start_xenstore

log=/var/log/xen/console/guest-hello.log
cat > hello.cfg <<CFG
name = "hello"
type = "pv"
kernel = "$img"
memory = 4
vcpus = 1
on_crash = "preserve"
CFG
xl create hello.cfg || rig_fail "xl create failed"

# On failure: what Xen and xl know about the guest.
diagnose() {
	xl list
	ps | grep -e xenstored -e xenconsoled | grep -v grep
	# Xen's view: domain/vCPU state ('q') and what the CPUs run ('d').
	xl debug-keys q
	xl debug-keys d
	xl dmesg | tail -n 60
	cat "$log"
	# What the guest really wrote: the console ring text in its memory.
	if xl dump-core hello hello.core >/dev/null 2>&1; then
		echo "ring text in guest memory:"
		tr -c 'a-z0-9: \n' '\n' < hello.core |
			grep -e '^hello [0-9]' -e '^minios:' | tail -n 5
		rm -f hello.core
	fi
}

last() {
	sed -n 's/^hello \([0-9]*\)$/\1/p' "$log" 2>/dev/null | tail -n 1
}

rig_wait_for 60 grep -q '^hello 3$' "$log" || {
	diagnose
	rig_fail "the counter did not reach 3"
}

xl pause hello || rig_fail "xl pause failed"
xl list hello | awk 'NR == 2 { print $5 }' | grep -q p ||
	rig_fail "xl list does not show the domain paused"
sleep 1
before=$(last)
sleep 3
after=$(last)
rig_log "paused: counter $before, 3 s later $after"
[ "$before" = "$after" ] || rig_fail "counter moved while paused ($before -> $after)"

xl unpause hello || rig_fail "xl unpause failed"
want=$((after + 2))
rig_wait_for 10 grep -q "^hello $want\$" "$log" || {
	diagnose
	rig_fail "counter did not advance after unpause (last $(last))"
}
xl destroy hello || rig_fail "xl destroy failed"
cat "$log"
rig_pass "counter advanced, stopped at $after while paused, reached $want after unpause"
