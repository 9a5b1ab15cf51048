/* Board spec: "sim:PART[,key=value]..." parsed into a plain struct. Documented in
 * docs/virtual-board.md. Unknown keys, parts and bad values are rejected with a message
 * listing what is accepted. */
#ifndef SIM_SPEC_H
#define SIM_SPEC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SIM_MAX_WORN 32
#define SIM_MAX_ECC  16

typedef enum sim_probe_kind {
    SIM_PROBE_V2 = 0, /* ST-Link V2 */
    SIM_PROBE_V2_1,
    SIM_PROBE_V3,
    SIM_PROBE_CMSIS_DAP,    /* CMSIS-DAP v2: bulk endpoints, high speed */
    SIM_PROBE_CMSIS_DAP_V1, /* CMSIS-DAP v1: HID reports, full speed */
} sim_probe_kind;
typedef enum sim_supply { SIM_SUPPLY_OK = 0, SIM_SUPPLY_UNSTABLE, SIM_SUPPLY_DEAD_CORE } sim_supply;
typedef enum sim_firmware { SIM_FW_NORMAL = 0, SIM_FW_SWD_OFF, SIM_FW_SLEEP } sim_firmware;
/* What GETLASTRWSTATUS2's address names after a failed transfer (rw-fault-addr=). */
typedef enum sim_rw_fault_addr {
    SIM_RWADDR_UNIT = 0, /* the unit the transfer stopped at */
    SIM_RWADDR_START,    /* the transfer's start */
    SIM_RWADDR_NEXT,     /* the unit after the one it stopped at */
    SIM_RWADDR_ZERO,     /* nothing (0) */
} sim_rw_fault_addr;

typedef struct sim_spec {
    char part[32];                   /* "stm32f407vg" */
    sim_probe_kind probe;            /* probe=v2|v2-1|v3|cmsis-dap|cmsis-dap-v1 (default v2-1) */
    char fw[32];                     /* fw=V2J45S7 style version string ("" = default of probe) */
    char serial[32];                 /* serial= */
    double vdd;                      /* vdd=VOLTS (default 3.3) */
    uint32_t swd_max_khz;            /* swd-max-khz=N, 0 = clean at any clock */
    uint32_t swd_wait_one_in;        /* swd-wait=N: one transfer in N outlasts the WAIT retries */
    sim_rw_fault_addr rw_fault_addr; /* rw-fault-addr=unit|start|next|zero */
    uint32_t status_0d_one_in;       /* status-0d=N: one write in N answers 0x0D (done) */
    uint32_t wait_fault_one_in;      /* wait-fault=N: one access in N: WAIT, AP_FAULT, then OK */
    sim_supply supply;               /* supply=ok|unstable|dead-core */
    int rdp;                         /* rdp=0|1|2 (-1 = from state file / default 0) */
    bool wrp_set;                    /* wrp=MASK given */
    uint64_t wrp_mask;               /* bit n = sector n write-protected */
    bool fsize_set;                  /* fsize=VALUE given */
    bool fsize_unreadable;           /* fsize=unreadable */
    uint32_t fsize_raw;              /* raw flash-size register contents */
    uint16_t worn[SIM_MAX_WORN];     /* worn=S[:S...] sector numbers */
    size_t worn_count;
    uint32_t ecc_addr[SIM_MAX_ECC]; /* ecc-error=ADDR[:ADDR...], ecc-single=ADDR[:ADDR...] */
    bool ecc_dbl[SIM_MAX_ECC];      /* ... from ecc-error= (two bits: detected) */
    size_t ecc_count;
    uint32_t probe_corrupt_over; /* probe-bug=corrupt-over:N, 0 = off */
    bool nrst_unconnected;       /* nrst=unconnected */
    sim_firmware firmware;       /* firmware=swd-off|sleep */
    uint32_t reset_loop_ms;      /* reset-loop=MS, 0 = off */
    uint32_t iwdg_window_ms;     /* iwdg-window=MS (with reset-loop), 0 = no window */
    bool boot0;                  /* boot0=1 */
    char state_path[256];        /* state=FILE */
    uint64_t seed;               /* seed=N (default 1) */
} sim_spec;

/* Parses text (with or without the "sim:" prefix). Returns 0, or -1 with a message in err. */
int sim_spec_parse(const char *text, sim_spec *out, char *err, size_t errlen);
/* The accepted keys and parts, for error messages and --help. */
const char *sim_spec_help(void);

#endif
