/* ST-Link target-level commands: attach (READ_IDCODES), core registers (APIv2 READREG /
 * WRITEREG) and the NRST line (DRIVE_NRST). */
#include "probe/stlink.h"

stp_status stl_attach(stp_debug *d, uint32_t *dp_idcode, stp_findings *f)
{
    stp_stlink *s = (stp_stlink *)d;
    stp_status st = stl_ensure_debug(s, f);
    if (st != STP_OK)
        return st;
    uint8_t cmd[] = {STL_DEBUG_COMMAND, STL_DEBUG_APIV2_READ_IDCODES};
    uint8_t reply[12];
    st = stl_simple(s, "READ_IDCODES", cmd, sizeof(cmd), reply, sizeof(reply), f);
    if (st != STP_OK)
        return st;
    uint32_t id = stl_get_u32(&reply[4]);
    if (id == 0 || id == 0xFFFFFFFFu) {
        stp_finding *fi =
            stp_finding_add(f, "swd.no-target", STP_SEV_ERROR,
                            "no target answered on SWD (DP IDCODE 0x%08X)", (unsigned)id);
        stp_finding_evidence(fi, "dp_idcode", "0x%08X", (unsigned)id);
        stp_finding_advice(fi, "check target power, GND and SWDIO/SWCLK wiring");
        return STP_ERR_NO_TARGET;
    }
    if (dp_idcode != NULL)
        *dp_idcode = id;
    return STP_OK;
}

/* FPSCR (DCRSR REGSEL 0x21) and S0-S31 (0x40-0x5F) through READREG/WRITEREG need V2J15 or
 * V3 (OpenOCD's STLINK_F_HAS_FPU_REG gate); older firmware answers them wrongly. */
static stp_status need_fpu(stp_stlink *s, unsigned regno, stp_findings *f)
{
    if (regno != 0x21 && (regno < 0x40 || regno > 0x5F))
        return STP_OK;
    return stl_need(s, STL_F_FPU_REGS, "FPU registers", "V2J15", f);
}

stp_status stl_read_reg(stp_debug *d, unsigned regno, uint32_t *val, stp_findings *f)
{
    stp_stlink *s = (stp_stlink *)d;
    if (regno > 0xFF)
        return STP_ERR_INVALID_ARG;
    stp_status st = need_fpu(s, regno, f);
    if (st == STP_OK)
        st = stl_ensure_debug(s, f);
    if (st != STP_OK)
        return st;
    uint8_t cmd[] = {STL_DEBUG_COMMAND, STL_DEBUG_APIV2_READREG, (uint8_t)regno};
    uint8_t reply[8];
    st = stl_simple(s, "READREG", cmd, sizeof(cmd), reply, sizeof(reply), f);
    if (st == STP_OK)
        *val = stl_get_u32(&reply[4]);
    return st;
}

stp_status stl_write_reg(stp_debug *d, unsigned regno, uint32_t val, stp_findings *f)
{
    stp_stlink *s = (stp_stlink *)d;
    if (regno > 0xFF)
        return STP_ERR_INVALID_ARG;
    stp_status st = need_fpu(s, regno, f);
    if (st == STP_OK)
        st = stl_ensure_debug(s, f);
    if (st != STP_OK)
        return st;
    uint8_t cmd[7] = {STL_DEBUG_COMMAND, STL_DEBUG_APIV2_WRITEREG, (uint8_t)regno};
    stl_put_u32(&cmd[3], val);
    uint8_t reply[2];
    return stl_simple(s, "WRITEREG", cmd, sizeof(cmd), reply, sizeof(reply), f);
}

stp_status stl_set_nrst(stp_debug *d, bool asserted, stp_findings *f)
{
    stp_stlink *s = (stp_stlink *)d;
    uint8_t cmd[] = {STL_DEBUG_COMMAND, STL_DEBUG_APIV2_DRIVE_NRST,
                     asserted ? STL_NRST_LOW : STL_NRST_HIGH};
    uint8_t reply[2];
    return stl_simple(s, "DRIVE_NRST", cmd, sizeof(cmd), reply, sizeof(reply), f);
}
