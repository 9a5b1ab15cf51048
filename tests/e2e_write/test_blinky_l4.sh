#!/bin/bash
# The example firmware of the L4-style family runs on its virtual board: for stm32l476rg,
# stm32g071rb, stm32g431rb, stm32c031c6 (NUCLEO-C031C6), stm32g0b1re (NUCLEO-G0B1RE) and
# stm32g474re (also with DBANK = 0: one bank of 4 KiB pages),
# `stprog write` programs blinky_<chip>.elf and verifies it,
# `stprog verify` agrees, `stprog reset` lets it run, and then the board shows what only
# the running firmware does: blink_delay (.data, 200000) copied into SRAM by the reset
# handler, PA5 (the Nucleo's green LED) made an output in GPIOA_MODER, and the LED on in
# GPIOA_ODR. The same reads on the blank board first show none of it.
. "$(dirname "$0")/blinky_lib.sh"

check_blinky stm32l476rg blinky_l476 0x48000000
check_blinky stm32g071rb blinky_g071 0x50000000
check_blinky stm32g431rb blinky_g431 0x48000000
check_blinky stm32c031c6 blinky_c031 0x50000000
check_blinky stm32g0b1re blinky_g0b1 0x50000000
check_blinky stm32g474re blinky_g474 0x48000000
# the NUCLEO-G474RE firmware also runs from the single-bank layout (DBANK = 0)
run --probe "sim:stm32g474re,state=$TMP/g474-single.state" option-bytes set dbank=0
expect_rc 0 "stm32g474re: dbank=0"
check_blinky stm32g474re blinky_g474 0x48000000 g474-single
finish
