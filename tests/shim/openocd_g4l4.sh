# The G4 and L4/L4+ lines through the shim against OpenOCD 0.12 (target/stm32g4x.cfg,
# target/stm32l4x.cfg, HLA mode): OpenOCD programs and verifies an image across the bank
# boundary, stprog (libusb through the shim) reads back the same bytes; stprog writes
# another image and OpenOCD's verify_image passes; OpenOCD's mass erase leaves a flash that
# stprog finds blank. The G474 also in single-bank mode (DBANK = 0, 4 KiB pages), set by
# stprog: OpenOCD's probe reads the same layout from OPTR.
. "$(dirname "$0")/lib.sh"

stprog_sim() { # SPEC ARGS...: stprog through libusb and the shim
    local spec=$1
    shift
    sim "$spec" "$STPROG_BUILD/stprog" --probe stlink "$@"
}

cross() { # PART CFG ADDR [STATE]
    local part=$1 cfg=$2 addr=$3 state=${4:-$1}
    local spec="sim:$part,probe=v2-1,state=$WORK/$state.state"
    head -c 20480 /dev/urandom >"$WORK/a.bin"
    head -c 20480 /dev/urandom >"$WORK/b.bin"
    openocd_sim "$spec" "$cfg" "program $WORK/a.bin $addr verify exit"
    check "$state: openocd program exits 0" [ $? -eq 0 ]
    check "$state: openocd reports Verified OK" out_has "Verified OK"
    stprog_sim "$spec" read "$addr" 20480 -o "$WORK/back.bin"
    check "$state: stprog read exits 0" [ $? -eq 0 ]
    check "$state: stprog reads back OpenOCD's bytes" cmp -s "$WORK/back.bin" "$WORK/a.bin"
    stprog_sim "$spec" write "$WORK/b.bin" --addr "$addr"
    check "$state: stprog write exits 0" [ $? -eq 0 ]
    openocd_sim "$spec" "$cfg" "init; reset halt; verify_image $WORK/b.bin $addr; exit"
    check "$state: openocd verifies stprog's image" [ $? -eq 0 ]
    openocd_sim "$spec" "$cfg" "init; reset halt; stm32l4x mass_erase 0; exit"
    check "$state: openocd mass erase exits 0" [ $? -eq 0 ]
    stprog_sim "$spec" blank-check
    check "$state: stprog finds the flash blank after OpenOCD's mass erase" [ $? -eq 0 ]
}

cross stm32g474re stm32g4x.cfg 0x0803E000
cross stm32g491re stm32g4x.cfg 0x08000000
cross stm32l432kc stm32l4x.cfg 0x08000000
cross stm32l452re stm32l4x.cfg 0x08000000
cross stm32l496zg stm32l4x.cfg 0x0807E000
cross stm32l4r5zi stm32l4x.cfg 0x080FE000

spec="sim:stm32g474re,probe=v2-1,state=$WORK/g474-single.state"
stprog_sim "$spec" option-bytes set dbank=0
check "g474: stprog sets dbank=0" [ $? -eq 0 ]
openocd_sim "$spec" stm32g4x.cfg "init; flash probe 0; exit"
check "g474 single bank: openocd sees one bank" out_has "flash mode : single-bank"
cross stm32g474re stm32g4x.cfg 0x0803E000 g474-single
finish
