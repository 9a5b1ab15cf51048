# OpenOCD 0.12 in "dap direct" mode (interface/stlink-dap.cfg: DAP register commands,
# RW_MISC batches, memory commands with AP number) programs and verifies the example firmware
# on each probe kind.
. "$(dirname "$0")/lib.sh"

while read -r part chip cfg probe dpidr; do
    img=$(image_for "$chip")
    spec="sim:$part,probe=$probe,state=$WORK/$part.state"
    sim "$spec" openocd -c "gdb_port disabled" -c "tcl_port disabled" -c "telnet_port disabled" \
        -f interface/stlink-dap.cfg -f "target/$cfg" -c "program $img 0x08000000 verify reset exit"
    check "$part ($probe): openocd dap-direct program exits 0" [ $? -eq 0 ]
    check "$part ($probe): the SW-DP answers" out_has "SWD DPIDR $dpidr"
    check "$part ($probe): Verified OK" out_has "Verified OK"
    sim "$spec" st-flash read "$WORK/back.bin" 0x8000000 "$(stat -c %s "$img")"
    check "$part ($probe): st-flash reads back what dap-direct OpenOCD wrote" cmp "$img" "$WORK/back.bin"
done <<'TABLE'
stm32f407vg f407 stm32f4x.cfg v2-1 0x2ba01477
stm32f767zi f767 stm32f7x.cfg v3 0x5ba02477
stm32f103c8 f103 stm32f1x.cfg v2 0x1ba01477
TABLE
finish
