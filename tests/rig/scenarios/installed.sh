# installed: chaos as the Debian packages install it. The packages built on
# the build side (make packages) are unpacked into dom0's root with
# dpkg-deb -x, their libraries brought in as apt would; the noxs module is
# the one DKMS built from noxs-dkms; chaosd and xendevd are started with
# the ExecStart lines of the installed units (no systemd in this dom0),
# after what their sysusers.d and tmpfiles.d entries would make; a guest
# with a vif is created, listed, pinged and destroyed with the installed
# binaries only; and the example built through pkg-config against the
# installed files (on the build side: dom0 has no compiler) runs a guest
# of its own through the installed libchaos.so.
# rig-timeout: 300

X=/rig/extra/installed
[ -d $X/debs ] || rig_fail "no $X (the build side: make installed-rig-extra)"
cat $X/pkg-config.txt | sed 's/^/pkg-config --cflags --libs libchaos: /'

# The rig's own static chaos and chaos-tls sit where the packages put
# theirs, and busybox's dpkg-deb does not write over a file: move aside
# whatever is in the way, and put it back for the scenarios after this one.
mkdir -p saved
: > unpacked.list
restore() {
	[ -n "${chaosd_pid:-}" ] && kill -TERM "$chaosd_pid" 2>/dev/null && wait "$chaosd_pid" 2>/dev/null
	[ -n "${xendevd_pid:-}" ] && kill -TERM "$xendevd_pid" 2>/dev/null && wait "$xendevd_pid" 2>/dev/null
	while read -r f; do
		if [ -f "/$f" ] || [ -L "/$f" ]; then rm -f "/$f"; fi
	done < unpacked.list
	(cd saved && find . ! -type d) | while read -r f; do
		mkdir -p "$(dirname "/${f#./}")" && cp -a "saved/${f#./}" "/${f#./}"
	done
}
trap restore EXIT

for deb in $X/debs/*.deb; do
	dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sed 's|^\./||' > files.list
	while read -r f; do
		if [ -e "/$f" ] || [ -L "/$f" ]; then
			mkdir -p "saved/$(dirname "$f")" && cp -a "/$f" "saved/$f" && rm -f "/$f"
		fi
	done < files.list
	cat files.list >> unpacked.list
	dpkg-deb -x "$deb" / || rig_fail "dpkg-deb -x $deb failed"
	rig_log "unpacked $(basename "$deb")"
done
# Their Depends: the libraries dom0 lacks (Debian's, from the build side).
(cd $X/deps && find . -type f) | while read -r lib; do
	lib=${lib#.}
	[ -e "$lib" ] && continue
	mkdir -p "$(dirname "$lib")" && cp "$X/deps$lib" "$lib" && echo "${lib#/}" >> unpacked.list
done

for f in usr/bin/chaos usr/bin/chaos-tls usr/bin/chaos-oci usr/sbin/chaosd usr/sbin/xendevd \
	lib/systemd/system/chaosd.service lib/systemd/system/xendevd.service \
	etc/chaos/chaosd.conf etc/xendevd.conf usr/lib/sysusers.d/chaos.conf \
	usr/lib/tmpfiles.d/chaos.conf; do
	[ -e "/$f" ] || rig_fail "/$f not installed by the packages"
done
ls -l /usr/lib/x86_64-linux-gnu/libchaos.so* || rig_fail "libchaos.so.0 not installed"
# The installed programs are the dynamic ones, on the installed library.
grep -q libchaos.so.0 /usr/bin/chaos || rig_fail "/usr/bin/chaos does not load libchaos.so.0"
/usr/bin/chaos --version || rig_fail "installed chaos does not run"
grep -q libchaos.so.0 /usr/bin/chaos-oci || rig_fail "/usr/bin/chaos-oci does not load libchaos.so.0"
/usr/bin/chaos-oci features | jq -e .ociVersionMax > /dev/null || rig_fail "installed chaos-oci does not run"

# What systemd-sysusers and systemd-tmpfiles would do with the entries.
grep -q '^g chaos ' /usr/lib/sysusers.d/chaos.conf || rig_fail "no chaos group in sysusers.d"
grep -q '^chaos:' /etc/group || echo 'chaos:x:990:' >> /etc/group
grep '^d ' /usr/lib/tmpfiles.d/chaos.conf | while read -r _ path mode _; do
	mkdir -p "$path" && chmod "$mode" "$path"
done

# The dom0 backends: DKMS's build of the packaged module source.
rmmod noxs 2>/dev/null
insmod $X/noxs.ko || rig_fail "insmod of the DKMS-built noxs.ko failed"
ip link add br0 type bridge && ip addr add 10.16.0.1/24 dev br0 &&
	ip link set br0 up || rig_fail "cannot make br0"

exec_start() { sed -n 's/^ExecStart=//p' "/lib/systemd/system/$1.service"; }
x_cmd=$(exec_start xendevd)
c_cmd=$(exec_start chaosd)
rig_log "xendevd.service: $x_cmd"
rig_log "chaosd.service: $c_cmd"
case "$x_cmd $c_cmd" in
*/usr/sbin/xendevd*/usr/sbin/chaosd*) ;;
*) rig_fail "the units do not start the installed programs" ;;
esac
# xendevd logs to syslog (--syslog), which this dom0 does not run.
sh -c "exec $x_cmd" > xendevd.log 2>&1 &
xendevd_pid=$!
rig_wait_for 10 test -S /run/xendevd.sock || { cat xendevd.log; rig_fail "xendevd did not start"; }
sh -c "exec $c_cmd" > chaosd.log 2>&1 &
chaosd_pid=$!
rig_wait_for 30 /usr/bin/chaos pool || { cat chaosd.log; rig_fail "chaosd did not come up"; }
# The packaged configuration gives the socket to the chaos group.
[ "$(stat -c %G /run/chaos/chaosd.sock)" = chaos ] ||
	rig_fail "chaosd.sock group is $(stat -c %G /run/chaos/chaosd.sock), not chaos"

cat > g.json <<'JSON'
{ "name": "pkg1", "kernel": "/rig/guests/pingresp.elf", "memory": 4,
  "vifs": [ { "mac": "00:16:3e:16:00:02", "ip": "10.16.0.2", "bridge": "br0" } ] }
JSON
/usr/bin/chaos create --timing g.json > create.out 2>&1 || { cat create.out chaosd.log; rig_fail "create failed"; }
cat create.out
rig_metric installed-create-us "$(sed -n 's/.*total=\([0-9]*\).*/\1/p' create.out)" us
/usr/bin/chaos list > list.txt || rig_fail "chaos list failed"
cat list.txt
grep -q '^pkg1 ' list.txt || rig_fail "pkg1 not in chaos list"
/usr/bin/chaos console pkg1 --no-input --until ready --timeout 60 > console.txt ||
	{ cat console.txt; rig_fail "pkg1 did not print ready"; }
ping -c 3 -i 0.2 -W 5 10.16.0.2 > ping.txt 2>&1 ||
	{ cat ping.txt xendevd.log; rig_fail "pkg1 does not answer ping through xendevd's bridge"; }
/usr/bin/chaos destroy pkg1 || rig_fail "destroy failed"
/usr/bin/chaos list | grep -q '^pkg1 ' && rig_fail "pkg1 still listed after destroy"

# chaosd stops as systemd would stop it (SIGTERM): guests stay, shells go.
kill -TERM "$chaosd_pid" && wait "$chaosd_pid"
rc=$?
chaosd_pid=
[ $rc -eq 0 ] || { cat chaosd.log; rig_fail "chaosd exited $rc on SIGTERM"; }

# The embedding example, built through pkg-config against the packages,
# runs a guest through the installed libchaos.so (without chaosd, whose
# reaper would otherwise take the guest away from it when it stops); the
# guest is preserved when it powers off, for the example to see it stopped.
printf '{ "name": "pkg-example", "kernel": "/rig/guests/noop.elf", "memory": 4,\n  "on_poweroff": "preserve" }\n' > ex.json
$X/orchestrator -t 60 ex.json > orch.out 2>&1 &
orch=$!
rig_wait_for 30 sh -c "/usr/bin/chaos list | grep -q '^pkg-example '" ||
	{ cat orch.out; rig_fail "the pkg-config-built example did not create its guest"; }
/usr/bin/chaos shutdown pkg-example --timeout 30 > shutdown.out 2>&1 ||
	{ cat shutdown.out; rig_fail "chaos shutdown pkg-example failed"; }
wait $orch
rc=$?
cat orch.out
[ $rc -eq 0 ] || rig_fail "the pkg-config-built example exited $rc"
grep -q 'destroyed' orch.out || rig_fail "the example did not destroy its guest"

rig_pass "packages unpacked, units' ExecStart lines up, guest created, listed, pinged and destroyed with the installed binaries; pkg-config-built example ran"
