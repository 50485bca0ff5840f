#!/bin/bash
# make bench-xendevd: attach latency per vif, xendevd vs Debian's vif-bridge
# hotplug script, on this machine in this run, 200 vifs each.
#
# Both are timed from the request that creates the vif (a veth pair named
# vif<domid>.0, made over rtnetlink) until the vif is known to be on its
# bridge and up: for xendevd, its completion
# answer (through libchaos, as chaos waits); for vif-bridge, the script's
# exit, run as libxl runs it (fork + exec "vif-bridge online", XENBUS_PATH
# and vif in the environment). The script is Debian's, unmodified
# (xen-utils-common, unpacked under ~/.cache/chaos), with Debian's real
# xenstore-read/xenstore-write. The only stand-in is xenstored itself, which
# cannot run without a hypervisor: xenstored_standin.py serves the same wire
# protocol from memory. The rig scenario tests/rig-bench/bench-xendevd.sh runs the
# same comparison against a real xenstored on a real (emulated) Xen host.
#
# Needs root. Env: XENDEVD, XENDEVD_BENCH; COUNT (200), OUT (a file for the
# summary, optional).
set -euo pipefail

XENDEVD=$(readlink -f "${XENDEVD:?path of xendevd}")
XENDEVD_BENCH=$(readlink -f "${XENDEVD_BENCH:?path of xendevd-bench}")
COUNT=${COUNT:-200}
HERE=$(cd "$(dirname "$0")" && pwd)
CACHE=${RIG_CACHE:-$HOME/.cache/chaos}
NS=xendevd-bench-$$
TMP=$(mktemp -d /tmp/xendevd-bench.XXXXXX)
XPID=
SPID=
MADE_LOGDIR=

[ "$(id -u)" -eq 0 ] || { echo "bench-xendevd: needs root" >&2; exit 1; }

cleanup() {
	set +e
	[ -n "$XPID" ] && kill "$XPID" 2>/dev/null && wait "$XPID" 2>/dev/null
	[ -n "$SPID" ] && kill "$SPID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	[ -n "$MADE_LOGDIR" ] && rm -rf /var/log/xen
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Debian's hotplug scripts, unpacked (never installed).
SCRIPTS=$CACHE/xen-utils-common/etc/xen/scripts
if [ ! -x "$SCRIPTS/vif-bridge" ]; then
	mkdir -p "$CACHE"
	(cd "$CACHE" && apt-get download xen-utils-common >/dev/null 2>&1 &&
	 dpkg-deb -x xen-utils-common_*.deb xen-utils-common) || {
		echo "bench-xendevd: cannot fetch xen-utils-common" >&2
		exit 1
	}
fi
command -v xenstore-read >/dev/null || {
	echo "bench-xendevd: xenstore-read missing:" \
	     "apt-get install xenstore-utils" >&2
	exit 1
}

ip netns add "$NS"
ip netns exec "$NS" ip link add br0 type bridge
ip netns exec "$NS" ip link set br0 up

# --- Baseline: creating the vif alone (part of both figures below).
ip netns exec "$NS" "$XENDEVD_BENCH" create "$COUNT" 2001 br0 - \
	>"$TMP/create.us"

# --- xendevd.
ip netns exec "$NS" "$XENDEVD" --no-ovs -b br0 -s "$TMP/xendevd.sock" \
	2>"$TMP/xendevd.log" &
XPID=$!
for _ in $(seq 100); do [ -S "$TMP/xendevd.sock" ] && break; sleep 0.05; done
ip netns exec "$NS" "$XENDEVD_BENCH" xendevd "$COUNT" 1 br0 \
	"$TMP/xendevd.sock" >"$TMP/xendevd.us"
kill "$XPID"
wait "$XPID" || true
XPID=

# --- vif-bridge, with xenstore entries as xl writes them before hotplug.
# The scripts log to /var/log/xen, which a Xen host has.
if [ ! -d /var/log/xen ]; then
	mkdir -p /var/log/xen
	MADE_LOGDIR=1
fi
python3 "$HERE/xenstored_standin.py" "$TMP/xenstored.sock" &
SPID=$!
export XENSTORED_PATH=$TMP/xenstored.sock
for _ in $(seq 100); do [ -S "$XENSTORED_PATH" ] && break; sleep 0.05; done
for d in $(seq 1001 $((1000 + COUNT))); do
	xenstore-write "backend/vif/$d/0/bridge" br0 \
		"backend/vif/$d/0/online" 1 "backend/vif/$d/0/handle" 0
done
ip netns exec "$NS" "$XENDEVD_BENCH" script "$COUNT" 1001 br0 \
	"$SCRIPTS/vif-bridge" >"$TMP/script.us"
st=$(xenstore-read "backend/vif/1001/0/hotplug-status" || true)
[ "$st" = connected ] || {
	echo "bench-xendevd: vif-bridge did not report hotplug-status" >&2
	exit 1
}

# nearest-rank percentiles
stats() { sort -n "$1" | awk '{ v[NR] = $1 } END {
	m = int((NR * 50 + 99) / 100); p = int((NR * 99 + 99) / 100)
	print v[m], v[p] }'; }
read -r xm xp < <(stats "$TMP/xendevd.us")
read -r sm sp < <(stats "$TMP/script.us")
read -r cm cp < <(stats "$TMP/create.us")
summary=$(cat <<RES
bench-xendevd: $COUNT vifs each, attach latency (create vif -> known on br0 and up)
  xendevd     median $xm us   p99 $xp us
  vif-bridge  median $sm us   p99 $sp us   (Debian's script, xenstored stand-in)
  (creating the veth alone: median $cm us   p99 $cp us, included above)
  ratio vif-bridge/xendevd: median $(awk "BEGIN{printf \"%.1f\", $sm/$xm}")x   p99 $(awk "BEGIN{printf \"%.1f\", $sp/$xp}")x
RES
)
echo "$summary"
[ -n "${OUT:-}" ] && echo "$summary" >"$OUT"
exit 0
