#!/usr/bin/env bash
# Cross-check of the format readers and writers against arm-none-eabi-objcopy and srec_cat,
# on the example firmware (build/examples/blinky_*.elf):
#  1. objcopy and srec_cat produce .bin/.hex/.srec from the ELF; every reader must yield the
#     same segments (address, size, CRC-32) as the ELF reader, and the same entry point.
#  2. our writers' .bin/.hex/.srec must be read back by srec_cat into the same bytes as
#     objcopy's binary.
set -euo pipefail

BUILD=${STPROG_BUILD:?STPROG_BUILD not set}
IMGTOOL=$BUILD/tests/formats/imgtool
EX=$BUILD/examples
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0

fail() {
    echo "FAIL: $*" >&2
    fails=$((fails + 1))
}

segments() { # FILE [imgtool args]: the segment lines (no entry line)
    "$IMGTOOL" info "$@" | grep -v '^entry'
}

entry() {
    "$IMGTOOL" info "$@" | sed -n 's/^entry //p'
}

same() { # WHAT EXPECTED ACTUAL
    if [ "$2" != "$3" ]; then
        fail "$1"
        diff <(echo "$2") <(echo "$3") >&2 || true
    fi
}

checked=0
for elf in "$EX"/blinky_*.elf; do
    name=$(basename "$elf" .elf)
    d=$work/$name
    mkdir -p "$d"
    base=$(arm-none-eabi-readelf -lW "$elf" | awk '$1 == "LOAD" && $5 != "0x00000" {print $4; exit}')
    # third-party conversions
    arm-none-eabi-objcopy -O binary "$elf" "$d/oc.bin"
    arm-none-eabi-objcopy -O ihex "$elf" "$d/oc.hex"
    arm-none-eabi-objcopy -O srec "$elf" "$d/oc.srec"
    srec_cat "$d/oc.hex" -intel -o "$d/sc.srec" -motorola
    srec_cat "$d/oc.srec" -motorola -o "$d/sc.hex" -intel
    srec_cat "$d/oc.bin" -binary -offset "$base" -o "$d/sc32.hex" -intel -address-length=4

    want=$(segments "$elf")
    want_entry=$(entry "$elf")
    [ -n "$want" ] || fail "$name: no segments from the ELF reader"
    echo "$name: ELF segments: $want, entry $want_entry"
    for f in oc.hex oc.srec sc.srec sc.hex sc32.hex; do
        same "$name: $f segments differ from the ELF" "$want" "$(segments "$d/$f")"
    done
    same "$name: oc.bin segments differ" "$want" "$(segments "$d/oc.bin" --addr "$base")"
    for f in oc.hex oc.srec; do
        same "$name: $f entry differs from the ELF" "$want_entry" "$(entry "$d/$f")"
    done
    # our writers: srec_cat must read back the bytes objcopy wrote to its binary
    "$IMGTOOL" convert "$elf" "$d/ours.bin"
    "$IMGTOOL" convert "$elf" "$d/ours.hex"
    "$IMGTOOL" convert "$elf" "$d/ours.srec"
    cmp "$d/ours.bin" "$d/oc.bin" || fail "$name: our .bin differs from objcopy's"
    srec_cat "$d/ours.hex" -intel -offset "-$base" -o "$d/back_hex.bin" -binary ||
        fail "$name: srec_cat rejects our .hex"
    srec_cat "$d/ours.srec" -motorola -offset "-$base" -o "$d/back_srec.bin" -binary ||
        fail "$name: srec_cat rejects our .srec"
    cmp "$d/back_hex.bin" "$d/oc.bin" || fail "$name: srec_cat reads different bytes from our .hex"
    cmp "$d/back_srec.bin" "$d/oc.bin" || fail "$name: srec_cat reads different bytes from our .srec"
    # srec_cat's own consistency checks on our files (checksums, addresses, counts)
    srec_info "$d/ours.hex" -intel >"$d/info_hex.txt" || fail "$name: srec_info rejects our .hex"
    srec_info "$d/ours.srec" -motorola >"$d/info_srec.txt" ||
        fail "$name: srec_info rejects our .srec"
    grep -qi "execution start address" "$d/info_hex.txt" ||
        fail "$name: srec_info sees no start address in our .hex"
    checked=$((checked + 1))
done

# A sparse image (flash + option bytes far apart) through all writers and srec_cat.
printf '\x11\x22\x33' >"$work/a.bin"
srec_cat "$work/a.bin" -binary -offset 0x08000000 "$work/a.bin" -binary -offset 0x1FFFC000 \
    -o "$work/sparse.hex" -intel
want=$(segments "$work/sparse.hex")
"$IMGTOOL" convert "$work/sparse.hex" "$work/ours_sparse.srec"
srec_cat "$work/ours_sparse.srec" -motorola -o "$work/sc_sparse.hex" -intel
same "sparse image differs after our .srec and srec_cat" "$want" "$(segments "$work/sc_sparse.hex")"
same "sparse image layout" "0x08000000 0x08000002
0x1FFFC000 0x1FFFC002" "$(echo "$want" | awk '{print $1, $2}')"

if [ "$checked" -lt 4 ]; then
    fail "expected 4 example ELF files in $EX, found $checked"
fi
if [ "$fails" -ne 0 ]; then
    echo "cross-check: $fails failure(s)" >&2
    exit 1
fi
echo "cross-check: $checked firmware files, all readers and writers agree with objcopy/srec_cat"
