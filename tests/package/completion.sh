#!/bin/bash
# The completion scripts the build generates from the command table (build/completion/, the
# files the packages install) complete what `stprog --help` lists: every command and every
# option of every command appears in each script, and bash, zsh and fish really complete
# command names, option names and option values with them.
set -e
. "$STPROG_SRC/tests/cli/lib.sh"
: "${STPROG_BUILD:?}"
C=$STPROG_BUILD/completion
for f in stprog _stprog stprog.fish; do
    [ -f "$C/$f" ] || { fail "the build did not generate completion/$f"; finish; }
done
# The build's scripts are what `stprog completion SHELL` prints now.
for pair in bash:stprog zsh:_stprog fish:stprog.fish; do
    "$STPROG" completion "${pair%%:*}" | cmp -s - "$C/${pair#*:}" ||
        fail "completion/${pair#*:} is not what 'stprog completion ${pair%%:*}' prints"
done
run completion tcsh
expect_rc 2 "completion of an unknown shell"
expect_err "use bash, zsh or fish"

# Every command and option of --help is in every script.
"$STPROG" --json help >"$TMP/help.json"
for cmd in $(jq -r '.commands[].name' "$TMP/help.json"); do
    for f in stprog _stprog stprog.fish; do
        grep -qw -- "$cmd" "$C/$f" || fail "completion/$f lacks the command $cmd"
    done
    for opt in $("$STPROG" --json help "$cmd" | jq -r '.options[]?.name'); do
        grep -q -- "--${opt#--}" "$C/stprog" || fail "bash completion lacks $cmd $opt"
        grep -q -- "--${opt#--}\[" "$C/_stprog" || fail "zsh completion lacks $cmd $opt"
        grep -q -- "__fish_seen_subcommand_from $cmd' .*-l ${opt#--} " "$C/stprog.fish" ||
            fail "fish completion lacks $cmd $opt"
    done
done

# bash: COMPREPLY for a command line (the way bash calls the function).
bash_complete() {
    bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _stprog
             printf "%s\n" "${COMPREPLY[@]}"' bash "$C/stprog" "$@" 2>&1
}
expect_completion() { # shell expected words... -- command line
    local shell=$1 got want=() line=()
    shift
    while [ "$1" != -- ]; do want+=("$1"); shift; done
    shift
    line=("$@")
    case $shell in
    bash) got=$(bash_complete "${line[@]}") ;;
    fish) got=$(fish -c 'source $argv[1]; complete -C "$argv[2]"' "$C/stprog.fish" "${line[*]}" |
        cut -f1) ;;
    esac
    for w in "${want[@]}"; do
        grep -qx -- "$w" <<<"$got" || fail "$shell: '${line[*]}' does not complete to $w (got: $(echo $got))"
    done
}
expect_completion bash write -- stprog wr
expect_completion bash blank-check -- stprog -v --probe sim:x bl
expect_completion bash under-reset -- stprog --connect u
expect_completion bash hw sw core -- stprog erase --reset ''
expect_completion bash --dry-run -- stprog write --dr
expect_completion bash option-bytes -- stprog help opt
expect_completion bash zsh -- stprog completion z
[ -z "$(bash_complete stprog write --reset s)" ] ||
    fail "bash: write --reset is write's flag, but its value was completed as the global's"
expect_completion fish write -- stprog wr
expect_completion fish under-reset -- stprog --connect u
expect_completion fish --dry-run -- stprog write --dr
expect_completion fish option-bytes -- stprog help opt
expect_completion fish fish -- stprog completion f

# zsh: with _arguments and _describe as stubs that record their arguments, every command's
# branch runs without error and hands over each of its option specs.
cat >"$TMP/zsh-check" <<'ZSH'
_arguments() { print -r -- "ARGS $#"; print -rl -- "$@" >>$SPECS; state=$STUB_STATE; return 0 }
_describe() { local name=${@[-1]}; print -r -- "DESCRIBE ${#${(P)name}}" }
_message() { print -r -- "MESSAGE $*" }
_normal() { print -r -- "NORMAL $words" }
autoload() { : }
for cmd in "$@"; do
    words=($cmd x); CURRENT=2; STUB_STATE=args
    source $COMPLETION
done
words=(); STUB_STATE=command
source $COMPLETION
words=(sim-env stm32f407vg -- st-fl); CURRENT=4; STUB_STATE=args
source $COMPLETION
ZSH
cmds=$(jq -r '.commands[].name' "$TMP/help.json")
COMPLETION=$C/_stprog SPECS=$TMP/specs zsh -f "$TMP/zsh-check" $cmds >"$TMP/zsh.out" 2>"$TMP/zsh.err" ||
    fail "zsh: the completion function failed: $(cat "$TMP/zsh.err")"
[ ! -s "$TMP/zsh.err" ] || fail "zsh: errors from the completion function: $(head -5 "$TMP/zsh.err")"
ncmd=$(wc -w <<<"$cmds")
grep -qx "DESCRIBE $ncmd" "$TMP/zsh.out" || fail "zsh: _describe is not given the $ncmd commands"
grep -qx "NORMAL st-fl" "$TMP/zsh.out" || fail "zsh: sim-env does not hand the tool's words to _normal"
for cmd in $cmds; do
    for opt in $("$STPROG" --json help "$cmd" | jq -r '.options[]?.name'); do
        grep -q -- "^\*$opt\[" "$TMP/specs" || fail "zsh: no _arguments spec for $cmd $opt"
    done
done
grep -qx '\*--connect\[.*\]:MODE:(normal under-reset hot-plug)' "$TMP/specs" ||
    fail "zsh: --connect does not offer its modes"
finish
