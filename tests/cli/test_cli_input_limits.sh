#!/bin/bash
# Input files are checked before they are read whole: a 3 GiB sparse binary, /dev/zero, an
# endless pipe, and Intel HEX, S-record and ELF files whose data (far outside any flash) is
# more than the largest flash of any chip are refused with file.too-large (exit 2) in well
# under 2 s and 100 MB, whatever the command (write --dry-run, verify, image, image -o).
# An ELF carrying megabytes of non-loaded data still loads: only its segments are read. Out
# of memory is a finding (cli.out-of-memory), never a bare status line.
set -u
. "$STPROG_SRC/tests/cli/lib.sh"
cd "$TMP"
SIM=sim:stm32f407vg
MEASURE="python3 $STPROG_SRC/tests/cli/measure.py"
# 100 MB; a sanitizer build (ASan keeps freed memory in quarantine) gets three times that.
RSS_LIMIT=102400
SANITIZED=0
if grep -q "^STP_SANITIZE:BOOL=ON" "$STPROG_BUILD/CMakeCache.txt" 2>/dev/null; then
    SANITIZED=1
    RSS_LIMIT=$((3 * RSS_LIMIT))
fi

# judge WHAT BEFORE: the run just measured (RC, took, rss) exited 2 with file.too-large, in
# < 2 s and < 100 MB.
judge() {
    local what=$1 before=$2
    [ "$RC" -eq 2 ] || fail "$what: exit code $RC, expected 2 ($(head -c 400 "$TMP/err"))"
    jq -e '[.findings[] | select(.id == "file.too-large")] | length == 1' "$TMP/out" >/dev/null ||
        fail "$what: no file.too-large finding: $(head -c 600 "$TMP/out")"
    awk -v t="$took" 'BEGIN { exit !(t < 2.0) }' || fail "$what: took $took s (limit 2 s)"
    [ "$rss" -lt "$RSS_LIMIT" ] || fail "$what: max RSS $rss KiB (limit $((RSS_LIMIT / 1024)) MiB)"
    [ "$FAILS" -ne "$before" ] || echo "ok: $what refused in $took s, max RSS $((rss / 1024)) MiB"
}

# refused WHAT ARGS...: stprog --json ARGS (no input) is refused so.
refused() {
    local what=$1 before=$FAILS
    shift
    read -r RC took rss < <($MEASURE "$TMP/out" "$TMP/err" "$STPROG" --json "$@" </dev/null)
    judge "$what" "$before"
}

truncate -s 3G big.bin
refused "3 GiB .bin, write --dry-run" write big.bin --dry-run --probe "$SIM"
refused "3 GiB .bin, verify" verify big.bin --probe "$SIM"
refused "3 GiB .bin, image -o x.hex" image big.bin -o x.hex
refused "3 GiB .bin, image" image big.bin
[ ! -e x.hex ] || fail "image -o x.hex left x.hex behind"
jq -e '.findings[0].evidence.file_bytes == "3221225472"' "$TMP/out" >/dev/null ||
    fail "the finding does not give the file's size: $(cat "$TMP/out")"
refused "/dev/zero, write" write /dev/zero --probe "$SIM"
refused "/dev/zero, image" image /dev/zero

# Standard input from an endless pipe, as binary and as text that looks like Intel HEX.
refused_pipe() {
    local what=$1 gen=$2 before=$FAILS
    shift 2
    read -r RC took rss < <(bash -c "$gen" | $MEASURE "$TMP/out" "$TMP/err" "$STPROG" --json "$@")
    judge "$what" "$before"
}
refused_pipe "endless binary pipe" "cat /dev/zero" image -
refused_pipe "endless Intel HEX lines" "yes :0400000001020304F2" image -

# Text and ELF files whose data lies far outside any flash (0x90000000) and is larger than
# the largest flash: refused at the record that crosses the limit, not after the whole file.
python3 - <<'PY'
import struct
base, total = 0x90000000, 3 << 20
def ihex(rec):
    return ":" + rec.hex().upper() + "%02X" % (-sum(rec) & 0xFF) + "\n"
with open("far.hex", "w") as f:
    for off in range(0, total, 16):
        a = base + off
        if off % 0x10000 == 0:
            f.write(ihex(struct.pack(">BHBH", 2, 0, 4, a >> 16)))
        f.write(ihex(struct.pack(">BHB", 16, a & 0xFFFF, 0) + bytes(range(16))))
    f.write(":00000001FF\n")
with open("far.srec", "w") as f:
    for off in range(0, total, 16):
        body = struct.pack(">BI", 21, base + off) + bytes(range(16))
        f.write("S3" + body.hex().upper() + "%02X\n" % (~sum(body) & 0xFF))
    f.write("S70500000000FA\n")
# ELF: one PT_LOAD of 3 GiB at 0x30000000, the file sparse.
base = 0x30000000
eh = b"\x7fELF" + bytes([1, 1, 1]) + bytes(9)
eh += struct.pack("<HHIIIIIHHHHHH", 2, 40, 1, base, 52, 0, 0, 52, 32, 1, 40, 0, 0)
ph = struct.pack("<IIIIIIII", 1, 0x1000, base, base, 3 << 30, 3 << 30, 5, 4)
with open("far.elf", "wb") as f:
    f.write(eh + ph)
    f.truncate(0x1000 + (3 << 30))
# ELF with 256 KiB in flash and 200 MB of other (debug) data after it, sparse.
ph = struct.pack("<IIIIIIII", 1, 0x1000, 0x08000000, 0x08000000, 0x40000, 0x40000, 5, 4)
with open("debug.elf", "wb") as f:
    f.write(eh.replace(struct.pack("<I", base), struct.pack("<I", 0x08000000), 1) + ph)
    f.seek(0x1000)
    f.write(bytes(i & 0xFF for i in range(0x40000)))
    f.truncate(200 << 20)
PY
refused "3 MiB of Intel HEX records at 0x90000000, write --dry-run" write far.hex --dry-run --probe "$SIM"
line=$(jq -r '.findings[0].evidence.line' "$TMP/out")
lines=$(wc -l <far.hex)
[ "$line" -gt 131072 ] && [ "$line" -lt "$lines" ] ||
    fail "far.hex: refused at line $line, expected the record past 2 MiB (of $lines lines)"
refused "3 MiB of S-records at 0x90000000, image -o" image far.srec -o far.bin
refused "ELF segment of 3 GiB at 0x30000000, write --dry-run" write far.elf --dry-run --probe "$SIM"
refused "ELF segment of 3 GiB at 0x30000000, image" image far.elf
read -r RC took rss < <($MEASURE "$TMP/out" "$TMP/err" "$STPROG" --json image debug.elf)
[ "$RC" -eq 0 ] || fail "debug.elf (200 MB, 256 KiB loadable): exit code $RC ($(cat "$TMP/err"))"
jq -e '.total_bytes == 262144' "$TMP/out" >/dev/null || fail "debug.elf: $(cat "$TMP/out")"
[ "$rss" -lt "$RSS_LIMIT" ] || fail "debug.elf: max RSS $rss KiB: the whole file was read"
echo "ok: 200 MB ELF with 256 KiB to load read in $took s, max RSS $((rss / 1024)) MiB"

# Out of memory: a finding and exit 1, never only "out of memory" (not under a sanitizer,
# which reserves terabytes of address space).
if [ "$SANITIZED" -eq 0 ]; then
    head -c 2000000 /dev/urandom >two.bin
    seen=0
    for v in $(seq 16000 200 80000); do # fine steps: each limit fails somewhere else
        set +e
        (ulimit -v "$v" && exec "$STPROG" image two.bin -o two.hex) >/dev/null 2>oom.err
        rc=$?
        set -e
        [ "$rc" -eq 127 ] && continue # the loader cannot map the libraries yet
        [ "$rc" -eq 0 ] && break
        seen=1
        [ "$rc" -eq 1 ] || [ "$rc" -eq 2 ] || fail "ulimit -v $v: exit code $rc ($(cat oom.err))"
        grep -Eq '\[(cli\.out-of-memory|file\.[a-z-]+)\]' oom.err ||
            fail "ulimit -v $v: out of memory without a finding: $(cat oom.err)"
    done
    [ "$seen" -eq 1 ] && echo "ok: out of memory reported as a finding" ||
        echo "note: no address-space limit made image run out of memory; check skipped"
fi
finish
