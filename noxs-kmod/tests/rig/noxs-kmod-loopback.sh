# noxs-kmod-loopback: dom0 plays the guest (module parameter loopback=1,
# noxsctl fe maps the control page through gntdev and binds the event
# channel through evtchn) to drive the whole handshake: InitWait ->
# Connected, power requests and their replies, Closing -> Closed on
# destroy; garbage in the control page closes the device; a page still
# mapped at destroy time is revoked through the deferred path; a flood of
# events does not hang dom0.
# rig-timeout: 240

. /rig/extra/noxs-lib
# rig_wait_for runs a program, not a shell function.
is_connected="$ctl query 0 power \$0 | grep -q ' be Connected fe Connected '"

# Start from an unloaded module and leave none behind, pass or fail.
rmmod noxs 2>/dev/null
trap 'rmmod noxs 2>/dev/null' EXIT
dmesg_start=$(dmesg | wc -l)
insmod $ko loopback=1 || rig_fail "insmod noxs.ko loopback=1 failed"

# Handshake and power requests, answered "done" and "refused".
$ctl create 0 power 0 || rig_fail "create 0 power 0 failed"
$ctl create 0 power 1 || rig_fail "create 0 power 1 failed"
$ctl fe 0 serve 30 0 > fe0.txt 2>&1 &
fe0=$!
$ctl fe 1 serve 30 95 > fe1.txt 2>&1 &
fe1=$!
rig_wait_for 10 sh -c "$is_connected" 0 || { cat fe0.txt; rig_fail "fe 0 did not connect"; }
rig_wait_for 10 sh -c "$is_connected" 1 || { cat fe1.txt; rig_fail "fe 1 did not connect"; }
$ctl list 0
$ctl query 0 power 0 | grep -q " be Connected fe Connected " ||
	rig_fail "power/0 not Connected: $($ctl query 0 power 0)"
n=0
: > power-us.txt
for req in poweroff reboot suspend poweroff reboot suspend; do
	t0=$(rig_now_us)
	out=$($ctl power 0 0 $req 2000) || rig_fail "power $req failed: $out"
	t1=$(rig_now_us)
	echo $((t1 - t0)) >> power-us.txt
	[ "$out" = "reply 0" ] || rig_fail "power $req: $out"
	n=$((n + 1))
done
set -- $(rig_stats power-us.txt)
rig_metric noxs_power_roundtrip_median "$1" us
out=$($ctl power 0 1 suspend 2000) || rig_fail "power to fe 1 failed"
[ "$out" = "reply -95" ] || rig_fail "refused request: want reply -95, got $out"
$ctl query 0 power 0 | grep -q "req_seq 6 ack_seq 6 reply 0 " ||
	rig_fail "power/0 sequence: $($ctl query 0 power 0)"

# Destroy a connected device: Closing, the frontend answers Closed.
t0=$(rig_now_us)
$ctl destroy 0 power 0 10000 || rig_fail "destroy connected power/0 failed"
t1=$(rig_now_us)
rig_metric noxs_destroy_connected $((t1 - t0)) us
wait $fe0
cat fe0.txt
grep -q "fe: backend Closing, answered Closed" fe0.txt || rig_fail "fe 0 never saw Closing"
[ $((t1 - t0)) -lt 3000000 ] || rig_fail "destroy waited $((t1 - t0)) us although fe answered"
$ctl destroy-all 0 || rig_fail "destroy-all 0 failed"
wait $fe1
cat fe1.txt
check_zero "after the handshake"

# A frontend that connects then vanishes: destroy waits only its timeout.
$ctl create 0 power 2 >/dev/null || rig_fail "create power/2"
$ctl fe 2 serve 1 0 > fe2.txt 2>&1
# Connected, but nobody answers: -ETIMEDOUT on time.
$ctl power 0 2 reboot 500 2> pt.txt && rig_fail "power to a silent fe succeeded"
cat pt.txt
grep -q ETIMEDOUT pt.txt || rig_fail "silent fe: want ETIMEDOUT, got $(cat pt.txt)"
ms=$(sed -n 's/.* after \([0-9]*\) ms$/\1/p' pt.txt)
rig_metric noxs_power_timedout_500ms "$ms" ms
[ "$ms" -ge 490 ] && [ "$ms" -lt 1000 ] || rig_fail "ETIMEDOUT after $ms ms, asked 500"
t0=$(rig_now_us)
$ctl destroy 0 power 2 300 || rig_fail "destroy of a silent fe failed"
t1=$(rig_now_us)
ms=$(( (t1 - t0) / 1000 ))
rig_log "destroy with a silent frontend took $ms ms (timeout 300)"
[ $ms -ge 250 ] && [ $ms -lt 4000 ] || rig_fail "silent fe destroy took $ms ms"

# Garbage: each kind closes the device with its error code.
errs=""
for kind in state initwait backwards magic be_state reserved req_seq ack_seq random; do
	$ctl create 0 power 0 >/dev/null || rig_fail "create for $kind"
	$ctl fe 0 garbage $kind > g.txt 2>&1 || { cat g.txt; rig_fail "garbage $kind: not closed"; }
	cat g.txt
	q=$($ctl query 0 power 0)
	echo "$q" | grep -q " be Closed " || rig_fail "garbage $kind: $q"
	err=$(echo "$q" | sed -n 's/.* error \([0-9]*\) .*/\1/p')
	[ "$err" != 0 ] || rig_fail "garbage $kind: no error code"
	errs="$errs $kind=$err"
	$ctl destroy 0 power 0 || rig_fail "destroy after $kind"
done
rig_log "errors:$errs"
[ "$(stat_of closed_by_error)" = 9 ] || rig_fail "closed_by_error: $($ctl stats)"
check_zero "after garbage"

# Still mapped at destroy: the grant goes to the deferred list, no leak.
$ctl create 0 power 0 >/dev/null || rig_fail "create for deferred"
$ctl fe 0 garbage reserved 4 > gd.txt 2>&1 &
fed=$!
rig_wait_for 10 grep -q "closed the device" gd.txt || rig_fail "deferred: no close"
$ctl destroy 0 power 0 || rig_fail "destroy while mapped failed"
[ "$(stat_of grants_deferred)" -ge 1 ] || rig_fail "no deferred grant: $($ctl stats)"
check_zero "after deferred destroy"
wait $fed

# A flood of events that change nothing: dom0 keeps answering.
$ctl create 0 power 0 >/dev/null || rig_fail "create for flood"
$ctl fe 0 flood 50000 > fl.txt 2>&1 &
fl=$!
sleep 1
t0=$(rig_now_us)
$ctl query 0 power 0 || rig_fail "query during flood failed"
t1=$(rig_now_us)
rig_metric noxs_query_during_flood $((t1 - t0)) us
wait $fl
cat fl.txt
$ctl query 0 power 0
$ctl destroy 0 power 0 || rig_fail "destroy after flood"
check_zero "after flood"

rmmod noxs || rig_fail "rmmod failed"
dmesg | tail -n +$((dmesg_start + 1)) > dmesg.txt
grep noxs dmesg.txt
grep -E "BUG|Oops|WARNING|Call Trace" dmesg.txt && rig_fail "kernel complained"
rig_pass "handshake, $n power requests, Closed on destroy, 9 garbage kinds closed, deferred revoke, flood survived"
