#!/bin/bash
# STM32_Programmer_CLI's command line over the ROM bootloader (-c port=/dev/ttyX br=BAUD
# P=NONE) on the pty of `stprog sim-serve`: download with verify, words read back, erase
# all, start. (A Linux pty keeps no parity, so P=NONE.)
. "$(dirname "$0")/lib.sh"
EX="$STPROG_BUILD/examples"
mkdir -p "$WORK/bin"
CUBE="$WORK/bin/STM32_Programmer_CLI"
ln -s "$STPROG" "$CUBE"
cube() { timeout 120 "$CUBE" -c "port=$TTY" br=115200 P=NONE "$@" >"$WORK/c.out" 2>&1; }

for pair in stm32f103c8:blinky_f103.bin stm32f407vg:blinky_f407.bin; do
    IFS=: read -r part fw <<<"$pair"
    serve "sim:$part,boot0=1"
    cube -w "$EX/$fw" 0x08000000 -v || fail "$part: -w -v over the bootloader: $(cat "$WORK/c.out")"
    grep -q verified "$WORK/c.out" || fail "$part: not verified: $(cat "$WORK/c.out")"
    cube -r32 0x08000000 8 || fail "$part: -r32: $(cat "$WORK/c.out")"
    want=$(od -An -tx4 -N8 "$EX/$fw" | tr 'a-f' 'A-F' | xargs)
    got=$(sed -n 's/^0x08000000 : //p' "$WORK/c.out" | xargs)
    [ "$got" = "$want" ] || fail "$part: -r32 printed '$got', expected '$want'"
    cube -e all || fail "$part: -e all: $(cat "$WORK/c.out")"
    "$STPROG" --probe "uart:$TTY,parity=none" blank-check >"$WORK/b.out" 2>&1 ||
        fail "$part: not blank after -e all: $(cat "$WORK/b.out")"
    cube -w "$EX/$fw" 0x08000000 -s 0x08000000 || fail "$part: -w -s: $(cat "$WORK/c.out")"
    stop_serve
done
finish
