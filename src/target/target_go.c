/* `go ADDR`: start the program whose vector table is at ADDR. Through the ROM bootloader
 * its Go command (AN3155 0x21); through a debug port: halt, load MSP and PC from the
 * table, point VTOR at it, run. */
#include "target/cortexm.h"
#include "target/flash_boot.h"
#include "target/target_internal.h"

#define REG_SP   13u
#define REG_PC   15u
#define REG_XPSR 16u
#define REG_MSP  17u
#define SCB_VTOR 0xE000ED08u
#define XPSR_T   0x01000000u

stp_status stp_target_go(stp_target *t, uint32_t addr, stp_findings *findings)
{
    const stp_mem_backend *be = t->dbg->ops->mem_backend;
    if (be != NULL)
        return be->go(t->dbg, addr, findings);
    uint8_t v[8];
    stp_status st = stp_cm_halt(t->dbg, findings);
    if (st == STP_OK)
        st = t->dbg->ops->read_mem(t->dbg, addr, v, sizeof(v), findings);
    if (st != STP_OK)
        return st;
    uint32_t sp =
        (uint32_t)v[0] | (uint32_t)v[1] << 8 | (uint32_t)v[2] << 16 | (uint32_t)v[3] << 24;
    uint32_t pc =
        (uint32_t)v[4] | (uint32_t)v[5] << 8 | (uint32_t)v[6] << 16 | (uint32_t)v[7] << 24;
    if ((pc & 1u) == 0 || pc == 0xFFFFFFFFu || sp == 0xFFFFFFFFu) {
        stp_finding *f = stp_finding_add(findings, "target.bad-vector-table", STP_SEV_ERROR,
                                         "no program at 0x%08X: its reset vector 0x%08X is not "
                                         "a Thumb address in a programmed table",
                                         (unsigned)addr, (unsigned)pc);
        stp_finding_evidence(f, "reset_vector", "0x%08X", (unsigned)pc);
        stp_finding_advice(f, "give the address of the vector table (the start of the image)");
        return STP_ERR_INVALID_ARG;
    }
    st = t->dbg->ops->write_u32(t->dbg, SCB_VTOR, addr, findings);
    if (st == STP_OK)
        st = t->dbg->ops->write_reg(t->dbg, REG_MSP, sp, findings);
    if (st == STP_OK)
        st = t->dbg->ops->write_reg(t->dbg, REG_SP, sp, findings);
    if (st == STP_OK)
        st = t->dbg->ops->write_reg(t->dbg, REG_XPSR, XPSR_T, findings);
    if (st == STP_OK)
        st = t->dbg->ops->write_reg(t->dbg, REG_PC, pc & ~1u, findings);
    if (st == STP_OK)
        st = stp_cm_run(t->dbg, findings);
    return st;
}
