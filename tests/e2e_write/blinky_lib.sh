# The example firmware running on its virtual board (sourced): check_blinky PART FW GPIOA
# [STATE] (the board's state file name, default PART) writes blinky_<chip>.elf, verifies it,
# resets, and then sees what only the running firmware does: blink_delay (.data, 200000)
# copied into SRAM by the reset handler, PA5 (the Nucleo's green LED) an output in
# GPIOA_MODER, and the LED on in GPIOA_ODR. The same reads on the blank board first show
# none of it.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"
EX="$STPROG_BUILD/examples"
NM=$(command -v arm-none-eabi-nm || true)

# word ADDR: one 32-bit little-endian word read from the board into $WORD (decimal)
word() {
    run --probe "$BOARD" read "$1" 4 -o "$TMP/w.bin"
    expect_rc 0 "$PART: read $1"
    WORD=$(od -An -tu4 "$TMP/w.bin" | tr -d ' \n')
}

check_blinky() {
    PART=$1
    local fw=$2 gpioa=$3 state=${4:-$1}
    BOARD="sim:$PART,state=$TMP/$state.state"
    local elf="$EX/$fw.elf"
    [ -f "$elf" ] || { fail "example firmware $elf was not built"; return; }
    local delay_addr=0x20000000
    if [ -n "$NM" ]; then
        delay_addr=0x$("$NM" "$elf" | awk '$3 == "blink_delay" { print $1 }')
    fi

    # blank board: the reset handler has nothing to copy, GPIOA is untouched
    word "$delay_addr"
    [ "$WORD" != 200000 ] || fail "$PART: blink_delay already 200000 before any firmware"
    word "$gpioa"
    [ $(((WORD >> 10) & 3)) -ne 1 ] || fail "$PART: PA5 already an output before any firmware"

    run --probe "$BOARD" write "$elf" --json
    expect_rc 0 "$PART: write $fw.elf"
    expect_json '.programmed and .verified' "$PART: programmed and verified"
    run --probe "$BOARD" verify "$elf"
    expect_rc 0 "$PART: verify $fw.elf"
    run --probe "$BOARD" reset --json
    expect_rc 0 "$PART: reset"
    expect_json '.halted == false' "$PART: running after the reset"

    word "$delay_addr"
    [ "$WORD" = 200000 ] || fail "$PART: blink_delay at $delay_addr is $WORD, not 200000 (.data not copied: the firmware did not run)"
    word "$gpioa"
    [ $(((WORD >> 10) & 3)) -eq 1 ] ||
        fail "$PART: GPIOA_MODER $(printf 0x%08X "$WORD"): PA5 is not an output"
    word $((gpioa + 0x14))
    [ $((WORD & 0x20)) -ne 0 ] || fail "$PART: GPIOA_ODR $(printf 0x%08X "$WORD"): LED (PA5) off"
}

