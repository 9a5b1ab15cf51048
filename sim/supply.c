/* supply=unstable: a weak supply whose brown-out odds rise with the current the chip draws.
 *
 * What a weak supply does (a regulator near its current limit, a long thin cable, a USB
 * port's 3.3 V pin): it holds its voltage while the load stays below what it can deliver,
 * and sags when the load nears that limit; the limit itself wanders (input ripple,
 * temperature, other loads on the rail), so the chip's supervisor sees a dip below its
 * reset threshold now and then, and more often the more current the chip asks for. The
 * model makes that a hazard rate (brown-outs per second) of the chip's present current:
 *
 *   I      = run_ua_per_mhz x core clock (0 while NRST holds the chip) + flash_op_ua while a
 *            program or erase operation runs (chip database, datasheet typical values);
 *   I_op   = the current at the reset clock with an operation running: the seed-000 board,
 *            which ran but failed to erase;
 *   rate   = RATE_AT_OP x exp(STEEPNESS x (I - I_op) / flash_op_ua), at most RATE_MAX.
 *
 * So the supply's limit sits about inside the flash operation's extra current: at rest the
 * rate is e^-8 of the erase rate (one brown-out in about 20 minutes), during an erase or a
 * program operation it is RATE_AT_OP (half of the 250 ms sector erases of an F407 at x32),
 * and a faster core clock raises it further (an F407 at 168 MHz draws about three times the
 * erase current on top: the supply collapses at once). The time of the next brown-out is
 * drawn (seeded) from the rate whenever the current changes (the rate is constant in
 * between, so the exponential draw is exact); a brown-out cuts the flash operation in
 * progress and resets the chip like a power-on reset. */
#include <math.h>

#include "sim_internal.h"

#define RATE_AT_OP 2.7726 /* per second: ln 2 / 0.25 s */
#define STEEPNESS  8.0    /* e-folds of the rate per flash-operation current */
#define RATE_MAX   1000.0 /* per second: the decoupling keeps brown-outs at least ~1 ms apart */

uint32_t sim_supply_load_ua(const sim_board *b)
{
    if (b->nrst_held)
        return 0;
    uint64_t ua = (uint64_t)b->chip->run_ua_per_mhz * b->core_hz / 1000000u;
    if (b->op.kind == SIM_OP_PROGRAM || b->op.kind == SIM_OP_ERASE || b->op.kind == SIM_OP_MASS)
        ua += b->chip->flash_op_ua;
    return ua > UINT32_MAX ? UINT32_MAX : (uint32_t)ua;
}

double sim_supply_rate(const sim_board *b, uint32_t ua)
{
    double flash = b->chip->flash_op_ua ? b->chip->flash_op_ua : 1000.0;
    double rest = (double)b->chip->run_ua_per_mhz * (double)b->chip->reset_clock_hz / 1e6;
    double x = STEEPNESS * ((double)ua - rest - flash) / flash;
    double rate = RATE_AT_OP * exp(x);
    return rate < RATE_MAX ? rate : RATE_MAX;
}

/* The supply's own random stream, seeded from seed= through splitmix64 (so that small seeds
 * give well-mixed draws from the first, and other faults' draws do not shift it). */
static double uniform(sim_board *b)
{
    if (b->supply_rng == 0) {
        uint64_t z = (b->spec.seed ? b->spec.seed : 1u) + 0x9E3779B97F4A7C15ull;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        b->supply_rng = (z ^ (z >> 31)) | 1u;
    }
    uint64_t x = b->supply_rng;
    x ^= x >> 12;
    x ^= x << 25;
    x ^= x >> 27;
    b->supply_rng = x;
    return ((double)((x * 0x2545F4914F6CDD1Dull) >> 11) + 1.0) / 9007199254740992.0; /* (0, 1] */
}

void sim_supply_update(sim_board *b, uint64_t at_ns)
{
    if (b->spec.supply != SIM_SUPPLY_UNSTABLE) {
        b->supply_bo_ns = SIM_NEVER;
        return;
    }
    uint32_t ua = sim_supply_load_ua(b);
    if (ua == b->supply_ua && b->supply_bo_ns != 0)
        return; /* same current, same rate: the drawn time stands */
    b->supply_ua = ua;
    /* Exponential waiting time: -ln(U) / rate, U uniform in (0, 1]. */
    double wait_s = -log(uniform(b)) / sim_supply_rate(b, ua);
    double wait_ns = wait_s * 1e9;
    b->supply_bo_ns =
        wait_ns >= (double)(SIM_NEVER - at_ns - 1) ? SIM_NEVER : at_ns + 1 + (uint64_t)wait_ns;
}

uint64_t sim_supply_next_event(const sim_board *b)
{
    return b->spec.supply == SIM_SUPPLY_UNSTABLE ? b->supply_bo_ns : SIM_NEVER;
}

void sim_supply_brownout(sim_board *b, uint64_t at_ns)
{
    if (b->op.kind != SIM_OP_NONE)
        sim_flash_abort(b, at_ns);
    b->brownouts++;
    b->supply_bo_ns = 0; /* drawn again for the current after the reset */
    sim_board_reset(b, SIM_RESET_BOR);
}
