# chaosd-reaper: chaosd's reaper binds VIRQ_DOM_EXC (libchaos's watch) when
# nobody else holds it, and polls when xenstored does; either way a guest
# shut down through chaosd is reaped (no other path pokes the serving loop
# in the first case) and its console let go.
# rig-timeout: 180

. /rig/extra/chaosd-lib

gone() { ! chaos list 2>/dev/null | grep -qw "$1"; }

check_reap() {
	hello_json "$1" > "$1.json"
	chaos create "$1.json" > /dev/null || rig_fail "create $1 failed"
	wait_until 20 log_has "$1" '^hello 1$' || rig_fail "no console output from $1"
	/rig/guests/chaosd-probe call "{\"op\":\"shutdown\",\"domain\":\"$1\"}" > sd.out 2>&1
	grep -q '"ok":true' sd.out || { cat sd.out; rig_fail "shutdown of $1 refused"; }
	t0=$(rig_now_us)
	wait_until 10 gone "$1" || { cat chaosd.log; rig_fail "$1 was not reaped"; }
	rig_log "$1 reaped in $(( ($(rig_now_us) - t0) / 1000 )) ms"
	grep -q "reaper: domain [0-9]* ($1) shut down" chaosd.log ||
		{ cat chaosd.log; rig_fail "no reap of $1 logged"; }
	wait_until 5 log_has "$1" 'detached' || rig_fail "console of $1 not let go"
}

chaosd_start --pool memory=4,vcpus=1,size=1
check_reap w1
grep -q 'VIRQ_DOM_EXC unavailable\|polling every' chaosd.log &&
	{ cat chaosd.log; rig_fail "the reaper polled although the virq was free"; }
chaosd_stop

rig_start_xenstore
chaosd_start --pool memory=4,vcpus=1,size=1
grep -q 'VIRQ_DOM_EXC unavailable' chaosd.log ||
	{ cat chaosd.log; rig_fail "no fallback note while xenstored holds the virq"; }
check_reap w2
chaosd_stop
rig_stop_xenstore
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left: $(rig-domains count)"
rig_pass "VIRQ_DOM_EXC watched through libchaos (polling fallback under xenstored), guests reaped, consoles let go"
