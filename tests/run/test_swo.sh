#!/bin/bash
# SWO end to end on the virtual board: the ITM example's lines through `run --swo` on an M3,
# M4 and M7 (every line once, in order), `stprog swo` attached to the running firmware, the
# rate bounding what the firmware can write (ITM FIFO back-pressure: about baud/10 bytes a
# second), a wrong core clock (garbage: swo.garbled), a rate the TPIU cannot make, and an
# M0+ without SWO.
. "$(dirname "$0")/lib.sh"
need_fw itm_f407 itm_f103 itm_f767 hello_g071
check_lines() { # FILE WHAT MIN: consecutive "ITM line N" from 0, at least MIN of them
    python3 - "$1" "$3" <<'PY' || fail "$2: ITM lines lost, repeated or garbled: $(head -c 300 "$1")"
import sys, re
lines = open(sys.argv[1], 'rb').read().decode().split('\n')[:-1]
nums = [int(re.match(r'ITM line (\d+) from ', l).group(1)) for l in lines]
assert nums == list(range(len(nums))), nums[:10]
assert len(nums) >= int(sys.argv[2]), len(nums)
PY
}
for b in f103:stm32f103c8 f407:stm32f407vg f767:stm32f767zi; do
    tag=${b%%:*}
    run --probe "sim:${b#*:}" run --swo --timeout 0.3 "$EX/itm_$tag.elf"
    expect_rc 124 "$tag: run --swo until the timeout"
    check_lines "$TMP/out" "$tag: run --swo" 5
done

# Attached to the running firmware: the lines from where it is.
run --probe "sim:stm32f407vg,state=$TMP/itm.state" write "$EX/itm_f407.elf"
expect_rc 0 "write itm"
run --probe "sim:stm32f407vg,state=$TMP/itm.state" --json swo --timeout 0.3
expect_rc 0 "swo --timeout"
expect_json '.run.swo.baud == 2000000 and .run.swo.bytes > 100 and .run.swo.itm_overflows == 0' \
    "swo json"
expect_json '.stdout | test("ITM line [0-9]+ from STM32F4DISCOVERY\n")' "swo output"

# The rate bounds the output: at 25 kHz (16 MHz / 640) 2 500 bytes a second leave the pin,
# fewer than the firmware would write (a line of 33 characters is 66 bytes of 1-byte packets
# plus 5 of the port-1 word, one line per 8.8 ms of its delay loop: 8 000 bytes a second at
# 2 MHz). The firmware waits on FIFOREADY, so nothing overflows.
run --probe sim:stm32f407vg --json run --swo-baud 25k --itm-ports 3 --timeout 1 "$EX/itm_f407.elf"
expect_rc 124 "slow SWO"
bytes=$(jq '.run.swo.bytes' "$TMP/out")
secs=$(jq '.run.elapsed_seconds' "$TMP/out")
python3 -c "import sys; b, t = $bytes, $secs; sys.exit(0 if 0.6 * 2500 * t <= b <= 2500 * t + 5 else 1)" ||
    fail "25 kHz SWO for $secs s carried $bytes bytes (at most baud/10 a second: 2500)"
expect_json '.run.swo.itm_overflows == 0' "the firmware waited for FIFOREADY"

# A wrong core clock: the probe listens at half the pin's rate and gets garbage.
run --probe sim:stm32f407vg run --swo-clock 8M --timeout 0.3 "$EX/itm_f407.elf"
expect_err "[swo.garbled]" "wrong --swo-clock"
run --probe sim:stm32f407vg run --swo-baud 3M --timeout 0.1 "$EX/itm_f407.elf"
expect_rc 2 "a rate the TPIU cannot make"
expect_err "[swo.baud-unsupported]" "rate finding"
run --probe sim:stm32f407vg run --swo-baud fast "$EX/itm_f407.elf"
expect_rc 2 "bad --swo-baud"
run --probe sim:stm32g071rb run --swo --timeout 0.1 "$EX/hello_g071.elf"
expect_rc 1 "M0+ has no SWO"
expect_err "[swo.not-available]" "M0+ finding"
finish
