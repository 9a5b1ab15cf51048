#!/bin/bash
# The man page and --help must agree: the same commands, the same exit codes.
set -e
. "$(dirname "$0")/lib.sh"
MAN="$STPROG_SRC/docs/stprog.1"
[ -f "$MAN" ] || { fail "no man page at $MAN"; finish; }

run help --json
expect_rc 0 "help --json"
help_cmds=$(jq -r '.commands[].name' "$TMP/out" | sort)
# Commands in the man page: the ".B name" lines after ".SH COMMANDS" up to the next section.
man_cmds=$(sed -n '/^\.SH COMMANDS/,/^\.SH /p' "$MAN" | sed -n '/^\.TP/{n;p}' |
    sed -E 's/^\.B ([a-z-]+).*/\1/' | sort)
[ -n "$help_cmds" ] || fail "no commands in help --json"
[ "$help_cmds" = "$man_cmds" ] ||
    fail "commands differ: --help has [$(echo $help_cmds)], the man page has [$(echo $man_cmds)]"

# Every exit code of --help is in the EXIT STATUS section, with nothing extra.
help_codes=$(jq -r '.exit_codes[].code' "$TMP/out" | sort -n)
man_codes=$(sed -n '/^\.SH EXIT STATUS/,/^\.SH /p' "$MAN" | sed -n '/^\.TP/{n;p}' |
    sed -E 's/^\.B ([0-9]+)$/\1/' | sort -n)
[ "$help_codes" = "$man_codes" ] ||
    fail "exit codes differ: --help [$(echo $help_codes)], man page [$(echo $man_codes)]"

# The README's exit-code table has the same codes.
readme_codes=$(sed -n '/^### Exit codes/,/^## /p' "$STPROG_SRC/README.md" | sed -nE 's/^\| ([0-9]+) \|.*/\1/p' |
    sort -n)
[ "$help_codes" = "$readme_codes" ] ||
    fail "exit codes differ: --help [$(echo $help_codes)], README [$(echo $readme_codes)]"

# The README's chip list names every device ID and family `chips` has.
readme_chips=$(sed -n '/^## Supported chips/,/^## /p' "$STPROG_SRC/README.md")
run --json chips
for id in $(jq -r '.chips[].dev_id_hex' "$TMP/out"); do
    grep -q "$id" <<<"$readme_chips" || fail "README's chip list lacks $id"
done
for fam in $(jq -r '.chips[].family' "$TMP/out" | sort -u); do
    grep -q "\b$fam (" <<<"$readme_chips" || fail "README's chip list lacks family $fam"
done
run help --json

# Every `stprog COMMAND` the docs quote is a command this build has.
for word in $(grep -oh '`stprog [a-z][a-z-]*' "$STPROG_SRC"/docs/*.md "$STPROG_SRC/README.md" |
    sed 's/`stprog //' | sort -u); do
    jq -e --arg w "$word" '[.commands[].name] | index($w) != null' "$TMP/out" >/dev/null ||
        fail "the docs quote \`stprog $word\`, which is no command"
done

# Every global option and environment variable of --help is documented.
for opt in $(jq -r '.global_options[].name' "$TMP/out"); do
    grep -qF -- "${opt//-/\\-}" "$MAN" || fail "man page lacks global option $opt"
done
for var in $(jq -r '.environment[].name' "$TMP/out"); do
    grep -qF -- "$var" "$MAN" || fail "man page lacks environment variable $var"
done

# Every command's options are in the man page (as --name, groff-escaped).
for cmd in $(jq -r '.commands[].name' "$TMP/out"); do
    for opt in $("$STPROG" help "$cmd" --json | jq -r '.options[]?.name'); do
        opt=${opt#--}
        grep -qF -- "\\-\\-${opt//-/\\-}" "$MAN" || fail "man page lacks $cmd --$opt"
    done
done

# The page renders without groff warnings.
if command -v groff >/dev/null; then
    warnings=$(groff -man -Tutf8 -ww -z "$MAN" 2>&1 || true)
    [ -z "$warnings" ] || fail "groff warnings: $warnings"
fi
finish
