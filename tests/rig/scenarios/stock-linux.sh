# stock-linux: Debian's kernel, served through XenStore (xenstored, dom0's
# netback and blkback), boots under chaos create; chaos introduces it to
# xenstored, its xenbus connects, and destroy leaves no entry behind.
# rig-timeout: 400

rig_start_xenstore
trap 'rig_stop_xenstore' EXIT

cat > linux.json <<CFG
{
  "name": "linux",
  "kernel": "/rig/guests/vmlinuz",
  "ramdisk": "/rig/guests/tiny-initrd.gz",
  "cmdline": "console=hvc0 tiny.stay",
  "memory": 128
}
CFG
chaos create linux.json --timing || rig_fail "chaos create linux.json failed"
domid=$(chaos list | awk '$1 == "linux" {print $2}')
[ -n "$domid" ] || rig_fail "no domid for linux"
chaos console linux --no-input --until TINY-INITRD-UP --timeout 200 > linux.console ||
	{ tail -n 30 linux.console; rig_fail "the Linux guest did not reach its initramfs"; }
# Its xenbus is up once it says what it can do under control/.
rig_wait_for 60 xenstore-exists /local/domain/$domid/control/feature-poweroff ||
	{ xenstore-ls -f /local/domain/$domid; tail -n 30 linux.console; rig_fail "the guest's xenbus did not connect"; }
rig_log "xenbus up: feature-poweroff=$(xenstore-read /local/domain/$domid/control/feature-poweroff)"
chaos destroy linux || rig_fail "chaos destroy linux failed"
xenstore-exists /local/domain/$domid && rig_fail "/local/domain/$domid left behind"
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left behind"
rig_pass "a XenStore Linux guest connected its xenbus under chaos"
