# OpenOCD 0.12 (interface/stlink.cfg, HLA mode) programs and verifies the example firmware;
# a deliberately corrupted image fails verify_image.
. "$(dirname "$0")/lib.sh"

while read -r part chip cfg probe; do
    img=$(image_for "$chip")
    spec="sim:$part,probe=$probe,state=$WORK/$part.state"
    openocd_sim "$spec" "$cfg" "program $img 0x08000000 verify reset exit"
    check "$part: openocd program exits 0" [ $? -eq 0 ]
    check "$part: openocd reports Verified OK" out_has "Verified OK"
    # the same image but one byte changed: verify must fail
    cp "$img" "$WORK/bad.bin"
    printf '\x5a' | dd of="$WORK/bad.bin" bs=1 seek=100 conv=notrunc status=none
    openocd_sim "$spec" "$cfg" "init; reset halt; verify_image $WORK/bad.bin 0x08000000; exit"
    check "$part: verify of a corrupted image fails" [ $? -ne 0 ]
    check "$part: openocd names the changed byte" out_has "diff 0 address 0x08000064"
    openocd_sim "$spec" "$cfg" "init; reset halt; verify_image $img 0x08000000; exit"
    check "$part: verify of the right image passes" [ $? -eq 0 ]
done <<'TABLE'
stm32f407vg f407 stm32f4x.cfg v2-1
stm32f411re f411 stm32f4x.cfg v3
stm32f103c8 f103 stm32f1x.cfg v2
TABLE
finish
