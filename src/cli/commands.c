/* stprog CLI — the command registry.
 *
 * Adding a command: write src/cli/cmd_<name>.c defining `const cli_command cli_cmd_<name>`
 * (see cli/cli.h), add ONE line X(<name>) below, and add its entry to the COMMANDS section
 * of docs/stprog.1 in the same order (tests/cli/test_help_manpage.sh fails when --help and
 * the man page disagree). Only list commands that exist. The order below is the order of
 * `stprog --help`: device commands first, then the ones that need no probe. */
#include "cli/cli.h"

/* clang-format off */
#define CLI_COMMAND_TABLE(X) \
    X(probes)                \
    X(info)                  \
    X(doctor)                \
    X(write)                 \
    X(verify)                \
    X(read)                  \
    X(erase)                 \
    X(recover)               \
    X(blank_check)           \
    X(option_bytes)          \
    X(reset)                 \
    X(go)                    \
    X(run)                   \
    X(rtt)                   \
    X(swo)                   \
    X(gdbserver)             \
    X(cube)                  \
    X(chips)                 \
    X(image)                 \
    X(sim_serve)             \
    X(sim_env)               \
    X(completion)            \
    X(help)                  \
    X(version)
/* clang-format on */

#define CLI_DECLARE(name) extern const cli_command cli_cmd_##name;
CLI_COMMAND_TABLE(CLI_DECLARE)

#define CLI_ENTRY(name) &cli_cmd_##name,
const cli_command *const cli_commands[] = {CLI_COMMAND_TABLE(CLI_ENTRY)};

const size_t cli_command_count = sizeof(cli_commands) / sizeof(cli_commands[0]);
