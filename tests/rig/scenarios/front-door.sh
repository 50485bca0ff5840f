# front-door: while chaosd runs, every CLI command that changes a guest
# goes through it, under libchaos's one rule for what may be touched.
#  - a pooled shell not yet used cannot be destroyed, paused or shut down,
#    through chaosd or directly (--no-chaosd): the library refuses it;
#  - destroy, pause, unpause, shutdown and reboot go through chaosd: a
#    member of chaosd's group (no root, no /dev/xen/privcmd) can do them,
#    and chaosd's log shows each one; a deaf guest times out with the
#    same message and --force destroys it;
#  - --no-chaosd does the work in the CLI (the member cannot; root can);
#  - `chaos list --json` and chaosd's list print the same keys and the
#    same domains (shells included, "kind": "shell");
#  - save, restore and resume go through chaosd on files the CLI opened:
#    a member saves into and restores from its own directory (the image
#    is the member's; a restore's --config is read with the member's
#    rights), chaosd's log shows each, the messages of failures are those
#    of --no-chaosd, and --no-chaosd saves and restores alike;
#  - a migration through chaosd holds its guest: another operation on it
#    is refused with a clear message while chaosd keeps serving others;
#    a migration goes through chaosd at both ends.
# rig-timeout: 600

. /rig/extra/chaosd-lib
rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
grep -q '^chaosusers:' /etc/group || echo 'chaosusers:x:2000:' >> /etc/group
chaosd_start --group chaosusers --pool memory=4,vcpus=1,size=2
wait_until 60 pool_full 4 2 || rig_fail "pool did not fill to 2 shells"
chmod 0755 .
member() { rig-as 2001 2001,2000 "$@"; }
chaosd_said() { grep -q "$1" chaosd.log; }

# --- one schema ---------------------------------------------------------
chaos list --json > cli.json || rig_fail "chaos list --json failed"
/rig/guests/chaosd-probe call '{"op":"list"}' > probe.out 2>&1 ||
	{ cat probe.out; rig_fail "chaosd's list failed"; }
sed -n 's/^probe: call: //p' probe.out > d.json
jq -c '[.[] | keys] | unique' cli.json > cli.keys
jq -c '[.domains[] | keys] | unique' d.json > d.keys
cat cli.keys d.keys
cmp -s cli.keys d.keys || rig_fail "keys differ: CLI $(cat cli.keys), chaosd $(cat d.keys)"
grep -q '"kind"' cli.keys || rig_fail "no kind key"
jq -c '[.[] | [.id, .kind]]' cli.json > cli.ids
jq -c '[.domains[] | [.id, .kind]]' d.json > d.ids
cmp -s cli.ids d.ids || rig_fail "domains differ: CLI $(cat cli.ids), chaosd $(cat d.ids)"
[ "$(jq '[.[] | select(.kind == "shell")] | length' cli.json)" = 2 ] ||
	rig_fail "the 2 pooled shells are not listed as shells: $(cat cli.ids)"
[ "$(jq -r '.[] | select(.id == 0) | .kind' cli.json)" = dom0 ] ||
	rig_fail "Domain-0's kind is not dom0"

# --- a pooled shell cannot be touched ------------------------------------
shell=$(jq '[.[] | select(.kind == "shell") | .id][0]' cli.json)
count0=$(rig-domains count)
for cmd in destroy pause shutdown; do
	rc=0
	chaos $cmd "$shell" > refused.out 2>&1 || rc=$?
	cat refused.out
	[ $rc = 1 ] || rig_fail "chaos $cmd of pooled shell $shell: exit $rc"
	grep -q 'unused shell' refused.out ||
		rig_fail "chaos $cmd of a shell: unclear message: $(cat refused.out)"
	rc=0
	chaos --no-chaosd $cmd "$shell" > refused2.out 2>&1 || rc=$?
	[ $rc = 1 ] || rig_fail "chaos --no-chaosd $cmd of pooled shell: exit $rc"
	cmp -s refused.out refused2.out ||
		rig_fail "messages differ by path: '$(cat refused.out)' vs '$(cat refused2.out)'"
done
[ "$(rig-domains count)" = "$count0" ] || rig_fail "a shell went away"
[ "$(pool_ready 4)" = 2 ] || rig_fail "the pool lost a shell"
rc=0
chaos destroy 0 > dom0.out 2>&1 || rc=$?
[ $rc = 1 ] && grep -q 'refusing to destroy Domain-0' dom0.out ||
	rig_fail "destroy 0: exit $rc, $(cat dom0.out)"

# --- lifecycle through chaosd (a member: no hypervisor access) ------------
noop_json g1 > g1.json
chmod 0644 g1.json
member chaos create g1.json > create.out 2>&1 ||
	{ cat create.out; rig_fail "member create failed"; }
member chaos console g1 --no-input --until ready --timeout 30 > /dev/null ||
	rig_fail "g1 did not print ready"
member chaos pause g1 > m.out 2>&1 || { cat m.out; rig_fail "member pause failed"; }
chaos list | awk '$1 == "g1" {print $5}' | grep -q paused || rig_fail "g1 not paused"
chaosd_said 'paused domain' || rig_fail "chaosd's log has no pause"
member chaos unpause g1 > m.out 2>&1 || { cat m.out; rig_fail "member unpause failed"; }
chaos list | awk '$1 == "g1" {print $5}' | grep -q paused && rig_fail "g1 still paused"
chaosd_said 'unpaused domain' || rig_fail "chaosd's log has no unpause"
old=$(chaos list | awk '$1 == "g1" {print $2}')
member chaos reboot g1 --timeout 10 > m.out 2>&1 || { cat m.out; rig_fail "member reboot failed"; }
new=$(chaos list | awk '$1 == "g1" {print $2}')
[ -n "$new" ] && [ "$new" != "$old" ] || rig_fail "g1 did not come back under a new id ($old -> '$new')"
chaosd_said "shutdown of domain $old asked (reboot" || rig_fail "chaosd's log has no reboot"
member chaos console g1 --no-input --until ready --timeout 30 > /dev/null ||
	rig_fail "rebooted g1 did not print ready"
member chaos shutdown g1 --timeout 10 > m.out 2>&1 || { cat m.out; rig_fail "member shutdown failed"; }
chaos list | grep -q '^g1 ' && rig_fail "g1 still listed after shutdown"
chaosd_said "shutdown of domain $new asked (poweroff" || rig_fail "chaosd's log has no shutdown"
member chaos create g1.json > create.out 2>&1 || { cat create.out; rig_fail "second create failed"; }
member chaos destroy g1 > m.out 2>&1 || { cat m.out; rig_fail "member destroy failed"; }
chaos list | grep -q '^g1 ' && rig_fail "g1 still listed after destroy"
chaosd_said 'destroyed domain' || rig_fail "chaosd's log has no destroy"

# --- a deaf guest: the same timeout message, --force -----------------------
printf '{ "name": "deaf", "kernel": "/rig/guests/deaf.elf", "memory": 4 }\n' > deaf.json
chaos create deaf.json || rig_fail "create deaf failed"
chaos console deaf --no-input --until ready --timeout 30 > /dev/null || rig_fail "deaf not ready"
sleep 1
rc=0
chaos shutdown deaf --timeout 2 > deaf.out 2>&1 || rc=$?
cat deaf.out
[ $rc = 1 ] || rig_fail "shutdown of a deaf guest: exit $rc"
grep -q 'did not answer the poweroff request within 2000 ms' deaf.out ||
	rig_fail "unclear message: $(cat deaf.out)"
# the loop kept serving while the guest was waited for
chaos shutdown deaf --timeout 3 > /dev/null 2>&1 &
spid=$!
sleep 1
us=$(rigtime run chaos pool 2> /dev/null) || rig_fail "chaosd did not answer during a shutdown wait"
rig_log "chaos pool answered in $us us while a shutdown waited"
[ "$us" -lt 1500000 ] || rig_fail "chaos pool took $us us: the loop waited with the shutdown"
wait $spid
chaos shutdown deaf --timeout 2 --force > force.out 2>&1 ||
	rig_fail "--force failed: $(cat force.out)"
cat force.out
grep -q 'did not answer the poweroff request within 2000 ms' force.out &&
	grep -q 'destroyed (--force)' force.out || rig_fail "--force messages: $(cat force.out)"
chaos list | grep -q '^deaf ' && rig_fail "deaf still listed after --force"

# --- --no-chaosd: the CLI does the work itself ---------------------------
noop_json g2 > g2.json
chmod 0644 g2.json
chaos create g2.json > /dev/null || rig_fail "create g2 failed"
rc=0
member chaos --no-chaosd pause g2 > m.out 2>&1 || rc=$?
cat m.out
[ $rc = 1 ] || rig_fail "member --no-chaosd pause: exit $rc (it should have no hypervisor access)"
lines=$(wc -l < chaosd.log)
chaos --no-chaosd pause g2 || rig_fail "--no-chaosd pause failed"
chaos list | awk '$1 == "g2" {print $5}' | grep -q paused || rig_fail "g2 not paused"
chaos --no-chaosd unpause g2 || rig_fail "--no-chaosd unpause failed"
tail -n +$((lines + 1)) chaosd.log | grep -q 'paused domain' &&
	rig_fail "--no-chaosd went through chaosd"
chaos --no-chaosd destroy g2 || rig_fail "--no-chaosd destroy failed"
chaos list | grep -q '^g2 ' && rig_fail "g2 still listed"

# --- checkpoints through chaosd ---------------------------------------------
printf '{ "name": "hl", "kernel": "/rig/guests/hello-loop.elf", "memory": 4 }\n' > hl.json
chmod 0644 hl.json
cat > connected.sh <<'SH'
chaos list -l > list.txt &&
	awk -v n="$1" '/^[^ ]/ {g = ($1 == n)} g' list.txt |
	grep -Eq '^ +power +0 .* be connected +fe connected'
SH
# The member creates hl: it may save and restore only its own guests.
member chaos create hl.json > m.out 2>&1 ||
	{ cat m.out; rig_fail "member create hl failed"; }
chaos console hl --no-input --until 'hello 3' --timeout 30 > /dev/null ||
	rig_fail "hl did not count to 3"
rig_wait_for 5 sh connected.sh hl || rig_fail "hl's power device not connected"
mkdir mine && chown 2001:2001 mine
dom=$(chaos list | awk '$1 == "hl" {print $2}')
member chaos save hl mine/keep.img --keep-running > m.out 2>&1 ||
	{ cat m.out; rig_fail "member save --keep-running failed"; }
chaosd_said "saved domain $dom, kept running" || rig_fail "chaosd's log has no save"
[ "$(ls -ln mine/keep.img | awk '{print $3}')" = 2001 ] ||
	rig_fail "the image is not the member's: $(ls -l mine/keep.img)"
[ "$(chaos list | awk '$1 == "hl" {print $2}')" = "$dom" ] ||
	rig_fail "hl changed domain after save --keep-running"
chaos console hl --no-input --until 'hello-loop: resumed' --timeout 20 > /dev/null ||
	rig_fail "hl did not go on after save --keep-running"
rig_wait_for 5 sh connected.sh hl || rig_fail "hl's power device not back"
member chaos save hl mine/hl.img > m.out 2>&1 ||
	{ cat m.out; rig_fail "member save failed"; }
chaos list | grep -q '^hl ' && rig_fail "hl still listed after save"
ls mine | grep -q 'hl.img\.' && rig_fail "a temporary file was left: $(ls mine)"
# --config goes to chaosd (root) as a path: it is read with the member's
# rights, so a config only root may read is refused before anything is
# built.
cp hl.json secret.json && chmod 0600 secret.json
member chaos restore mine/hl.img --config secret.json > m.out 2>&1 &&
	rig_fail "chaosd read a config the member may not read"
grep -q 'secret.json.*Permission denied' m.out ||
	rig_fail "restore --config secret.json said: $(cat m.out)"
chaos list | grep -q '^hl ' && rig_fail "a refused restore left hl"
member chaos restore mine/hl.img --config hl.json > m.out 2>&1 ||
	{ cat m.out; rig_fail "member restore failed"; }
cat m.out
grep -q '^restored hl as domain ' m.out || rig_fail "restore said: $(cat m.out)"
chaosd_said 'restored domain .* (hl)' || rig_fail "chaosd's log has no restore"
dom=$(chaos list | awk '$1 == "hl" {print $2}')
grep -qx "config $PWD/hl.json" "/run/chaos/domains/$dom" ||
	rig_fail "restored hl's record: $(cat "/run/chaos/domains/$dom")"
chaos console hl --no-input --until 'hello-loop: resumed in a new domain' \
	--timeout 20 > /dev/null || rig_fail "restored hl did not go on"
rig_wait_for 5 sh connected.sh hl || rig_fail "restored hl's power device not connected"
# Failures: the same message and status on both paths.
printf 'not an image at all, but long enough to be read as one %064d\n' 0 > bad.img
for args in "restore bad.img" "restore /nonexistent.img" "resume hl" \
	    "save hl /nonexistent/dir/x.img" "save nosuchguest x.img"; do
	rc1=0; rc2=0
	chaos $args > via.out 2>&1 || rc1=$?
	chaos --no-chaosd $args > direct.out 2>&1 || rc2=$?
	[ $rc1 = 1 ] && [ $rc2 = 1 ] || rig_fail "chaos $args: exit $rc1 through chaosd, $rc2 direct"
	cmp -s via.out direct.out ||
		rig_fail "chaos $args: '$(cat via.out)' through chaosd, '$(cat direct.out)' direct"
done
chaosd_said "resume of domain .* failed: .*not suspended" ||
	rig_fail "chaosd's log has no resume"
# --no-chaosd saves and restores here, chaosd's log untouched.
lines=$(wc -l < chaosd.log)
chaos --no-chaosd save hl direct.img || rig_fail "--no-chaosd save failed"
chaos --no-chaosd restore direct.img > /dev/null || rig_fail "--no-chaosd restore failed"
tail -n +$((lines + 1)) chaosd.log | grep -Eq 'saved domain|restored domain' &&
	rig_fail "--no-chaosd went through chaosd"
chaos console hl --no-input --until 'hello-loop: resumed in a new domain' \
	--timeout 20 > /dev/null || rig_fail "hl restored by --no-chaosd did not go on"
# A migration whose peer says nothing for 3 s holds hl in chaosd; the
# loop keeps answering, and hl is refused to others meanwhile.
chaos migrate hl 'sleep 3' -s '' > mig.out 2>&1 &
mpid=$!
wait_until 10 chaosd_said "migrate-send of domain $(chaos list | awk '$1 == "hl" {print $2}') started" ||
	rig_fail "chaosd's log has no migration: $(cat mig.out)"
rc=0
chaos pause hl > busy.out 2>&1 || rc=$?
cat busy.out
[ $rc = 1 ] && grep -q 'migrate-send is under way' busy.out ||
	rig_fail "pause during a migration: exit $rc, $(cat busy.out)"
us=$(rigtime run chaos pool 2> /dev/null) || rig_fail "chaosd did not answer during a migration"
[ "$us" -lt 1500000 ] || rig_fail "chaos pool took $us us during a migration"
rc=0
wait $mpid || rc=$?
cat mig.out
[ $rc = 1 ] || rig_fail "migration to a silent peer: exit $rc"
chaos list | awk '$1 == "hl" {print $5}' | grep -Eq 'running|blocked' ||
	rig_fail "hl does not run after the failed migration: $(chaos list)"
# A migration to this host through chaosd at both ends (the receiving CLI
# hands chaosd its stdin and stdout); live: front-door-live.
for live in ""; do
	old=$(chaos list | awk '$1 == "hl" {print $2}')
	chaos migrate hl 'chaos migrate-receive' -s '' $live > mig.out 2>&1 ||
		rig_fail "migrate $live through chaosd failed: $(cat mig.out)"
	cat mig.out
	new=$(chaos list | awk '$1 == "hl" {print $2}')
	[ -n "$new" ] && [ "$new" != "$old" ] || rig_fail "hl did not move ($old -> '$new')"
	chaosd_said "migrated domain $old" && chaosd_said "received domain $new by migration" ||
		rig_fail "chaosd's log has no migration of $old to $new"
	chaos console hl --no-input --until 'hello-loop: resumed in a new domain' \
		--timeout 20 > /dev/null || rig_fail "hl did not go on after migrate $live"
	rig_wait_for 5 sh connected.sh hl || rig_fail "hl's power device not connected after migrate $live"
done
# Whoever receives a guest owns it, as whoever restores one does: here a
# member receives (through chaosd) what root sends, with the config the
# guest restarts from (read with the member's rights).
chaos migrate hl "rig-as 2001 2001,2000 chaos migrate-receive --config $PWD/hl.json" -s '' \
	> mig.out 2>&1 || rig_fail "migrate to a member's receiver failed: $(cat mig.out)"
owner=$(chaos list --json | jq -r '.[] | select(.name == "hl") | .owner')
[ "$owner" = 2001 ] || rig_fail "a guest the member received is owned by '$owner', not 2001"
new=$(chaos list | awk '$1 == "hl" {print $2}')
grep -qx "config $PWD/hl.json" "/run/chaos/domains/$new" ||
	rig_fail "received hl's record: $(cat "/run/chaos/domains/$new")"
chaos destroy hl || rig_fail "destroy hl failed"

wait_until 60 pool_full 4 2 || rig_fail "the pool did not refill"
chaosd_stop
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left: $(rig-domains count)"
rig_pass "shells refused on both paths, lifecycle through chaosd (member, logged), deaf guest timed out and forced, --no-chaosd direct, one list schema, save/restore/resume through chaosd on the member's files with --no-chaosd's messages, a migrating guest held, migrate through chaosd at both ends"
