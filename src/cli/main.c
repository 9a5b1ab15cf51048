/* stprog — STM32 programmer: command-line entry point. */
#include "cli/cli.h"
#include "cli/cube.h"

int main(int argc, char **argv)
{
    /* `stprog [GLOBALS] cube ARGS...`, or run as STM32_Programmer_CLI: its command line */
    int first = cli_cube_first(argc, argv);
    if (first > 0)
        return cli_cube_main(argc, argv, first);
    return cli_main(argc, argv);
}
