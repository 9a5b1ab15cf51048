/* stprog CLI — what `run` and `rtt` share: their common options, the firmware's output on
 * stdout/stderr (or kept for the --json document), stdin for the firmware, Ctrl-C, and the
 * report of how the run ended with its exit code. */
#ifndef STP_CLI_RUN_IO_H
#define STP_CLI_RUN_IO_H

#include "cli/cli.h"
#include "stprog/run.h"

/* The options both commands take (name, short, value, help), for their option tables. */
#define CLI_RUN_COMMON_OPTIONS                                                                     \
    {"timeout", 't', "SECONDS", "end the run after this long (exit code 124); decimals allowed"},  \
        {"rtt-address", 0, "ADDR",                                                                 \
         "RTT control block address (default: the ELF's _SEGGER_RTT, "                             \
         "else a scan of SRAM)"},                                                                  \
        {"rtt-channel", 0, "N", "RTT up-channel to print (default 0)"},                            \
        {"no-rtt", 0, NULL, "do not look for RTT"},                                                \
        {"no-semihosting", 0, NULL,                                                                \
         "do not serve semihosting calls (BKPT 0xAB then ends the run)"},                          \
        {"poll-ms", 0, "MS",                                                                       \
         "idle poll period (default 10; polls follow at once while data flows)"},                  \
    {                                                                                              \
        "stdin", 0, "MODE",                                                                        \
            "where stdin goes: rtt (down-channel 0), semihosting, none (default: "                 \
            "rtt until the firmware reads through semihosting)"                                    \
    }

/* SWO options (run, rtt, swo). */
#define CLI_RUN_SWO_OPTIONS                                                                        \
    {"swo", 0, NULL, "also capture SWO and print ITM stimulus port 0 (see --itm-ports)"},          \
        {"swo-baud", 0, "HZ",                                                                      \
         "SWO rate (default: the highest up to 2 MHz that divides the core "                       \
         "clock; k/M suffixes)"},                                                                  \
        {"swo-clock", 0, "HZ",                                                                     \
         "core clock feeding the TPIU (default: the chip's clock after "                           \
         "reset)"},                                                                                \
    {                                                                                              \
        "itm-ports", 0, "MASK", "ITM stimulus ports to print, bit n = port n (default 0x1)"        \
    }

/* Parses the common options into o (other fields untouched). Usage errors are returned. */
stp_status cli_run_parse_options(cli_ctx *ctx, stp_run_options *o);
/* With FILE an ELF: its _SEGGER_RTT symbol becomes the control block address (unless
 * --rtt-address is given); an ELF without it turns RTT off. Quietly nothing for other
 * files. */
void cli_run_rtt_from_elf(cli_ctx *ctx, const char *path, stp_run_options *o);

/* `rtt` and `swo`: --elf FILE (usage error when it cannot be opened) gives the RTT control
 * block; the session is opened hot-plug unless --connect says otherwise or o->reset asks
 * for a reset; then cli_run_serve. */
stp_status cli_run_attach(cli_ctx *ctx, stp_run_options *o);

/* Runs (o->reset) or attaches to the program on t with the firmware's output on stdout
 * and stderr (kept for the document with --json), stdin as its input and Ctrl-C/SIGTERM
 * ending the run; then reports how it ended and sets ctx's exit code. */
stp_status cli_run_serve(cli_ctx *ctx, stp_target *t, const stp_run_options *o);

#endif
