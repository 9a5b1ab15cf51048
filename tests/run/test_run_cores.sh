#!/bin/bash
# `stprog run` on a board of every core type (M0+, M3, M4, M7) and family: the example
# prints through semihosting (stdout and stderr) and RTT (a blocking up-buffer) and exits
# with its status; stdout is exactly what it wrote, in order, and the exit code is its
# status. Run again, the flash already holds it and nothing is written.
. "$(dirname "$0")/lib.sh"
for b in g071:stm32g071rb:NUCLEO-G071RB:Cortex-M0+ \
         f103:stm32f103c8:"blue pill (STM32F103C8)":Cortex-M3 \
         l151:stm32l151cb:"STM32L151CB board":Cortex-M3 \
         f407:stm32f407vg:STM32F4DISCOVERY:Cortex-M4 \
         l476:stm32l476rg:NUCLEO-L476RG:Cortex-M4 \
         g431:stm32g431rb:NUCLEO-G431RB:Cortex-M4 \
         f767:stm32f767zi:NUCLEO-F767ZI:Cortex-M7; do
    IFS=: read -r tag part board core <<<"$b"
    need_fw "hello_$tag"
    {
        echo "hello from $board ($core) through semihosting"
        for i in 1 2 3 4 5; do echo "RTT line $i of 5 from $board"; done
        echo "done"
    } >"$TMP/expected"
    state="sim:$part,state=$TMP/$tag.state"
    run --probe "$state" run "$EX/hello_$tag.elf"
    expect_rc 0 "$tag: run"
    expect_out_exact "$TMP/expected" "$tag: output"
    expect_err "this line goes to stderr" "$tag: semihosting stderr"
    expect_err "the firmware exited with status 0" "$tag: exit note"
    expect_err "wrote " "$tag: written"
    run --probe "$state" run "$EX/hello_$tag.elf"
    expect_rc 0 "$tag: second run"
    expect_out_exact "$TMP/expected" "$tag: output of the second run"
    expect_err "the flash already holds" "$tag: nothing written the second time"
done

# The firmware's status is the exit code.
need_fw hello3_f407
run --probe sim:stm32f407vg run "$EX/hello3_f407.elf"
expect_rc 3 "exit status 3"
expect_err "the firmware exited with status 3" "exit note 3"
run --probe sim:stm32f407vg --json run "$EX/hello3_f407.elf"
expect_rc 3 "exit status 3 (json)"
expect_json '.status == "ok" and .exit_code == 3 and .run.end == "exit"' "json end"
expect_json '.run.firmware_exit_code == 3 and .run.exit_reason == 131110' "json exit fields"
expect_json '.run.rtt.found and .run.rtt.bytes > 0 and .run.semihosting_calls >= 3' "json rtt"
expect_json '(.stdout | test("RTT line 5 of 5")) and (.stderr == "this line goes to stderr\n")' \
    "json output"
if [ "${E2E_SHIM:-0}" != 1 ]; then # through the shim stprog sees a real probe
    expect_json '.run.clock == "virtual-board" and .run.elapsed_seconds > 0' "json clock"
fi
finish
