/* The DAP commands used by OpenOCD's "dap direct" mode (interface/stlink-dap.cfg):
 * READ_DAP_REG 0x45 / WRITE_DAP_REG 0x46 (from V2J24) on the SW-DP registers and the MEM-AP
 * registers of AP 0 (the shared debug port model, sim/dap.h), and the RW_MISC_OUT 0x51 /
 * RW_MISC_IN 0x52 batches of word accesses (from V2J32). */
#include <string.h>

#include "stlink_internal.h"

#define DAP_PORT_DP 0xFFFFu

static uint32_t le16(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8;
}

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* One register of the debug port model (sim/dap.h): the firmware selects the AP and its
 * bank itself (SELECT), then does the one transfer; a sticky error it reports is cleared by
 * the host through ABORT, as on the wire. */
static uint8_t dap_reg(sim_stlink *s, uint32_t port, uint32_t reg, bool write, uint32_t *value)
{
    bool dp = port == DAP_PORT_DP;
    if (!dp)
        s->dap.select = (port << 24) | (reg & 0xF0u);
    sim_dap_ack ack = sim_dap_transfer(&s->dap, !dp, !write, (uint8_t)(reg & 0xCu), value);
    return stl_ack_status(ack, dp);
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
    else if (port != DAP_PORT_DP && port != 0)
        st = 0x1D; /* BAD_AP: only AP 0 exists */
    else if (port == DAP_PORT_DP && (reg & 0xFu) > 0xCu)
        st = STL_SWD_DP_ERROR;
    else
        st = dap_reg(s, port, reg, write, &value);
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
