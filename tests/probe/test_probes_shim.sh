# stprog probes through libusb with the usbsim shim: the virtual ST-Link is listed like a
# real one, chosen by serial, and a wrong serial is named.
set -e
. "$STPROG_SRC/tests/cli/lib.sh"
# Only stprog runs with the shim preloaded (not the shell tools the checks use).
cat >"$TMP/stprog" <<EOF
#!/bin/sh
LD_PRELOAD="$STPROG_BUILD/libstprog-usbsim.so" exec "$STPROG" "\$@"
EOF
chmod +x "$TMP/stprog"
STPROG="$TMP/stprog"
SERIAL=0670FF484849785087085530

export STPROG_SIM=sim:stm32f407vg
run probes
expect_rc 0 "list"
expect_out "stlink-v2-1" "list"
expect_out "$SERIAL" "list"
expect_out "V2J45M30" "list"
expect_out "stlink:$SERIAL" "list"

run probes --json
expect_json "(.probes | length) == 1 and .probes[0].spec == \"stlink:$SERIAL\" and .probes[0].usable" "list json"

run probes --probe "stlink:$SERIAL"
expect_rc 0 "by serial"
expect_out "target voltage: 3.30 V" "by serial"

run probes --probe stlink:0123456789 --json
expect_rc 3 "wrong serial"
expect_json '.findings[0].id == "probe.not-found"' "wrong serial"
expect_json ".findings[0].evidence.probe1 | contains(\"$SERIAL\")" "lists present serial"

export STPROG_SIM=sim:stm32f407vg,probe=v2,serial=ABC123
run probes
expect_out "stlink-v2 " "v2"
expect_out "ABC123" "v2 serial"
expect_out "V2J45S7" "v2 firmware"
finish
