#!/bin/bash
# End-to-end: `stprog image` on a firmware built here with arm-none-eabi-gcc (two segments,
# entry point), its objcopy/srec_cat conversions, conversion by -o, and bad files.
set -e
. "$(dirname "$0")/lib.sh"
cd "$TMP"

# A tiny Cortex-M4 firmware: vectors + code at 0x08000000, a string at 0x08004000.
cat >fw.s <<'ASM'
    .syntax unified
    .cpu cortex-m4
    .thumb
    .section .vectors, "a"
    .word 0x20001000
    .word reset
    .text
    .thumb_func
    .global reset
reset:
    b reset
    .section .extra, "a"
    .ascii "stprog image test"
ASM
cat >fw.ld <<'LD'
ENTRY(reset)
SECTIONS
{
    .text 0x08000000 : { *(.vectors) *(.text) }
    .extra 0x08004000 : { *(.extra) }
}
LD
arm-none-eabi-gcc -mcpu=cortex-m4 -mthumb -nostdlib -T fw.ld fw.s -o fw.elf
arm-none-eabi-objcopy -O ihex fw.elf fw.hex
arm-none-eabi-objcopy -O srec fw.elf fw.srec
arm-none-eabi-objcopy -O binary -j .text fw.elf fw-text.bin
arm-none-eabi-objcopy -O binary -j .extra fw.elf fw-extra.bin

# CRC-32 (zlib) of a file, from the gzip trailer, as a decimal number.
crc32() { gzip -c "$1" | tail -c 8 | od -An -tu4 -N4 | tr -d ' '; }
size() { stat -c %s "$1"; }
entry=$(arm-none-eabi-readelf -h fw.elf | sed -n 's/.*Entry point address: *//p')
[ -n "$entry" ] || fail "readelf gave no entry point"

text_size=$(size fw-text.bin) text_crc=$(crc32 fw-text.bin)
extra_size=$(size fw-extra.bin) extra_crc=$(crc32 fw-extra.bin)

for f in fw.elf fw.hex fw.srec; do
    run image "$f" --json
    expect_rc 0 "image $f"
    expect_json ".command == \"image\" and .status == \"ok\" and .findings == [] and .file == \"$f\"" "$f"
    expect_json ".segments | length == 2" "$f segment count"
    expect_json ".segments[0] == {start: 134217728, end: $((0x08000000 + text_size)), size: $text_size, crc32: $text_crc}" "$f segment 0"
    expect_json ".segments[1] == {start: 134234112, end: $((0x08004000 + extra_size)), size: $extra_size, crc32: $extra_crc}" "$f segment 1"
    expect_json ".total_bytes == $((text_size + extra_size))" "$f total"
done
run image fw.elf --json
expect_json ".format == \"elf\" and .entry == $((entry))" "elf format and entry"
run image fw.hex --json
expect_json '.format == "ihex"' "hex format"
run image fw.srec --json
expect_json '.format == "srec"' "srec format"

# For people: the summary line and one line per segment.
run image fw.elf
expect_rc 0 "image for people"
expect_out "fw.elf: ELF, 2 segments" "image for people"
expect_out "$(printf 'entry 0x%08x' "$entry")" "image for people entry"
expect_out "$(printf '0x08000000  0x%08x  %10d  0x%08x' $((0x08000000 + text_size)) "$text_size" "$text_crc")" "segment line 0"
expect_out "$(printf '0x08004000  0x%08x  %10d  0x%08x' $((0x08004000 + extra_size)) "$extra_size" "$extra_crc")" "segment line 1"

# A raw binary at its --addr (also with the -a spelling and K suffixes not allowed for addresses).
run image fw-text.bin --addr 0x20000000 --json
expect_rc 0 "bin --addr"
expect_json ".format == \"bin\" and .segments == [{start: 536870912, end: $((0x20000000 + text_size)), size: $text_size, crc32: $text_crc}] and .entry == null" "bin --addr"
run image fw-text.bin
expect_out "0x08000000" "bin default address"
run image -a 0x08004000 fw-text.bin --format bin -q
expect_rc 0 "bin -a"
expect_out "0x08004000" "bin -a"

# Conversion by the output's extension; srec_cmp (not ours) checks the bytes.
for out in out.hex out.srec; do
    run image fw.elf -o "$out"
    expect_rc 0 "convert to $out"
    expect_out "wrote $out" "convert to $out"
    srec_cmp "$out" "$([ "$out" = out.hex ] && echo -intel || echo -motorola)" fw.hex -intel ||
        fail "srec_cmp: $out differs from objcopy's fw.hex"
done
run image fw.hex --output=out.bin --json
expect_rc 0 "convert to bin"
expect_json '.output == {file: "out.bin", format: "bin", written: true}' "convert to bin"
[ "$(size out.bin)" = $((0x4000 + extra_size)) ] || fail "out.bin has $(size out.bin) bytes"
cmp -n "$text_size" out.bin fw-text.bin || fail "out.bin does not start with .text"
run image fw.elf -o out.txt
expect_rc 2 "unknown output extension"
expect_err "cannot tell the output format from 'out.txt'" "unknown output extension"
[ ! -e out.txt ] || fail "out.txt was written"
run image fw.elf --format zip
expect_rc 2 "bad --format"
expect_err "bad value for --format: 'zip'" "bad --format"

# The project's example firmware in all four formats: the same bytes at the same addresses.
EX="$STPROG_BUILD/examples/blinky_f407"
for e in elf hex bin srec; do
    [ -s "$EX.$e" ] || fail "example firmware $EX.$e is missing (built by examples/)"
done
blinky_entry=$(arm-none-eabi-readelf -h "$EX.elf" | sed -n 's/.*Entry point address: *//p')
blinky_size=$(size "$EX.bin")
blinky_crc=$(crc32 "$EX.bin")
for e in elf hex srec bin; do
    run image "$EX.$e" --json
    expect_rc 0 "blinky_f407.$e"
    expect_json ".segments == [{start: 134217728, end: $((0x08000000 + blinky_size)), size: $blinky_size, crc32: $blinky_crc}]" "blinky_f407.$e segments"
    if [ "$e" = bin ]; then
        expect_json '.entry == null and .format == "bin"' "blinky_f407.bin entry"
    else
        expect_json ".entry == $((blinky_entry))" "blinky_f407.$e entry"
    fi
done
run image "$EX.elf"
expect_out "blinky_f407.elf: ELF, 1 segment, " "blinky for people"
expect_out "($blinky_size bytes), entry $(printf '0x%08x' "$blinky_entry")" "blinky for people"

# Bad files: exit 2, the message names the file and the line.
sed '2s/[0-9A-F][0-9A-F]\(\r\?\)$/00\1/' fw.hex >bad.hex
cmp -s bad.hex fw.hex && sed -i '2s/[0-9A-F][0-9A-F]\(\r\?\)$/01\1/' bad.hex
cmp -s bad.hex fw.hex && fail "bad.hex was not changed"
run image bad.hex
expect_rc 2 "bad checksum"
expect_err "bad.hex:2" "bad checksum"
expect_err "checksum" "bad checksum"
expect_err "stprog: image failed: malformed input" "bad checksum"
expect_no_out "bad checksum"
run image bad.hex --json
expect_rc 2 "bad checksum --json"
expect_json '.status == "format" and .exit_code == 2 and (.findings | length >= 1) and (.findings[0].message | contains("bad.hex:2")) and .findings[0].severity == "error"' "bad checksum --json"

sed '3s/[0-9A-F]\(\r\?\)$/\1/' fw.srec >odd.srec
cmp -s odd.srec fw.srec && fail "odd.srec was not changed"
run image odd.srec
expect_rc 2 "odd digits"
expect_err "odd.srec:3" "odd digits"

: >empty.hex
run image empty.hex
expect_rc 2 "empty file"
expect_err "empty.hex" "empty file"

head -c 80 fw.elf >cut.elf
run image cut.elf
expect_rc 2 "truncated ELF"
expect_err "cut.elf" "truncated ELF"

run image missing.hex
expect_rc 2 "missing file"
expect_err "missing.hex" "missing file"
run -q image missing.hex
expect_rc 2 "missing file -q"
expect_err "missing.hex" "missing file -q: the error is still shown"
expect_no_out "missing file -q"

finish
