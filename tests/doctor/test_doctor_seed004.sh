#!/bin/bash
# Seed 004: an STM32L151CB behind a clone ST-Link/V2 (old firmware V2J37S7) whose flash-size
# register reads 0x6B80 (27520 KB in other tools), and a probe that corrupts long writes;
# later an STM32F767 at RDP level 1 ("failed to erase memory").
set -e
. "$(dirname "$0")/lib.sh"
l1="stm32l151cb,fsize=0x6B80,probe=v2,fw=V2J37S7"

doctor "$l1"
expect_rc 0
has flash.size-implausible
evidence flash.size-implausible raw | grep -q 0x6B80 || fail "no raw value"
evidence flash.size-implausible decoded_kb | grep -q '^128$' || fail "not decoded as 128 KB"
has probe.firmware-old
[ "$(severity probe.firmware-old)" = info ] || fail "V2J37 has every feature: info, not $(severity probe.firmware-old)"
only "flash.size-implausible"

head -c 16384 /dev/urandom >"$TMP/fw.bin"
run --probe "sim:$l1" write "$TMP/fw.bin" --json
expect_rc 0
has flash.size-implausible
[ "$(jqo .status)" = ok ] || fail "$WHAT: status $(jqo .status)"

# The clone corrupts long transfers: doctor measures it, programming still works.
doctor "$l1,probe-bug=corrupt-over:256"
has probe.corrupts-transfers
evidence probe.corrupts-transfers longest_clean_transfer | grep -q '^256 bytes$' ||
    fail "longest clean transfer: $(evidence probe.corrupts-transfers longest_clean_transfer)"
only "flash.size-implausible probe.corrupts-transfers"
run --probe "sim:$l1,probe-bug=corrupt-over:256" write "$TMP/fw.bin" --json
expect_rc 0

# The thread's fix: a STLINK-V3 updated to V3J16M8 made "Flash loader cannot be loaded" go
# away. Older V3 firmware is flagged like old V2 firmware, with that version; V3J16M8 and
# later are not.
for fw in V3J7M3 V3J15M7B5S1 V3J16M7; do
    doctor "stm32l151cb,probe=v3,fw=$fw"
    expect_rc 0
    has probe.firmware-old
    [ "$(severity probe.firmware-old)" = warning ] || fail "$WHAT: severity $(severity probe.firmware-old)"
    evidence probe.firmware-old fixed_in | grep -q V3J16M8 || fail "$WHAT: fixing version not named"
    [ "$(check_result probe)" = warn ] || fail "$WHAT: probe check $(check_result probe)"
    only "probe.firmware-old"
done
for fw in V3J16M8 V3J17M9; do
    doctor "stm32l151cb,probe=v3,fw=$fw"
    expect_rc 0
    lacks probe.firmware-old
done

# The F767 at RDP level 1.
doctor "stm32f767zi,rdp=1"
expect_rc 4
has protect.rdp1
only "protect.rdp1"
advice protect.rdp1 | grep -q -- '--unlock' || fail "no --unlock advice: $(advice protect.rdp1)"
advice protect.rdp1 | grep -q 'erases' || fail "advice does not say the flash is erased"
run --probe sim:stm32f767zi,rdp=1 erase --all --json
expect_rc_not 0
has protect.rdp1
finish
