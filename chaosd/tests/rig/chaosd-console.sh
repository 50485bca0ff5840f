# chaosd-console: chaosd holds the console of every guest it creates: the
# output lands in /var/log/chaos/<name>.log (escaped), `chaos console`
# attaches through it (output replayed from what chaosd kept, keystrokes
# forwarded: a Linux guest's tty echoes them back), several clients at
# once, a client that never reads does not stall the daemon (nor does a
# guest printing thousands of lines), a guest
# destroyed behind chaosd's back is let go of at once; once chaosd stops,
# consoles attach directly again.
# rig-timeout: 420

. /rig/extra/chaosd-lib
rm -rf /var/log/chaos
chaosd_start --pool memory=4,vcpus=1,size=2
[ "$(stat -c %a /var/log/chaos)" = 750 ] || rig_fail "/var/log/chaos is $(stat -c %a /var/log/chaos), want 750"

hello_json h1 > h1.json
chaos create h1.json > /dev/null || rig_fail "create h1 failed"
# Output the guest printed before anyone attached is replayed.
chaos console h1 --no-input --until 'hello 3' --timeout 30 > h1.out ||
	{ cat h1.out; rig_fail "console of h1 through chaosd did not show hello 3"; }
grep -q '^hello 1' h1.out || rig_fail "the stream did not replay hello 1"
wait_until 20 log_has h1 '^hello 4$' || rig_fail "h1.log has no hello 4"
log_has h1 'console of domain [0-9]* attached' || rig_fail "h1.log has no attach note"
[ "$(stat -c %a /var/log/chaos/h1.log)" = 640 ] || rig_fail "h1.log mode is not 640"
grep -q 'consoles: holding' chaosd.log || rig_fail "console thread did not start"

# Two clients at once see the same output.
chaos console h1 --no-input --until 'hello 9' --timeout 30 > a.out &
a=$!
chaos console h1 --no-input --until 'hello 9' --timeout 30 > b.out ||
	rig_fail "second concurrent console failed"
wait $a || rig_fail "first concurrent console failed"

# A client that attaches and never reads: chaosd keeps answering.
/rig/guests/chaosd-probe console-stall h1 4 > stall.out 2>&1 ||
	{ cat stall.out; rig_fail "a stalled console client stalled the daemon"; }

# Refusals name what is wrong.
chaos console 0 --no-input --timeout 5 > zero.out 2>&1 && rig_fail "console of Domain-0 accepted"
grep -q 'Domain-0' zero.out || { cat zero.out; rig_fail "no reason for refusing Domain-0"; }
chaos console nosuch --no-input --timeout 5 > nosuch.out 2>&1 && rig_fail "console of a missing guest accepted"
cat zero.out nosuch.out

# A loud guest: Linux with initcall_debug prints thousands of lines while
# it boots. Meanwhile a client attached to it reads nothing (its buffer
# overflows and output is dropped for it alone), and the daemon must keep
# answering every half second. Console only: no XenStore needed
# ("devices": "noxs"; a Linux kernel is a XenStore guest by default).
cat > linux.json <<CFG
{ "name": "lin", "kernel": "/rig/guests/vmlinuz",
  "ramdisk": "/rig/guests/tiny-initrd.gz",
  "cmdline": "console=hvc0 tiny.stay initcall_debug ignore_loglevel",
  "memory": 128, "devices": "noxs" }
CFG
chaos create linux.json > /dev/null || rig_fail "create lin failed"
/rig/guests/chaosd-probe console-stall lin 8 > stall2.out 2>&1 ||
	{ cat stall2.out; rig_fail "the daemon stalled while a guest flooded its console"; }
# Keystrokes reach the guest: a Linux guest's console tty echoes them.
chaos console lin --no-input --until TINY-INITRD-UP --timeout 240 > lin.out ||
	{ tail -n 5 lin.out; rig_fail "lin did not boot to its initramfs"; }
( sleep 2; echo 'typed-through-chaosd' ) |
	chaos console lin --until typed-through-chaosd --timeout 20 > lin2.out ||
	{ tail -n 5 lin2.out; rig_fail "keystrokes were not echoed back through chaosd"; }
log_has lin 'TINY-INITRD-UP' || rig_fail "lin.log lacks the guest's boot output"
rig_log "lin.log: $(wc -c < /var/log/chaos/lin.log) bytes, $(grep -c initcall /var/log/chaos/lin.log) initcall lines"
# CRLF line ends become LF; other control bytes are escaped.
grep -q "$(printf '\r')" /var/log/chaos/lin.log && rig_fail "lin.log holds raw CR bytes"

# Destroyed behind chaosd's back: chaosd lets go of the ring, so the
# domain really goes away (a mapped page would keep it dying).
chaos --no-chaosd destroy lin || rig_fail "direct destroy of lin failed while chaosd held its console"
wait_until 10 log_has lin 'detached' || rig_fail "lin.log has no detach note"

# Without chaosd, consoles attach directly again (chaosd unbound them).
chaosd_stop
chaos console h1 --no-input --until hello --timeout 20 > direct.out ||
	rig_fail "direct console after chaosd stopped failed"
chaos destroy h1 || rig_fail "destroy h1 failed"
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left: $(rig-domains count)"
rig_pass "console logged to /var/log/chaos, streams with replay, input and concurrent clients, stalled client harmless, released on destroy and stop"
