# concurrent-saves: audit finding 13. libchaos's save and migration once
# kept their scratch buffers in static storage, so two threads saving at
# once would write into each other's images (fixed with per-capture
# buffers; this is its test). rig-ckpt-threads saves two different running
# guests from two threads at once, each thread on its own chaos_host (the
# rule of host.h), 10 times each with the guests kept running; then both
# guests are destroyed and their last images restored, again from two
# threads at once. Each restored guest must be the one its file was saved
# from and whole: its saved name, hello-loop's counter going on past where
# it was before the saves, memfill finding every page it filled intact
# ("memfill: verified N pages", N as at its start). Nothing leaks.
# rig-timeout: 600

rmmod noxs 2>/dev/null
insmod /rig/modules/noxs.ko || rig_fail "insmod noxs.ko failed"
N=/rig/guests/noxsctl
free0=$(rig-domains free-kib)

# last_hello FILE: the last counter value printed in FILE.
last_hello() { awk '$1 == "hello" && $2 ~ /^[0-9]+$/ {n = $2} END {print n + 0}' "$1"; }
# connected.sh NAME: NAME's power device is connected at both ends (a
# save asks the guest to suspend through it).
cat > connected.sh <<'SH'
chaos list -l > list.txt &&
	awk -v n="$1" '/^[^ ]/ {g = ($1 == n)} g' list.txt |
	grep -Eq '^ +power +0 .* be connected +fe connected'
SH
# console NAME UNTIL OUT: read NAME's console (directly: no chaosd runs)
# until UNTIL shows; the ring is drained meanwhile, so that the guest
# never drops output for want of room.
console() {
	chaos console "$1" --no-input --until "$2" --timeout 60 > "$3" ||
		rig_fail "$1's console did not show '$2': $(tail -n 3 "$3")"
}

printf '{ "name": "hl", "kernel": "/rig/guests/hello-loop.elf", "memory": 16 }\n' > hl.json
printf '{ "name": "mf", "kernel": "/rig/guests/memfill.elf", "memory": 32 }\n' > mf.json
chaos create hl.json > /dev/null || rig_fail "create hl failed"
chaos create mf.json > /dev/null || rig_fail "create mf failed"
console hl 'hello 3' hl0.txt
console mf 'memfill: alive 2' mf0.txt
filled=$(sed -n 's/^memfill: filled \([0-9]*\) pages.*/\1/p' mf0.txt)
[ -n "$filled" ] || rig_fail "memfill did not say how many pages it filled: $(cat mf0.txt)"
rig_wait_for 10 sh connected.sh hl || rig_fail "hl's power device not connected"
rig_wait_for 10 sh connected.sh mf || rig_fail "mf's power device not connected"
before=$(last_hello hl0.txt)

# --- two threads, two guests, ten saves each, at once ---------------------
rig-ckpt-threads save 10 hl hl.img mf mf.img > saves.txt 2> saves.err ||
	{ cat saves.txt saves.err; rig_fail "concurrent saves failed: $(cat saves.err)"; }
tail -n 3 saves.txt
set -- $(sed -n 's/^summary saves=\([0-9]*\) overlapped=\([0-9]*\)$/\1 \2/p' saves.txt)
[ "${1:-0}" = 20 ] || rig_fail "$(cat saves.txt): not 20 saves"
# Two saves running at the same time is what this is about: at least one
# of each thread's.
over=${2:-0}
[ "$over" -ge 2 ] || rig_fail "the saves never ran at the same time (overlapped=$over)"
rig_metric saves_overlapped "$over" of20
grep '^save hl ' saves.txt | sed 's/.*us=//' > hl-save.us
grep '^save mf ' saves.txt | sed 's/.*us=//' > mf-save.us
ms() { awk -v v="$1" 'BEGIN {printf "%.1f", v / 1000}'; }
set -- $(rig_stats hl-save.us); rig_metric hl_save_median_ms "$(ms "$1")" ms
set -- $(rig_stats mf-save.us); rig_metric mf_save_median_ms "$(ms "$1")" ms
# Both went on after every save (each was told its suspend was
# cancelled), memfill's pages intact each time.
console hl "hello $((before + 3))" hl1.txt
console mf 'memfill: alive' mf1.txt
grep -q 'corrupt' mf1.txt && rig_fail "mf's memory changed under the saves: $(grep corrupt mf1.txt)"
[ "$(grep -c "^memfill: verified $filled pages" mf1.txt)" -ge 1 ] ||
	rig_fail "mf did not verify its pages after the saves: $(tail -n 5 mf1.txt)"

# --- both gone, both back from two threads at once ------------------------
chaos destroy hl || rig_fail "destroy hl failed"
chaos destroy mf || rig_fail "destroy mf failed"
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left after the destroys"
rig-ckpt-threads restore hl.img mf.img > restores.txt 2> restores.err ||
	{ cat restores.txt restores.err; rig_fail "concurrent restores failed: $(cat restores.err)"; }
cat restores.txt
grep -q '^restored hl.img name=hl ' restores.txt || rig_fail "hl.img did not restore as hl"
grep -q '^restored mf.img name=mf ' restores.txt || rig_fail "mf.img did not restore as mf"
# hl: its own counter, going on from past where it was before the saves.
console hl 'hello-loop: resumed in a new domain' hl2.txt
console hl 'hello ' hl3.txt
first=$(awk '$1 == "hello" {print $2; exit}' hl3.txt)
[ -n "$first" ] && [ "$first" -gt "$before" ] ||
	rig_fail "restored hl counts from '$first', was at $before before the saves"
console hl "hello $((first + 1))" hl4.txt
rig_log "hl counted to $before before the saves, from $first after the restore"
# mf: every page it filled, as it filled it.
console mf "memfill: verified" mf2.txt
grep -q 'resumed in a new domain' mf2.txt || rig_fail "mf did not resume in a new domain: $(tail -n 3 mf2.txt)"
grep -q "^memfill: verified $filled pages" mf2.txt ||
	rig_fail "restored mf is not whole: $(grep 'memfill: \(verified\|page\)' mf2.txt | tail -n 1), filled $filled pages"

chaos shutdown hl --timeout 10 || rig_fail "shutdown of the restored hl failed"
chaos shutdown mf --timeout 10 || rig_fail "shutdown of the restored mf failed"
[ "$(rig-domains count)" = 0 ] || rig_fail "domains left at the end"
$N stats > stats.txt || rig_fail "noxsctl stats failed"
grep -q '^devices 0 grants 0 ports 0 ' stats.txt || rig_fail "devices left: $(cat stats.txt)"
free1=$(rig-domains free-kib)
[ "$free1" = "$free0" ] || rig_fail "free memory $free1 KiB, was $free0 KiB"
rig_pass "20 saves of two guests from two threads ($over overlapping), both restored at once as themselves and whole (hl from $first, mf $filled pages verified), nothing leaked"
