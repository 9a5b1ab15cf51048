# st-info (stlink-tools 1.7) identifies the chip behind the simulated ST-Link.
. "$(dirname "$0")/lib.sh"

# part chipid flash-bytes probe descr (st-info's name for the chip id)
while read -r part chipid flash probe descr; do
    spec="sim:$part,probe=$probe"
    sim "$spec" st-info --probe
    check "$part: --probe finds one programmer" out_has "Found 1 stlink programmers"
    check "$part: --probe chipid $chipid" out_has "chipid:     $chipid"
    check "$part: --probe flash $flash" out_has "flash:      $((flash)) "
    check "$part: --probe descr $descr" out_has "descr:      $descr"
    sim "$spec" st-info --chipid
    check "$part: --chipid" out_has "^$chipid\$"
    sim "$spec" st-info --flash
    check "$part: --flash" out_has "^$flash\$"
    sim "$spec" st-info --descr
    check "$part: --descr" out_has "^$descr\$"
done <<'TABLE'
stm32f103c8 0x0410 0x10000 v2 F1xx Medium-density
stm32f407vg 0x0413 0x100000 v2-1 F4xx
stm32f411re 0x0431 0x80000 v2-1 stm32f411re
stm32f767zi 0x0451 0x200000 v3 F76xxx
stm32f103ze 0x0414 0x80000 v2-1 F1xx High-density
stm32f429zi 0x0419 0x200000 v2-1 F42x/F43x
stm32l151cb 0x0429 0x20000 v2 L1xx Cat.2
stm32l152re 0x0437 0x80000 v2-1 L152RE
TABLE

# The probe identity as st-info reports it.
sim "sim:stm32f407vg,probe=v2,serial=066DFF555052836687113122" st-info --probe
check "serial from the spec" out_has "serial:     066DFF555052836687113122"
check "V2 firmware version" out_has "version:    V2J45S7"

# A bad spec: no probe on the bus, and the reason with what is accepted.
sim "sim:stm32f999xx" st-info --probe
check "unknown part: no programmer" out_has "Found 0 stlink programmers"
check "unknown part: the accepted parts are listed" out_has "accepted parts: .*stm32f407vg"
sim "sim:stm32f407vg,fw=V9X" st-info --probe
check "bad firmware string: refused with the expected forms" out_has "expected V2J<n>S<n>"
finish
