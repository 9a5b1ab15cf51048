#!/bin/bash
# make deb's packages, from a temporary root: CPack builds stprog, libstprog0 and
# libstprog-dev from this build directory; dpkg-deb -x puts them into $TMP/root; from there
# stprog writes the example firmware into the virtual board, st-flash programs it through
# `stprog sim-env`, the completion scripts pass bash -n / zsh -n / fish -n, and the example
# program builds against libstprog with pkg-config and programs the board. Also: the control
# fields (version, dependencies from dpkg-shlibdeps, udev reload, ldconfig trigger), the
# library's exports and SONAME, `make install` installing the same files (DESTDIR, prefix),
# and lintian: no error, and no warning that docs/packaging.md does not explain.
set -e
. "$STPROG_SRC/tests/cli/lib.sh"
: "${STPROG_BUILD:?}"
B=$STPROG_BUILD
need() {
    command -v "$1" >/dev/null || { fail "$1 is not installed (make deps installs it)"; finish; }
}
for tool in cpack dpkg-deb dpkg-shlibdeps pkg-config readelf nm make cc zsh fish st-flash lintian; do
    need "$tool"
done
VERSION=$("$STPROG" --version | awk '{print $2}')
ARCH=$(dpkg --print-architecture)

# --- build -----------------------------------------------------------------------------
(cd "$TMP" && cpack --config "$B/CPackConfig.cmake" -G DEB -B "$TMP/pkg") >"$TMP/cpack.log" 2>&1 ||
    { fail "cpack failed: $(tail -20 "$TMP/cpack.log")"; finish; }
declare -A DEB
for p in stprog libstprog0 libstprog-dev; do
    DEB[$p]=$TMP/pkg/${p}_${VERSION}_${ARCH}.deb
    [ -f "${DEB[$p]}" ] || { fail "no ${p}_${VERSION}_${ARCH}.deb: $(ls "$TMP/pkg")"; finish; }
    [ "$(dpkg-deb -f "${DEB[$p]}" Version)" = "$VERSION" ] ||
        fail "$p: Version is not stprog --version's $VERSION"
done

# --- control fields ------------------------------------------------------------------------
depends=$(dpkg-deb -f "${DEB[stprog]}" Depends)
for lib in libc6 libusb-1.0-0 libunicorn2; do
    [[ $depends == *"$lib ("* ]] || fail "stprog Depends lacks $lib (dpkg-shlibdeps): $depends"
done
[[ $(dpkg-deb -f "${DEB[libstprog0]}" Depends) == *"libusb-1.0-0 ("* ]] ||
    fail "libstprog0 Depends lacks libusb-1.0-0"
[ "$(dpkg-deb -f "${DEB[libstprog-dev]}" Depends)" = "libstprog0 (= $VERSION)" ] ||
    fail "libstprog-dev does not depend on libstprog0 (= $VERSION)"
mkdir -p "$TMP/ctl"
for p in stprog libstprog0; do
    dpkg-deb -e "${DEB[$p]}" "$TMP/ctl/$p"
done
grep -q 'udevadm control --reload-rules' "$TMP/ctl/stprog/postinst" ||
    fail "stprog's postinst does not reload the udev rules"
grep -q '^libstprog 0 libstprog0 (= ' "$TMP/ctl/libstprog0/shlibs" 2>/dev/null ||
    fail "libstprog0 has no shlibs line for libstprog.so.0"
grep -qx 'activate-noawait ldconfig' "$TMP/ctl/libstprog0/triggers" 2>/dev/null ||
    fail "libstprog0 does not trigger ldconfig"

# --- extract ---------------------------------------------------------------------------
ROOT=$TMP/root
for p in stprog libstprog0 libstprog-dev; do
    dpkg-deb -x "${DEB[$p]}" "$ROOT"
done
S=$ROOT/usr/bin/stprog
LIBSO=$(find "$ROOT/usr/lib" -name libstprog.so.0 -type l)
[ -n "$LIBSO" ] || { fail "no libstprog.so.0 in the packages"; finish; }
LIBDIR=$(dirname "$LIBSO")
for f in usr/bin/stprog usr/share/man/man1/stprog.1.gz usr/lib/udev/rules.d/60-stprog.rules \
    usr/share/bash-completion/completions/stprog usr/share/zsh/vendor-completions/_stprog \
    usr/share/fish/vendor_completions.d/stprog.fish usr/include/stprog/ops.h \
    usr/share/doc/stprog/copyright usr/share/doc/libstprog0/copyright \
    usr/share/doc/libstprog-dev/copyright usr/share/doc/stprog/README.md \
    usr/share/doc/stprog/examples/blinky_f407.hex; do
    [ -e "$ROOT/$f" ] || fail "the packages lack /$f"
done
for f in stprog/libstprog-usbsim.so stprog/libusb/libusb-1.0.so.0 libstprog.so pkgconfig/stprog.pc; do
    [ -e "$LIBDIR/$f" ] || fail "the packages lack ${LIBDIR#"$ROOT"}/$f"
done
[ "$(readlink -f "$LIBDIR/stprog/libusb/libusb-1.0.so.0")" = "$LIBDIR/stprog/libstprog-usbsim.so" ] ||
    fail "stprog/libusb/libusb-1.0.so.0 does not lead to the shim"
# Every link in the packages is relative and leads to a file of the packages (the library's
# links, the shim as libusb, the STM32_Programmer_CLI link to stprog once it is installed).
while read -r link; do
    target=$(readlink "$link")
    [[ $target != /* ]] || fail "${link#"$ROOT"} is an absolute link ($target)"
    resolved=$(readlink -f "$link")
    [[ $resolved == "$ROOT"/* && -f $resolved ]] || fail "${link#"$ROOT"} -> $target leads nowhere"
done < <(find "$ROOT" -type l)
gzip -t "$ROOT/usr/share/man/man1/stprog.1.gz" || fail "the man page is not gzip"
if command -v man >/dev/null; then
    MANPATH=$ROOT/usr/share/man man -w stprog | grep -qF "$ROOT/usr/share/man/man1/stprog.1.gz" ||
        fail "man does not find the packaged page"
fi

# --- the library: SONAME and exports --------------------------------------------------------
readelf -d "$LIBSO" | grep -q 'SONAME.*\[libstprog\.so\.0\]' || fail "libstprog.so.0 lacks its SONAME"
nm -D --defined-only "$LIBSO" | awk '$2 ~ /^[TDBR]$/ {print $3}' | sed 's/@.*//' | sort -u \
    >"$TMP/exported"
grep -v '^stp_' "$TMP/exported" >"$TMP/foreign" || true
[ ! -s "$TMP/foreign" ] || fail "libstprog exports more than stp_*: $(head -5 "$TMP/foreign" | xargs)"
sed 's|/\*.*\*/||' "$ROOT"/usr/include/stprog/*.h | grep -o 'stp_[a-z0-9_]*[[:space:]]*(' |
    sed 's/[[:space:]]*($//' | sort -u >"$TMP/declared"
missing=$(comm -23 "$TMP/declared" "$TMP/exported" | xargs)
[ -z "$missing" ] || fail "declared in the headers but not exported by libstprog: $missing"

# --- the program, from the root --------------------------------------------------------------
[ "$("$S" --version)" = "stprog $VERSION" ] || fail "the packaged stprog is not $VERSION"
FW=$ROOT/usr/share/doc/stprog/examples/blinky_f407.hex
"$S" --probe "sim:stm32f407vg,state=$TMP/write.img" write "$FW" >"$TMP/out" 2>"$TMP/err" ||
    fail "packaged stprog write: $(cat "$TMP/err")"
"$S" -q --probe "sim:stm32f407vg,state=$TMP/write.img" verify "$FW" >/dev/null 2>"$TMP/err" ||
    fail "packaged stprog verify after write: $(cat "$TMP/err")"

# --- st-flash through the wrapper ------------------------------------------------------------
"$S" image "$FW" -o "$TMP/fw.bin" >/dev/null 2>&1 || fail "packaged stprog image -o fw.bin"
preload=$("$S" sim-env stm32f407vg -- sh -c 'printf %s "$LD_PRELOAD"')
[ "$preload" = "$LIBDIR/stprog/libstprog-usbsim.so" ] ||
    fail "sim-env preloads '$preload', not the packaged shim"
"$S" sim-env "stm32f407vg,state=$TMP/stflash.img" -- st-flash write "$TMP/fw.bin" 0x08000000 \
    >"$TMP/stflash.log" 2>&1 || fail "st-flash through sim-env: $(tail -5 "$TMP/stflash.log")"
"$S" -q --probe "sim:stm32f407vg,state=$TMP/stflash.img" verify "$TMP/fw.bin" >/dev/null 2>"$TMP/err" ||
    fail "the board st-flash wrote does not hold the firmware: $(cat "$TMP/err")"

# pyOCD loads libusb itself (pyusb): sim-env's LD_LIBRARY_PATH entry is what it finds.
# (An F103: pyOCD 0.13 takes 10+ s of CPU for a 1 MiB F4 part, 1 s for this one.)
if command -v pyocd-flashtool >/dev/null; then
    "$S" sim-env "stm32f103rc,state=$TMP/pyocd.img" -- pyocd-flashtool -t stm32f103rc "$TMP/fw.bin" \
        >"$TMP/pyocd.log" 2>&1 || fail "pyOCD through sim-env: $(tail -5 "$TMP/pyocd.log")"
    "$S" -q --probe "sim:stm32f103rc,state=$TMP/pyocd.img" verify "$TMP/fw.bin" >/dev/null 2>"$TMP/err" ||
        fail "the board pyOCD wrote does not hold the firmware: $(cat "$TMP/err")"
else
    echo "note: pyocd-flashtool not installed (python3-pyocd): pyOCD through sim-env not tried"
fi

# --- completion scripts: syntax --------------------------------------------------------------
bash -n "$ROOT/usr/share/bash-completion/completions/stprog" || fail "bash -n: the bash completion"
zsh -n "$ROOT/usr/share/zsh/vendor-completions/_stprog" || fail "zsh -n: the zsh completion"
fish -n "$ROOT/usr/share/fish/vendor_completions.d/stprog.fish" || fail "fish -n: the fish completion"

# --- an example program outside the tree, through pkg-config ----------------------------------
cp -r "$ROOT/usr/share/doc/libstprog-dev/examples" "$TMP/example"
export PKG_CONFIG_LIBDIR=$LIBDIR/pkgconfig # only the extracted stprog.pc
PC="pkg-config --define-variable=prefix=$ROOT/usr"
[ "$($PC --modversion stprog)" = "$VERSION" ] || fail "pkg-config --modversion stprog"
make -C "$TMP/example" PKG_CONFIG="$PC" >"$TMP/make.log" 2>&1 ||
    fail "the example does not build with pkg-config: $(cat "$TMP/make.log")"
if [ -x "$TMP/example/stprog-program" ]; then
    readelf -d "$TMP/example/stprog-program" | grep -q 'NEEDED.*\[libstprog\.so\.0\]' ||
        fail "the example is not linked with libstprog.so.0"
    LD_LIBRARY_PATH=$LIBDIR "$TMP/example/stprog-program" "sim:stm32f407vg,state=$TMP/lib.img" \
        "$FW" >"$TMP/out" 2>"$TMP/err" || fail "the example program failed: $(cat "$TMP/err")"
    grep -q 'programmed and verified' "$TMP/out" || fail "the example did not program: $(cat "$TMP/out")"
    "$S" -q --probe "sim:stm32f407vg,state=$TMP/lib.img" verify "$FW" >/dev/null 2>"$TMP/err" ||
        fail "the board the example wrote does not hold the firmware: $(cat "$TMP/err")"
fi
unset PKG_CONFIG_LIBDIR

# --- make install: the same files; DESTDIR and the prefix honoured ----------------------------
DESTDIR=$TMP/destdir cmake --install "$B" --prefix /usr >"$TMP/install.log" 2>&1 ||
    fail "cmake --install with DESTDIR: $(tail -5 "$TMP/install.log")"
(cd "$TMP/destdir" && find . ! -type d | sort) >"$TMP/installed"
(cd "$ROOT" && find . ! -type d | sort) >"$TMP/packaged"
diff "$TMP/packaged" "$TMP/installed" >"$TMP/diff" ||
    fail "make install and the packages differ (< packages, > install): $(cat "$TMP/diff")"
cmake --install "$B" --prefix "$TMP/prefix" >"$TMP/install.log" 2>&1 ||
    fail "cmake --install --prefix: $(tail -5 "$TMP/install.log")"
grep -qx "prefix=$TMP/prefix" "$TMP/prefix/${LIBDIR#"$ROOT/usr/"}/pkgconfig/stprog.pc" ||
    fail "stprog.pc under --prefix does not name that prefix"
preload=$("$TMP/prefix/bin/stprog" sim-env stm32f407vg -- sh -c 'printf %s "$LD_PRELOAD"')
[ "$preload" = "$TMP/prefix/${LIBDIR#"$ROOT/usr/"}/stprog/libstprog-usbsim.so" ] ||
    fail "stprog installed under --prefix preloads '$preload'"

# --- lintian -----------------------------------------------------------------------------
# Errors fail; each warning's tag must be one docs/packaging.md explains ("### Warnings").
lintian --no-tag-display-limit "${DEB[@]}" >"$TMP/lintian" 2>&1 || true
grep '^E: ' "$TMP/lintian" >"$TMP/lintian.err" && fail "lintian errors: $(cat "$TMP/lintian.err")"
explained=$(sed -n '/^### Warnings/,/^#/p' "$STPROG_SRC/docs/packaging.md" | grep -o '^| `[a-z0-9-]*`' |
    tr -d '|` ')
[ -n "$explained" ] || fail "no table of lintian warnings in docs/packaging.md"
while read -r level pkg tag rest; do
    [ "$level" = "W:" ] || continue
    grep -qx -- "$tag" <<<"$explained" ||
        fail "lintian warning not explained in docs/packaging.md: $pkg $tag $rest"
done <"$TMP/lintian"
finish
