#!/bin/bash
# The committed loader byte arrays (src/target/loaders/*_blob.h) are what `make loaders`
# builds from loader.c now: a fresh build into a scratch directory must be identical.
set -u
src=${STPROG_SRC:?}/src/target/loaders
command -v arm-none-eabi-gcc >/dev/null || { echo "SKIP: arm-none-eabi-gcc not installed"; exit 77; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bash "$src/build.sh" "$out" || { echo "FAIL: build.sh failed"; exit 1; }
fails=0
n=0
for f in "$out"/*_loader_blob.h; do
    n=$((n + 1))
    name=$(basename "$f")
    if ! cmp -s "$f" "$src/$name"; then
        echo "FAIL: $name differs from a fresh build (run make loaders and commit):"
        diff "$src/$name" "$f" | head -20
        fails=$((fails + 1))
    fi
done
[ "$n" -ge 4 ] || { echo "FAIL: expected 4 loaders, built $n"; exit 1; }
for f in "$src"/*_loader_blob.h; do
    [ -f "$out/$(basename "$f")" ] || { echo "FAIL: committed $(basename "$f") is not built any more"; fails=$((fails + 1)); }
done
[ "$fails" -eq 0 ] || exit 1
echo "all $n loader blobs match a fresh build"
