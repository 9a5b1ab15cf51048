# RDP level 1, then OpenOCD's "stm32f2x unlock 0" and a power cycle: the regression to
# level 0 mass-erases the flash, which is readable again.
. "$(dirname "$0")/lib.sh"

img=$(image_for f407)
size=$(stat -c %s "$img")
state="$WORK/rdp.state"
sim "sim:stm32f407vg,state=$state" st-flash write "$img" 0x8000000
check "firmware written" [ $? -eq 0 ]
sim "sim:stm32f407vg,state=$state,rdp=1" st-flash read "$WORK/rdp.bin" 0x8000000 "$size"
if cmp -s "$img" "$WORK/rdp.bin"; then
    fail "rdp=1: st-flash read returned the protected firmware"
else
    pass "rdp=1: st-flash does not get the firmware"
fi
openocd_sim "sim:stm32f407vg,state=$state" stm32f4x.cfg "init" "reset halt" "stm32f2x unlock 0" \
    "exit"
check "openocd stm32f2x unlock 0 exits 0" [ $? -eq 0 ]
check "openocd reports the unlock" out_has "stm32f2x unlocked"
# power cycle = a new process on the same state file
sim "sim:stm32f407vg,state=$state" st-flash read "$WORK/after.bin" 0x8000000 "$size"
check "readable after unlock + power cycle" [ $? -eq 0 ]
check "the regression to level 0 mass-erased the flash" \
    cmp <(head -c "$size" /dev/zero | tr '\0' '\377') "$WORK/after.bin"
finish
