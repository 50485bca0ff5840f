# migrate-fail: migrations that fail leave the guest running on the source,
# in its own domain, still counting, with nothing left at the destination:
#  - the destination dies mid-stream (its input cut after 30 KB: the
#    image of a 4 MiB guest leaves its zero pages out, and one cut later
#    than its end cut nothing, so both ends waited out their timeouts):
#    the source resumes the guest;
#  - the destination does not know the pre-shared key: the TLS handshake
#    fails before the guest is even suspended, and the destination keeps
#    waiting for a sender with its key;
#  - a key file others can read is refused outright.
# rig-timeout: 300

. /rig/extra/migrate-lib
old=$(domid)

# --- the destination dies mid-stream -----------------------------------------
rc=0
chaos migrate hl "head -c 30000 | chaos migrate-receive" -s '' > m1.out 2>&1 || rc=$?
cat m1.out
[ $rc -ne 0 ] || rig_fail "a cut stream migrated"
grep -q 'resumed here' m1.out || rig_fail "no word of the resume: $(cat m1.out)"
chaos console hl --no-input --until 'hello-loop: resumed' --timeout 20 > r1.txt ||
	rig_fail "the guest did not resume: $(cat r1.txt)"
cat r1.txt >> seen.txt
grep -q 'minios: resumed (suspend cancelled)' r1.txt ||
	rig_fail "the guest did not see a cancelled suspend"
stayed "cut stream"

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
cat recv.err
[ $rc -ne 0 ] || rig_fail "migrated to a receiver with another key"
grep -q 'does not know the pre-shared key' m2.out || rig_fail "unclear: $(cat m2.out)"
kill -0 $rpid 2>/dev/null || rig_fail "the receiver gave up after a wrong key"
rig_wait_for 10 grep -q 'still waiting' recv.err ||
	rig_fail "the receiver did not log the wrong key: $(cat recv.err)"
kill $rpid
wait $rpid 2>/dev/null
chaos console hl --no-input --until 'hello ' --timeout 20 > r2.txt
grep -q 'suspending' r2.txt && rig_fail "the guest was suspended before authentication"
stayed "wrong key"

# --- a key file others can read ------------------------------------------------
chmod 644 good.psk
rc=0
chaos migrate hl 127.0.0.1 --port 7011 --psk-file good.psk > m3.out 2>&1 || rc=$?
cat m3.out
[ $rc -ne 0 ] || rig_fail "a world-readable key was used"
grep -q 'readable by its owner only' m3.out || rig_fail "unclear: $(cat m3.out)"

shut_down_clean
rig_pass "cut stream: resumed on the source; wrong key: refused before suspend, the receiver kept waiting; loose key file refused"
