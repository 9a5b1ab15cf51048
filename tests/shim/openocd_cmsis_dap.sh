# OpenOCD 0.12's own CMSIS-DAP driver (interface/cmsis-dap.cfg, `cmsis_dap_backend
# usb_bulk`: the v2 probe's bulk endpoints through libusb) against the virtual CMSIS-DAP v2
# probe: it programs and verifies, stprog reads back the same bytes; then stprog programs
# another image and OpenOCD's verify_image agrees. Debian's OpenOCD reaches v1 (HID) probes
# through hidapi-hidraw (/dev/hidraw*), not libusb, so the shim cannot serve it the v1 model.
. "$(dirname "$0")/lib.sh"

openocd_dap() { # openocd_dap SPEC TARGETCFG COMMAND...
    local spec="$1" cfg="$2"
    shift 2
    local cmds=()
    for c in "$@"; do cmds+=(-c "$c"); done
    sim "$spec" openocd -c "gdb_port disabled" -c "tcl_port disabled" -c "telnet_port disabled" \
        -f interface/cmsis-dap.cfg -c "cmsis_dap_backend usb_bulk" -f "target/$cfg" "${cmds[@]}"
}

while read -r part cfg; do
    spec="sim:$part,probe=cmsis-dap,state=$WORK/$part.state"
    head -c 20000 <(yes "openocd cmsis-dap $part" | tr -d '\n') >"$WORK/$part.a.bin"
    openocd_dap "$spec" "$cfg" "program $WORK/$part.a.bin 0x08000000 verify reset exit"
    check "$part: openocd cmsis-dap program exits 0" [ $? -eq 0 ]
    check "$part: OpenOCD talks CMSIS-DAP to it" out_has "CMSIS-DAP: Interface ready"
    check "$part: Verified OK" out_has "Verified OK"
    "$STPROG_BUILD/stprog" --probe "$spec" read 0x08000000 20000 -o "$WORK/$part.back.bin" \
        >/dev/null 2>&1
    check "$part: stprog reads what OpenOCD wrote" cmp "$WORK/$part.a.bin" "$WORK/$part.back.bin"
    head -c 20000 <(yes "stprog cmsis-dap $part" | tr -d '\n') >"$WORK/$part.b.bin"
    "$STPROG_BUILD/stprog" --probe "$spec" write "$WORK/$part.b.bin" --addr 0x08000000 \
        >/dev/null 2>&1
    check "$part: stprog writes over the virtual CMSIS-DAP" [ $? -eq 0 ]
    openocd_dap "$spec" "$cfg" "init" "reset halt" "verify_image $WORK/$part.b.bin 0x08000000" \
        "shutdown"
    check "$part: OpenOCD verifies what stprog wrote" out_has "verified 20000 bytes"
done <<'TABLE'
stm32f407vg stm32f4x.cfg
stm32f103rb stm32f1x.cfg
stm32l476rg stm32l4x.cfg
TABLE
finish
