/* The modelled time of a program plan (`write --dry-run`), and the datasheet bound.
 *
 * Flash: the chip database's typical times (src/chipdb/chipdb.c): each sector the plan
 * erases costs its size class's typical erase time at the program width in use; each
 * program operation (the width in use, or the L1 half-page) its typical program time.
 *
 * Link: the probe driver's model of itself (stp_link_model, from the debug seam: the
 * ST-Link's in probe/stlink.c, the CMSIS-DAP probe's in probe/cmsis_dap.c), a model of the
 * probe rather than a measurement: a fixed cost per USB exchange, a USB time per payload
 * byte, SWD clock cycles per 32-bit word, and memory transfers split into pieces (the
 * MEM-AP's 1 KiB auto-increment blocks) of a few exchanges each. With the SRAM loader the
 * host writes the image into a ring of SRAM buffers (up to 8 KiB each: one more exchange
 * per piece for the header, the FULL mark and a poll of the loader's state); the core erases
 * the sectors and programs one buffer while the next ones are sent, so erase + program and
 * the link overlap: the phase lasts as long as the slower of the two, plus one buffer's worth
 * of the faster (the ring fills before the first unit programs and drains after the last
 * transfer), the loader's flash side counting about 20 core cycles of its own per program
 * operation at the reset clock. Without the loader
 * the host erases sector by sector, then writes chunks straight into the flash, each unit
 * stalling the bus until programmed, so a chunk holds no more units than the probe's WAIT
 * retries ride out at the SWD clock in use (the engine's stp_flash_units_per_transfer): link
 * and flash time add up. A plan that erases every sector of a flash whose mass erase is much
 * faster (F1: 20 ms for the whole flash) is costed with one mass erase, as the engine does.
 * Verify with the loader is a CRC on the target (the loop takes about 5 core cycles per
 * word at the reset clock); without it every byte is read back over the link. The plan's
 * CRC pass (which sectors to skip) costs the same on the covered sectors. Attach, identify
 * and the option bytes are about 100 exchanges, and every run of the loader (the CRC pass,
 * the write, the verify) about 90 more (code and parameters written and read back, the
 * ring reset, registers, start, polls, halt: counted on the virtual board); without the loader the
 * host starts every sector erase itself and polls its status: about 6 exchanges per erased sector
 * beyond the erase time (which matters for the 512 pages of an L1's 128 KiB). */
#include <string.h>

#include "ops/ops_internal.h"
#include "stprog/probe.h"
#include "target/flash_loader.h"

#define SETUP_EXCHANGES        100.0
#define LOADER_RUN_EXCHANGES   90.0   /* set-up, start and end of one loader run */
#define LOADER_CYCLES_PER_OP   20.0   /* wait exit, error check, next store(s) of the loader */
#define LOADER_BUF_BYTES       8192.0 /* one ring buffer (BUF_MAX) */
#define ERASE_EXCHANGES        6.0    /* per erased sector: start (2 writes) + status polls */
#define LOADER_PIECE_EXCHANGES 1.0    /* per piece: buffer header, FULL mark, state poll (~1) */
#define CRC_CYCLES_PER_WORD    5.0

static double latency_s(const stp_plan_cost_model *m)
{
    return m->link.exchange_s;
}

/* Seconds to move bytes over USB and SWD (payload and wire only, no exchange latency). */
static double wire_s(const stp_plan_cost_model *m, double bytes)
{
    double khz = m->swd_khz ? m->swd_khz : 1800.0;
    return bytes * m->link.s_per_byte + bytes / 4.0 * m->link.swd_cycles_per_word / (khz * 1000.0);
}

/* Pieces of a transfer of bytes. */
static double pieces(const stp_plan_cost_model *m, double bytes)
{
    double piece = m->link.piece_bytes > 0 ? m->link.piece_bytes : 1024.0;
    return bytes > 0 ? (double)(uint64_t)((bytes + piece - 1) / piece) : 0.0;
}

static double erase_us_of(const stp_plan_cost_model *m, uint32_t size)
{
    for (size_t i = 0; i < m->erase_count && i < STP_PLAN_ERASE_CLASSES; i++)
        if (m->erase[i].sector_size == size)
            return m->erase[i].typ_us;
    return 0.0;
}

static double erase_s(const stp_plan *plan, const stp_plan_cost_model *m)
{
    if (m->mass_erase_us != 0 && m->sector_total != 0 && plan->erase_count == m->sector_total)
        return m->mass_erase_us / 1e6;
    double us = 0.0;
    for (size_t i = 0; i < plan->sector_count; i++)
        if (plan->sectors[i].action == STP_PLAN_ERASE)
            us += erase_us_of(m, plan->sectors[i].size);
    return us / 1e6;
}

static double program_s(const stp_plan *plan, const stp_plan_cost_model *m)
{
    if (m->program_op_bytes == 0)
        return 0.0;
    double ops = (double)((plan->program_bytes + m->program_op_bytes - 1) / m->program_op_bytes);
    return ops * m->program_op_ns / 1e9;
}

double stp_plan_flash_bound_s(const stp_plan *plan, const stp_plan_cost_model *m)
{
    if (plan == NULL || m == NULL)
        return 0.0;
    stp_plan_cost_model sectors = *m; /* the bound is per sector, as the datasheet lists it */
    sectors.mass_erase_us = 0;
    return erase_s(plan, &sectors) + program_s(plan, &sectors);
}

/* Bytes of the sectors the CRC pass covers / the verify touches. */
static void covered_bytes(const stp_plan *plan, double *checked, double *verified)
{
    *checked = *verified = 0.0;
    for (size_t i = 0; i < plan->sector_count; i++) {
        const stp_plan_sector *s = &plan->sectors[i];
        if (s->image_bytes == s->size)
            *checked += s->size;
        if (s->action != STP_PLAN_SKIP)
            *verified += s->size;
    }
}

void stp_plan_estimate_time(const stp_plan *plan, const stp_plan_cost_model *m,
                            stp_plan_estimate *out)
{
    memset(out, 0, sizeof(*out));
    if (plan == NULL || m == NULL)
        return;
    out->erase_s = erase_s(plan, m);
    out->program_s = program_s(plan, m);
    out->link_modelled = m->link_known;
    double checked, verified;
    covered_bytes(plan, &checked, &verified);
    double crc_per_byte = m->core_hz ? CRC_CYCLES_PER_WORD / 4.0 / m->core_hz : 0.0;
    double bytes = (double)plan->program_bytes;
    if (out->link_modelled) {
        double lat = latency_s(m);
        out->overhead_s = SETUP_EXCHANGES * lat;
        if (m->loader) {
            out->overhead_s += LOADER_RUN_EXCHANGES * lat;
            if (checked > 0)
                out->overhead_s += checked * crc_per_byte + LOADER_RUN_EXCHANGES * lat;
            out->transfer_s =
                wire_s(m, bytes) +
                pieces(m, bytes) * (m->link.write_exchanges + LOADER_PIECE_EXCHANGES) * lat;
        } else {
            /* The plan reads the touched sectors back instead of a CRC pass. */
            out->overhead_s +=
                wire_s(m, checked) + pieces(m, checked) * m->link.read_exchanges * lat;
            double erases = m->mass_erase_us != 0 && plan->erase_count == m->sector_total
                                ? 1.0
                                : (double)plan->erase_count;
            out->overhead_s += erases * ERASE_EXCHANGES * lat;
            uint32_t chunk = m->direct_chunk ? m->direct_chunk : 64;
            double chunks = bytes > 0 ? (double)(uint64_t)((bytes + chunk - 1) / chunk) : 0.0;
            out->transfer_s = wire_s(m, bytes) + chunks * m->link.write_exchanges * lat;
        }
        if (m->verify) {
            if (m->loader) {
                out->verify_s = verified * crc_per_byte + LOADER_RUN_EXCHANGES * lat;
            } else {
                out->verify_s =
                    wire_s(m, verified) + pieces(m, verified) * m->link.read_exchanges * lat;
            }
        }
    }
    double flash = out->erase_s + out->program_s;
    double phase = flash + out->transfer_s;
    if (m->loader) {
        /* The loader's own instructions between two program operations (at the reset
         * clock), and the pipeline's ends: the first buffer is sent before anything
         * programs, the last one programs after the link is done. */
        double ops = m->program_op_bytes ? bytes / m->program_op_bytes : 0.0;
        if (m->core_hz)
            flash += ops * LOADER_CYCLES_PER_OP / m->core_hz;
        double fill = bytes > 0 ? (out->transfer_s < flash ? out->transfer_s : flash) *
                                      (LOADER_BUF_BYTES < bytes ? LOADER_BUF_BYTES / bytes : 1.0)
                                : 0.0;
        phase = (out->transfer_s > flash ? out->transfer_s : flash) + fill;
    }
    out->total_s = out->overhead_s + phase + out->verify_s;
}

stp_status stp_plan_cost_model_chip(const struct stp_chip *c, int ps, stp_plan_cost_model *m)
{
    if (c == NULL || m == NULL)
        return STP_ERR_INVALID_ARG;
    memset(m, 0, sizeof(*m));
    const stp_flash_timing *tm = &c->timing;
    /* Families without PSIZE fill only their native width's entry. */
    if (ps < 0 || ps >= STP_PSIZE_COUNT || tm->program_typ_ns[ps] == 0)
        for (ps = STP_PSIZE_COUNT - 1; ps > 0 && tm->program_typ_ns[ps] == 0; ps--)
            ;
    if (tm->block_program_bytes != 0) {
        m->program_op_bytes = tm->block_program_bytes;
        m->program_op_ns = tm->block_program_typ_ns;
    } else {
        m->program_op_bytes = 1u << ps;
        m->program_op_ns = tm->program_typ_ns[ps];
    }
    for (size_t i = 0; i < STP_MAX_ERASE_CLASSES && m->erase_count < STP_PLAN_ERASE_CLASSES; i++) {
        const stp_erase_timing *e = &tm->erase[i];
        if (e->sector_size == 0)
            continue;
        uint32_t us = e->typ_us[ps];
        for (int k = STP_PSIZE_COUNT - 1; us == 0 && k >= 0; k--)
            us = e->typ_us[k];
        m->erase[m->erase_count].sector_size = e->sector_size;
        m->erase[m->erase_count].typ_us = us;
        m->erase_count++;
    }
    m->core_hz = c->reset_clock_hz;
    const uint32_t *me = tm->mass_erase_typ_ms;
    m->mass_erase_us = (me[ps] ? me[ps] : 0) * 1000u;
    return STP_OK;
}

stp_status stp_plan_cost_model_for(const struct stp_target *t, bool loader, bool verify,
                                   stp_plan_cost_model *m)
{
    if (t == NULL || m == NULL || t->flash.chip == NULL || t->flash.drv == NULL)
        return STP_ERR_INVALID_ARG;
    stp_status st = stp_plan_cost_model_chip(t->flash.chip, (int)t->flash.psize, m);
    if (st != STP_OK)
        return st;
    /* The engine's own choice between one mass erase and the sectors one by one. */
    m->sector_total = t->sector_count;
    if (!stp_flash_prefers_mass_erase(&t->flash, t->sectors, t->sector_count))
        m->mass_erase_us = 0;
    const stp_probe_info *pi = t->dbg != NULL ? &t->dbg->info : NULL;
    const stp_link_model *link = t->dbg != NULL ? t->dbg->link : NULL;
    m->link_known = link != NULL;
    if (link != NULL)
        m->link = *link;
    m->swd_khz = pi != NULL ? pi->swd_khz : 0;
    uint32_t blob = 0;
    m->loader =
        loader && m->link_known && stp_flash_loader_blob(&t->flash, &blob) != NULL && blob != 0;
    /* the engine's chunk: fewer units where each stalls the bus (stp_flash_program) */
    const uint32_t unit = t->flash.drv->program_unit(&t->flash);
    uint32_t chunk = t->flash.drv->chunk_max;
    if (t->flash.drv->stalls_per_unit && unit != 0 &&
        chunk / unit > stp_flash_units_per_transfer(&t->flash))
        chunk = stp_flash_units_per_transfer(&t->flash) * unit;
    m->direct_chunk = chunk < unit ? unit : chunk - chunk % (unit ? unit : 1);
    m->verify = verify;
    return STP_OK;
}
