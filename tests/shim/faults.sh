# Faults of the board spec seen from outside by unmodified tools.
. "$(dirname "$0")/lib.sh"

img=$(image_for f407)
size=$(stat -c %s "$img")

# A dead core at 0.5 V: the debug port answers, nothing else works.
sim "sim:stm32f407vg,vdd=0.5,supply=dead-core" st-flash write "$img" 0x8000000
check "dead core: st-flash write fails" [ $? -ne 0 ]

# RDP level 1: debug reads of flash fail (the unlock is in rdp_unlock.sh).
state="$WORK/rdp.state"
sim "sim:stm32f407vg,state=$state" st-flash write "$img" 0x8000000
check "rdp: firmware written" [ $? -eq 0 ]
sim "sim:stm32f407vg,state=$state,rdp=1" st-flash read "$WORK/rdp.bin" 0x8000000 "$size"
rc=$?
if [ $rc -ne 0 ] || ! cmp -s "$img" "$WORK/rdp.bin"; then
    pass "rdp=1: st-flash read fails (rc $rc) or does not get the firmware"
else
    fail "rdp=1: st-flash read returned the protected firmware"
fi
# Noisy wiring: fine at 480 kHz, errors or wrong data at 4 MHz.
spec="sim:stm32f407vg,swd-max-khz=500,seed=7"
sim "$spec,state=$WORK/slow.state" st-flash --freq=480 write "$img" 0x8000000
check "swd-max-khz=500: st-flash at 480 kHz writes" [ $? -eq 0 ]
sim "$spec,state=$WORK/slow.state" st-flash --freq=480 read "$WORK/slow.bin" 0x8000000 "$size"
check "swd-max-khz=500: read at 480 kHz is exact" cmp "$img" "$WORK/slow.bin"
sim "$spec,state=$WORK/fast.state" st-flash --freq=4000 write "$img" 0x8000000
rc=$?
sim "$spec,state=$WORK/fast.state" st-flash --freq=4000 read "$WORK/fast.bin" 0x8000000 "$size"
rc2=$?
if [ $rc -ne 0 ] || [ $rc2 -ne 0 ] || ! cmp -s "$img" "$WORK/fast.bin"; then
    pass "swd-max-khz=500: st-flash at 4 MHz sees errors or wrong data (write rc $rc, read rc $rc2)"
else
    fail "swd-max-khz=500: st-flash at 4 MHz worked cleanly"
fi
finish
