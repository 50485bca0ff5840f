# boot-linux: Debian's kernel (a bzImage) boots under chaos create with a
# tiny initramfs, and its console shows the initramfs's line. Console
# only, with no xenstored: "devices": "noxs" (a Linux kernel is a XenStore
# guest by default; stock-linux runs it so).
# rig-timeout: 300

cat > linux.json <<CFG
{
  "name": "linux",
  "kernel": "/rig/guests/vmlinuz",
  "ramdisk": "/rig/guests/tiny-initrd.gz",
  "cmdline": "console=hvc0 tiny.stay",
  "memory": 128,
  "vcpus": 1,
  "devices": "noxs"
}
CFG
chaos create linux.json --timing || rig_fail "chaos create linux.json failed"
chaos console linux --no-input --until TINY-INITRD-UP --timeout 200 > linux.console
rc=$?
tail -n 15 linux.console
[ "$rc" -eq 0 ] || rig_fail "the Linux guest did not reach its initramfs"
chaos destroy linux || rig_fail "chaos destroy linux failed"
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left behind"
rig_pass "Debian's kernel booted to its initramfs under chaos"
