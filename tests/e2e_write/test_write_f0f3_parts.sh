#!/bin/bash
# Every virtual F0 and F3 part (RM0091, RM0316, RM0313): write random data, verify, skip an
# identical rewrite, erase one page, erase everything (MER), blank-check; then WRP of the
# second 4 KiB unit refuses a write there, and RDP 1 -> 0 with --unlock leaves the flash
# blank, and level 2 needs its confirmation. Pages of 1 KiB on F03x/F04x/F05x, 2 KiB on F07x/F09x and F3.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"
. "$STPROG_SRC/tests/cli/shim_wrap.sh"
. "$(dirname "$0")/parts_lib.sh"

# PART:FLASH_KB:PAGE (a page inside the 12 KiB image: 1 KiB pages 5, 2 KiB pages 3)
for p in stm32f030f4:16:5 stm32f042k6:32:9 stm32f051r8:64:5 stm32f072rb:128:3 \
    stm32f091rc:256:3 stm32f303k8:64:3 stm32f303re:512:3 stm32f334r8:64:3 stm32f373cc:256:3; do
    IFS=: read -r part kb page <<<"$p"
    part_flow "$part" "$kb" 0x08000000 16 "$page"
    head -c 2048 /dev/urandom >"$TMP/$part.small.bin"
    options_flow "sim:$part,state=$TMP/$part.state" "$TMP/$part.small.bin" 0x08001000
done
finish
