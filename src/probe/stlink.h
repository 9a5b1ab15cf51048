/* ST-Link protocol driver, internal header shared by stlink*.c. The command codes and reply
 * layouts are the ST-Link USB protocol as documented by ST (UM1075 et al.) and observed by
 * other open tools; the driver implements stp_debug (probe/debug.h) on top of a stp_usb. */
#ifndef STP_PROBE_STLINK_H
#define STP_PROBE_STLINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe/debug.h"
#include "transport/transport.h"

/* ---- stlink_usb.c: ST-Link USB identities and the registry row -------------------- */
#define STP_USB_VID_ST 0x0483

typedef enum stp_stlink_hw {
    STP_STLINK_HW_UNKNOWN = 0,
    STP_STLINK_HW_V1, /* 0x3744: mass-storage protocol, not supported */
    STP_STLINK_HW_V2,
    STP_STLINK_HW_V2_1,
    STP_STLINK_HW_V3,
    STP_STLINK_HW_V3PWR, /* 0x3757: the V3 protocol (GET_VERSION_EX), hardware version 3 or 4 */
} stp_stlink_hw;

/* Kind of ST-Link behind a PID, or STP_STLINK_HW_UNKNOWN when it is not one. */
stp_stlink_hw stp_stlink_hw_from_pid(uint16_t vid, uint16_t pid);
/* "stlink-v2", "stlink-v2-1", "stlink-v3", "stlink-v3pwr", "stlink-v1", "unknown". */
const char *stp_stlink_hw_name(stp_stlink_hw hw);
/* The command endpoints of that kind: OUT 0x02 on V2, 0x01 on V2-1/V3; IN 0x81. */
void stp_stlink_endpoints(stp_stlink_hw hw, uint8_t *ep_out, uint8_t *ep_in);
/* Serial number as tools print it: stp_usb_format_serial, except that ST-Link V2 firmware
 * reports its 12-byte unique ID as 12 raw bytes (one per UTF-16 unit), printed as 24 hex
 * digits whatever their values. */
void stp_stlink_format_serial(const uint16_t *units, size_t count, uint16_t pid, char *out,
                              size_t outlen);
/* The filter the libusb transport finds ST-Links with. */
extern const stp_usb_filter stp_stlink_usb_filter;

/* Top-level commands (byte 0 of a command block). */
#define STL_GET_VERSION          0xF1
#define STL_DEBUG_COMMAND        0xF2
#define STL_DFU_COMMAND          0xF3
#define STL_SWIM_COMMAND         0xF4
#define STL_GET_CURRENT_MODE     0xF5
#define STL_GET_TARGET_VOLTAGE   0xF7
#define STL_APIV3_GET_VERSION_EX 0xFB

/* Modes reported by GET_CURRENT_MODE. */
#define STL_MODE_DFU        0x00
#define STL_MODE_MASS       0x01
#define STL_MODE_DEBUG      0x02
#define STL_MODE_SWIM       0x03
#define STL_MODE_BOOTLOADER 0x04

#define STL_DFU_EXIT  0x07
#define STL_SWIM_EXIT 0x01

/* Sub-commands of STL_DEBUG_COMMAND (byte 1). */
#define STL_DEBUG_GETSTATUS              0x01
#define STL_DEBUG_FORCEDEBUG             0x02
#define STL_DEBUG_READMEM_32BIT          0x07
#define STL_DEBUG_WRITEMEM_32BIT         0x08
#define STL_DEBUG_RUNCORE                0x09
#define STL_DEBUG_STEPCORE               0x0A
#define STL_DEBUG_READMEM_8BIT           0x0C
#define STL_DEBUG_WRITEMEM_8BIT          0x0D
#define STL_DEBUG_EXIT                   0x21
#define STL_DEBUG_APIV2_ENTER            0x30
#define STL_DEBUG_APIV2_READ_IDCODES     0x31
#define STL_DEBUG_APIV2_RESETSYS         0x32
#define STL_DEBUG_APIV2_READREG          0x33
#define STL_DEBUG_APIV2_WRITEREG         0x34
#define STL_DEBUG_APIV2_WRITEDEBUGREG    0x35
#define STL_DEBUG_APIV2_READDEBUGREG     0x36
#define STL_DEBUG_APIV2_GETLASTRWSTATUS  0x3B
#define STL_DEBUG_APIV2_DRIVE_NRST       0x3C
#define STL_DEBUG_APIV2_GETLASTRWSTATUS2 0x3E
#define STL_DEBUG_APIV2_SWD_SET_FREQ     0x43
#define STL_DEBUG_APIV2_READMEM_16BIT    0x47
#define STL_DEBUG_APIV2_INIT_AP          0x4B
#define STL_DEBUG_APIV2_WRITEMEM_16BIT   0x48
#define STL_APIV3_SET_COM_FREQ           0x61
#define STL_APIV3_GET_COM_FREQ           0x62
#define STL_DEBUG_ENTER_SWD              0xA3

#define STL_NRST_LOW  0x00
#define STL_NRST_HIGH 0x01

/* Status bytes in replies. */
#define STL_OK                      0x80
#define STL_FAULT                   0x81
#define STL_SWD_AP_WAIT             0x10
#define STL_SWD_AP_FAULT            0x11
#define STL_SWD_AP_ERROR            0x12
#define STL_SWD_AP_PARITY_ERROR     0x13
#define STL_SWD_DP_WAIT             0x14
#define STL_SWD_DP_FAULT            0x15
#define STL_SWD_DP_ERROR            0x16
#define STL_SWD_DP_PARITY_ERROR     0x17
#define STL_SWD_AP_WDATA_ERROR      0x18
#define STL_SWD_AP_STICKY_ERROR     0x19
#define STL_SWD_AP_STICKYORUN_ERROR 0x1A
#define STL_BAD_AP_ERROR            0x1D

#define STL_CMD_SIZE 16 /* every command block is padded to 16 bytes */

/* Feature gates implied by the firmware version. */
#define STL_F_TARGET_VOLTAGE (1u << 0) /* GET_TARGET_VOLTAGE: V2 J13+ */
#define STL_F_RW_STATUS2     (1u << 1) /* GETLASTRWSTATUS2: V2 J15+ */
#define STL_F_SWD_SET_FREQ   (1u << 2) /* SWD_SET_FREQ: V2 J22+ */
#define STL_F_MEM_16BIT      (1u << 3) /* READ/WRITEMEM_16BIT: V2 J26+, V3 */
#define STL_F_COM_FREQ       (1u << 4) /* APIV3 SET/GET_COM_FREQ: V3 */
#define STL_F_INIT_AP        (1u << 5) /* INIT_AP before using an AP: V2J28+, V3 */
#define STL_F_FPU_REGS       (1u << 6) /* READREG/WRITEREG of FPU registers: V2J15+, V3 */

/* Firmware the driver refuses below: APIv2 (READREG/WRITEREG, READ/WRITE DEBUG REG,
 * DRIVE_NRST, READ_IDCODES) arrived with JTAG firmware J11. */
#define STL_MIN_JTAG_APIV2 11

#define STL_V3_MAX_FREQS 10

typedef struct stp_stlink {
    stp_debug base;
    stp_usb *usb;
    stp_stlink_hw hw;
    /* Firmware version fields. */
    unsigned ver_stlink, ver_jtag, ver_swim, ver_msd, ver_bridge;
    uint32_t features;
    size_t max_rw8;           /* 8-bit transfer limit: 64 (full-speed probes), 512 (V3) */
    size_t max_rw32;          /* 32/16-bit transfer limit */
    size_t user_limit;        /* set_transfer_limit cap, 0 = none */
    bool in_debug;            /* SWD debug mode entered */
    bool enter_sent;          /* an ENTER was sent (a later one is preceded by DEBUG_EXIT) */
    unsigned wait_timeout_ms; /* deadline for WAIT retries of one operation */
    unsigned v3_freq_count;
    uint32_t v3_freqs[STL_V3_MAX_FREQS];
    bool fault_addr_valid; /* set by an attempt that read GETLASTRWSTATUS2 with a fault */
    uint32_t fault_addr;
    bool after_wait; /* the last answer was WAIT (an AP_FAULT next is retried once) */
} stp_stlink;

/* ---- stlink_proto.c: exchanges ------------------------------------------------------- */
/* Sends a command block (padded to 16 bytes) and, when replylen > 0, reads exactly replylen
 * bytes of reply (a shorter reply is STP_ERR_PROTOCOL). what names the command in
 * findings. A transfer failure gives STP_ERR_USB with finding probe.usb-error. */
stp_status stl_xfer(stp_stlink *s, const char *what, const uint8_t *cmd, size_t cmdlen,
                    uint8_t *reply, size_t replylen, stp_findings *f);
/* Like stl_xfer but accepts a reply of at least minlen bytes out of up to replylen;
 * *got receives the count. */
stp_status stl_xfer_min(stp_stlink *s, const char *what, const uint8_t *cmd, size_t cmdlen,
                        uint8_t *reply, size_t replylen, size_t minlen, size_t *got,
                        stp_findings *f);
/* Sends a command block followed by a data phase on the OUT endpoint. */
stp_status stl_xfer_out(stp_stlink *s, const char *what, const uint8_t *cmd, size_t cmdlen,
                        const uint8_t *data, size_t datalen, stp_findings *f);

/* One attempt of an operation: returns a transport/protocol failure (already reported in
 * f), or STP_OK with the ST-Link status byte in *code. */
typedef stp_status (*stl_attempt_fn)(stp_stlink *s, void *ctx, uint8_t *code, stp_findings *f);
/* Runs attempt until it succeeds; WAIT answers are retried with exponential backoff
 * (1 ms doubling up to 128 ms) until s->wait_timeout_ms passes on the transport's clock.
 * Any other status byte is mapped (stl_status_report) with what/addr as evidence. */
stp_status stl_run(stp_stlink *s, const char *what, bool has_addr, uint32_t addr,
                   stl_attempt_fn attempt, void *ctx, stp_findings *f);
/* A simple command whose reply starts with a status byte. */
stp_status stl_simple(stp_stlink *s, const char *what, const uint8_t *cmd, size_t cmdlen,
                      uint8_t *reply, size_t replylen, stp_findings *f);
/* Refuses with STP_ERR_FIRMWARE_OLD and finding probe.firmware-old when the feature is
 * missing; min_fw names the first firmware that has it ("V2J26"). */
stp_status stl_need(stp_stlink *s, uint32_t feature, const char *feature_name, const char *min_fw,
                    stp_findings *f);

void stl_put_u16(uint8_t *p, uint16_t v);
void stl_put_u32(uint8_t *p, uint32_t v);
uint32_t stl_get_u32(const uint8_t *p);
uint64_t stl_now_ms(stp_stlink *s);

/* ---- stlink_status.c: the one mapping of ST-Link status bytes ---------------------- */
/* True for the status bytes that mean "try again" (SWD_AP_WAIT, SWD_DP_WAIT). */
bool stl_status_is_wait(uint8_t code);
/* Name of a status byte ("SWD_AP_FAULT"), "UNKNOWN" when not known. */
const char *stl_status_name(uint8_t code);
/* Maps a status byte to stp_status and adds the finding (raw code, command, address as
 * evidence). STL_OK maps to STP_OK and adds nothing. */
stp_status stl_status_report(uint8_t code, const char *what, bool has_addr, uint32_t addr,
                             stp_findings *f);

/* ---- stlink.c: connection and probe-level commands -------------------------------- */
/* Takes ownership of usb (closed on failure too). Reads the version, leaves DFU/mass
 * storage/a previous debug session, enters SWD and sets the default clock. */
stp_status stp_stlink_open(stp_usb *usb, const stp_env *env, stp_debug **out, stp_findings *f);
/* Reads the firmware version only (for listing probes); fills info->firmware/kind. */
stp_status stp_stlink_read_version(stp_usb *usb, stp_probe_info *info, stp_findings *f);
/* Parses the 6-byte GET_VERSION (and for V3 the 12-byte GET_VERSION_EX) reply into s and
 * the firmware string. Exposed for tests and the fuzz target. */
stp_status stl_parse_version(stp_stlink *s, const uint8_t *v1, size_t v1len, const uint8_t *vex,
                             size_t vexlen, stp_findings *f);
/* Volts from the GET_TARGET_VOLTAGE reply (two LE words: reference, target). */
stp_status stl_parse_voltage(const uint8_t *reply, size_t len, double *volts, stp_findings *f);
stp_status stl_enter_swd(stp_stlink *s, stp_findings *f);
/* Enters SWD when not in debug mode yet (target operations call this first). */
stp_status stl_ensure_debug(stp_stlink *s, stp_findings *f);

/* ---- stlink_firmware.c: the doctor's firmware check (stp_debug_ops.firmware_check) ---- */
int stl_firmware_check(stp_debug *d, stp_findings *f, char *note, size_t len);

/* ---- stlink_mem.c ------------------------------------------------------------------ */
stp_status stl_read_mem(stp_debug *d, uint32_t addr, void *buf, size_t len, stp_findings *f);
stp_status stl_write_mem(stp_debug *d, uint32_t addr, const void *buf, size_t len, stp_findings *f);
stp_status stl_read_u32(stp_debug *d, uint32_t addr, uint32_t *val, stp_findings *f);
stp_status stl_write_u32(stp_debug *d, uint32_t addr, uint32_t val, stp_findings *f);
stp_status stl_write_u16(stp_debug *d, uint32_t addr, uint16_t val, stp_findings *f);
size_t stl_set_transfer_limit(stp_debug *d, size_t max_bytes);
stp_status stl_write_mem16(stp_debug *d, uint32_t addr, const void *buf, size_t len,
                           stp_findings *f);

/* ---- stlink_trace.c: SWO capture (the debug seam's trace_*) ------------------------- */
stp_status stl_trace_start(stp_debug *d, uint32_t baud, uint32_t *actual, stp_findings *f);
stp_status stl_trace_read(stp_debug *d, void *buf, size_t cap, size_t *got, stp_findings *f);
stp_status stl_trace_stop(stp_debug *d, stp_findings *f);

/* ---- stlink_core.c ----------------------------------------------------------------- */
stp_status stl_read_reg(stp_debug *d, unsigned regno, uint32_t *val, stp_findings *f);
stp_status stl_write_reg(stp_debug *d, unsigned regno, uint32_t val, stp_findings *f);
stp_status stl_set_nrst(stp_debug *d, bool asserted, stp_findings *f);
stp_status stl_attach(stp_debug *d, uint32_t *dp_idcode, stp_findings *f);
stp_status stl_target_voltage(stp_debug *d, double *volts, stp_findings *f);
stp_status stl_set_swd_khz(stp_debug *d, unsigned khz, unsigned *actual, stp_findings *f);
/* Maps a requested clock to what the firmware offers (highest not above khz; the lowest
 * when khz is below all). V2: the divisor table; V3: the GET_COM_FREQ list. */
unsigned stl_v2_khz_pick(unsigned khz, uint16_t *divisor);
uint32_t stl_v3_khz_pick(const uint32_t *list, unsigned count, unsigned khz);

#endif
