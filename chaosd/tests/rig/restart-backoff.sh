# restart-backoff: audit finding 15. A guest that crashes at once on boot
# (crasher) with on_crash "restart" is restarted by chaosd's reaper at
# most RESTART_LIMIT (5) times within 60 s; the next crash is "restarting
# too fast": the guest is destroyed instead, said once in chaosd's log,
# and nothing restarts it again. chaosd answers throughout.
# rig-timeout: 120

. /rig/extra/chaosd-lib
rm -rf /var/log/chaos
LIMIT=5

applied() { grep -c 'reaper: domain [0-9]* (crash) shut down (reason 3), action applied' chaosd.log; }
refused() { grep -q 'reaper: domain [0-9]* (crash) .*restarting too fast, destroyed instead' chaosd.log; }

chaosd_start --pool memory=4,vcpus=1,size=1
# The pool's shell counts among the domains: count once it is there.
wait_until 20 pool_full 4 1 || { cat chaosd.log; rig_fail "chaosd did not fill its pool"; }
doms0=$(rig-domains count)
echo '{ "name": "crash", "kernel": "/rig/guests/crasher.elf", "memory": 4, "on_crash": "restart" }' > crash.json
t0=$(rig_now_us)
chaos create crash.json > create.out 2>&1 || { cat create.out; rig_fail "create crash failed"; }
wait_until 60 refused || { cat chaosd.log; rig_fail "crash was still being restarted after 60 s"; }
t1=$(rig_now_us)
n=$(applied)
[ "$n" = "$LIMIT" ] || { cat chaosd.log; rig_fail "crash was restarted $n times, want $LIMIT"; }
# Given up for good: no more restarts, no domain, no name.
sleep 3
[ "$(applied)" = "$LIMIT" ] || rig_fail "crash restarted again after the back-off"
[ "$(grep -c 'restarting too fast' chaosd.log)" = 1 ] || rig_fail "the back-off was logged more than once"
chaos list | grep -qw crash && rig_fail "crash is still listed: $(chaos list)"
# A create that took the pooled shell leaves it refilling meanwhile.
wait_until 20 pool_full 4 1 || { cat chaosd.log; rig_fail "chaosd did not refill its pool"; }
[ "$(rig-domains count)" = "$doms0" ] || rig_fail "$(rig-domains count) domains, want $doms0"
pool_us=$(rig_time_us chaos pool 2>/dev/null)
grep 'crasher: crashing' /var/log/chaos/crash.log > /dev/null ||
	rig_fail "crash.log lacks the guest's output"
# The name is free again: the same guest may be created anew (and backs
# off anew).
chaos create crash.json > create2.out 2>&1 || { cat create2.out; rig_fail "create crash again failed"; }
wait_until 60 sh -c "[ \$(grep -c 'restarting too fast' chaosd.log) = 2 ]" ||
	rig_fail "the second crash guest did not back off"
chaosd_stop
grep 'crash' chaosd.log
rig_metric restart_backoff_restarts "$n" restarts
rig_metric restart_backoff_give_up_ms $(( (t1 - t0) / 1000 )) ms
rig_metric restart_backoff_pool_answer_ms "$(ms "$pool_us")" ms
rig_pass "a guest crashing at boot with on_crash=restart was restarted $n times, then destroyed as restarting too fast ($(( (t1 - t0) / 1000 )) ms), once in the log; chaosd kept answering"
