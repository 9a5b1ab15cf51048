# STM32L0 against tools we did not write, through the shim: OpenOCD 0.12 (target/stm32l0.cfg;
# target/stm32l0_dual_bank.cfg on the cat. 5 stm32l073rz, bank 2 at 0x08018000) programs and
# verifies an image and stprog reads back the same bytes; stprog writes another and OpenOCD's
# verify_image passes, a changed byte fails it. st-flash (1.7) writes, stprog reads the same
# bytes, and the reverse. The board persists between the processes in its state file.
. "$(dirname "$0")/lib.sh"

STPROG="$STPROG_BUILD/stprog"

while read -r part cfg size probe; do
    spec="sim:$part,probe=$probe,state=$WORK/$part.state"
    head -c "$size" /dev/urandom >"$WORK/a.bin"
    head -c "$size" /dev/urandom >"$WORK/b.bin"
    openocd_sim "$spec" "$cfg" "program $WORK/a.bin 0x08000000 verify reset exit"
    check "$part: openocd ($cfg) program + verify exits 0" [ $? -eq 0 ]
    check "$part: openocd reports Verified OK" out_has "Verified OK"
    "$STPROG" --probe "sim:$part,state=$WORK/$part.state" read 0x08000000 "$size" \
        -o "$WORK/back.bin" >"$WORK/r.out" 2>&1
    check "$part: stprog reads what openocd wrote" cmp "$WORK/a.bin" "$WORK/back.bin"
    "$STPROG" --probe "sim:$part,state=$WORK/$part.state" write "$WORK/b.bin" >"$WORK/w.out" 2>&1
    check "$part: stprog writes over it" [ $? -eq 0 ]
    openocd_sim "$spec" "$cfg" "init; reset halt; verify_image $WORK/b.bin 0x08000000; exit"
    check "$part: openocd verify_image of what stprog wrote passes" [ $? -eq 0 ]
    openocd_sim "$spec" "$cfg" "init; reset halt; verify_image $WORK/a.bin 0x08000000; exit"
    check "$part: openocd verify_image of the old image fails" [ $? -ne 0 ]
done <<'TABLE'
stm32l053r8 stm32l0.cfg 20480 v2-1
stm32l011k4 stm32l0.cfg 12288 v2
stm32l073rz stm32l0_dual_bank.cfg 131072 v2-1
TABLE

# st-flash (stlink-tools 1.7 knows the L0 categories): write, read back by stprog; stprog
# writes, st-flash reads the same bytes.
part=stm32l053r8
spec="sim:$part,probe=v2-1,state=$WORK/sf.state"
head -c 24576 /dev/urandom >"$WORK/c.bin"
head -c 24576 /dev/urandom >"$WORK/d.bin"
sim "$spec" st-flash write "$WORK/c.bin" 0x8000000
check "$part: st-flash write succeeds" [ $? -eq 0 ]
"$STPROG" --probe "sim:$part,state=$WORK/sf.state" read 0x08000000 24576 -o "$WORK/back.bin" \
    >/dev/null 2>&1
check "$part: stprog reads what st-flash wrote" cmp "$WORK/c.bin" "$WORK/back.bin"
"$STPROG" --probe "sim:$part,state=$WORK/sf.state" write "$WORK/d.bin" >/dev/null 2>&1
check "$part: stprog writes over it" [ $? -eq 0 ]
sim "$spec" st-flash read "$WORK/back2.bin" 0x8000000 24576
check "$part: st-flash read succeeds" [ $? -eq 0 ]
check "$part: st-flash reads what stprog wrote" cmp "$WORK/d.bin" "$WORK/back2.bin"
finish
