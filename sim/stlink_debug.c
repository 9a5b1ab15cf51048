/* DEBUG_COMMAND (0xF2) sub-commands of the ST-Link model: entering SWD, memory and
 * register access, status, reset, clock. Reply lengths, status codes and firmware-version
 * gates follow the ST-Link/V2 and STLINK-V3 firmware (see docs/virtual-board.md). */
#include <string.h>

#include "stlink_internal.h"

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* Firmware-version gates (V2 JTAG-firmware number; every V3 has all of these). */
static bool fw_at_least(const sim_stlink *s, unsigned v2_jtag)
{
    return s->fw.stlink == 3 || s->fw.jtag >= v2_jtag;
}

static void reply_status_word(sim_stlink *s, uint8_t status, uint32_t value)
{
    uint8_t r[8] = {status};
    put_le32(r + 4, value);
    stl_reply(s, r, sizeof(r));
}

/* --- Memory ------------------------------------------------------------------------ */

static unsigned mem_width(uint8_t sub)
{
    switch (sub) {
    case STL_DBG_READMEM_8BIT:
    case STL_DBG_WRITEMEM_8BIT:
        return 1;
    case STL_DBG_READMEM_16BIT:
    case STL_DBG_WRITEMEM_16BIT:
        return 2;
    default:
        return 4;
    }
}

static size_t mem_limit(const sim_stlink *s, unsigned width, bool write)
{
    if (width == 1)
        return s->rw8_max; /* one USB packet */
    /* 16/32-bit writes stream packet by packet to the target; reads are buffered */
    return write ? STL_WRITE_MAX : s->data_max;
}

/* Checks a memory command's address and length; returns STL_OK or the status the
 * firmware records for GETLASTRWSTATUS. */
static uint8_t mem_check(const sim_stlink *s, uint32_t addr, uint32_t len, unsigned width,
                         uint8_t ap, bool write)
{
    if (!s->swd)
        return STL_SWD_DP_ERROR;
    if (ap != 0 && (s->fw.stlink == 3 || s->fw.jtag >= 32))
        return 0x1D; /* BAD_AP: only AP 0 exists */
    if (len > mem_limit(s, width, write))
        return STL_SWD_AP_ERROR;
    if (addr % width || len % width)
        return STL_SWD_AP_ERROR;
    return STL_OK;
}

/* READ/WRITEMEM_32BIT_NO_ADDR_INC: every word at the same address (a FIFO register). */
static uint8_t mem_noinc(sim_stlink *s, bool is_read, uint32_t addr, uint8_t *buf, uint32_t len)
{
    for (uint32_t off = 0; off < len; off += 4) {
        uint8_t st = is_read ? stl_mem_read(s, addr, buf + off, 4, 4, NULL)
                             : stl_mem_write(s, addr, buf + off, 4, 4, NULL);
        if (st != STL_OK)
            return st;
    }
    return STL_OK;
}

/* wait-fault=N (V3): one memory access in N is answered WAIT without being done, the next
 * access AP_FAULT without being done, then accesses work again. True when this access is
 * one of those (*st set). */
static bool wait_fault_quirk(sim_stlink *s, uint32_t addr, uint8_t *st)
{
    if (s->wait_fault) {
        s->wait_fault = false;
        *st = STL_SWD_AP_FAULT;
    } else if (s->fw.stlink == 3 && s->spec->wait_fault_one_in != 0 &&
               sim_board_random(s->board) % s->spec->wait_fault_one_in == 0) {
        s->wait_fault = true;
        *st = STL_SWD_AP_WAIT;
    } else {
        return false;
    }
    s->rw_fault_addr = addr;
    return true;
}

static void cmd_readmem(sim_stlink *s, const uint8_t *cmd)
{
    unsigned width = mem_width(cmd[1]);
    uint32_t addr = le32(cmd + 2);
    uint32_t len = le16(cmd + 6);
    if (len == 0)
        return;
    uint32_t cap = (uint32_t)mem_limit(s, width, false);
    uint32_t rlen = len > cap ? cap : len;
    memset(s->data, 0, rlen + 1);
    uint8_t st = mem_check(s, addr, len, width, cmd[8], false);
    s->rw_start = addr;
    s->rw_width = width;
    if (st == STL_OK && wait_fault_quirk(s, addr, &st))
        memset(s->data, 0, rlen);
    else if (st == STL_OK)
        st = cmd[1] == STL_DBG_READMEM_32_NOINC ? mem_noinc(s, true, addr, s->data, len)
                                                : stl_mem_read(s, addr, s->data, len, width, NULL);
    else
        s->rw_fault_addr = addr;
    s->rw_status = st;
    if (st != STL_OK)
        stl_trace(s, "  read %u x %u-bit at %08X: status %02X at %08X", len / width, width * 8,
                  addr, st, s->rw_fault_addr);
    /* A one-byte read answers two bytes (a firmware quirk hosts know about). */
    stl_reply_data(s, rlen == 1 ? 2 : rlen);
}

static void cmd_writemem(sim_stlink *s, const uint8_t *cmd)
{
    uint32_t len = le16(cmd + 6);
    if (len == 0) {
        s->rw_status = STL_OK;
        return;
    }
    s->out_pending = true;
    s->out_cmd = cmd[1];
    s->out_addr = le32(cmd + 2);
    s->out_ap = cmd[8];
    s->out_len = len; /* the 16-bit length field: at most STL_WRITE_MAX */
    s->out_got = 0;
}

void stl_debug_data_out(sim_stlink *s)
{
    if (s->out_cmd == STL_DBG_RW_MISC_OUT) {
        stl_dap_misc_run(s);
        return;
    }
    unsigned width = mem_width(s->out_cmd);
    uint8_t st = mem_check(s, s->out_addr, s->out_len, width, s->out_ap, true);
    s->rw_start = s->out_addr;
    s->rw_width = width;
    if (st == STL_OK && wait_fault_quirk(s, s->out_addr, &st))
        ;
    else if (st == STL_OK)
        st = s->out_cmd == STL_DBG_WRITEMEM_32_NOINC
                 ? mem_noinc(s, false, s->out_addr, s->data, s->out_len)
                 : stl_mem_write(s, s->out_addr, s->data, s->out_len, width, NULL);
    else
        s->rw_fault_addr = s->out_addr;
    /* status-0d=N: the firmware reports JTAG_WRITE_VERIF_ERROR for a write it did (OpenOCD
     * and Black Magic Probe treat 0x0D as success). */
    if (st == STL_OK && s->spec->status_0d_one_in != 0 &&
        sim_board_random(s->board) % s->spec->status_0d_one_in == 0)
        st = STL_JTAG_WRITE_VERIF;
    s->rw_status = st;
    if (st != STL_OK)
        stl_trace(s, "  write %u x %u-bit at %08X: status %02X at %08X", s->out_len / width,
                  width * 8, s->out_addr, st, s->rw_fault_addr);
}

/* --- Core registers through DCRSR/DCRDR -------------------------------------------- */

static uint8_t wait_regrdy(sim_stlink *s)
{
    for (int i = 0; i < 16; i++) {
        uint32_t dhcsr = 0;
        uint8_t st = stl_read32(s, STL_DHCSR, &dhcsr);
        if (st != STL_OK)
            return st;
        if (dhcsr & STL_S_REGRDY)
            return STL_OK;
    }
    return STL_ERR_FAULT;
}

static uint8_t core_reg_read(sim_stlink *s, uint32_t regsel, uint32_t *value)
{
    *value = 0;
    uint8_t st = stl_write32(s, STL_DCRSR, regsel & 0x7F);
    if (st == STL_OK)
        st = wait_regrdy(s);
    if (st == STL_OK)
        st = stl_read32(s, STL_DCRDR, value);
    return st;
}

static uint8_t core_reg_write(sim_stlink *s, uint32_t regsel, uint32_t value)
{
    uint8_t st = stl_write32(s, STL_DCRDR, value);
    if (st == STL_OK)
        st = stl_write32(s, STL_DCRSR, (regsel & 0x7F) | (1u << 16));
    if (st == STL_OK)
        st = wait_regrdy(s);
    return st;
}

static void cmd_read_all_regs(sim_stlink *s)
{
    /* status word, then R0-R15, xPSR, MSP, PSP, CONTROL/FAULTMASK/BASEPRI/PRIMASK and
     * one reserved word: 88 bytes. */
    static const uint8_t regsel[21] = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,   10,
                                       11, 12, 13, 14, 15, 16, 17, 18, 20, 0xFF};
    uint8_t r[88] = {0};
    uint8_t st = s->swd ? STL_OK : STL_SWD_DP_ERROR;
    for (size_t i = 0; i < 21 && st == STL_OK; i++) {
        uint32_t v = 0;
        if (regsel[i] != 0xFF)
            st = core_reg_read(s, regsel[i], &v);
        put_le32(r + 4 + 4 * i, v);
    }
    r[0] = st;
    stl_reply(s, r, sizeof(r));
}

/* --- Commands ---------------------------------------------------------------------- */

static void cmd_enter(sim_stlink *s, const uint8_t *cmd)
{
    if (cmd[2] != STL_ENTER_SWD) {
        /* Only the SWD wire is modelled. */
        if (s->fw.stlink != 3)
            s->mode = STL_MODE_DEBUG;
        stl_reply_status(s, STL_JTAG_GET_IDCODE_ERR, 2);
        return;
    }
    uint32_t idcode;
    sim_dap_ack ack = sim_dap_connect(&s->dap, &idcode); /* JTAG-to-SWD, line reset, DPIDR */
    uint8_t st = ack == SIM_DAP_NO_ACK ? STL_JTAG_GET_IDCODE_ERR : stl_ack_status(ack, true);
    /* ENTER is taken in mass-storage (idle) mode and again in debug mode: st-flash 1.7 keeps
     * a probe found in debug mode, and entering again there works (stlink-org issue 1098).
     * An STLINK-V3 whose ENTER failed (no target answers) is not in debug mode: the DEBUG_EXIT
     * a host then sends locks it up (stlink-org issue 1399, fixed by PR 1467 "STLINK-V3
     * firmware locks up ... when it receives STLINK_DEBUG_EXIT while not in
     * STLINK_DEV_DEBUG_MODE"). What a V2 reports after a failed ENTER is not documented: the
     * model keeps it in debug mode, as before. */
    if (st == STL_OK || s->fw.stlink != 3)
        s->mode = STL_MODE_DEBUG;
    s->swd = s->mode == STL_MODE_DEBUG;
    stl_reply_status(s, st, 2);
}

static void cmd_read_idcodes(sim_stlink *s, bool apiv1)
{
    uint32_t idcode = 0;
    uint8_t st = s->swd ? stl_dp_idcode(s, &idcode) : STL_SWD_DP_ERROR;
    if (apiv1) {
        uint8_t r[4];
        put_le32(r, idcode);
        stl_reply(s, r, sizeof(r));
        return;
    }
    uint8_t r[12] = {st};
    put_le32(r + 4, idcode);
    stl_reply(s, r, sizeof(r));
}

static void cmd_drive_nrst(sim_stlink *s, uint8_t how)
{
    switch (how) {
    case STL_NRST_LOW:
        sim_nrst_set(s->board, true);
        break;
    case STL_NRST_HIGH:
        sim_nrst_set(s->board, false);
        break;
    case STL_NRST_PULSE:
        sim_nrst_set(s->board, true);
        stl_wait_ns(s, 1000000); /* ~1 ms pulse */
        sim_nrst_set(s->board, false);
        break;
    default:
        stl_reply_status(s, STL_ERR_FAULT, 2);
        return;
    }
    stl_reply_status(s, STL_OK, 2);
}

static void cmd_get_com_freq(sim_stlink *s)
{
    const uint32_t *table;
    size_t n = stl_v3_freqs(&table);
    uint8_t r[52] = {STL_OK};
    r[8] = (uint8_t)n;
    for (size_t i = 0; i < n && i < 10; i++)
        put_le32(r + 12 + 4 * i, table[i]);
    stl_reply(s, r, sizeof(r));
}

static void cmd_set_com_freq(sim_stlink *s, const uint8_t *cmd)
{
    uint32_t khz = stl_v3_pick_khz(le32(cmd + 4));
    if (cmd[2] == 0)
        s->dap.swd_khz = khz;
    reply_status_word(s, STL_OK, khz);
}

static uint8_t write_dhcsr(sim_stlink *s, uint32_t bits)
{
    return s->swd ? stl_write32(s, STL_DHCSR, STL_DBGKEY | bits) : STL_SWD_DP_ERROR;
}

/* Commands available on every firmware the model knows. Returns false if cmd is not one. */
static bool common_command(sim_stlink *s, const uint8_t *cmd)
{
    switch (cmd[1]) {
    case STL_DBG_APIV2_ENTER:
        cmd_enter(s, cmd);
        return true;
    case STL_DBG_EXIT:
        if (s->fw.stlink == 3 && s->mode != STL_MODE_DEBUG) {
            /* stlink-org PR 1467 (STLINK-V3MINIE V3J15, V3EC V3J15S1): the firmware stops
             * answering USB until it is reset. */
            stl_trace(s, "DEBUG_EXIT outside debug mode: the V3 firmware locks up");
            s->hung = true;
            return true;
        }
        s->mode = STL_MODE_MASS;
        s->swd = false;
        return true; /* no reply */
    case STL_DBG_READ_IDCODES:
        cmd_read_idcodes(s, false);
        return true;
    case STL_DBG_READCOREID:
        cmd_read_idcodes(s, true);
        return true;
    case STL_DBG_READMEM_32BIT:
    case STL_DBG_READMEM_8BIT:
        cmd_readmem(s, cmd);
        return true;
    case STL_DBG_WRITEMEM_32BIT:
    case STL_DBG_WRITEMEM_8BIT:
        cmd_writemem(s, cmd);
        return true;
    case STL_DBG_APIV2_READDEBUGREG: {
        uint32_t v = 0;
        uint8_t st = s->swd ? stl_read32(s, le32(cmd + 2), &v) : STL_SWD_DP_ERROR;
        reply_status_word(s, st, v);
        return true;
    }
    case STL_DBG_APIV2_WRITEDEBUGREG: {
        uint8_t st = s->swd ? stl_write32(s, le32(cmd + 2), le32(cmd + 6)) : STL_SWD_DP_ERROR;
        stl_reply_status(s, st, 2);
        return true;
    }
    case STL_DBG_APIV2_READREG: {
        uint32_t v = 0;
        uint8_t st = s->swd ? core_reg_read(s, cmd[2], &v) : STL_SWD_DP_ERROR;
        reply_status_word(s, st, v);
        return true;
    }
    case STL_DBG_APIV2_WRITEREG: {
        uint8_t st = s->swd ? core_reg_write(s, cmd[2], le32(cmd + 3)) : STL_SWD_DP_ERROR;
        stl_reply_status(s, st, 2);
        return true;
    }
    case STL_DBG_APIV2_READALLREGS:
        cmd_read_all_regs(s);
        return true;
    case STL_DBG_GETLASTRWSTATUS:
        stl_reply_status(s, s->rw_status, 2);
        return true;
    case STL_DBG_DRIVE_NRST:
        cmd_drive_nrst(s, cmd[2]);
        return true;
    case STL_DBG_APIV1_RESETSYS:
    case STL_DBG_APIV2_RESETSYS: {
        uint8_t st = s->swd ? stl_write32(s, STL_AIRCR, 0x05FA0004u) : STL_SWD_DP_ERROR;
        stl_reply_status(s, st, 2);
        return true;
    }
    case STL_DBG_GETSTATUS: {
        uint32_t dhcsr = 0;
        uint8_t st = s->swd ? stl_read32(s, STL_DHCSR, &dhcsr) : STL_SWD_DP_ERROR;
        uint8_t r[2] = {st != STL_OK           ? st
                        : (dhcsr & STL_S_HALT) ? STL_ERR_FAULT /* "halted" */
                                               : STL_OK /* "running" */,
                        0};
        stl_reply(s, r, sizeof(r));
        return true;
    }
    case STL_DBG_FORCEDEBUG:
        stl_reply_status(s, write_dhcsr(s, STL_C_HALT | STL_C_DEBUGEN), 2);
        return true;
    case STL_DBG_RUNCORE:
        stl_reply_status(s, write_dhcsr(s, STL_C_DEBUGEN), 2);
        return true;
    case STL_DBG_STEPCORE: {
        uint8_t st = write_dhcsr(s, STL_C_HALT | STL_C_MASKINTS | STL_C_DEBUGEN);
        if (st == STL_OK)
            st = write_dhcsr(s, STL_C_STEP | STL_C_MASKINTS | STL_C_DEBUGEN);
        stl_reply_status(s, st, 2);
        return true;
    }
    default:
        return false;
    }
}

/* Commands that appeared in later firmware (gates from the V2 JTAG-firmware number). */
static bool gated_command(sim_stlink *s, const uint8_t *cmd)
{
    switch (cmd[1]) {
    case STL_DBG_START_TRACE_RX:
    case STL_DBG_STOP_TRACE_RX:
    case STL_DBG_GET_TRACE_NB:
        return fw_at_least(s, 13) && stl_swo_command(s, cmd); /* stlink_swo.c */
    case STL_DBG_GETLASTRWSTATUS2: {
        /* 12 bytes: status byte at 0, at 4 the address of the unit the transfer stopped
         * at (little endian): the layout documented in tgree/psdb
         * psdb/probes/stlink/cdb.py (LastXFERStatus12) and read the same way by pyOCD's
         * ST-Link driver (fault_length = size - (fault_address - address)). The model
         * records it for every status other than OK, WAIT included: the units before it
         * were done, the one at it was not. */
        if (!fw_at_least(s, 15))
            return false;
        uint8_t r[12] = {s->rw_status};
        if (s->rw_status != STL_OK) {
            /* rw-fault-addr= picks another meaning, for hosts that must not depend on it. */
            uint32_t a = s->rw_fault_addr;
            switch (s->spec->rw_fault_addr) {
            case SIM_RWADDR_START:
                a = s->rw_start;
                break;
            case SIM_RWADDR_NEXT:
                a += s->rw_width;
                break;
            case SIM_RWADDR_ZERO:
                a = 0;
                break;
            case SIM_RWADDR_UNIT:
                break;
            }
            put_le32(r + 4, a);
        }
        stl_reply(s, r, sizeof(r));
        return true;
    }
    case STL_DBG_SWD_SET_FREQ:
        if (s->fw.stlink != 2 || s->fw.jtag < 22)
            return false;
        s->dap.swd_khz = stl_swd_khz_from_divisor((uint16_t)le16(cmd + 2));
        stl_reply_status(s, STL_OK, 2);
        return true;
    case STL_DBG_JTAG_SET_FREQ:
        if (s->fw.stlink != 2 || s->fw.jtag < 24)
            return false;
        stl_reply_status(s, STL_OK, 2);
        return true;
    case STL_DBG_READMEM_16BIT:
        if (!fw_at_least(s, 26))
            return false;
        cmd_readmem(s, cmd);
        return true;
    case STL_DBG_WRITEMEM_16BIT:
        if (!fw_at_least(s, 26))
            return false;
        cmd_writemem(s, cmd);
        return true;
    case STL_DBG_WRITEMEM_32_NOINC:
        if (!fw_at_least(s, 26))
            return false;
        cmd_writemem(s, cmd);
        return true;
    case STL_DBG_READMEM_32_NOINC:
        if (!fw_at_least(s, 32))
            return false;
        cmd_readmem(s, cmd);
        return true;
    case STL_DBG_INIT_AP:
    case STL_DBG_CLOSE_AP_DBG:
        if (!fw_at_least(s, 28))
            return false;
        /* Only AP 0 (the Cortex-M MEM-AP) exists. */
        stl_reply_status(s, cmd[2] == 0 ? STL_OK : 0x1D /* BAD_AP */, 2);
        return true;
    case STL_DBG_APIV3_GET_COM_FREQ:
        if (s->fw.stlink != 3)
            return false;
        cmd_get_com_freq(s);
        return true;
    case STL_DBG_APIV3_SET_COM_FREQ:
        if (s->fw.stlink != 3)
            return false;
        cmd_set_com_freq(s, cmd);
        return true;
    default:
        return false;
    }
}

void stl_debug_command(sim_stlink *s, const uint8_t *cmd, size_t len)
{
    (void)len;
    if (common_command(s, cmd) || gated_command(s, cmd) || stl_dap_command(s, cmd))
        return;
    stl_trace(s, "unsupported debug command F2 %02X: no reply", cmd[1]);
}
