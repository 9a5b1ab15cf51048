/* stprog CLI — the command registry.
 *
 * Adding a command: write src/cli/cmd_<name>.c defining `const cli_command cli_cmd_<name>`
 * (see cli/cli.h), add ONE line X(<name>) below, and add its entry to the COMMANDS section
 * of docs/stprog.1 (tests/cli/test_help_manpage.sh fails when --help and the man page
 * disagree). The order below is the order of `stprog --help`. Only list commands that exist. */
#include "cli/cli.h"

#define CLI_COMMAND_TABLE(X)                                                                       \
    X(chips)                                                                                       \
    X(image)                                                                                       \
    X(help)                                                                                        \
    X(version)

#define CLI_DECLARE(name) extern const cli_command cli_cmd_##name;
CLI_COMMAND_TABLE(CLI_DECLARE)

#define CLI_ENTRY(name) &cli_cmd_##name,
const cli_command *const cli_commands[] = {CLI_COMMAND_TABLE(CLI_ENTRY)};

const size_t cli_command_count = sizeof(cli_commands) / sizeof(cli_commands[0]);
