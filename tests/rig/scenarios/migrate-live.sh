# migrate-live: chaos migrate --live (pre-copy) on one host, beside a
# plain migration of the same guest in the same run. hello-loop counts on
# through both moves; each time it lands in a new domain under its name,
# the source copy is gone, and at the end nothing is left (no domain,
# noxs device, grant, port or memory). The pause each migration caused
# (suspended to running at the destination, as chaos reports it) is
# printed side by side, with the live one's rounds and re-sent pages. A
# receiver on a host without one of the guest's CPU features refuses it
# as the stream starts.
# rig-timeout: 300

. /rig/extra/migrate-lib
downtime() { sed -n 's/.*(downtime \([0-9.]*\) ms).*/\1/p' "$1"; }

# --- not live: suspended for the whole transfer ----------------------------
old=$(domid)
chaos console hl --no-input --until 'hello ' --timeout 20 >> seen.txt
chaos migrate hl 'chaos migrate-receive' -s '' > plain.out 2>&1 ||
	rig_fail "chaos migrate failed: $(cat plain.out)"
cat plain.out
moved plain

# --- live: pre-copy while it runs -------------------------------------------
old=$(domid)
chaos console hl --no-input --until 'hello ' --timeout 20 >> seen.txt
chaos migrate hl 'chaos migrate-receive' -s '' --live > live.out 2>&1 ||
	rig_fail "chaos migrate --live failed: $(cat live.out)"
cat live.out
moved live
rounds=$(sed -n 's/^live: \([0-9]*\) rounds.*/\1/p' live.out)
resent=$(sed -n 's/^live: [0-9]* rounds, \([0-9]*\) pages.*/\1/p' live.out)
[ -n "$rounds" ] && [ "$rounds" -ge 2 ] || rig_fail "live: rounds '$rounds'"

# --- live, to a receiver that dies mid-stream ----------------------------
# Its input is cut 30 KB into round 0. All-zero pages travel as a flag, so
# the whole stream of this 4 MiB guest is about a hundred KB and may fit
# the pipe: the source then learns of the cut either while it still runs
# the guest ("still runs here") or after the final round from the
# receiver's refusal ("resumed here"). Either way the guest keeps running
# here in its domain and log-dirty mode is off again.
old=$(domid)
rc=0
chaos migrate hl "head -c 30000 | chaos migrate-receive" -s '' --live > cut.out 2>&1 || rc=$?
cat cut.out
[ $rc -ne 0 ] || rig_fail "a cut live stream migrated"
grep -Eq "still runs here|resumed here" cut.out || rig_fail "cut: $(cat cut.out)"
stayed "after the failed live migration"

# --- live, to a host without one of the guest's CPU features ---------------
# mig-mitm sets AVX512F (CPUID leaf 7:0 ebx bit 16, which no emulated CPU
# has) in the stream's CPU record, which comes right after MEMORY: the
# receiver refuses it before it makes anything and says why, and the
# source shows that. As with the cut stream, the source learns it while
# the guest runs or, if the stream fit the pipes, from the receiver's
# word after the final round; either way the guest runs on here.
old=$(domid)
rc=0
chaos migrate hl "mig-mitm avx512 chaos migrate-receive" -s '' --live > cpu.out 2>&1 || rc=$?
cat cpu.out
[ $rc -ne 0 ] || rig_fail "a guest migrated to a host without its CPU features"
grep -q "mig-mitm: AVX512F set in the CPU record" cpu.out ||
	rig_fail "cpu: the record was not changed: $(cat cpu.out)"
grep -q "the destination says: the guest has CPU features this host does not give a PV guest: CPUID leaf 0x7 subleaf 0 ebx bits 0x10000" cpu.out ||
	rig_fail "cpu: the destination's reason is not shown: $(cat cpu.out)"
grep -Eq "still runs here|resumed here" cpu.out || rig_fail "cpu: $(cat cpu.out)"
stayed "after the live migration refused for its CPU"

shut_down_clean
rig_metric nonlive_downtime_ms "$(downtime plain.out)" ms
rig_metric live_downtime_ms "$(downtime live.out)" ms
rig_metric downtime_nonlive_over_live "$(awk -v a="$(downtime plain.out)" -v b="$(downtime live.out)" 'BEGIN {printf "%.2f", a / b}')" x
rig_metric live_rounds "$rounds" rounds
rig_metric live_pages_resent "$resent" pages
rig_pass "plain and live migration, counter went on; a failed live one and one refused for a CPU feature left the guest running here; nothing leaked"
