#!/usr/bin/env bash
# After a write with page erases, a
# standalone `verify` of a different file is a plain mismatch: no flash.* finding. The
# second image is blinky with every 16th byte changed; once running it stores into locked
# program memory, which sets WRPERR (RM0038: writes to program memory not unlocked by
# PRGKEYR), so verify must not blame the controller for bits the firmware left.
set -u
P=${STPROG:?}
EX=${STPROG_BUILD:?}/examples
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
B="sim:stm32l151cb,state=$T/l1.img"
fail() { echo "FAIL: $*"; exit 1; }
python3 -c "d=bytearray(open('$EX/blinky_l151.bin','rb').read()); [d.__setitem__(i,d[i]^0x5A) for i in range(0,len(d),16)]; open('$T/other.bin','wb').write(d)"
"$P" --probe "$B" write "$EX/blinky_l151.bin" >/dev/null 2>&1 || fail "first write"
out=$("$P" --probe "$B" write "$T/other.bin" 2>&1) || fail "second write: $out"
grep -q "2 sector(s) to erase" <<<"$out" || fail "second write did not erase: $out"
json=$("$P" --probe "$B" verify "$EX/blinky_l151.bin" --json 2>/dev/null)
rc=$?
[ "$rc" -eq 5 ] || fail "verify of a different file exited $rc, expected 5"
ids=$(jq -r '.findings[].id' <<<"$json")
grep -qx "verify.mismatch" <<<"$ids" || fail "no verify.mismatch: $ids"
if grep -q "^flash\." <<<"$ids"; then fail "false flash diagnosis: $ids"; fi
echo "ok: verify findings: $(tr '\n' ' ' <<<"$ids")"
