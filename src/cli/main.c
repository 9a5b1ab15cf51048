/* stprog — STM32 programmer: command-line entry point. */
#include "cli/cli.h"

int main(int argc, char **argv)
{
    return cli_main(argc, argv);
}
