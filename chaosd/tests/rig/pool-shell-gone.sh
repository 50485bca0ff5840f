# pool-shell-gone: pooled shells destroyed behind chaosd's back, by xl or
# straight through the hypervisor (the domains `chaos list` shows as kind
# "shell"). A create that takes such a shell still succeeds: chaosd builds
# the guest in full when the shell's domain vanished between its take and
# its use (it used to fail, "cannot map page 0"). And chaosd's reaper
# drops such a shell from the pool once it sees the domain gone or dying,
# letting go of the low memory it keeps mapped of a primed shell (so the
# domain really goes), and the pool refills.
#  - with xenstored (xl needs it; chaosd then polls every second): `xl
#    destroy` of every shell, then a create at once; then three rounds of
#    every shell destroyed through the hypervisor and a create within
#    milliseconds, which takes a dead shell unless a poll came in between:
#    one that does is built in full instead (a race with the reaper:
#    creates_built_in_full says how many did; none is not a failure);
#  - without xenstored, chaosd holds VIRQ_DOM_EXC: a shell destroyed
#    through the hypervisor is dropped and replaced without any create;
#  - nothing leaks: no domain left, free memory as before.
# rig-timeout: 420

. /rig/extra/chaosd-lib
# chaosd and xenstored hold event channels: grow dom0's table first, so
# that the free-memory check sees only guests.
rig-evtchn-warm 256 || rig_fail "cannot warm dom0's event channels"
free0=$(rig-domains free-kib)

# shells all|live|dying: ids of the domains listed as unused pool shells.
shells() {
	chaos list --json | jq -r --arg w "$1" '.[] | select(.kind == "shell") |
		select($w == "all" or (($w == "dying") == (.state == "dying"))) | .id'
}
# pool_sound N: N ready shells, each a live domain, none dying.
pool_sound() {
	pool_full 4 "$1" && [ "$(shells live | wc -l)" = "$1" ] &&
		[ -z "$(shells dying)" ]
}
# gone ID...: none of them is listed any more, not even as dying.
gone() {
	for _id; do
		chaos list --json |
			jq -e --argjson i "$_id" 'any(.[]; .id == $i)' > /dev/null &&
			return 1
	done
	return 0
}
# created NAME: a create through chaosd succeeds and the guest runs.
created() {
	noop_json "$1" > "$1.json"
	chaos create --timing "$1.json" > "$1.out" 2>&1 || {
		cat "$1.out"; tail -n 20 chaosd.log
		rig_fail "create of $1 failed: $(grep -v timing "$1.out")"
	}
	chaos console "$1" --no-input --until ready --timeout 30 > /dev/null ||
		rig_fail "$1 did not print ready"
	rig_log "$1 created ($(grep -o 'via=[a-z]*' "$1.out"))"
}
# primed_pool: a create gives the flavour its kernel, so the shells are
# primed for it (a primed shell's low memory stays mapped in chaosd).
primed_pool() {
	wait_until 60 pool_sound 2 || rig_fail "the pool did not fill"
	created "$1"
	chaos destroy "$1" || rig_fail "destroy $1 failed"
	wait_until 60 pool_sound 2 || rig_fail "the pool did not refill"
	sleep 1
}
# dropped DEAD...: the destroyed shells go, the pool refills with live ones.
dropped() {
	wait_until 20 gone "$@" || {
		chaos list; tail -n 20 chaosd.log
		rig_fail "shells $* destroyed behind chaosd's back are still listed (dying: chaosd still maps them)"
	}
	wait_until 60 pool_sound 2 || {
		chaos pool; chaos list; tail -n 20 chaosd.log
		rig_fail "the pool did not drop shells $* and refill"
	}
}

# --- with xenstored: xl destroy, then creates ----------------------------
rig_start_xenstore
chaosd_start --pool memory=4,vcpus=1,size=2
primed_pool p0
dead=$(shells live)
for id in $dead; do
	xl destroy "$id" > xl.out 2>&1 || { cat xl.out; rig_fail "xl destroy $id failed"; }
done
rig_log "xl destroyed shells" $dead
created x1
dropped $dead
chaos destroy x1 || rig_fail "destroy x1 failed"
i=1
while [ $i -le 3 ]; do
	dead=$(shells live)
	rig-domains destroy $dead || rig_fail "cannot destroy shells $dead"
	created r$i
	dropped $dead
	chaos destroy r$i || rig_fail "destroy r$i failed"
	i=$((i + 1))
done
full=$(grep -c 'building the guest in full' chaosd.log)
rig_log "$(grep -c "pool: shell .*went behind chaosd's back" chaosd.log) shells dropped by the reaper"
grep 'building the guest in full' chaosd.log | head -n 1
rig_metric creates_built_in_full "$full" of4
[ "$full" -ge 1 ] || rig_log "no create took a destroyed shell before the reaper did (a race): the fallback was not exercised this run"
chaosd_stop
mv chaosd.log chaosd-polled.log
rig_stop_xenstore
wait_until 10 sh -c '! pidof xenstored > /dev/null' || rig_fail "xenstored did not stop"

# --- without xenstored: the reaper, woken by VIRQ_DOM_EXC -----------------
chaosd_start --pool memory=4,vcpus=1,size=2
grep -q 'VIRQ_DOM_EXC unavailable\|polling every' chaosd.log &&
	{ cat chaosd.log; rig_fail "the reaper polls although the virq is free"; }
primed_pool v0
set -- $(shells live)
rig-domains destroy "$1" || rig_fail "cannot destroy shell $1"
dropped "$1"
grep -q "shell $1 .*went behind chaosd's back" chaosd.log ||
	{ tail -n 20 chaosd.log; rig_fail "no drop of shell $1 logged"; }
created v1
grep -q 'via=pool' v1.out || rig_fail "v1 was not pooled after the refill"
chaos destroy v1 || rig_fail "destroy v1 failed"
rig_metric shells_dropped "$(cat chaosd-polled.log chaosd.log |
	grep -c "pool: shell .*went behind chaosd's back")" shells
chaosd_stop

[ "$(rig-domains count)" = 0 ] || rig_fail "domains left: $(rig-domains count)"
free1=$(rig-domains free-kib)
[ "$free1" = "$free0" ] || rig_fail "free memory $free1 KiB, was $free0 KiB"
rig_pass "shells destroyed behind chaosd's back (xl and the hypervisor, polled and by VIRQ) dropped and replaced; $full of 4 creates that took one built in full; nothing leaked"
