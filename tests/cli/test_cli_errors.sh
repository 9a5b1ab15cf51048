#!/bin/bash
# End-to-end: what a user sees for bad input files, bad addresses, bad output paths and
# options given twice; exit codes as documented (2 = bad command line or bad input file);
# --json gives one document on every error path; nothing half-done is left behind.
set -e
. "$(dirname "$0")/lib.sh"
STATE="$TMP/board.state"
SIM="sim:stm32f407vg,state=$STATE"
cd "$TMP"
head -c 20000 /dev/urandom >fw.bin
"$STPROG" image fw.bin -o fw.hex >/dev/null
: >empty.bin
mkdir adir.bin

# --- input files that cannot be used: exit 2 (bad input file), the file named ---
for bad in /nonexistent/fw.bin adir.bin empty.bin; do
    run write "$bad" --probe "$SIM"
    expect_rc 2 "write $bad"
    expect_err "$bad" "write $bad names the file"
    run --json write "$bad" --probe "$SIM"
    expect_rc 2 "write --json $bad"
    expect_json '.exit_code == 2 and (.findings[0].id | startswith("file."))' "write --json $bad"
    run verify "$bad" --probe "$SIM"
    expect_rc 2 "verify $bad"
    run image "$bad"
    expect_rc 2 "image $bad"
done
[ ! -e "$STATE" ] || fail "a bad input file opened the board (state file written)"

# --- FILE ADDR, st-flash's habit: the same as --addr for a raw binary ---
run write fw.bin 0x08004000 --probe "$SIM"
expect_rc 0 "write fw.bin 0x08004000"
run read 0x08004000 20000 -o back.bin --probe "$SIM"
expect_rc 0 "read back at 0x08004000"
cmp -s fw.bin back.bin || fail "write FILE ADDR did not program the file at ADDR"
run read 0x08000000 16 -o first.bin --probe "$SIM"
[ "$(od -An -tx1 first.bin | tr -d ' \n')" = "ffffffffffffffffffffffffffffffff" ] ||
    fail "write FILE ADDR wrote at 0x08000000 too"
run verify fw.bin 0x08004000 --probe "$SIM"
expect_rc 0 "verify fw.bin 0x08004000"
run verify fw.bin --probe "$SIM"
expect_rc 5 "verify fw.bin at the default address"
run write fw.bin 0x08004000 --addr 0x08008000 -n --probe "$SIM"
expect_rc 2 "positional address and --addr disagree"
expect_err "disagree" "positional address and --addr disagree"
run write fw.bin 0x08004000 --addr 0x08004000 -n --probe "$SIM"
expect_rc 0 "positional address and --addr agree"
run write fw.bin nowhere -n --probe "$SIM"
expect_rc 2 "write fw.bin nowhere"
expect_err "bad ADDR: 'nowhere'" "write fw.bin nowhere"
# A file that carries its own addresses: an address given with it is refused, not ignored.
for how in "0x08004000" "--addr 0x08004000"; do
    run write fw.hex $how -n --probe "$SIM"
    expect_rc 2 "write fw.hex $how"
    expect_err "carries its own addresses" "write fw.hex $how"
done
run image fw.hex --addr 0x08004000
expect_rc 2 "image fw.hex --addr"
expect_err "raw binaries only" "image fw.hex --addr"

# --- an image that does not fit: refused before any sector is read ---
run write fw.bin --addr 0x080FF000 --probe "$SIM"
expect_rc 2 "write past the end of the flash"
expect_err "15904 byte(s) outside the flash, starting at 0x08100000" "write past the end"
grep -q "read:" "$TMP/err" && fail "write past the end of the flash read sectors before refusing"
run --json write fw.bin --addr 0x20000000 --probe "$SIM"
expect_json '.exit_code == 2 and .findings[0].id == "plan.outside-flash" and
    .findings[0].evidence.first_address == "0x20000000"' "write into SRAM --json"

# --- FILE "-" is standard input; its format is told by content, also through /dev/stdin ---
for name in - /dev/stdin; do
    "$STPROG" image "$name" <fw.hex >"$TMP/out" 2>"$TMP/err" || fail "image $name from a pipe"
    expect_out "$name: Intel HEX, 1 segment" "image $name from a pipe"
done
set +e
cat fw.bin | "$STPROG" write - 0x08004000 -n --probe "$SIM" >"$TMP/out" 2>"$TMP/err"
RC=$?
set -e
expect_rc 0 "write - 0x08004000 from a pipe"
expect_out "1       0x08004000" "write - 0x08004000 plans sector 1"

# --- options given twice with different values: refused; the same value: fine ---
run write fw.bin --addr 0x08000000 --addr 0x08004000 -n --probe "$SIM"
expect_rc 2 "--addr twice"
expect_err "--addr given twice ('0x08000000' and '0x08004000')" "--addr twice"
run --probe "$SIM" info --probe sim:stm32f103c8
expect_rc 2 "--probe twice"
expect_err "--probe given twice" "--probe twice"
run --json read 0 4 -o a.bin -o b.bin --probe "$SIM"
expect_rc 2 "-o twice"
expect_json '.exit_code == 2 and (.findings[0].message | contains("--output given twice"))' "-o twice"
run info --freq 4M --freq 4000 --probe "$SIM" -q
expect_rc 0 "--freq 4M --freq 4000 (the same value)"
run option-bytes set bor=1 bor=3 --probe "$SIM"
expect_rc 2 "option-bytes set bor=1 bor=3"
expect_err "bor given twice ('bor=1' and 'bor=3')" "option-bytes set bor=1 bor=3"
run option-bytes show --unlock --probe "$SIM"
expect_rc 2 "option-bytes show --unlock"

# --- output files: checked before any work; never left half-written ---
run read 0x08000000 16K -o /nonexistent/dir/out.bin --probe "$SIM"
expect_rc 2 "read into a missing directory"
expect_err "cannot write there" "read into a missing directory"
grep -q "read: done" "$TMP/err" && fail "read into a missing directory read the flash first"
run --json read 0x08000000 16K -o adir.bin --probe "$SIM"
expect_rc 2 "read into a directory"
expect_json '.findings[0].id == "file.write-failed"' "read into a directory"
run image fw.bin -o /nonexistent/dir/out.hex
expect_rc 2 "image -o into a missing directory"
expect_no_out "image -o into a missing directory"
echo "old contents" >keep.bin
set +e
(
    trap '' XFSZ
    ulimit -f 4 # 4 KiB: the 16 KiB output cannot be written
    exec "$STPROG" read 0x08000000 16K -o keep.bin --probe "$SIM"
) >"$TMP/out" 2>"$TMP/err"
RC=$?
set -e
ERR=$(cat "$TMP/err")
expect_rc 1 "read into a file that cannot grow"
expect_err "file.write-failed" "read into a file that cannot grow"
[ "$(cat keep.bin)" = "old contents" ] || fail "a failed read clobbered the existing output file"
leftovers=$(ls | grep -c '^keep\.bin\.' || true)
[ "$leftovers" = 0 ] || fail "a failed read left temporary files: $(ls)"

# --- read: LEN 0, past the end of the flash ---
run read 0x08000000 0 -o z.bin --probe "$SIM"
expect_rc 2 "read LEN 0"
run read 0x080FF000 8K -o past.bin --probe "$SIM"
expect_rc 2 "read past the end of the flash"
expect_err "runs past the end of the flash at 0x080FFFFF" "read past the end of the flash"
expect_err "read at most 4096 bytes" "read past the end of the flash"
[ ! -e past.bin ] || fail "read past the end of the flash created its output file"
run --json read 0x080FF000 8K -o past.bin --probe "$SIM"
expect_json '.exit_code == 2 and .findings[0].id == "read.outside-flash"' "read past the end --json"

# --- erase ADDR LEN: LEN 0, outside the flash, partial sectors said ---
run erase 0x08000000 0 --probe "$SIM"
expect_rc 2 "erase LEN 0"
expect_err "LEN must be at least 1" "erase LEN 0"
run erase 0x080FFF00 0x1000 --probe "$SIM"
expect_rc 2 "erase past the end of the flash"
expect_err "is not inside the flash (0x08000000-0x080FFFFF): nothing was erased" "erase past end"
grep -q "read:" "$TMP/err" && fail "erase past the end of the flash read sectors first"
run --json erase 0x07FFFF00 0x1000 --probe "$SIM"
expect_json '.exit_code == 2 and .findings[0].id == "erase.outside-flash"' "erase below flash"
run erase 0x08004100 0x100 --probe "$SIM"
expect_rc 0 "erase part of sector 1"
expect_err "covers part of sector 1 (0x08004000-0x08007FFF)" "erase part of sector 1"
run read 0x08004000 20000 -o back.bin --probe "$SIM"
cmp -s back.bin fw.bin && fail "erase 0x08004100 0x100 left the range programmed"
cmp -s <(head -c 256 back.bin) <(head -c 256 fw.bin) || fail "erase of a range lost bytes before it"
cmp -s <(tail -c +513 back.bin) <(tail -c +513 fw.bin) || fail "erase of a range lost bytes after it"
[ "$(head -c 512 back.bin | tail -c 256 | od -An -tx1 | tr -d ' \nf*')" = "" ] ||
    fail "erase 0x08004100 0x100: the range is not 0xFF"
run --json erase 0x08003F00 0x200 --probe "$SIM"
expect_json '.first_sector == 0 and .last_sector == 1' "erase range --json names the sectors"

# --- write --psize where the width is fixed by the chip: refused, not silently ignored ---
run write fw.bin --psize 32 -n --probe sim:stm32f103c8
expect_rc 2 "--psize 32 on an F1"
expect_err "programs 16 bits at a time" "--psize 32 on an F1"
run write fw.bin --psize 16 -n --probe sim:stm32f103c8 -q
expect_rc 0 "--psize 16 on an F1 (its own width)"

# --- go: an address that cannot be a vector table is refused before the board is opened ---
run go 0x08000001 --probe sim:stm32f407vg,state=$TMP/go.state
expect_rc 2 "go 0x08000001"
expect_err "is not the address of a vector table" "go 0x08000001"
[ ! -e "$TMP/go.state" ] || fail "go 0x08000001 opened the board"

# --- Ctrl-C in the middle of a write: one line says what was interrupted and what it means ---
head -c 1000000 /dev/urandom >big.bin
"$STPROG" write big.bin --probe "sim:stm32f407vg" >"$TMP/int.out" 2>"$TMP/int.err" &
pid=$!
for _ in $(seq 1 200); do
    grep -q "^write: " "$TMP/int.err" && break
    sleep 0.05
done
kill -INT "$pid" 2>/dev/null || true
set +e
wait "$pid"
RC=$?
set -e
if [ "$RC" -eq 0 ]; then
    echo "note: the write finished before it could be interrupted; check skipped"
else
    [ "$RC" -eq 130 ] || fail "interrupted write: exit status $RC, expected 130 (SIGINT)"
    grep -q "write interrupted: the flash may hold a partly erased or partly written image" \
        "$TMP/int.err" || fail "interrupted write does not say so: $(tail -2 "$TMP/int.err")"
fi

# --- --freq the probe cannot run: said, not silently changed ---
run info --freq 100M --probe "$SIM"
expect_rc 0 "--freq 100M"
expect_err "--freq 100000: using 4000 kHz, the fastest this probe offers" "--freq 100M"
run info --freq 1 --probe "$SIM"
expect_err "the slowest SWD clock this probe offers" "--freq 1"
run info --freq 4000 --probe "$SIM"
grep -q "freq" "$TMP/err" && fail "--freq 4000 (offered) gave a note: $ERR"

# --- gdbserver --bind: a bad address is a usage error, found before the board is opened ---
run gdbserver --bind nohost.invalid --probe "$SIM"
expect_rc 2 "gdbserver --bind nohost.invalid"
expect_err "not a numeric IPv4 or IPv6 address" "gdbserver --bind nohost.invalid"

# --- sim-serve with an unknown part: a whole message that says where the parts are listed ---
run sim-serve sim:stm32bogus
expect_rc 2 "sim-serve sim:stm32bogus"
expect_err "unknown part 'stm32bogus' (\`stprog chips\` lists the parts)" "sim-serve unknown part"

# --- sim-serve --link never deletes a file that is not a symbolic link ---
echo "precious" >notes.txt
run sim-serve sim:stm32f407vg,boot0=1 --link notes.txt
expect_rc 2 "sim-serve --link onto a regular file"
expect_err "not a symbolic link" "sim-serve --link onto a regular file"
[ "$(cat notes.txt 2>/dev/null)" = "precious" ] || fail "sim-serve --link deleted a regular file"
finish
