# kill-migrate: a local migration over TCP (TLS) with `chaos migrate` or
# `chaos migrate-receive` killed with SIGKILL, at exact points (through
# rig-kill-at) and after many delays. "go" decides which copy is the
# guest (docs/cli.md "Recovery after a killed chaos process"):
# - a receiver killed before "go": its copy is destroyed by recovery, the
#   source resumes its own;
# - a receiver killed after "go": its copy runs and gets the name once the
#   source's copy is gone;
# - a source killed once "go" may be out: its copy stays suspended for an
#   operator, whether the destination runs the guest (the operator destroys
#   the suspended copy) or not (the operator resumes it).
# After each kill and the operator's part, exactly one guest named hl runs
# and counts on, and once it is destroyed no domain, device, name, busy
# mark or memory is left. (Audit findings 4, 5 and 19, their migration
# windows.)
# rig-timeout: 900

. /rig/extra/kill-lib

hl_state() { chaos list | awk '$1 == "hl" {print $5}'; }
last_hello() { awk '$1 == "hello" && $2 ~ /^[0-9]+$/ {n = $2} END {print n + 0}' "$1"; }

# settle WHEN: recovery, then the operator's part when a source's copy was
# kept suspended after "go"; then one hl, counting on; then nothing left.
settle() {
	look
	if [ "$(hl_state)" = shutdown ]; then
		if [ "$(rig-domains count)" = 2 ]; then
			# The destination runs the guest: the kept copy goes,
			# and the next recovery gives the name to the other.
			chaos destroy hl || rig_fail "$1: destroy of the kept copy failed"
			look
			destroyed_kept=$((destroyed_kept + 1))
		else
			chaos resume hl > resume.out 2>&1 ||
				rig_fail "$1: resume of the kept copy failed: $(cat resume.out)"
			resumed_kept=$((resumed_kept + 1))
		fi
	fi
	[ "$(rig-domains count)" = 1 ] ||
		rig_fail "$1: $(rig-domains count) domains: $(chaos list)"
	chaos list | grep -q '^hl ' || rig_fail "$1: no guest named hl: $(chaos list)"
	chaos console hl --no-input --until 'hello ' --timeout 20 > c1.txt ||
		rig_fail "$1: hl prints nothing: $(cat c1.txt)"
	n=$(last_hello c1.txt)
	chaos console hl --no-input --until "hello $((n + 2))" --timeout 20 > /dev/null ||
		rig_fail "$1: hl does not count on from $n"
	rig_log "$1: $(chaos list | awk '$1 == "hl"') (counted past $n)"
	chaos destroy hl || rig_fail "$1: destroy hl failed"
	no_leaks "$1"
	[ -z "$(ls /run/chaos/busy 2>/dev/null)" ] ||
		rig_fail "$1: busy marks left: $(ls /run/chaos/busy)"
}

# start: hl counting, a receiver listening on a fresh port.
start() { # start RECEIVER-PREFIX...
	chaos create hl.json --no-chaosd > /dev/null || rig_fail "create hl failed"
	chaos console hl --no-input --until 'hello 1' --timeout 30 > /dev/null ||
		rig_fail "hl did not count"
	port=$((port + 1))
	"$@" chaos migrate-receive --listen $port --psk-file psk > recv.out 2>&1 &
	rpid=$!
	rig_wait_for 20 grep -q "listening on port $port" recv.out ||
		rig_fail "the receiver did not listen: $(cat recv.out)"
}
send() { # send SENDER-PREFIX...
	"$@" chaos migrate hl 127.0.0.1 --port $port --psk-file psk > send.out 2>&1 &
	spid=$!
}
# Both sides end: the killed one, and the other on its cut stream; but a
# receiver whose sender died before proving the key goes on listening
# (a stranger does not end it): it has nothing yet, and is stopped here.
ended() {
	wait $spid 2>/dev/null; s_rc=$?
	if ! rig_wait_for 30 sh -c "! kill -0 $rpid 2>/dev/null"; then
		# Any copy it held would have gone with the cut stream.
		[ "$(rig-domains count)" = 1 ] ||
			rig_fail "a receiver still runs with a guest: $(chaos list)"
		rig_log "the receiver still listens: stopped"
		kill $rpid
	fi
	wait $rpid 2>/dev/null; r_rc=$?
	[ $s_rc = 137 ] || [ $r_rc = 137 ] && kills=$((kills + 1))
	rig_log "sender $s_rc: $(tail -1 send.out); receiver $r_rc: $(tail -1 recv.out)"
}

head -c 32 /dev/urandom > psk
chmod 600 psk
port=7300 destroyed_kept=0 resumed_kept=0

# --- exact points ----------------------------------------------------------
# The receiver, its copy restored and noted "received", before "go".
start rig-kill-at exit pwrite:received
send
ended
grep -q 'resumed here' send.out || rig_fail "received: the source did not resume: $(cat send.out)"
settle "receiver killed with its copy received"

# The receiver, told "go", noted "running hl", before its copy runs: the
# source hears nothing and keeps its copy suspended.
start rig-kill-at exit pwrite:running
send
ended
grep -q 'kept suspended' send.out || rig_fail "running: the source did not keep its copy: $(cat send.out)"
d0=$destroyed_kept
settle "receiver killed after go"
[ $destroyed_kept = $((d0 + 1)) ] || rig_fail "after go: the destination's copy was not the one left running"

# The source, noted "sent-go", before "go" is out: the receiver drops its
# copy; the source's stays suspended (kept) for the operator, who resumes it.
start
send rig-kill-at exit pwrite:sent-go
ended
r0=$resumed_kept
settle "source killed as it sends go"
[ $resumed_kept = $((r0 + 1)) ] || rig_fail "sent-go: the source's copy was not kept for the operator"

# The receiver, between binding the name (the registry's entry is renamed
# to "hl") and writing it in the guest's record.
start rig-kill-at exit hl
send
ended
settle "receiver killed as it claims the name"

# --- after delays -------------------------------------------------------------
# Longer and longer, until a kill comes after the migration ended: every
# longer one would too (a slower host gets more of them in).
for who in receiver sender; do
	for delay in 0.3 0.8 1.3 1.8 2.5 3.5; do
		start
		send
		sleep "$delay"
		if [ $who = receiver ]; then kill -9 $rpid 2>/dev/null; else kill -9 $spid 2>/dev/null; fi
		ended
		settle "$who killed after ${delay}s"
		[ $s_rc = 137 ] || [ $r_rc = 137 ] || break
	done
done

# --- chaosd killed after "go", serving both ends --------------------------
# The CLI hands chaosd the streams at both ends; chaosd dies as its
# receiving side notes "go". The next chaosd recovers on start: the source
# copy is kept, the received one runs, and is named once the kept copy is
# destroyed.
. /rig/extra/chaosd-lib
chaos create hl.json --no-chaosd > /dev/null || rig_fail "create hl failed"
chaos console hl --no-input --until 'hello 1' --timeout 30 > /dev/null ||
	rig_fail "hl did not count"
rig-kill-at exit pwrite:running chaosd -f >> chaosd.log 2>&1 &
chaosd_pid=$!
rig_wait_for 20 chaos pool > /dev/null 2>&1 || { cat chaosd.log; rig_fail "chaosd did not come up"; }
chaos migrate hl 'chaos migrate-receive' -s '' > mig.out 2>&1 &&
	rig_fail "the migration through chaosd was not cut: $(cat mig.out)"
wait $chaosd_pid 2>/dev/null
[ $? = 137 ] && kills=$((kills + 1))
rig_log "through chaosd: $(tail -1 mig.out)"
chaosd_start
d0=$destroyed_kept
settle "chaosd killed after go at both ends"
[ $destroyed_kept = $((d0 + 1)) ] || rig_fail "chaosd after go: the received copy was not the one left running"
chaosd_stop

rig_metric kill_migrate_kills "$kills" kills
rig_pass "$kills kills of a migration's source or receiver; copies kept for the operator: $destroyed_kept destroyed (the destination ran the guest), $resumed_kept resumed; one hl counting after each, then nothing left ($free0 KiB)"
