# migrate-fail: migrations that fail leave the guest running on the source,
# in its own domain, still counting, with nothing left at the destination:
#  - the destination dies mid-stream (its input cut after 300 KB of a
#    4 MiB image): the source resumes the guest;
#  - the destination does not know the pre-shared key: refused before the
#    guest is even suspended;
#  - a key file others can read is refused outright.
# rig-timeout: 300

rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
N=/rig/guests/noxsctl
last_hello() { awk '$1 == "hello" && $2 ~ /^[0-9]+$/ {n = $2} END {print n + 0}' "$1"; }
domid() { chaos list | awk '$1 == "hl" {print $2}'; }

printf '{ "name": "hl", "kernel": "/rig/guests/hello-loop.elf", "memory": 4 }\n' > hl.json
chaos create hl.json || rig_fail "chaos create failed"
chaos console hl --no-input --until 'hello 2' --timeout 30 > seen.txt ||
	rig_fail "hello-loop did not count"
dom=$(domid)

# still_here WHAT: hl runs in the same domain, alone, and counts on.
still_here() {
	[ "$(domid)" = "$dom" ] || rig_fail "$1: hl is now domain '$(domid)', was $dom"
	[ "$(rig-domains count)" = 1 ] || rig_fail "$1: $(rig-domains count) domains"
	chaos console hl --no-input --until 'hello ' --timeout 20 >> seen.txt
	n=$(last_hello seen.txt)
	chaos console hl --no-input --until "hello $((n + 1))" --timeout 20 > next.txt ||
		rig_fail "$1: counter stuck at $n: $(cat next.txt)"
	cat next.txt >> seen.txt
	$N stats > stats.txt
	grep -q '^devices 1 ' stats.txt || rig_fail "$1: devices: $(cat stats.txt)"
}

# --- the destination dies mid-stream -----------------------------------------
rc=0
chaos migrate hl "head -c 300000 | chaos migrate-receive" -s '' > m1.out 2>&1 || rc=$?
cat m1.out
[ $rc -ne 0 ] || rig_fail "a cut stream migrated"
grep -q 'resumed here' m1.out || rig_fail "no word of the resume: $(cat m1.out)"
chaos console hl --no-input --until 'hello-loop: resumed' --timeout 20 > r1.txt ||
	rig_fail "the guest did not resume: $(cat r1.txt)"
cat r1.txt >> seen.txt
grep -q 'minios: resumed (suspend cancelled)' r1.txt ||
	rig_fail "the guest did not see a cancelled suspend"
still_here "cut stream"

# --- a destination without the key -------------------------------------------
head -c 32 /dev/urandom > good.psk
head -c 32 /dev/urandom > other.psk
chmod 600 good.psk other.psk
chaos migrate-receive --listen 7011 --psk-file other.psk 2> recv.err &
rpid=$!
rig_wait_for 10 grep -q 'listening on port 7011' recv.err ||
	rig_fail "the receiver did not listen"
rc=0
chaos migrate hl 127.0.0.1 --port 7011 --psk-file good.psk > m2.out 2>&1 || rc=$?
cat m2.out
wait $rpid
cat recv.err
[ $rc -ne 0 ] || rig_fail "migrated to a receiver with another key"
grep -q 'does not know the pre-shared key' m2.out || rig_fail "unclear: $(cat m2.out)"
chaos console hl --no-input --until 'hello ' --timeout 20 > r2.txt
grep -q 'suspending' r2.txt && rig_fail "the guest was suspended before authentication"
still_here "wrong key"

# --- a key file others can read ------------------------------------------------
chmod 644 good.psk
rc=0
chaos migrate hl 127.0.0.1 --port 7011 --psk-file good.psk > m3.out 2>&1 || rc=$?
cat m3.out
[ $rc -ne 0 ] || rig_fail "a world-readable key was used"
grep -q 'readable by its owner only' m3.out || rig_fail "unclear: $(cat m3.out)"

chaos shutdown hl --timeout 10 || rig_fail "shutdown failed"
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left"
$N stats > stats.txt
grep -q '^devices 0 grants 0 ports 0 ' stats.txt || rig_fail "devices left: $(cat stats.txt)"
rig_pass "cut stream: resumed on the source; wrong key: refused before suspend; loose key file refused"
