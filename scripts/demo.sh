#!/usr/bin/env bash
# make demo: program the example firmware into the built-in virtual STM32F407 and verify it,
# showing what a user would see. The board keeps its flash in a state file, so each command
# below is a separate stprog run on the same board, as with real hardware.
set -euo pipefail
BUILD=${1:-build}
STPROG="$BUILD/stprog"
FW="$BUILD/examples/blinky_f407.elf"
for f in "$STPROG" "$FW"; do
    if [[ ! -e $f ]]; then
        echo "demo: $f is missing (did 'make build' succeed? arm-none-eabi-gcc builds the example)" >&2
        exit 1
    fi
done
state=$(mktemp /tmp/stprog-demo-XXXXXX.board)
rm -f "$state"
trap 'rm -f "$state"' EXIT
board="sim:stm32f407vg,probe=v2-1,vdd=3.3,state=$state"

step() {
    echo
    echo "\$ stprog $*"
    "$STPROG" "$@"
}

echo "demo: a virtual STM32F407 behind a virtual ST-Link V2-1 (board spec: $board)"
step image "$FW"
step --probe "$board" info
step --probe "$board" write "$FW"
step --probe "$board" verify "$FW"
step --probe "$board" doctor
echo
echo "demo: done — the firmware is in the virtual F407's flash and verified."
