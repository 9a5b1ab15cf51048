# With state=FILE, what one tool wrote another reads back (separate processes, one board).
. "$(dirname "$0")/lib.sh"

img=$(image_for f407)
size=$(stat -c %s "$img")
spec="sim:stm32f407vg,state=$WORK/board.state"

openocd_sim "$spec" stm32f4x.cfg "program $img 0x08000000 verify exit"
check "openocd programs" [ $? -eq 0 ]
sim "$spec" st-flash read "$WORK/back.bin" 0x8000000 "$size"
check "st-flash reads what openocd wrote" cmp "$img" "$WORK/back.bin"

head -c 3000 <(yes "second image" | tr -d '\n') >"$WORK/second.bin"
sim "$spec" st-flash write "$WORK/second.bin" 0x8004000
check "st-flash writes sector 1" [ $? -eq 0 ]
openocd_sim "$spec" stm32f4x.cfg "init; reset halt; dump_image $WORK/dump.bin 0x08004000 3000; exit"
check "openocd dumps" [ $? -eq 0 ]
check "openocd reads what st-flash wrote" cmp "$WORK/second.bin" "$WORK/dump.bin"
sim "$spec" st-flash read "$WORK/back2.bin" 0x8000000 "$size"
check "sector 0 kept across tools" cmp "$img" "$WORK/back2.bin"
finish
