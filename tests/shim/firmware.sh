# Older ST-Link firmware: the tools read the version and keep to what it has (no 16-bit
# access before J26, no AP init before J28, no SWD clock setting before J22, no
# GETLASTRWSTATUS2 before J15); with the model's gates they never send a command the
# firmware lacks, and still program and read.
. "$(dirname "$0")/lib.sh"

img=$(image_for f407)
size=$(stat -c %s "$img")
export STPROG_SIM_TRACE=1 # the model names every command it has no answer for
for fw in V2J25S7 V2J21S4 V2J14S0; do
    spec="sim:stm32f407vg,probe=v2,fw=$fw,state=$WORK/$fw.state"
    openocd_sim "$spec" stm32f4x.cfg "program $img 0x08000000 verify reset exit"
    check "$fw: openocd sees the version" out_has "STLINK $fw (API v2)"
    check "$fw: the model traced the session" out_has "stprog-usbsim: .* cmd F2 "
    check "$fw: openocd programs and verifies" out_has "Verified OK"
    check "$fw: openocd sends nothing the firmware lacks" eval '! out_has "unsupported"'
    sim "$spec" st-flash read "$WORK/back.bin" 0x8000000 "$size"
    check "$fw: st-flash reads back" cmp "$img" "$WORK/back.bin"
    check "$fw: st-flash sends nothing the firmware lacks" eval '! out_has "unsupported"'
done
finish
