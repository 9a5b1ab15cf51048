# st-flash (stlink-tools 1.7): write the example firmware, read it back identical, erase
# leaves the flash blank. Each st-flash run is a new process: the board persists in state=.
. "$(dirname "$0")/lib.sh"

blank_of() { head -c "$1" /dev/zero | tr '\0' '\377'; }

while read -r part chip probe flash; do
    img=$(image_for "$chip")
    size=$(stat -c %s "$img")
    spec="sim:$part,probe=$probe,state=$WORK/$part.state"
    sim "$spec" st-flash write "$img" 0x8000000
    check "$part: st-flash write succeeds" [ $? -eq 0 ]
    sim "$spec" st-flash read "$WORK/back.bin" 0x8000000 "$size"
    check "$part: st-flash read succeeds" [ $? -eq 0 ]
    check "$part: read back equals the image" cmp "$img" "$WORK/back.bin"
    sim "$spec" st-flash erase
    check "$part: st-flash erase succeeds" [ $? -eq 0 ]
    sim "$spec" st-flash read "$WORK/blank.bin" 0x8000000 "$flash"
    check "$part: read of the whole flash after erase succeeds" [ $? -eq 0 ]
    check "$part: the whole flash is blank after erase" cmp <(blank_of "$flash") "$WORK/blank.bin"
done <<'TABLE'
stm32f103c8 f103 v2 65536
stm32f407vg f407 v2-1 1048576
stm32f411re f411 v3 524288
stm32f767zi f767 v3 2097152
TABLE
finish
