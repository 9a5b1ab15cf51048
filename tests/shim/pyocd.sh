# pyOCD (Debian python3-pyocd, a Python tool that loads libusb-1.0 through pyusb/ctypes)
# programs and reads back parts of several families through the shim: it walks the
# CoreSight ROM table from the AHB-AP's BASE to find the core (sim/coresight.c). The shim is
# found through LD_LIBRARY_PATH as libusb-1.0.so.0. pyOCD 0.13 knows these STM32 targets:
# stm32f103rc (F1), stm32f412xg (F4), stm32f439xi (F4, the F429's die), stm32l475xg (L4).
. "$(dirname "$0")/lib.sh"

for tool in pyocd-flashtool pyocd-tool; do
    if ! command -v "$tool" >/dev/null; then
        echo "SKIP: $tool not installed (Debian python3-pyocd)"
        exit 77
    fi
done
mkdir -p "$WORK/lib"
ln -s "$SHIM" "$WORK/lib/libusb-1.0.so.0"

# pyocd SPEC CMD...: CMD with the shim as libusb; stdout+stderr to $WORK/out.
pyocd_sim() {
    local spec="$1"
    shift
    echo "+ STPROG_SIM=$spec $*" >&2
    STPROG_SIM="$spec" LD_LIBRARY_PATH="$WORK/lib" timeout 600 "$@" >"$WORK/out" 2>&1
    local rc=$?
    sed 's/^/    /' "$WORK/out" | tail -n 15 >&2
    return $rc
}

n=0
for pair in stm32f103rc:stm32f103rc stm32f412zg:stm32f412xg stm32f429zi:stm32f439xi \
    stm32l476rg:stm32l475xg; do
    part=${pair%%:*} target=${pair##*:}
    n=$((n + 1))
    head -c 6000 <(yes "pyocd $part $n" | tr -d '\n') >"$WORK/$part.bin"
    spec="sim:$part,state=$WORK/$part.state"
    pyocd_sim "$spec" pyocd-flashtool -t "$target" "$WORK/$part.bin"
    check "$part: pyOCD ($target) programs" [ $? -eq 0 ]
    pyocd_sim "$spec" pyocd-tool -t "$target" savemem 0x08000000 6000 "$WORK/$part.back.bin"
    check "$part: pyOCD reads it back" cmp "$WORK/$part.bin" "$WORK/$part.back.bin"
    "${STPROG_BUILD}/stprog" --probe "$spec" read 0x08000000 6000 -o "$WORK/$part.stprog.bin" \
        >/dev/null 2>&1
    check "$part: stprog reads what pyOCD wrote" cmp "$WORK/$part.bin" "$WORK/$part.stprog.bin"
done
finish
