#!/usr/bin/env bash
# make demo: program the example firmware into the built-in virtual STM32F407 and verify it.
set -euo pipefail
BUILD=${1:-build}
STPROG="$BUILD/stprog"
FW="$BUILD/examples/blinky_f407.elf"
if [[ ! -x $STPROG ]]; then
    echo "demo: $STPROG is not built yet (run 'make build')" >&2
    exit 1
fi
if [[ ! -f $FW ]]; then
    echo "demo: example firmware $FW was not built" >&2
    exit 1
fi
if ! "$STPROG" help write >/dev/null 2>&1; then
    echo "demo: this stprog cannot program yet (the 'write' command is not built)." >&2
    echo "demo: what it can do today:" >&2
    "$STPROG" image "$FW"
    exit 1
fi
board="sim:stm32f407vg,probe=v2-1,vdd=3.3"
echo "\$ stprog --probe $board info"
"$STPROG" --probe "$board" info
echo
echo "\$ stprog --probe $board write $FW"
"$STPROG" --probe "$board" write "$FW"
