# F0 and F3 against tools we did not write, through the shim: OpenOCD 0.12 (target/
# stm32f0x.cfg, stm32f3x.cfg: its stm32f1x flash driver) writes and verifies a random image
# and stprog reads back the same bytes over the same board state; stprog writes another and
# OpenOCD's verify_image and dump_image agree; OpenOCD's "stm32f1x lock" sets RDP level 1
# (0x00 at 0x1FFFF800), stprog reads level 1 and takes it back to 0 with --unlock; st-flash
# (stlink-tools 1.7) writes, reads back and erases.
. "$(dirname "$0")/lib.sh"
STPROG="$STPROG_BUILD/stprog"

while read -r part cfg kb; do
    state="$WORK/$part.state"
    spec="sim:$part,state=$state"
    head -c 24576 /dev/urandom >"$WORK/a.bin"
    openocd_sim "$spec" "$cfg" "program $WORK/a.bin 0x08000000 verify reset exit"
    check "$part: openocd program exits 0" [ $? -eq 0 ]
    check "$part: openocd reports Verified OK" out_has "Verified OK"
    "$STPROG" --probe "$spec" read 0x08000000 24576 -o "$WORK/a_back.bin" >/dev/null 2>&1
    check "$part: stprog reads what openocd wrote" cmp "$WORK/a.bin" "$WORK/a_back.bin"

    head -c 30000 /dev/urandom >"$WORK/b.bin"
    "$STPROG" --probe "$spec" write "$WORK/b.bin" >"$WORK/w.out" 2>&1
    check "$part: stprog writes" [ $? -eq 0 ]
    openocd_sim "$spec" "$cfg" "init; reset halt; verify_image $WORK/b.bin 0x08000000" \
        "dump_image $WORK/b_back.bin 0x08000000 30000; exit"
    check "$part: openocd verifies what stprog wrote" [ $? -eq 0 ]
    check "$part: openocd dumps the same bytes" cmp "$WORK/b.bin" "$WORK/b_back.bin"

    openocd_sim "$spec" "$cfg" "init; reset halt; stm32f1x lock 0; exit"
    check "$part: openocd stm32f1x lock" [ $? -eq 0 ]
    "$STPROG" --probe "$spec" option-bytes --json >"$WORK/ob.json" 2>/dev/null
    check "$part: stprog reads RDP level 1 after openocd's lock" \
        python3 -c "import json,sys; sys.exit(json.load(open('$WORK/ob.json'))['option_bytes']['rdp_level'] != 1)"
    "$STPROG" --probe "$spec" option-bytes set rdp=0 --unlock >/dev/null 2>&1
    check "$part: stprog rdp=0 --unlock" [ $? -eq 0 ]
    "$STPROG" --probe "$spec" blank-check >/dev/null 2>&1
    check "$part: blank after the regression" [ $? -eq 0 ]

    sim "$spec" st-flash write "$WORK/a.bin" 0x8000000
    check "$part: st-flash write succeeds" [ $? -eq 0 ]
    sim "$spec" st-flash read "$WORK/s_back.bin" 0x8000000 24576
    check "$part: st-flash reads back the image" cmp "$WORK/a.bin" "$WORK/s_back.bin"
    "$STPROG" --probe "$spec" verify "$WORK/a.bin" >/dev/null 2>&1
    check "$part: stprog verifies what st-flash wrote" [ $? -eq 0 ]
    sim "$spec" st-flash erase
    check "$part: st-flash erase succeeds" [ $? -eq 0 ]
    "$STPROG" --probe "$spec" blank-check >/dev/null 2>&1
    check "$part: stprog finds the flash blank after st-flash erase" [ $? -eq 0 ]
done <<'TABLE'
stm32f072rb stm32f0x.cfg 128
stm32f303re stm32f3x.cfg 512
TABLE
finish
