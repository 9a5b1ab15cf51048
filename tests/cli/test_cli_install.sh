#!/bin/bash
# `make install` (cmake --install) puts the program and its man page where man finds them.
set -e
. "$(dirname "$0")/lib.sh"
: "${STPROG_BUILD:?}"
cmake --install "$STPROG_BUILD" --prefix "$TMP/inst" >"$TMP/install.log" 2>&1 ||
    fail "cmake --install failed: $(cat "$TMP/install.log")"
[ -x "$TMP/inst/bin/stprog" ] || fail "bin/stprog not installed"
[ -f "$TMP/inst/share/man/man1/stprog.1.gz" ] || fail "share/man/man1/stprog.1.gz not installed"
[ "$("$TMP/inst/bin/stprog" --version)" = "$("$STPROG" --version)" ] ||
    fail "the installed stprog is not the one built"
if command -v man >/dev/null; then
    MANPATH="$TMP/inst/share/man" man -w stprog | grep -qF "$TMP/inst/share/man/man1/stprog.1.gz" ||
        fail "man -w stprog does not find the installed page"
fi
finish
