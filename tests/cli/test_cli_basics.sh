#!/bin/bash
# End-to-end: help, version, usage errors and their exit codes, global options anywhere.
set -e
. "$(dirname "$0")/lib.sh"

run --help
expect_rc 0 "--help"
expect_out "Usage: stprog [OPTIONS] COMMAND [ARGS]" "--help"
expect_out "Exit codes:" "--help"
for line in "0  success" "1  the operation failed" "2  usage error" "3  no probe or no target" \
    "4  blocked by read/write protection" "5  verify mismatch"; do
    expect_out "$line" "--help exit codes"
done
expect_out "STPROG_SIM_REPORT" "--help environment"
for cmd in chips image help version; do
    grep -qE "^  $cmd +[a-z]" "$TMP/out" || fail "--help does not list '$cmd'"
done

# Help fits an 80-column terminal, for every command.
for topic in "" $(jq -r '.commands[].name' <("$STPROG" help --json)); do
    long=$("$STPROG" help $topic | awk 'length > 79')
    [ -z "$long" ] || fail "help $topic has lines over 79 columns: $long"
done

run -h
expect_rc 0 "-h"
expect_out "Commands:" "-h"

run --version
expect_rc 0 "--version"
[[ "$OUT" =~ ^stprog\ [0-9]+\.[0-9]+\.[0-9]+$ ]] || fail "--version prints '$OUT'"
run version --json
expect_rc 0 "version --json"
expect_json '.command == "version" and (.version | test("^[0-9]+\\.[0-9]+")) and .status == "ok" and .findings == []' "version --json"

run help image
expect_rc 0 "help image"
expect_out "Usage: stprog image FILE" "help image"
expect_out "--addr ADDR" "help image"
run image --help
expect_rc 0 "image --help"
expect_out "Usage: stprog image FILE" "image --help"
run --json help
expect_rc 0 "help --json"
expect_json '[.commands[].name] | index("chips") != null and index("image") != null' "help --json"
expect_json '[.exit_codes[].code] == [0,1,2,3,4,5,124,130,139,143]' "help --json exit codes"

# No command at all: a usage error.
run
expect_rc 2 "no command"
expect_err "no command given" "no command"
expect_no_out "no command"

# Unknown command, with a suggestion.
run chipz
expect_rc 2 "unknown command"
expect_err "stprog: unknown command 'chipz' (did you mean 'chips'?)" "unknown command"
expect_err "stprog --help" "unknown command"
expect_no_out "unknown command"
run help frobnicate
expect_rc 2 "help unknown"
expect_err "no command 'frobnicate'" "help unknown"

# Unknown options, missing values, bad values.
run chips --bogus
expect_rc 2 "unknown option"
expect_err "unknown option '--bogus' for 'chips'" "unknown option"
expect_err "stprog help chips" "unknown option"
run --bogus chips
expect_rc 2 "unknown global option"
expect_err "unknown option '--bogus'" "unknown global option"
run chips -x
expect_rc 2 "unknown short option"
expect_err "unknown option '-x' for 'chips'" "unknown short option"
run chips --probe
expect_rc 2 "missing value"
expect_err "option --probe needs a value (SPEC)" "missing value"
run --freq 4G chips
expect_rc 2 "bad frequency"
expect_err "bad value for --freq: '4G'" "bad frequency"
run chips --connect sideways
expect_rc 2 "bad connect mode"
expect_err "bad value for --connect: 'sideways' (use normal, under-reset or hot-plug)" "bad connect"
run chips --reset hard
expect_rc 2 "bad reset mode"
expect_err "bad value for --reset: 'hard'" "bad reset"
run --json=yes chips
expect_rc 2 "flag with a value"
expect_err "option --json takes no value" "flag with a value"
run image
expect_rc 2 "missing argument"
expect_err "image: missing argument (usage: stprog image FILE" "missing argument"
run version extra
expect_rc 2 "extra argument"
expect_err "unexpected argument 'extra'" "extra argument"
run image x.bin --addr 0x1g
expect_rc 2 "bad number"
expect_err "bad value for --addr: '0x1g': not a number" "bad number"
run image x.bin --addr 0x100000000
expect_rc 2 "number too large"
expect_err "bad value for --addr: '0x100000000': too large" "number too large"

# Usage errors with --json: still exactly one JSON document, status and finding.
run chips --bogus --json
expect_rc 2 "usage error --json"
expect_json '.status == "invalid-argument" and .exit_code == 2 and .findings[0].id == "cli.usage" and (.findings[0].message | contains("--bogus"))' "usage error --json"
run --json nosuch
expect_rc 2 "unknown command --json"
expect_json '.command == null and .status == "invalid-argument" and (.findings[0].message | contains("nosuch"))' "unknown command --json"

# Global options before and after the command, in both spellings.
run --probe sim:stm32f407vg --freq 1800 --connect under-reset --reset hw -v chips
expect_rc 0 "globals before"
expect_out "0x413" "globals before"
run chips --probe=sim:stm32f407vg --freq=4M --connect hot-plug --reset=core -vv -q --json
expect_rc 0 "globals after"
expect_json '.command == "chips" and .status == "ok"' "globals after"
run -q chips --json --family F4
expect_rc 0 "globals mixed with command options"
expect_json '[.chips[].family] | unique == ["F4"]' "globals mixed with command options"

# Output that cannot be written is a failure, not a silent success.
if [ -w /dev/full ]; then
    set +e
    "$STPROG" chips >/dev/full 2>"$TMP/err"
    RC=$?
    set -e
    ERR=$(cat "$TMP/err")
    expect_rc 1 "stdout on /dev/full"
    expect_err "cannot write the output" "stdout on /dev/full"
fi

# A command without arguments has no stray blank in its usage line.
run version extra
expect_rc 2 "version extra"
expect_err "(usage: stprog version)" "version extra"

finish
