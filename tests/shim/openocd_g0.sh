# OpenOCD 0.12 (target/stm32g0x.cfg, its stm32l4x flash driver) against the G0 parts added
# for issue 15, both ways: stprog writes one image, OpenOCD programs another over it (page
# erases over written pages; on the G0B1 across the bank boundary: bank-2 pages erased with
# BKER bit 13) and verifies it, stprog verifies the same bytes; then stprog writes and
# OpenOCD's verify_image agrees (and rejects the old image). OpenOCD 0.12 does not know the
# C0 (0x443, 0x453): it must say so, not program anything. st-flash 1.7 on the G030 both
# ways.
. "$(dirname "$0")/lib.sh"
STPROG="$STPROG_BUILD/stprog"

while read -r part addr size; do
    spec="sim:$part,state=$WORK/$part.state"
    head -c "$size" /dev/urandom >"$WORK/a.bin"
    head -c "$size" /dev/urandom >"$WORK/b.bin"
    "$STPROG" --probe "$spec" write "$WORK/b.bin" --addr "$addr" >"$WORK/sout" 2>&1
    check "$part: stprog writes the first image at $addr" [ $? -eq 0 ]
    openocd_sim "$spec" stm32g0x.cfg "program $WORK/a.bin $addr verify exit"
    check "$part: openocd programs over it (exit 0)" [ $? -eq 0 ]
    check "$part: openocd reports Verified OK" out_has "Verified OK"
    "$STPROG" --probe "$spec" verify "$WORK/a.bin" --addr "$addr" >"$WORK/sout" 2>&1
    check "$part: stprog reads back OpenOCD's bytes" [ $? -eq 0 ]
    "$STPROG" --probe "$spec" write "$WORK/b.bin" --addr "$addr" >"$WORK/sout" 2>&1
    check "$part: stprog writes over OpenOCD's image" [ $? -eq 0 ]
    openocd_sim "$spec" stm32g0x.cfg "init; reset halt; verify_image $WORK/b.bin $addr; exit"
    check "$part: openocd verifies stprog's image" [ $? -eq 0 ]
    openocd_sim "$spec" stm32g0x.cfg "init; reset halt; verify_image $WORK/a.bin $addr; exit"
    check "$part: openocd rejects the old image" [ $? -ne 0 ]
done <<'TABLE'
stm32g030f6 0x08000000 20000
stm32g051k8 0x08004000 30000
stm32g0b1re 0x0803E000 16384
TABLE

# st-flash 1.7 knows the G03x/G04x (0x466), not the G05x or G0B1 ("unknown chip id"): on the
# G030 it writes over stprog's image (page erases) and stprog reads its bytes, and the reverse
spec="sim:stm32g030f6,state=$WORK/stm32g030f6.state"
head -c 6000 /dev/urandom >"$WORK/s.bin"
sim "$spec" st-flash write "$WORK/s.bin" 0x08002000
check "stm32g030f6: st-flash writes over stprog's image" [ $? -eq 0 ]
"$STPROG" --probe "$spec" verify "$WORK/s.bin" --addr 0x08002000 >"$WORK/sout" 2>&1
check "stm32g030f6: stprog reads back st-flash's bytes" [ $? -eq 0 ]
head -c 20000 /dev/urandom >"$WORK/t.bin"
"$STPROG" --probe "$spec" write "$WORK/t.bin" >"$WORK/sout" 2>&1
check "stm32g030f6: stprog writes over st-flash's image" [ $? -eq 0 ]
sim "$spec" st-flash read "$WORK/sf.bin" 0x08000000 20000
check "stm32g030f6: st-flash reads" [ $? -eq 0 ]
check "stm32g030f6: st-flash reads stprog's bytes" cmp -s "$WORK/sf.bin" "$WORK/t.bin"

spec="sim:stm32c031c6,state=$WORK/c031.state"
head -c 4096 /dev/urandom >"$WORK/c.bin"
openocd_sim "$spec" stm32g0x.cfg "program $WORK/c.bin 0x08000000 verify exit"
check "stm32c031c6: openocd 0.12 refuses the C0" [ $? -ne 0 ]
check "stm32c031c6: openocd cannot identify it" out_has "Cannot identify target"
"$STPROG" --probe "$spec" blank-check >"$WORK/sout" 2>&1
check "stm32c031c6: nothing was written" [ $? -eq 0 ]
finish
