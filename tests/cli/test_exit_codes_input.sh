#!/bin/bash
# A bad input file is exit code 2 whatever is wrong with it, ELF files that are not a linked
# 32-bit ARM program included (a 64-bit host executable, an object file); `probes` with no
# probe is 0 with an empty list.
set -euo pipefail
. "$STPROG_SRC/tests/cli/lib.sh"

# a 64-bit ELF: the header of any 64-bit executable will do; build one byte by byte
printf '\177ELF\002\001\001\000\000\000\000\000\000\000\000\000\002\000\076\000\001\000\000\000' >"$TMP/host64.elf"
head -c 100 /dev/zero >>"$TMP/host64.elf"
# an ARM relocatable object (ET_REL = 1, EM_ARM = 40)
printf '\177ELF\001\001\001\000\000\000\000\000\000\000\000\000\001\000\050\000\001\000\000\000' >"$TMP/obj.o"
head -c 100 /dev/zero >>"$TMP/obj.o"
for f in host64.elf obj.o; do
    run image "$TMP/$f"
    expect_rc 2 "image $f"
    expect_err "file.elf-unsupported" "image $f names the finding"
    run --probe sim:stm32f103c8 write "$TMP/$f" --json
    expect_rc 2 "write $f"
    expect_json '.exit_code == 2 and .findings[0].id == "file.elf-unsupported"' "write $f --json"
done

# no probe on USB (the libusb of this machine sees none; STPROG_SIM unset)
env -u STPROG_SIM "$STPROG" probes >"$TMP/out" 2>"$TMP/err" && RC=0 || RC=$?
expect_rc 0 "probes with none"
env -u STPROG_SIM "$STPROG" --json probes >"$TMP/out" 2>"$TMP/err" && RC=0 || RC=$?
expect_json '.probes == [] and .exit_code == 0' "probes --json with none"
finish
