# demo: chaos at work on the emulated Xen host.
# rig-timeout: 120

echo "== chaos info"
chaos info || rig_fail "chaos info failed"
echo "== chaos list"
chaos list || rig_fail "chaos list failed"
echo "== chaos list --json"
chaos list --json || rig_fail "chaos list --json failed"
rig_pass "demo shown"
