# Helpers for the shim tests: run unmodified third-party tools (st-flash, st-info, OpenOCD)
# with LD_PRELOAD=libstprog-usbsim.so against a virtual board. Sourced by each test.
set -u

SHIM="${STPROG_BUILD:?}/libstprog-usbsim.so"
WORK="$(mktemp -d "${TMPDIR:-/tmp}/stp-shim.XXXXXX")"
# journals of kept bytes (stprog recover) of this script only
export XDG_STATE_HOME="$WORK/state"
trap 'rm -rf "$WORK"' EXIT
FAILS=0

for tool in st-flash st-info openocd; do
    if ! command -v "$tool" >/dev/null; then
        echo "SKIP: $tool not installed"
        exit 77
    fi
done
if [ ! -f "$SHIM" ]; then
    echo "FAIL: $SHIM not built"
    exit 1
fi

# sim SPEC CMD...: runs CMD with the shim and STPROG_SIM=SPEC; stdout+stderr to $WORK/out.
# Extra environment (e.g. STPROG_SIM_REPORT) is inherited.
sim() {
    local spec="$1"
    shift
    echo "+ STPROG_SIM=$spec $*" >&2
    STPROG_SIM="$spec" LD_PRELOAD="$SHIM" timeout 300 "$@" >"$WORK/out" 2>&1
    local rc=$?
    sed 's/^/    /' "$WORK/out" | tail -n 40 >&2
    return $rc
}

# openocd_sim SPEC TARGETCFG COMMAND...: OpenOCD with interface/stlink.cfg (HLA mode), no
# servers (tests run in parallel). One -c per COMMAND (OpenOCD prints each one's output).
openocd_sim() {
    local spec="$1" cfg="$2"
    shift 2
    local cmds=()
    for c in "$@"; do cmds+=(-c "$c"); done
    sim "$spec" openocd -c "gdb_port disabled" -c "tcl_port disabled" -c "telnet_port disabled" \
        -f interface/stlink.cfg -f "target/$cfg" "${cmds[@]}"
}

pass() { echo "PASS: $*"; }
fail() {
    echo "FAIL: $*"
    FAILS=$((FAILS + 1))
}
check() { # check DESCRIPTION COMMAND...
    local what="$1"
    shift
    if "$@"; then pass "$what"; else fail "$what"; fi
}
out_has() { grep -q -- "$1" "$WORK/out"; }

# The example firmware for a chip (build/examples/blinky_<chip>.bin); without the examples
# (no arm-none-eabi-gcc) a deterministic filler image of the same size stands in.
image_for() {
    local chip="$1"
    [ "$chip" = f411 ] && chip=f407 # same core and flash base: the F407 blinky runs on it
    local f="${STPROG_BUILD}/examples/blinky_${chip}.bin"
    if [ -f "$f" ]; then
        echo "$f"
        return
    fi
    local size=6144
    [ -f "${STPROG_BUILD}/examples/blinky_f407.bin" ] &&
        size=$(stat -c %s "${STPROG_BUILD}/examples/blinky_f407.bin")
    head -c "$size" <(yes "stprog-$chip" | tr -d '\n') >"$WORK/img_$chip.bin"
    echo "$WORK/img_$chip.bin"
}

finish() {
    if [ "$FAILS" -ne 0 ]; then
        echo "$FAILS check(s) failed"
        exit 1
    fi
    echo "all checks passed"
    exit 0
}
