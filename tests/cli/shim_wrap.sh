# shim_wrap (sourced): with E2E_SHIM=1, the tests' stprog talks libusb to the shim (a real
# probe as far as it can tell) instead of the in-process board: --probe sim:SPEC becomes
# --probe stlink (--probe cmsis-dap when SPEC has probe=cmsis-dap...) with STPROG_SIM=SPEC and LD_PRELOAD=libstprog-usbsim.so. Sets $STPROG to a
# wrapper in $TMP. Needs lib.sh (fail, finish, TMP).
if [ "${E2E_SHIM:-0}" = 1 ]; then
    [ -f "$STPROG_BUILD/libstprog-usbsim.so" ] || { fail "libstprog-usbsim.so not built"; finish; }
    cat >"$TMP/stprog-shim" <<SH
#!/bin/bash
args=()
spec=
while [ \$# -gt 0 ]; do
    if [ "\$1" = --probe ] && [[ "\$2" == sim:* ]]; then
        spec=\$2
        case "\$spec" in
        *probe=cmsis-dap*) args+=(--probe cmsis-dap) ;;
        *) args+=(--probe stlink) ;;
        esac
        shift 2
        continue
    fi
    args+=("\$1")
    shift
done
if [ -n "\$spec" ]; then
    STPROG_SIM="\$spec" LD_PRELOAD="$STPROG_BUILD/libstprog-usbsim.so" exec "$STPROG" "\${args[@]}"
fi
exec "$STPROG" "\${args[@]}"
SH
    chmod +x "$TMP/stprog-shim"
    STPROG="$TMP/stprog-shim"
fi
