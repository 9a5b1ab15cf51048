# Faults of the board spec seen from outside by unmodified tools.
. "$(dirname "$0")/lib.sh"

img=$(image_for f407)
size=$(stat -c %s "$img")

# A dead core at 0.5 V: the debug port answers, nothing else works.
sim "sim:stm32f407vg,vdd=0.5,supply=dead-core" st-flash write "$img" 0x8000000
check "dead core: st-flash write fails" [ $? -ne 0 ]

# RDP level 1: debug reads of flash fail (unlock + power cycle: rdp_unlock.sh).
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
# Firmware that turns the SWD pins off: only connect-under-reset reaches the core, and only
# when NRST is wired.
sim "sim:stm32f407vg,firmware=swd-off" st-flash read "$WORK/x.bin" 0x8000000 16
check "swd-off: st-flash cannot connect" out_has "Can not connect to target"
sim "sim:stm32f407vg,firmware=swd-off" st-flash --connect-under-reset read "$WORK/x.bin" 0x8000000 16
check "swd-off: connect under reset works" [ $? -eq 0 ]
check "swd-off: connect under reset reads" out_has "read from address 0x08000000 size 16"
sim "sim:stm32f407vg,firmware=swd-off,nrst=unconnected" st-flash --connect-under-reset \
    read "$WORK/x.bin" 0x8000000 16
check "swd-off + nrst=unconnected: connect under reset fails" out_has "Can not connect to target"

# A clone that garbles bulk writes longer than 64 bytes: both tools' verify catches it.
sim "sim:stm32f407vg,probe-bug=corrupt-over:64" st-flash write "$img" 0x8000000
check "corrupt-over:64: st-flash write fails" [ $? -ne 0 ]
check "corrupt-over:64: st-flash's verify names it" out_has "Verification of flash failed"
openocd_sim "sim:stm32f407vg,probe-bug=corrupt-over:64" stm32f4x.cfg \
    "program $img 0x08000000 verify exit"
check "corrupt-over:64: openocd verify fails" out_has "Verify Failed"

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
