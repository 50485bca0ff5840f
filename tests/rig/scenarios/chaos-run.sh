# chaos-run: `chaos run` keeps a guest in the foreground and its exit
# status says how the guest ended (docs/cli.md): poweroff 0, reboot 3,
# crash 4, destroyed by someone else 5, destroyed by run after SIGTERM and
# the stop timeout 137. SIGTERM asks the guest to power off (noop's
# shutdown hook runs and shows on run's stdout: the console is on stdio).
# Without chaosd (run does the work itself), then through chaosd.
# rig-timeout: 600

. /rig/extra/chaosd-lib
rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"

# start NAME APP [ARGS...]: chaos ARGS run NAME.json in the background.
start() {
	name=$1
	printf '{ "name": "%s", "kernel": "/rig/guests/%s.elf", "memory": 4 }\n' \
		"$1" "$2" > "$1.json"
	shift 2
	chaos "$@" "$name.json" > "$name.out" 2> "$name.err" < /dev/null &
	runpid=$!
}
# said NAME TEXT: run's stdout (the guest's console) has TEXT.
said() { grep -q "$2" "$1.out"; }
# finish NAME WANT: run ended with status WANT.
finish() {
	rc=0
	wait "$runpid" || rc=$?
	[ "$rc" = "$2" ] || { cat "$1.out" "$1.err"; rig_fail "$1: exit status $rc, expected $2"; }
	rig_log "$1: exit status $rc ($(tail -n 1 "$1.err"))"
	chaos list | grep -q "^$1 " && rig_fail "$1 still listed after run ended"
	return 0
}
ready() { wait_until 30 said "$1" "$2" || { cat "$1.out" "$1.err"; rig_fail "$1: no '$2' on run's stdout"; }; }

for mode in direct chaosd; do
	[ $mode = chaosd ] && chaosd_start --pool memory=4,vcpus=1,size=2
	m=${mode%"${mode#?}"}   # d or c: names differ by mode

	# SIGTERM: the guest is asked, runs its shutdown hook, powers off.
	start "${m}term" noop run
	ready "${m}term" ready
	t0=$(rig_now_us)
	kill -TERM $runpid
	finish "${m}term" 0
	rig_metric "run_sigterm_${mode}_ms" $(( ($(rig_now_us) - t0) / 1000 )) ms
	said "${m}term" 'shutdown hook ran' || rig_fail "${m}term: the guest's shutdown hook did not run"

	# Crash.
	start "${m}crash" crasher run
	ready "${m}crash" 'crasher: crashing'
	finish "${m}crash" 4

	# Destroyed by someone else.
	start "${m}gone" noop run
	ready "${m}gone" ready
	chaos destroy "${m}gone" || rig_fail "destroy ${m}gone failed"
	finish "${m}gone" 5

	# A guest that ignores the request: destroyed after --stop-timeout.
	start "${m}deaf" deaf run --stop-timeout 3
	# Its power device connects at boot; the console says nothing before.
	sleep 2
	kill -TERM $runpid
	ready "${m}deaf" 'deaf: ignoring power request'
	finish "${m}deaf" 137

	if [ $mode = chaosd ]; then
		# Poweroff and reboot asked from outside (the reaper tells run
		# through chaosd's events).
		start cpoff noop run
		ready cpoff ready
		chaos shutdown cpoff --timeout 20 || rig_fail "shutdown cpoff failed"
		finish cpoff 0
		start creboot noop run
		ready creboot ready
		chaos reboot creboot --timeout 20 || rig_fail "reboot creboot failed"
		finish creboot 3
		chaosd_stop
	fi
done
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left: $(rig-domains count)"
rig_pass "exit statuses: poweroff 0, reboot 3, crash 4, destroyed 5, killed after the stop timeout 137; SIGTERM runs the guest's shutdown; the console on stdout; with and without chaosd"
