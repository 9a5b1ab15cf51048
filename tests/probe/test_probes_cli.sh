# stprog probes against the in-process virtual board: what a user sees for each probe kind,
# a bad spec, and no probe on USB.
set -e
. "$STPROG_SRC/tests/cli/lib.sh"

run probes --probe sim:stm32f407vg
expect_rc 0 "probes sim"
expect_out "probe:          stlink-v2-1" "probes sim"
expect_out "firmware:       V2J45M30" "probes sim"
expect_out "swd clock:      1800 kHz" "probes sim"
expect_out "target voltage: 3.30 V" "probes sim"

run probes --probe sim:stm32f407vg,probe=v3,vdd=2.1 --json
expect_rc 0 "probes v3 json"
expect_json '.probes[0].kind == "stlink-v3" and .probes[0].firmware == "V3J16M8"' "v3 kind"
expect_json '.probes[0].swd_khz == 24000' "v3 default clock"
expect_json '(.probes[0].target_voltage - 2.1) | fabs < 0.05' "v3 voltage"

run probes --probe sim:stm32f407vg,probe=v2 --freq 1000 --json
expect_rc 0 "probes v2 --freq"
expect_json '.probes[0].firmware == "V2J45S7" and .probes[0].swd_khz == 950' "v2 clock table"

run probes --probe sim:stm32f407vg,probe=v2,fw=V2J21S4 --freq 1000 --json
expect_rc 1 "old firmware --freq"
expect_json '.findings[0].id == "probe.firmware-old"' "old firmware finding"
expect_json '.findings[0].evidence.minimum_firmware == "V2J22"' "min firmware"

run probes --probe jlink
expect_rc 2 "bad spec"
expect_err "probe.spec-invalid" "bad spec"
expect_err "stlink:SERIAL" "bad spec lists forms"

run probes --probe sim:stm32f999xx --json
expect_rc 2 "bad part"
expect_json '.findings[0].id == "sim.spec-invalid"' "bad part"

# No ST-Link on this machine's USB (the shim is not loaded here).
if [ -z "${LD_PRELOAD:-}" ]; then
    run probes --probe stlink --json
    expect_rc 3 "no probe"
    expect_json '.findings[0].id == "probe.not-found"' "no probe"
fi
finish
