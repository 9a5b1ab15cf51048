/* Register access and waiting for the bootloader model's flash sequences: the ROM code
 * runs on the core, so its accesses are the core's (SIM_MASTER_CORE) and the time it
 * spins on BSY passes on the board's clock. */
#include "bootloader_internal.h"

#define MIN_LIMIT_NS 10000000ull /* 10 ms */

uint32_t sim_bl_reg_read(sim_board *b, uint32_t off)
{
    uint32_t v = 0;
    if (sim_bus_read(b, b->chip->flash_regs + off, &v, 4, SIM_MASTER_CORE) != SIM_ACC_OK)
        return 0;
    return v;
}

bool sim_bl_reg_write(sim_board *b, uint32_t off, uint32_t val)
{
    return sim_bus_write(b, b->chip->flash_regs + off, val, 4, SIM_MASTER_CORE) == SIM_ACC_OK;
}

bool sim_bl_wait(sim_board *b, uint32_t sr_off, uint32_t busy, uint64_t limit_ns)
{
    uint64_t start = sim_clock_ns(b);
    for (;;) {
        if (!(sim_bl_reg_read(b, sr_off) & busy))
            return true;
        uint64_t spent = sim_clock_ns(b) - start;
        if (spent >= limit_ns)
            return false;
        uint64_t step = sim_board_stall_ns(b, b->chip->flash_base);
        if (step == 0 || step > limit_ns - spent)
            step = step == 0 ? 1000 : limit_ns - spent;
        sim_clock_advance(b, step);
    }
}

uint64_t sim_bl_limit_ns(uint64_t typ_ns)
{
    uint64_t l = typ_ns * 4;
    return l < MIN_LIMIT_NS ? MIN_LIMIT_NS : l;
}
