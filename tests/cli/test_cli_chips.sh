#!/bin/bash
# End-to-end: `stprog chips` lists the supported families, for people and as JSON.
set -e
. "$(dirname "$0")/lib.sh"

run chips
expect_rc 0 "chips"
expect_out "DEV ID" "chips header"
# Every device ID the foundation issue names, with its family.
declare -A family=(
    [0x410]=F1 [0x412]=F1 [0x414]=F1 [0x418]=F1 [0x420]=F1 [0x428]=F1 [0x430]=F1
    [0x411]=F2
    [0x413]=F4 [0x419]=F4 [0x421]=F4 [0x423]=F4 [0x431]=F4 [0x433]=F4 [0x434]=F4 [0x441]=F4
    [0x458]=F4 [0x463]=F4
    [0x449]=F7 [0x451]=F7 [0x452]=F7
    [0x416]=L1 [0x429]=L1 [0x427]=L1 [0x436]=L1 [0x437]=L1
    [0x440]=F0 [0x442]=F0 [0x444]=F0 [0x445]=F0 [0x448]=F0
    [0x422]=F3 [0x432]=F3 [0x438]=F3 [0x439]=F3 [0x446]=F3
)
for id in "${!family[@]}"; do
    grep -qE "^$id +${family[$id]} " "$TMP/out" || fail "chips: no line '$id ${family[$id]}'"
done
for part in stm32f103c8 stm32f407vg stm32f411re stm32f767zi stm32l151cb stm32l152re stm32f030f4 \
    stm32f072rb stm32f303re stm32f373cc; do
    grep -qE "^  $part " "$TMP/out" || fail "chips: part $part not listed"
done
[ -z "$ERR" ] || fail "chips: unexpected stderr: $ERR"

run chips --json
expect_rc 0 "chips --json"
expect_json '.command == "chips" and .status == "ok" and .exit_code == 0 and .findings == []' "chips --json"
expect_json '[.chips[].family] | unique | contains(["F1","F2","F4","F7","L1"])' "chips --json families"
for id in "${!family[@]}"; do
    n=$((id))
    jq -e --argjson n "$n" --arg f "${family[$id]}" \
        '[.chips[] | select(.dev_id == $n and .family == $f)] | length == 1' "$TMP/out" >/dev/null ||
        fail "chips --json: dev_id $id (${family[$id]}) not exactly once"
done
expect_json '.chips[] | select(.dev_id_hex == "0x413") | .flash_sizes_kb | index(1024) != null' "F407 sizes"
expect_json '.parts[] | select(.name == "stm32f407vg") | .dev_id == 1043 and .flash_kb == 1024' "F407 part"
[ -z "$ERR" ] || fail "chips --json: unexpected stderr: $ERR"

run chips --family l1
expect_rc 0 "chips --family"
grep -qE "^0x437 +L1 " "$TMP/out" || fail "chips --family l1 lacks 0x437"
! grep -qE "^0x413 " "$TMP/out" || fail "chips --family l1 lists an F4"

run chips --family Z9
expect_rc 2 "chips --family unknown"
expect_err "no chips of family 'Z9' (families: F0, F1, F2, F3, F4, F7, L1" "chips --family unknown"

# One chip in detail, by device ID or by part number (any case).
run chips 0x413
expect_rc 0 "chips 0x413"
expect_out "0x413 STM32F40x/F41x (F4, Cortex-M4F" "chips 0x413"
expect_out "4x16K,1x64K,7x128K" "chips 0x413 sectors"
expect_out "RM0090" "chips 0x413 manual"
grep -qE "^ +(parts: +)?stm32f407vg +1024 KiB flash" "$TMP/out" || fail "chips 0x413 lacks stm32f407vg"
run chips STM32F767ZI --json
expect_rc 0 "chips part --json"
expect_json '.chip.dev_id == 1105 and .chip.family == "F7" and .chip.layout_dual_bank != null and ([.parts[].name] == ["stm32f767zi"])' "chips part --json"
run chips 0x999
expect_rc 2 "chips unknown id"
expect_err "'0x999' is neither a supported device ID" "chips unknown id"
run chips stm32f999zz --json
expect_rc 2 "chips unknown part"
expect_json '.status == "invalid-argument" and (.findings[0].message | contains("stm32f999zz"))' "chips unknown part"

finish
