# oci-runtime: chaos-oci driven as containerd's runc shim drives runc,
# on a pingresp unikernel in an OCI bundle: create leaves the guest paused
# under a supervisor (the pid in --pid-file) whose stdio carries the
# console; start runs it and it answers ping on its vif; delete of a
# running container is refused; kill TERM powers it off and the
# supervisor exits 0 (kill KILL: 137, delete --force: 137); state follows
# created, running, stopped; delete leaves no domain, vif, record or
# state. A bad bundle is refused naming the field, with nothing created.
# rig-subreaper stands in for the shim: it reaps the supervisor create
# leaves behind and reports its exit status.
# rig-timeout: 600

# The noxs module, br0 (10.10.0.1/24), leak checks: minios-noxs's net-lib.
. /rig/extra/net-lib
net_start
net_bridge
xendevd --no-ovs > xendevd.log 2>&1 &
net_pids=$!
rig_wait_for 10 test -S /run/xendevd.sock || { cat xendevd.log; rig_fail "xendevd did not start"; }

R=/run/chaos-oci
oci() { chaos-oci --root $R --log oci.log --log-format json "$@"; }
# What chaos keeps about guests (records, names), to compare at the end.
records() { find /run/chaos -type f 2>/dev/null | sort; }
domains0=$(rig-domains count)

# bundle DIR ANNOTATIONS: pingresp's kernel in DIR/rootfs/boot.
bundle() {
	mkdir -p "$1/rootfs/boot"
	cp /rig/guests/pingresp.elf "$1/rootfs/boot/pingresp.elf"
	cat > "$1/config.json" <<CFG
{ "ociVersion": "1.0.2", "root": { "path": "rootfs" },
  "process": { "args": [], "cwd": "/" },
  "annotations": { "org.chaos.kernel": "/boot/pingresp.elf", $2 } }
CFG
}
bundle good '"org.chaos.memory": "4", "org.chaos.ip": "10.10.0.2", "org.chaos.bridge": "br0"'

oci features > features.json || rig_fail "features failed"
jq -e '.ociVersionMax and (.annotations["org.chaos.kernel"] | length > 0)' features.json > /dev/null ||
	rig_fail "features: $(cat features.json)"
oci frobnicate 2> unknown.err && rig_fail "an unknown command was accepted"
grep -q "unknown command" unknown.err || rig_fail "unknown command: $(cat unknown.err)"

# A bad bundle: refused, the field named, nothing created.
bad() {
	bundle "bad$1" "$2"
	oci create --bundle "bad$1" "bad$1" > /dev/null 2> "bad$1.err" < /dev/null &&
		rig_fail "bad bundle $1 accepted"
	grep -q "$3" "bad$1.err" || rig_fail "bad bundle $1: '$(cat "bad$1.err")' does not name $3"
	[ ! -e "$R/bad$1" ] || rig_fail "bad bundle $1 left $R/bad$1"
	[ "$(rig-domains count)" = "$domains0" ] || rig_fail "bad bundle $1 left a domain"
	rig_log "bad bundle $1: $(cat "bad$1.err")"
}
bad 1 '"org.chaos.memory": "0"' org.chaos.memory
bad 2 '"org.chaos.ip": "10.10.0"' org.chaos.ip
bundle bad3 '"org.chaos.memory": "4"'
sed -i 's|/boot/pingresp.elf|../../../etc/passwd|' bad3/config.json
oci create --bundle bad3 bad3 2> bad3.err < /dev/null && rig_fail "a kernel outside the rootfs was accepted"
grep -q "org.chaos.kernel" bad3.err || rig_fail "bad bundle 3: $(cat bad3.err)"
[ ! -e "$R/bad3" ] || rig_fail "bad bundle 3 left its state"
records0=$(records)

# create ID: under rig-subreaper (ID.exits: "pid status" lines), console
# in ID.out; waits for create's own line.
create() {
	: > "$1.exits"
	rig-subreaper "$1.exits" chaos-oci --root $R --log oci.log --log-format json \
		create --bundle good --pid-file "$1.pid" "$1" > "$1.out" 2> "$1.err" < /dev/null &
	rig_wait_for 150 test -s "$1.exits" || {
		cat "$1.err" oci.log; ps; xl list
		rig_fail "$1: create did not return"
	}
	set -- "$1" $(head -n 1 "$1.exits")
	[ "$3" = 0 ] || { cat "$1.err"; rig_fail "$1: create exited with $3"; }
	sup=$(cat "$1.pid")
	kill -0 "$sup" || rig_fail "$1: no supervisor $sup"
}
status() { oci state "$1" | jq -r .status; }
# ended ID WANT: the supervisor exited with WANT.
ended() {
	rig_wait_for 60 grep -q "^$sup " "$1.exits" || { cat "$1.err"; rig_fail "$1: the supervisor did not exit"; }
	got=$(awk -v p="$sup" '$1 == p {print $2}' "$1.exits")
	[ "$got" = "$2" ] || { cat "$1.err"; rig_fail "$1: supervisor exit status $got, expected $2"; }
}
# gone ID: delete leaves nothing.
gone() {
	oci delete "$1" || rig_fail "delete $1 failed"
	[ ! -e "$R/$1" ] || rig_fail "$1: state dir left"
	[ "$(rig-domains count)" = "$domains0" ] || rig_fail "$1: domains left: $(rig-domains count)"
	chaos list | grep -q "^$1 " && rig_fail "$1: still listed"
	net_no_leaks "$1"
	[ "$(records)" = "$records0" ] || rig_fail "$1: records left: $(records)"
	oci state "$1" 2> /dev/null && rig_fail "$1: state after delete"
	return 0
}

# The whole life: created (paused), running (answers ping), TERM.
t0=$(rig_now_us)
create c1
rig_metric oci_create_ms $(( ($(rig_now_us) - t0) / 1000 )) ms
[ "$(status c1)" = created ] || rig_fail "c1: state $(status c1), not created"
[ "$(oci state c1 | jq -r .pid)" = "$sup" ] || rig_fail "c1: state's pid is not the pid file's"
[ "$(oci state c1 | jq -r '.annotations["org.chaos.ip"]')" = 10.10.0.2 ] || rig_fail "c1: annotations missing from state"
[ "$(chaos list | awk '$1 == "c1" {print $5}')" = paused ] || rig_fail "c1: the domain is not paused: $(chaos list)"
oci start c1 || rig_fail "start c1 failed"
[ "$(status c1)" = running ] || rig_fail "c1: state $(status c1), not running"
oci start c1 2> again.err && rig_fail "a second start was accepted"
rig_wait_for 30 grep -q ready c1.out || { cat c1.out c1.err; rig_fail "c1: no 'ready' on the supervisor's stdout"; }
ping -c 5 -i 0.2 -W 2 10.10.0.2 > ping.txt 2>&1 || { cat ping.txt; rig_fail "c1: no answer to ping"; }
oci delete c1 2> busy.err && rig_fail "delete of a running container was accepted"
grep -q running busy.err || rig_fail "delete running: $(cat busy.err)"
oci kill c1 FROB 2> /dev/null && rig_fail "kill with a bad signal was accepted"
oci kill c1 TERM || rig_fail "kill c1 TERM failed"
ended c1 0
[ "$(status c1)" = stopped ] || rig_fail "c1: state $(status c1), not stopped"
[ "$(oci state c1 | jq -r .pid)" = 0 ] || rig_fail "c1: a stopped container with a pid"
oci kill c1 TERM 2> /dev/null && rig_fail "kill of a stopped container was accepted"
gone c1

# kill KILL: destroyed at once, the supervisor dies of SIGKILL.
create c2
oci start c2 || rig_fail "start c2 failed"
oci kill c2 9 || rig_fail "kill c2 9 failed"
ended c2 137
[ "$(status c2)" = stopped ] || rig_fail "c2: state $(status c2), not stopped"
gone c2

# delete --force of a running container.
create c3
oci start c3 || rig_fail "start c3 failed"
oci delete --force c3 || rig_fail "delete --force c3 failed"
ended c3 137
oci state c3 2> /dev/null && rig_fail "c3: state after delete --force"
[ "$(rig-domains count)" = "$domains0" ] || rig_fail "c3: domains left"
net_no_leaks c3

# Deleting a created (never started) container needs no --force.
create c4
gone c4
ended c4 137
oci delete c4 2> /dev/null && rig_fail "delete of a deleted container was accepted"
oci delete --force c4 || rig_fail "delete --force of a deleted container failed"
net_dmesg_check
rig_pass "create (paused, supervisor pid, console on its stdout), start (ping answered), state created/running/stopped, kill TERM (exit 0), kill KILL and delete --force (137), delete refuses a running container, bad bundles refused naming the field; nothing left"
