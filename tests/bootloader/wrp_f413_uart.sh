#!/bin/bash
# F413 write protection of sectors 12-15 over the ROM bootloader (AN3155 Write Protect /
# Write Unprotect, option bytes read from 0x1FFFC000; RM0430: nWRP[14:0], nWRP14 = sectors
# 14 and 15): stprog shows them, sets them, and refuses a write into them, as over SWD.
. "$(dirname "$0")/lib.sh"
uart() { "$STPROG" --probe "uart:$TTY" "$@"; }

state=$WORK/f413.state
serve "sim:stm32f413zh,boot0=1,state=$state"
uart option-bytes set 'wrp+=13' 'wrp+=15' --json >"$WORK/out" 2>"$WORK/err" ||
    fail "Write Protect 13, 15: $(cat "$WORK/err")"
jq -e '.option_bytes.wrp == [13, 14, 15]' "$WORK/out" >/dev/null ||
    fail "wrp after Write Protect: $(cat "$WORK/out")"
head -c 4096 /dev/urandom >"$WORK/img.bin"
uart write "$WORK/img.bin" --addr 0x08160000 >"$WORK/out" 2>&1
rc=$?
[ $rc -eq 4 ] || fail "write into protected sector 15 over uart: exit $rc: $(cat "$WORK/out")"
grep -q "sector 15 (0x08160000, 128 KiB) is write-protected" "$WORK/out" ||
    fail "refusal does not name sector 15: $(cat "$WORK/out")"
stop_serve
# SWD reads the same protection from the option bytes the bootloader wrote
"$STPROG" --probe "sim:stm32f413zh,state=$state" option-bytes show --json >"$WORK/out" 2>&1
jq -e '.option_bytes.wrp == [13, 14, 15]' "$WORK/out" >/dev/null ||
    fail "SWD does not see sectors 13-15 protected: $(cat "$WORK/out")"

serve "sim:stm32f413zh,boot0=1,state=$state"
uart option-bytes set wrp=none >"$WORK/out" 2>&1 || fail "Write Unprotect: $(cat "$WORK/out")"
uart write "$WORK/img.bin" --addr 0x08160000 >"$WORK/out" 2>&1 ||
    fail "write after Write Unprotect: $(cat "$WORK/out")"
stop_serve

if [ "$FAILS" -ne 0 ]; then
    echo "$FAILS check(s) failed" >&2
    exit 1
fi
echo "all checks passed"
