#!/bin/bash
# The example firmware of F0 and F3 runs on their virtual boards: blinky_f072 on a
# stm32f072rb (NUCLEO-F072RB, Cortex-M0) and blinky_f303 on a stm32f303re (NUCLEO-F303RE),
# LD2 on PA5 (GPIOA at 0x48000000). See blinky_lib.sh for what is checked.
. "$(dirname "$0")/blinky_lib.sh"

check_blinky stm32f072rb blinky_f072 0x48000000
check_blinky stm32f303re blinky_f303 0x48000000
finish
