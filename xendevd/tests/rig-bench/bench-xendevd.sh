# bench-xendevd: attach latency per vif, xendevd against Debian's vif-bridge
# hotplug script run as libxl runs it, with a real xenstored, on the same
# (emulated) Xen host in the same run. Prepared by `make xendevd-rig-extra`,
# which puts bash, iproute2's ip and xendevd-bench (with their libraries)
# beside this script: Debian's dom0 has them, the rig's busybox dom0 not.
#   RIG_EXTRA=$(BUILD)/xendevd-rig make rig SCENARIOS=bench-xendevd
# Under TCG one vif-bridge run takes seconds: 200 vifs need ~25 minutes;
# `make xendevd-rig-extra RIG_BENCH_COUNT=30` makes a ~5 minute run.
# rig-timeout: 1800

E=/rig/extra
COUNT=$(cat "$E/count" 2>/dev/null || echo 200)
[ -x "$E/bin/bash" ] || rig_fail "no bash in $E: run make xendevd-rig-extra"
# Install them where a Debian dom0 has them (the script runs with libxl's
# small environment: no LD_LIBRARY_PATH), never over what dom0 has.
for l in "$E"/lib/*; do
	[ -e "/lib/x86_64-linux-gnu/${l##*/}" ] ||
		cp "$l" /lib/x86_64-linux-gnu/
done
[ -e /bin/bash ] || cp "$E/bin/bash" /bin/bash
mkdir -p /usr/local/sbin /usr/local/bin
cp "$E/bin/ip" /usr/local/sbin/ip               # iproute2, first in PATH
cp "$E/bin/xendevd-bench" /usr/local/bin/
export PATH="/usr/local/sbin:/usr/local/bin:$PATH"
# busybox sh prefers its own applets to PATH: name iproute2's ip in full.
IP=/usr/local/sbin/ip
$IP -V | grep -q iproute2 || rig_fail "iproute2's ip does not run in dom0"
SCRIPT=/etc/xen/scripts/vif-bridge
[ -x "$SCRIPT" ] || rig_fail "$SCRIPT missing in dom0"

rig_start_xenstore
$IP link add br0 type bridge || rig_fail "cannot create br0"
$IP link set br0 up

# Baseline: creating a veth alone (part of both figures).
xendevd-bench create "$COUNT" 2001 br0 - > create.us ||
	rig_fail "xendevd-bench create failed"

xendevd --no-ovs -b br0 -s /run/xendevd-bench.sock 2> xendevd.log &
xpid=$!
rig_wait_for 10 test -S /run/xendevd-bench.sock ||
	rig_fail "xendevd did not start"
xendevd-bench xendevd "$COUNT" 1 br0 /run/xendevd-bench.sock > xendevd.us ||
	rig_fail "xendevd run failed: $(tail -3 xendevd.log)"
kill "$xpid"
wait "$xpid"

# As xl does before running the hotplug script: the backend's nodes.
d=1001
while [ "$d" -le $((1000 + COUNT)) ]; do
	xenstore-write "backend/vif/$d/0/bridge" br0 \
		"backend/vif/$d/0/online" 1 "backend/vif/$d/0/handle" 0
	d=$((d + 1))
done
xendevd-bench script "$COUNT" 1001 br0 "$SCRIPT" > script.us ||
	rig_fail "vif-bridge run failed"
[ "$(xenstore-read backend/vif/1001/0/hotplug-status)" = connected ] ||
	rig_fail "vif-bridge did not write hotplug-status"

stats() { # median p99, nearest rank
	sort -n "$1" | awk '{ v[NR] = $1 } END {
		m = int((NR * 50 + 99) / 100); p = int((NR * 99 + 99) / 100)
		print v[m], v[p] }'
}
set -- $(stats xendevd.us); xm=$1; xp=$2
set -- $(stats script.us); sm=$1; sp=$2
set -- $(stats create.us); cm=$1
rig_metric xendevd_attach_median_us "$xm" us
rig_metric xendevd_attach_p99_us "$xp" us
rig_metric vifbridge_attach_median_us "$sm" us
rig_metric vifbridge_attach_p99_us "$sp" us
rig_metric veth_create_median_us "$cm" us
rig_metric vifbridge_over_xendevd_median \
	"$(awk -v a="$sm" -v b="$xm" 'BEGIN {printf "%.1f", a / b}')" x
rig_metric vifbridge_over_xendevd_p99 \
	"$(awk -v a="$sp" -v b="$xp" 'BEGIN {printf "%.1f", a / b}')" x
rig_pass "$COUNT vifs each, real xenstored"
