# Helpers sourced by every rig scenario (busybox ash, set -u).
# See tests/rig/README.md for the contract.

rig_result_file=/tmp/rig-result-$RIG_SCENARIO

# RIG_VAR_* settings from the host (tests/rig/run).
if [ -r /rig/vars ]; then
	. /rig/vars
fi

# Each report starts on a fresh line: guest console output copied into the
# log often ends without a newline.
# A failure in a subshell (x=$(rig_time_us ...)) ends only the subshell:
# it is recorded, so the scenario cannot pass afterwards.
rig_pass() {
	if [ "$(cat "$rig_result_file" 2>/dev/null)" = FAIL ]; then
		printf '\nRIG-RESULT %s FAIL %s\n' "$RIG_SCENARIO" \
			"an earlier check failed in a subshell (see above)" >&2
		exit 1
	fi
	printf '\nRIG-RESULT %s PASS %s\n' "$RIG_SCENARIO" "${1:-}"
	echo PASS > "$rig_result_file"
}

# rig_fail REASON: report and end the scenario (or the subshell it runs
# in). The report goes to stderr, which a command substitution does not
# capture: it reaches the log either way.
rig_fail() {
	printf '\nRIG-RESULT %s FAIL %s\n' "$RIG_SCENARIO" "${1:-}" >&2
	echo FAIL > "$rig_result_file"
	exit 1
}

# rig_metric NAME VALUE UNIT
rig_metric() {
	printf '\nRIG-METRIC %s %s %s\n' "$1" "$2" "$3"
}

# rig_file NAME < TEXT: hand a text file back to the host, where it lands
# in $(BUILD)/<rig|bench|demo>/<scenario>/NAME. It travels in the serial
# log, each line prefixed (so a stray hypervisor message between lines does
# not end up in it); keep it to text of modest size.
rig_file() {
	echo
	sed "s/^/RIG-FILE $1 /"
}

rig_log() {
	echo "[$RIG_SCENARIO] $*"
}

# rig_check DESCRIPTION CMD...: run CMD, fail the scenario if it fails.
rig_check() {
	desc=$1
	shift
	"$@" || rig_fail "$desc"
}

rig_now_us() {
	rigtime now
}

# rig_time_us CMD...: CMD's wall time in microseconds on stdout; CMD's own
# output goes to stderr. Fails the scenario if CMD fails.
rig_time_us() {
	rigtime run "$@" || rig_fail "command failed: $*"
}

# rig_wait_for SECONDS CMD...: retry CMD every 50 ms until it succeeds.
rig_wait_for() {
	rigtime wait "$@"
}

# rig_stats FILE: "median p90 min max count" of a file of numbers.
rig_stats() {
	rigtime stats "$1"
}

rig_start_xenstore() {
	mkdir -p /var/run/xenstored /var/lib/xenstored /var/log/xen/console
	# The daemon a Debian host runs: its init script prefers oxenstored
	# (RIG_VAR_XENSTORED=xenstored picks the C one, for comparison).
	case ${RIG_VAR_XENSTORED:-oxenstored} in
	oxenstored|xenstored) ;;
	*) rig_fail "RIG_VAR_XENSTORED '$RIG_VAR_XENSTORED' is not oxenstored or xenstored" ;;
	esac
	# Every xl guest holds two connections to it (its monitor process):
	# at the 1024 open files a shell starts it with, a request from the
	# ~505th xl guest on waits for ever while the daemon spins. Raised as
	# Xen's own launch-xenstore does (XENSTORED_MAX_OPEN_FDS=unlimited:
	# the kernel's nr_open); Debian's init script leaves it as it is.
	( ulimit -n "$(cat /proc/sys/fs/nr_open)" &&
	  XENSTORED_ROOTDIR=/var/run/xenstored exec "${RIG_VAR_XENSTORED:-oxenstored}" \
		--pid-file /var/run/xenstored.pid ) || rig_fail "${RIG_VAR_XENSTORED:-oxenstored} failed"
	rig_wait_for 10 xenstore-exists / || rig_fail "xenstore not answering"
	rig_log "XenStore: $(rig_xenstore_daemon)"
	xen-init-dom0 >/dev/null || rig_fail "xen-init-dom0 failed"
	xenconsoled --log=guest --log-dir=/var/log/xen/console \
		--pid-file=/var/run/xenconsoled.pid ||
		rig_fail "xenconsoled failed"
}

# rig_xenstore_daemon: the name of the XenStore daemon running
# (oxenstored or xenstored).
rig_xenstore_daemon() {
	cat "/proc/$(cat /var/run/xenstored.pid)/comm"
}

rig_stop_xenstore() {
	for p in xenconsoled xenstored; do
		[ -e /var/run/$p.pid ] && kill "$(cat /var/run/$p.pid)" 2>/dev/null
		rm -f /var/run/$p.pid
	done
	return 0
}

# Two-host scenarios (# rig-hosts: 2): the main host is 10.99.0.1, the peer
# 10.99.0.2, on a bridge br0 holding the wire (eth0), so guests on either
# host's br0 share one Ethernet segment.
RIG_MAIN_IP=10.99.0.1
RIG_PEER_IP=10.99.0.2

# rig_wire_up ADDRESS: br0 with eth0 in it and ADDRESS/24 on it.
rig_wire_up() {
	[ -e /sys/class/net/eth0 ] || rig_fail "no eth0: not a two-host boot?"
	ip link add br0 type bridge 2>/dev/null
	ip link set eth0 master br0 && ip link set eth0 up &&
		ip addr add "$1/24" dev br0 && ip link set br0 up ||
		rig_fail "cannot put $1 on br0 with eth0"
}

# rig_fdb_dump BRIDGE: its forwarding table (16-byte entries: MAC, port
# number, local flag, age) and its ports' numbers, for failure reports.
rig_fdb_dump() {
	echo "$1 fdb:"
	od -An -tx1 -v "/sys/class/net/$1/brforward"
	for p in /sys/class/net/"$1"/brif/*; do
		echo "$1 port ${p##*/} $(cat "$p/port_no")"
	done
}

# rig_wire_wait ADDRESS SECONDS: until the other host answers ping.
rig_wire_wait() {
	rig_wait_for "$2" ping -c 1 -W 1 "$1" > /dev/null ||
		rig_fail "$1 does not answer on the wire"
}
