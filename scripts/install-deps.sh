#!/usr/bin/env bash
# Installs every Debian package that building, the demo and the tests need.
# Idempotent: does nothing when everything is present. Uses sudo when not root.
set -euo pipefail

packages=(
    build-essential cmake pkg-config git
    libusb-1.0-0-dev libunicorn-dev libcmocka-dev
    gcc-arm-none-eabi libnewlib-arm-none-eabi binutils-arm-none-eabi
    clang libclang-rt-14-dev clang-format
    stlink-tools openocd stm32flash gdb-multiarch
    srecord socat jq
    python3-pyocd # tests/shim/pyocd.sh: a third-party tool through the shim (skipped without it)
    dpkg-dev file lintian zsh fish # make deb (CPack: dpkg-shlibdeps, file); tests/package
)

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done

if ((${#missing[@]} == 0)); then
    echo "install-deps: all ${#packages[@]} packages present"
    exit 0
fi

SUDO=""
if [[ $(id -u) -ne 0 ]]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "install-deps: need root or sudo to install: ${missing[*]}" >&2
        exit 1
    fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
