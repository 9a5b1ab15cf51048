/* Internals of the ST-Link probe model, shared by sim/stlink.c (USB framing, top-level
 * commands), sim/stlink_debug.c (DEBUG_COMMAND sub-commands) and sim/stlink_wire.c (the
 * SWD side: clock, timing, noise). Protocol facts (command codes, reply layouts, status
 * codes, firmware-version gates) as documented by ST's firmware behaviour and observed by
 * OpenOCD's and stlink-org's drivers; see docs/virtual-board.md. */
#ifndef SIM_STLINK_INTERNAL_H
#define SIM_STLINK_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dap.h"
#include "sim/stlink.h"

/* Top-level commands (first byte of the 16-byte command packet). */
#define STL_GET_VERSION        0xF1
#define STL_DEBUG_COMMAND      0xF2
#define STL_DFU_COMMAND        0xF3
#define STL_SWIM_COMMAND       0xF4
#define STL_GET_CURRENT_MODE   0xF5
#define STL_GET_TARGET_VOLTAGE 0xF7
#define STL_GET_VERSION_EX     0xFB /* V3 */

#define STL_DFU_EXIT  0x07
#define STL_SWIM_EXIT 0x01

/* Modes reported by GET_CURRENT_MODE. */
#define STL_MODE_DFU   0x00
#define STL_MODE_MASS  0x01
#define STL_MODE_DEBUG 0x02

/* DEBUG_COMMAND sub-commands. */
#define STL_DBG_GETSTATUS           0x01
#define STL_DBG_FORCEDEBUG          0x02
#define STL_DBG_APIV1_RESETSYS      0x03
#define STL_DBG_READMEM_32BIT       0x07
#define STL_DBG_WRITEMEM_32BIT      0x08
#define STL_DBG_RUNCORE             0x09
#define STL_DBG_STEPCORE            0x0A
#define STL_DBG_READMEM_8BIT        0x0C
#define STL_DBG_WRITEMEM_8BIT       0x0D
#define STL_DBG_APIV1_ENTER         0x20
#define STL_DBG_EXIT                0x21
#define STL_DBG_READCOREID          0x22
#define STL_DBG_APIV2_ENTER         0x30
#define STL_DBG_READ_IDCODES        0x31
#define STL_DBG_APIV2_RESETSYS      0x32
#define STL_DBG_APIV2_READREG       0x33
#define STL_DBG_APIV2_WRITEREG      0x34
#define STL_DBG_APIV2_WRITEDEBUGREG 0x35
#define STL_DBG_APIV2_READDEBUGREG  0x36
#define STL_DBG_APIV2_READALLREGS   0x3A
#define STL_DBG_GETLASTRWSTATUS     0x3B
#define STL_DBG_DRIVE_NRST          0x3C
#define STL_DBG_GETLASTRWSTATUS2    0x3E
#define STL_DBG_START_TRACE_RX      0x40
#define STL_DBG_STOP_TRACE_RX       0x41
#define STL_DBG_GET_TRACE_NB        0x42
#define STL_DBG_SWD_SET_FREQ        0x43
#define STL_DBG_JTAG_SET_FREQ       0x44
#define STL_DBG_READ_DAP_REG        0x45
#define STL_DBG_WRITE_DAP_REG       0x46
#define STL_DBG_READMEM_16BIT       0x47
#define STL_DBG_WRITEMEM_16BIT      0x48
#define STL_DBG_INIT_AP             0x4B
#define STL_DBG_CLOSE_AP_DBG        0x4C
#define STL_DBG_WRITEMEM_32_NOINC   0x50
#define STL_DBG_RW_MISC_OUT         0x51
#define STL_DBG_RW_MISC_IN          0x52
#define STL_DBG_READMEM_32_NOINC    0x54
#define STL_DBG_APIV3_SET_COM_FREQ  0x61
#define STL_DBG_APIV3_GET_COM_FREQ  0x62

#define STL_ENTER_SWD  0xA3
#define STL_ENTER_JTAG 0xA4

#define STL_NRST_LOW   0x00
#define STL_NRST_HIGH  0x01
#define STL_NRST_PULSE 0x02

/* Status bytes. */
#define STL_OK                  0x80
#define STL_ERR_FAULT           0x81 /* also GETSTATUS "halted" */
#define STL_SWD_AP_WAIT         0x10
#define STL_SWD_AP_FAULT        0x11
#define STL_SWD_AP_ERROR        0x12
#define STL_SWD_AP_PARITY_ERROR 0x13
#define STL_JTAG_GET_IDCODE_ERR 0x09
#define STL_SWD_DP_WAIT         0x14
#define STL_SWD_DP_FAULT        0x15
#define STL_SWD_DP_ERROR        0x16
#define STL_SWD_DP_PARITY_ERROR 0x17
#define STL_JTAG_WRITE_VERIF    0x0D /* JTAG_WRITE_VERIF_ERROR: hosts treat it as done */

#define STL_WAIT_RETRIES 64 /* the firmware repeats a WAIT-ed SWD transfer this often */
#define STL_CMD_MAX      32
#define STL_REPLY_MAX    128
#define STL_DATA_MAX_V2  6144  /* READMEM 16/32: the firmware's reply buffer */
#define STL_DATA_MAX_V3  12288 /* READMEM 16/32 on V3 (assumption, see sim/usbshim/README.md) */
#define STL_WRITE_MAX    65535 /* WRITEMEM 16/32 stream: only the 16-bit length field limits */
#define STL_RW8_MAX_V2   64    /* 8-bit accesses: one full-speed packet */
#define STL_RW8_MAX_V3   512   /* V3 from J6: one high-speed packet */

/* Cortex-M debug registers the firmware uses for register transfer. */
#define STL_DHCSR      0xE000EDF0u
#define STL_DCRSR      0xE000EDF4u
#define STL_DCRDR      0xE000EDF8u
#define STL_AIRCR      0xE000ED0Cu
#define STL_DBGKEY     0xA05F0000u
#define STL_C_DEBUGEN  (1u << 0)
#define STL_C_HALT     (1u << 1)
#define STL_C_STEP     (1u << 2)
#define STL_C_MASKINTS (1u << 3)
#define STL_S_REGRDY   (1u << 16)
#define STL_S_HALT     (1u << 17)

typedef struct stl_fw {
    unsigned stlink, jtag, swim, msd, bridge;
} stl_fw;

struct sim_stlink {
    sim_board *board;
    const sim_spec *spec;
    sim_stlink_usb usb;
    stl_fw fw;
    char serial[40];
    char product[32];

    uint8_t mode;       /* STL_MODE_* */
    uint8_t power_mode; /* mode after power-up and after leaving debug */
    bool swd;           /* ENTER SWD done */
    uint32_t power_khz; /* SWD clock after power-up */
    bool hung;          /* firmware locked up (V3 DEBUG_EXIT outside debug mode): no USB
                         * answers until a USB reset */

    /* A write command waiting for its data phase. */
    bool out_pending;
    uint8_t out_cmd;
    uint32_t out_addr;
    uint8_t out_ap;
    uint32_t out_len;
    uint32_t out_got;

    /* Reply waiting for the host's IN transfer. */
    uint8_t *reply;
    size_t reply_len;
    size_t reply_pos;
    /* A command that arrived while a reply was still waiting: it sits in the OUT endpoint's
     * buffer until the host has read the reply (the firmware answers in order). */
    uint8_t held[STL_CMD_MAX];
    size_t held_len;

    /* GETLASTRWSTATUS(2) */
    uint8_t rw_status;
    uint32_t rw_fault_addr;
    uint32_t rw_start; /* the last memory transfer's address and unit (rw-fault-addr=) */
    unsigned rw_width;
    bool wait_fault; /* wait-fault=: the next memory access answers AP_FAULT */

    uint8_t *data;   /* STL_WRITE_MAX + 16 bytes: a reply or an OUT data phase */
    size_t data_max; /* READMEM 16/32 limit */
    size_t rw8_max;
    uint8_t *small; /* STL_REPLY_MAX bytes: short replies */
    /* Where data, small and the USB-side state live: a file mapped beside the board's state
     * file (state=), so that a reply or a data phase left pending by a killed host process
     * is still pending for the next one, as on a probe that stays plugged in; else memory.
     * stlink_persist.c. */
    struct stl_saved *saved;
    bool saved_mapped;
    char restored[128]; /* what the last process left pending, for the trace */
    /* STPROG_SIM_KILL test hook (stlink.c) */
    unsigned kill_data_at, kill_reply_at, kill_count;
    bool kill_now;

    /* The target's debug port (sim/dap.h): the SWD clock in use, the DP/AP registers of
     * READ/WRITE_DAP_REG (stlink_dap.c), the wire's timing and noise. */
    sim_dap dap;
    /* RW_MISC results: per item a value word, then per item a status word. */
    uint8_t *misc;
    uint32_t misc_items;

    void (*trace)(void *user, const char *line);
    void *trace_user;

    /* SWO capture (stlink_swo.c). */
    struct {
        bool on;
        uint32_t hz, size;
        uint8_t *buf;
        size_t len;
        uint64_t lost; /* bytes that came while the buffer was full */
    } swo;
};

/* stlink_persist.c: the probe's USB-side state (mode, SWD clock, a pending data phase,
 * reply or held command, the buffers) kept across host processes when the board is
 * persisted. attach sets s->saved, s->data and s->small and restores the state (0), or -1
 * when out of memory; save records it after each transfer; reset is a USB reset (the
 * probe restarts as after power-up, nothing pending). */
int stl_persist_attach(sim_stlink *s);
void stl_persist_save(sim_stlink *s);
void stl_persist_detach(sim_stlink *s);

/* stlink.c */
void stl_reply(sim_stlink *s, const uint8_t *bytes, size_t len);
void stl_reply_status(sim_stlink *s, uint8_t status, size_t len);
void stl_reply_data(sim_stlink *s, size_t len); /* s->data[0..len) */
void stl_trace(sim_stlink *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* stlink_debug.c */
void stl_debug_command(sim_stlink *s, const uint8_t *cmd, size_t len);
void stl_debug_data_out(sim_stlink *s); /* the data phase of a pending write completed */

/* stlink_dap.c: READ/WRITE_DAP_REG and RW_MISC_OUT/IN; false if cmd is not one (or the
 * firmware lacks it). stl_dap_misc_run executes a completed RW_MISC_OUT data phase. */
bool stl_dap_command(sim_stlink *s, const uint8_t *cmd);
void stl_dap_misc_run(sim_stlink *s);
#define STL_MISC_MAX_V2 64   /* RW_MISC items per command (V2) */
#define STL_MISC_MAX_V3 1227 /* (V3) */

/* stlink_swo.c: START/STOP_TRACE_RX and GET_TRACE_NB (false: not one of them), the trace
 * endpoint's IN transfers, stopping (USB reset) and freeing. */
bool stl_swo_command(sim_stlink *s, const uint8_t *cmd);
int stl_swo_bulk_in(sim_stlink *s, uint8_t *buf, size_t maxlen, size_t *actual);
void stl_swo_stop(sim_stlink *s);
void stl_swo_free(sim_stlink *s);

/* stlink_wire.c */
int stl_fw_parse(const char *text, stl_fw *fw);
void stl_fw_default(sim_probe_kind kind, stl_fw *fw);
uint32_t stl_swd_khz_from_divisor(uint16_t divisor);
/* V3 frequency table: count entries, kHz descending. */
size_t stl_v3_freqs(const uint32_t **table);
uint32_t stl_v3_pick_khz(uint32_t khz);
void stl_charge_usb(sim_stlink *s, size_t bytes, bool out);
/* SWD memory access through the debug port model (sim/dap.h: timing, noise, WAIT
 * retries). Returns a status byte (STL_OK or an SWD error); *done gets bytes transferred
 * before an error, rw_fault_addr where it stopped. */
uint8_t stl_mem_read(sim_stlink *s, uint32_t addr, uint8_t *buf, uint32_t len, unsigned width,
                     uint32_t *done);
uint8_t stl_mem_write(sim_stlink *s, uint32_t addr, const uint8_t *buf, uint32_t len,
                      unsigned width, uint32_t *done);
uint8_t stl_read32(sim_stlink *s, uint32_t addr, uint32_t *value);
uint8_t stl_write32(sim_stlink *s, uint32_t addr, uint32_t value);
uint8_t stl_dp_idcode(sim_stlink *s, uint32_t *idcode);
/* Charges ns of virtual time. */
void stl_wait_ns(sim_stlink *s, uint64_t ns);
/* The ST-Link status byte of a debug-port acknowledge (for an AP or a DP access). */
uint8_t stl_ack_status(sim_dap_ack ack, bool dp);

#endif
