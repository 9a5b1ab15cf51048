# Option bytes end to end (sourced; PART, FW, UNIT_ADDR = start of protection unit 1 are
# set by the caller): options_flow (parts_lib.sh) on the example firmware.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"
# E2E_PROBE: the virtual probe in front of the board (cmsis-dap, cmsis-dap-v1; default ST-Link)
BOARD="sim:$PART${E2E_PROBE:+,probe=$E2E_PROBE},state=$TMP/board.state"
EX="$STPROG_BUILD/examples"

. "$(dirname "${BASH_SOURCE[0]}")/parts_lib.sh"

run_options() {
    options_flow "$BOARD" "$EX/$FW.bin" "$UNIT_ADDR"
    finish
}
