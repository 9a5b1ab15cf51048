/* STM32_Programmer_CLI's command line (ST's UM2237), the subset its callers use (Zephyr's
 * stm32cubeprogrammer runner, the stm32duino core, CubeIDE flows), run by stprog's own
 * commands: `stprog cube ARGS...`, or stprog started under the name STM32_Programmer_CLI. */
#ifndef STP_CLI_CUBE_H
#define STP_CLI_CUBE_H

#include <stdbool.h>
#include <stddef.h>

#define CUBE_MAX_ACTIONS 32
#define CUBE_MAX_KEYS    16

typedef enum cube_kind {
    CUBE_INFO, /* -c alone: connect and show the chip */
    CUBE_LIST,
    CUBE_WRITE,
    CUBE_ERASE_ALL,
    CUBE_ERASE_SECTORS,
    CUBE_OB_SHOW,
    CUBE_OB_SET,
    CUBE_READ32,
    CUBE_UPLOAD,
    CUBE_RESET_SW,
    CUBE_RESET_HW,
    CUBE_START,
} cube_kind;

typedef struct cube_action {
    cube_kind kind;
    const char *file;
    const char *addr;
    const char *len;
    bool verify;
    unsigned first, last;
    char keys[CUBE_MAX_KEYS][48]; /* stprog option-bytes KEY=VALUE */
    int nkeys;
    bool unlock; /* rdp back to level 0 (the chip erases its flash) */
} cube_action;

typedef struct cube_cmd {
    bool connect;      /* -c given */
    bool swd;          /* port=SWD (else the ROM bootloader on tty) */
    char tty[256];     /* port=/dev/ttyX */
    char freq[16];     /* kHz */
    const char *mode;  /* stprog --connect value, or NULL */
    const char *reset; /* stprog --reset value, or NULL */
    char sn[64];
    char baud[16];
    const char *parity; /* even | none | NULL */
    bool quiet;
    int verbosity; /* -vb 1..3 */
    bool help;
    cube_action act[CUBE_MAX_ACTIONS];
    int nact;
} cube_cmd;

/* Parses the Cube arguments; false with a message naming what is wrong or outside the
 * subset. */
bool cube_parse(int argc, char **argv, cube_cmd *c, char *err, size_t cap);

/* Runs `stprog [GLOBALS...] cube ARGS...`: globals are argv[1..first-2], the Cube arguments
 * argv[first..]. Returns the exit code (0 success, non-zero on any failure). */
int cli_cube_main(int argc, char **argv, int first);

/* Where the Cube arguments start when argv is `stprog [GLOBALS] cube ...` (index after
 * "cube"), or when stprog runs as STM32_Programmer_CLI (1); 0 when neither. */
int cli_cube_first(int argc, char **argv);

#endif
