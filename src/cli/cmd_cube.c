/* stprog cube ARGS...: STM32_Programmer_CLI's command line (cube.h). main() hands it to
 * cli_cube_main before stprog's own parser sees the arguments; this entry gives it its
 * place in --help, `stprog help cube` and the man page. */
#include "cli/cli.h"

static stp_status run(cli_ctx *ctx)
{
    return cli_usage_error(ctx, "cube: give STM32_Programmer_CLI arguments, e.g. "
                                "stprog cube -c port=SWD -w fw.hex -v -rst");
}

const cli_command cli_cmd_cube = {
    .name = "cube",
    .summary = "STM32_Programmer_CLI's command line (-c port=SWD -w FILE -v -rst ...)",
    .usage = "-c port=SWD|/dev/ttyX [KEY=VALUE...] OPERATION...",
    .description =
        "Takes STM32CubeProgrammer's command line (ST's UM2237) for what Zephyr's "
        "stm32cubeprogrammer runner, the stm32duino core and CubeIDE flows call, and does it "
        "with stprog's commands: -c port=SWD [freq=KHZ] [mode=NORMAL|UR|HOTPLUG] "
        "[reset=SWrst|HWrst|Crst] [sn=SERIAL] or -c port=/dev/ttyX [br=BAUD] [P=EVEN|NONE] "
        "(the ROM bootloader); -l/--list; -w/--write/-d/--download FILE [ADDR] (ADDR for .bin "
        "only), -v/--verify; -e/--erase all | N | [N M]; -ob displ; -ob rdp=0xAA|0xBB "
        "nWRPi=0|1 FIELD=VALUE...; -r32 ADDR SIZE; -u/--upload/-r ADDR SIZE FILE; -rst; "
        "-hardRst; -s/--start/-g [ADDR]; -q; -vb LEVEL. Operations run in the order given; "
        "the first failure ends the run with a non-zero exit status. An operation without -c "
        "(other than -l) is an error, and options outside this subset are refused by name. "
        "stprog started under the name STM32_Programmer_CLI (make install puts such a link "
        "in libexec/stprog) takes the same arguments without `cube`.",
    .options = NULL,
    .min_args = 0,
    .max_args = -1,
    .run = run,
};
