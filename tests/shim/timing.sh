# Virtual seconds for st-flash and OpenOCD writing the same 512 KiB image to the F407 board,
# from STPROG_SIM_REPORT (printed for the test log).
. "$(dirname "$0")/lib.sh"

img="$WORK/image512k.bin"
head -c 524288 <(yes "stprog timing image 0123456789abcdef" | tr -d '\n') >"$img"

STPROG_SIM_REPORT="$WORK/stflash.json" sim "sim:stm32f407vg,state=$WORK/a.state" \
    st-flash write "$img" 0x8000000
check "st-flash writes 512 KiB" [ $? -eq 0 ]
STPROG_SIM_REPORT="$WORK/openocd.json" openocd_sim "sim:stm32f407vg,state=$WORK/b.state" \
    stm32f4x.cfg "program $img 0x08000000 exit"
check "openocd writes 512 KiB" [ $? -eq 0 ]
STPROG_SIM_REPORT="$WORK/openocd_verify.json" openocd_sim "sim:stm32f407vg,state=$WORK/c.state" \
    stm32f4x.cfg "program $img 0x08000000 verify exit"
check "openocd writes and verifies 512 KiB" [ $? -eq 0 ]

# st-flash always reads back what it wrote; "openocd" is program only, "openocd_verify"
# adds OpenOCD's verify (CRC on the target, read-back if that fails).
for tool in stflash openocd openocd_verify; do
    r="$WORK/$tool.json"
    if [ -f "$r" ] && jq -e '.virtual_seconds > 0' "$r" >/dev/null; then
        printf 'VIRTUAL-TIME %-14s 512 KiB to F407: %s s virtual, %s USB transfers, %s bytes out, %s bytes in, %s erases, %s programs\n' \
            "$tool" "$(jq .virtual_seconds "$r")" "$(jq .usb_transfers "$r")" \
            "$(jq .bytes_out "$r")" "$(jq .bytes_in "$r")" "$(jq .flash_erases "$r")" \
            "$(jq .flash_programs "$r")"
        pass "$tool report has virtual_seconds"
    else
        fail "$tool report missing or without virtual_seconds"
    fi
done
finish
