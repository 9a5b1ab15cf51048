#!/bin/bash
# stprog over the ROM bootloader (--probe uart:PTY from `stprog sim-serve`): the example
# firmware written, verified and read back on F103 and F407 with the virtual time at
# 115200 baud next to stm32flash's; what one tool writes the other reads; go.
. "$(dirname "$0")/lib.sh"

EX="$STPROG_BUILD/examples"
uart() { "$STPROG" --probe "uart:$TTY" "$@"; }

for pair in stm32f103c8:blinky_f103.bin stm32f407vg:blinky_f407.bin; do
    IFS=: read -r part fw <<<"$pair"
    img="$EX/$fw"
    [ -f "$img" ] || { fail "no example firmware $img"; continue; }
    size=$(stat -c %s "$img")

    # info: what the bootloader tells (Get, Get ID) and what Read Memory shows.
    serve "sim:$part,boot0=1"
    uart info >"$WORK/i.out" 2>&1 || fail "$part: info over uart: $(cat "$WORK/i.out")"
    pid=$([ "$part" = stm32f407vg ] && echo 0x413 || echo 0x410)
    ver=$([ "$part" = stm32f407vg ] && echo 3.1 || echo 2.2)
    for want in "probe:          uart, firmware bootloader $ver" "device ID $pid" \
        "target voltage: not measured" "read protection: level 0"; do
        grep -qF "$want" "$WORK/i.out" || fail "$part: info lacks '$want': $(cat "$WORK/i.out")"
    done
    "$STPROG" --probe "uart:$TTY" --json info >"$WORK/i.json" 2>/dev/null
    jq -e ".status == \"ok\"" "$WORK/i.json" >/dev/null || fail "$part: info --json: $(cat "$WORK/i.json")"

    # stprog: write (plan, erase, program, verify), then read back.
    serve "sim:$part,boot0=1" "$WORK/stprog.json"
    uart write "$img" >"$WORK/w.out" 2>&1 || fail "$part: stprog write over uart: $(cat "$WORK/w.out")"
    grep -q "verified" "$WORK/w.out" || fail "$part: write did not verify: $(cat "$WORK/w.out")"
    stop_serve
    serve "sim:$part,boot0=1"
    uart write "$img" >/dev/null 2>&1 # same image again: every sector skipped
    uart verify "$img" >"$WORK/v.out" 2>&1 || fail "$part: stprog verify over uart: $(cat "$WORK/v.out")"
    uart read 0x08000000 "$size" -o "$WORK/back.bin" >/dev/null 2>&1 ||
        fail "$part: stprog read over uart"
    check "$part: stprog reads back the firmware it wrote" cmp "$img" "$WORK/back.bin"
    check "$part: stm32flash reads what stprog wrote" s32f -r "$WORK/s32.bin" -S "0x08000000:$size"
    check "$part: ... the same bytes" cmp "$img" "$WORK/s32.bin"
    stop_serve

    # stm32flash: the same write with verify on a fresh board.
    serve "sim:$part,boot0=1" "$WORK/s32f.json"
    check "$part: stm32flash writes the firmware" s32f -w "$img" -v
    stop_serve

    t_stprog=$(json_field "$WORK/stprog.json" virtual_seconds)
    t_s32f=$(json_field "$WORK/s32f.json" virtual_seconds)
    echo "TIMING $part $fw ($size B) at 115200 baud, virtual seconds: stprog write+verify $t_stprog, stm32flash -w -v $t_s32f"
    # The clock charged at least the line time of every byte that crossed (11 bits each).
    for r in stprog s32f; do
        jq -e '.virtual_seconds >= (.bytes_in + .bytes_out) * 11 / 115200 and .bytes_out > 0' \
            "$WORK/$r.json" >/dev/null || fail "$part: $r report lacks the line time: $(cat "$WORK/$r.json")"
    done

    # stm32flash writes, stprog verifies and reads.
    serve "sim:$part,boot0=1"
    head -c 12000 /dev/urandom >"$WORK/rnd.bin"
    check "$part: stm32flash writes random data" s32f -w "$WORK/rnd.bin"
    uart verify "$WORK/rnd.bin" >/dev/null 2>&1 || fail "$part: stprog does not verify what stm32flash wrote"
    uart read 0x08000000 12000 -o "$WORK/rnd_back.bin" >/dev/null 2>&1
    check "$part: stprog reads what stm32flash wrote" cmp "$WORK/rnd.bin" "$WORK/rnd_back.bin"

    # go: the program runs and the bootloader stops answering.
    uart write "$img" >/dev/null 2>&1 || fail "$part: write before go"
    uart go 0x08000000 >"$WORK/go.out" 2>&1 || fail "$part: go: $(cat "$WORK/go.out")"
    grep -q "started the program at 0x08000000" "$WORK/go.out" || fail "$part: go said $(cat "$WORK/go.out")"
    # The next run finds the line silent. stprog recorded the Go in its state directory
    # ($XDG_STATE_HOME/stprog, lib.sh): the chip left its bootloader, not a wiring fault.
    uart info >"$WORK/gone.out" 2>&1
    [ $? -eq 3 ] && grep -q "bootloader.left" "$WORK/gone.out" ||
        fail "$part: after go: $(cat "$WORK/gone.out")"
    for want in "left its ROM bootloader" "go 0x08000000" "reset the chip with BOOT0 high" \
        "go_device: $pid" "line: silent"; do
        grep -qF "$want" "$WORK/gone.out" || fail "$part: after go, no '$want': $(cat "$WORK/gone.out")"
    done
    grep -q "TX on the chip's RX" "$WORK/gone.out" && fail "$part: after go, wiring advice: $(cat "$WORK/gone.out")"
    "$STPROG" --probe "uart:$TTY" --json info >"$WORK/gone.json" 2>/dev/null
    jq -e '.status == "no-target" and .findings[0].id == "bootloader.left"' "$WORK/gone.json" >/dev/null ||
        fail "$part: after go, --json: $(cat "$WORK/gone.json")"
    # Another state directory knows of no Go: the same silence is the wiring advice.
    XDG_STATE_HOME="$WORK/other" "$STPROG" --probe "uart:$TTY" info >"$WORK/nogo.out" 2>&1
    [ $? -eq 3 ] && grep -q "link.no-target" "$WORK/nogo.out" && grep -q "BOOT0 high" "$WORK/nogo.out" ||
        fail "$part: silent line without a recorded go: $(cat "$WORK/nogo.out")"
    # The chip reset into its bootloader (a new board on the same port) answers again and
    # the note goes; a chip that then stays silent (BOOT0 low) gets the wiring advice.
    serve "sim:$part,boot0=1"
    uart info >/dev/null 2>&1 || fail "$part: bootloader back after a reset"
    serve "sim:$part,boot0=0"
    uart info >"$WORK/low.out" 2>&1
    [ $? -eq 3 ] && grep -q "link.no-target" "$WORK/low.out" ||
        fail "$part: BOOT0 low after the go was cleared: $(cat "$WORK/low.out")"
    stop_serve
done
finish
