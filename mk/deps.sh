#!/bin/sh
# Install every Debian package that the build, the unit tests and the rig
# need. Idempotent and silent when everything is already present.
#
#   mk/deps.sh          everything (root): what `make deps` and the tests use
#   mk/deps.sh build    only what `make` needs; as an ordinary user it just
#                       names what is missing (debian/control lists the same)
set -eu

build_packages="
build-essential pkg-config
libxen-dev libyajl-dev libgnutls28-dev
zlib1g-dev liblzma-dev libzstd-dev libbz2-dev liblz4-dev nettle-dev libxxhash-dev
go-md2man
"

if [ "${1:-}" = build ]; then
	missing=""
	for p in $build_packages; do
		status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
		[ "$status" = "installed" ] || missing="$missing $p"
	done
	[ -z "$missing" ] && exit 0
	if [ "$(id -u)" -ne 0 ]; then
		echo "deps: build needs:$missing (apt-get install them, or 'make deps' as root)" >&2
		exit 1
	fi
	echo "deps: installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -qq
	# shellcheck disable=SC2086
	apt-get install -y -qq --no-install-recommends $missing >/dev/null
	exit 0
fi

packages="$build_packages
libcmocka-dev
valgrind file xenstore-utils gnuplot-nox
systemd lintian debhelper dkms dh-dkms git
clang libclang-rt-14-dev
qemu-system-x86 busybox-static cpio gzip xz-utils zstd jq
iproute2 openvswitch-switch kmod
flex bison python3 bc perl
"

# The headers that out-of-tree modules build against must match the dom0
# kernel the rig boots: both follow linux-image-amd64.
kernel_headers() {
	apt-cache depends linux-image-amd64 2>/dev/null |
		awk '/Depends: linux-image-[0-9]/ && !k {k = $2} END {print k}' |
		sed 's/^linux-image-/linux-headers-/'
}
headers=$(kernel_headers)
if [ -z "$headers" ]; then
	apt-get update -qq
	headers=$(kernel_headers)
fi
[ -n "$headers" ] || { echo "deps: cannot resolve linux-image-amd64" >&2; exit 1; }
packages="$packages $headers"

missing=""
for p in $packages; do
	status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$status" = "installed" ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "deps: installing:$missing"
if [ "$(id -u)" -ne 0 ]; then
	echo "deps: missing packages and not root; run 'sudo make deps'" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
