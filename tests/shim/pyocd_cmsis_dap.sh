# pyOCD (Debian python3-pyocd 0.13) through its own CMSIS-DAP driver against the virtual
# CMSIS-DAP v1 probe (HID reports over libusb through pyusb; pyOCD 0.13 has no v2 bulk
# backend): it programs and reads back an F103, stprog reads the same bytes; stprog writes
# another image and pyOCD reads it. pyOCD keeps an IN transfer pending on a reader thread
# while its main thread sends commands (the shim's reader_in).
. "$(dirname "$0")/lib.sh"

for tool in pyocd-flashtool pyocd-tool; do
    if ! command -v "$tool" >/dev/null; then
        echo "SKIP: $tool not installed (Debian python3-pyocd)"
        exit 77
    fi
done
mkdir -p "$WORK/lib"
ln -s "$SHIM" "$WORK/lib/libusb-1.0.so.0"

pyocd_sim() { # pyocd_sim SPEC CMD...: CMD with the shim as libusb; output in $WORK/out
    local spec="$1"
    shift
    echo "+ STPROG_SIM=$spec $*" >&2
    STPROG_SIM="$spec" LD_LIBRARY_PATH="$WORK/lib" timeout 600 "$@" >"$WORK/out" 2>&1
    local rc=$?
    sed 's/^/    /' "$WORK/out" | tail -n 15 >&2
    return $rc
}

part=stm32f103rc
spec="sim:$part,probe=cmsis-dap-v1,state=$WORK/$part.state"
head -c 2048 <(yes "pyocd cmsis-dap v1" | tr -d '\n') >"$WORK/a.bin"
pyocd_sim "$spec" pyocd-flashtool -t "$part" "$WORK/a.bin"
check "pyOCD programs through the virtual CMSIS-DAP v1" [ $? -eq 0 ]
check "pyOCD used the CMSIS-DAP probe" grep -q "0D28020400DAP0001\|Programmed 2048 bytes" "$WORK/out"
"$STPROG_BUILD/stprog" --probe "$spec" read 0x08000000 2048 -o "$WORK/a.back.bin" >/dev/null 2>&1
check "stprog reads what pyOCD wrote" cmp "$WORK/a.bin" "$WORK/a.back.bin"
head -c 2048 <(yes "stprog cmsis-dap v1" | tr -d '\n') >"$WORK/b.bin"
"$STPROG_BUILD/stprog" --probe "$spec" write "$WORK/b.bin" --addr 0x08000000 >/dev/null 2>&1
check "stprog writes over the virtual CMSIS-DAP v1" [ $? -eq 0 ]
pyocd_sim "$spec" pyocd-tool -t "$part" savemem 0x08000000 2048 "$WORK/b.back.bin"
check "pyOCD reads what stprog wrote" cmp "$WORK/b.bin" "$WORK/b.back.bin"
finish
