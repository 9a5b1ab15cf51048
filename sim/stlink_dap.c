/* The DAP commands used by OpenOCD's "dap direct" mode (interface/stlink-dap.cfg):
 * READ_DAP_REG 0x45 / WRITE_DAP_REG 0x46 (from V2J24) on the SW-DP registers and the MEM-AP
 * registers of AP 0 (CSW, TAR, DRW, BD0-3, CFG, BASE, IDR; layout per ARM ADIv5, IHI 0031),
 * and the RW_MISC_OUT 0x51 / RW_MISC_IN 0x52 batches of word accesses (from V2J32). */
#include <string.h>

#include "stlink_internal.h"

#define DAP_PORT_DP 0xFFFFu

#define DP_ABORT          0x0
#define DP_IDCODE         0x0
#define DP_CTRL           0x4
#define DP_SELECT         0x8
#define DP_RDBUFF         0xC
#define CTRL_STICKYERR    (1u << 5)
#define CTRL_CDBGPWRUPREQ (1u << 28)
#define CTRL_CSYSPWRUPREQ (1u << 30)

#define AP_CSW             0x00
#define AP_TAR             0x04
#define AP_DRW             0x0C
#define AP_BD0             0x10
#define AP_CFG             0xF4
#define AP_BASE            0xF8
#define AP_IDR             0xFC
#define CSW_SIZE_MASK      0x7u
#define CSW_ADDRINC_SINGLE (1u << 4)
#define CSW_DEVICEEN       (1u << 6)

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* AHB-AP identification by core (CPUID part number), from the cores' TRMs. */
static uint32_t ap_idr(sim_stlink *s)
{
    uint32_t cpuid = 0;
    if (stl_read32(s, 0xE000ED00u, &cpuid) != STL_OK)
        return 0;
    switch ((cpuid >> 4) & 0xFFFu) {
    case 0xC20: /* Cortex-M0 */
    case 0xC60: /* Cortex-M0+ */
        return 0x04770031u;
    case 0xC27: /* Cortex-M7 */
        return 0x74770001u;
    default: /* Cortex-M3, M4 */
        return 0x24770011u;
    }
}

static uint8_t ap_data(sim_stlink *s, bool write, uint32_t addr, uint32_t *value)
{
    unsigned size = s->dap.csw & CSW_SIZE_MASK;
    unsigned width = size == 0 ? 1u : size == 1 ? 2u : 4u;
    if (size > 2)
        return STL_SWD_AP_ERROR;
    addr &= ~(uint32_t)(width - 1);
    unsigned lane = (addr & 3u) * 8u;
    uint8_t b[4] = {0};
    uint8_t st;
    if (write) {
        uint32_t v = *value >> lane;
        for (unsigned i = 0; i < width; i++)
            b[i] = (uint8_t)(v >> (8 * i));
        st = stl_mem_write(s, addr, b, width, width, NULL);
    } else {
        st = stl_mem_read(s, addr, b, width, width, NULL);
        uint32_t v = 0;
        for (unsigned i = 0; i < width; i++)
            v |= (uint32_t)b[i] << (8 * i);
        *value = v << lane;
    }
    if (st != STL_OK)
        s->dap.ctrl |= CTRL_STICKYERR;
    return st;
}

static uint8_t ap_access(sim_stlink *s, bool write, uint32_t reg, uint32_t *value)
{
    switch (reg) {
    case AP_CSW:
        if (write)
            s->dap.csw = (*value & ~0x80u) | CSW_DEVICEEN;
        else
            *value = s->dap.csw;
        return STL_OK;
    case AP_TAR:
        if (write)
            s->dap.tar = *value;
        else
            *value = s->dap.tar;
        return STL_OK;
    case AP_DRW: {
        uint8_t st = ap_data(s, write, s->dap.tar, value);
        if (st == STL_OK && (s->dap.csw & 0x30u) == CSW_ADDRINC_SINGLE) {
            unsigned size = s->dap.csw & CSW_SIZE_MASK;
            uint32_t next = s->dap.tar + (1u << size);
            /* auto-increment wraps within a 1 KiB block */
            s->dap.tar = (s->dap.tar & ~0x3FFu) | (next & 0x3FFu);
        }
        return st;
    }
    case AP_BD0:
    case AP_BD0 + 4:
    case AP_BD0 + 8:
    case AP_BD0 + 12: {
        uint32_t a = (s->dap.tar & ~0xFu) + (reg - AP_BD0);
        if (write)
            return stl_write32(s, a, *value);
        return stl_read32(s, a, value);
    }
    case AP_CFG:
        if (!write)
            *value = 0; /* little endian, no large data/address */
        return STL_OK;
    case AP_BASE:
        if (!write)
            *value = sim_board_ap_base(s->board); /* the first ROM table */
        return STL_OK;
    case AP_IDR:
        if (!write)
            *value = ap_idr(s);
        return STL_OK;
    default:
        if (!write)
            *value = 0;
        return STL_OK;
    }
}

static uint8_t dp_access(sim_stlink *s, bool write, uint32_t reg, uint32_t *value)
{
    switch (reg) {
    case DP_IDCODE: /* write: ABORT */
        if (write) {
            if (*value & (1u << 2)) /* STKERRCLR */
                s->dap.ctrl &= ~CTRL_STICKYERR;
            return STL_OK;
        }
        return stl_dp_idcode(s, value);
    case DP_CTRL:
        if (write) {
            s->dap.ctrl =
                (s->dap.ctrl & CTRL_STICKYERR) | (*value & (CTRL_CDBGPWRUPREQ | CTRL_CSYSPWRUPREQ));
            return STL_OK;
        }
        /* acknowledges follow the requests (bits 29, 31) */
        *value = s->dap.ctrl | ((s->dap.ctrl & CTRL_CDBGPWRUPREQ) << 1) |
                 ((s->dap.ctrl & CTRL_CSYSPWRUPREQ) << 1);
        return STL_OK;
    case DP_SELECT:
        if (write)
            s->dap.select = *value;
        else
            *value = s->dap.select;
        return STL_OK;
    case DP_RDBUFF:
        if (!write)
            *value = s->dap.rdbuff;
        return STL_OK;
    default:
        return STL_SWD_DP_ERROR;
    }
}

/* --- RW_MISC: a batch of MEM-AP word accesses (V2J32, V3) ---------------------------- */

#define MISC_ADDRESS 1 /* set the address of the following WRITE */
#define MISC_WRITE   2
#define MISC_READ    3 /* value = address to read */
#define MISC_APNUM   5

static uint32_t misc_max(const sim_stlink *s)
{
    return s->fw.stlink == 3 ? STL_MISC_MAX_V3 : STL_MISC_MAX_V2;
}

static void put_le32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++)
        p[i] = (uint8_t)(v >> (8 * i));
}

/* The OUT data phase: item codes (padded to 4 bytes), then one value word per item. */
void stl_dap_misc_run(sim_stlink *s)
{
    uint32_t items = s->misc_items;
    const uint8_t *codes = s->data;
    const uint8_t *values = s->data + ((items + 3u) & ~3u);
    uint8_t *out_val = s->misc;
    uint8_t *out_err = s->misc + 4 * items;
    uint32_t addr = 0;
    for (uint32_t i = 0; i < items; i++) {
        uint32_t v = le32(values + 4 * i);
        uint32_t result = 0;
        uint8_t st = STL_OK;
        switch (codes[i]) {
        case MISC_ADDRESS:
            addr = v;
            break;
        case MISC_WRITE:
            st = s->swd ? stl_write32(s, addr, v) : STL_SWD_DP_ERROR;
            break;
        case MISC_READ:
            st = s->swd ? stl_read32(s, v, &result) : STL_SWD_DP_ERROR;
            break;
        case MISC_APNUM:
            st = v == 0 ? STL_OK : 0x1D; /* only AP 0 */
            break;
        default:
            st = STL_ERR_FAULT;
            break;
        }
        put_le32(out_val + 4 * i, result);
        put_le32(out_err + 4 * i, st);
    }
}

static bool misc_command(sim_stlink *s, const uint8_t *cmd)
{
    if (!(s->fw.stlink == 3 || s->fw.jtag >= 32))
        return false;
    if (cmd[1] == STL_DBG_RW_MISC_OUT) {
        uint32_t items = le32(cmd + 2);
        if (items > misc_max(s))
            items = misc_max(s);
        s->misc_items = items;
        memset(s->misc, 0, 8u * items);
        s->out_pending = items != 0;
        s->out_cmd = STL_DBG_RW_MISC_OUT;
        s->out_len = ((items + 3u) & ~3u) + 4u * items;
        s->out_got = 0;
        return true; /* no reply: the results wait for RW_MISC_IN */
    }
    memcpy(s->data, s->misc, 8u * s->misc_items);
    stl_reply_data(s, 8u * s->misc_items);
    return true;
}

bool stl_dap_command(sim_stlink *s, const uint8_t *cmd)
{
    if (cmd[1] == STL_DBG_RW_MISC_OUT || cmd[1] == STL_DBG_RW_MISC_IN)
        return misc_command(s, cmd);
    if (cmd[1] != STL_DBG_READ_DAP_REG && cmd[1] != STL_DBG_WRITE_DAP_REG)
        return false;
    if (!(s->fw.stlink == 3 || s->fw.jtag >= 24))
        return false;
    bool write = cmd[1] == STL_DBG_WRITE_DAP_REG;
    uint32_t port = le16(cmd + 2);
    uint32_t reg = le16(cmd + 4);
    uint32_t value = write ? le32(cmd + 6) : 0;
    uint8_t st;
    if (!s->swd)
        st = STL_SWD_DP_ERROR;
    else if (port == DAP_PORT_DP)
        st = dp_access(s, write, reg & 0xFu, &value);
    else if (port != 0)
        st = 0x1D; /* BAD_AP: only AP 0 exists */
    else
        st = ap_access(s, write, reg & 0xFCu, &value);
    if (!write && st == STL_OK && port != DAP_PORT_DP)
        s->dap.rdbuff = value;
    if (write) {
        stl_reply_status(s, st, 2);
    } else {
        uint8_t r[8] = {st};
        for (int i = 0; i < 4; i++)
            r[4 + i] = (uint8_t)(value >> (8 * i));
        stl_reply(s, r, sizeof(r));
    }
    return true;
}
