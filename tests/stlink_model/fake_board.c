/* The fake board: see fake_board.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_board.h"
#include "sim/swo.h"

sim_board *fake_board_new(sim_probe_kind probe, const char *fw)
{
    sim_board *b = calloc(1, sizeof(*b));
    if (!b)
        return NULL;
    snprintf(b->spec.part, sizeof(b->spec.part), "stm32f407vg");
    b->spec.probe = probe;
    if (fw)
        snprintf(b->spec.fw, sizeof(b->spec.fw), "%s", fw);
    b->spec.vdd = 3.3;
    b->spec.seed = 1;
    b->spec.rdp = -1;
    b->vdd = 3.3;
    b->rng = 0x9E3779B97F4A7C15ull;
    memset(b->flash, 0xFF, sizeof(b->flash));
    return b;
}

void fake_board_free(sim_board *b)
{
    free(b);
}

const sim_spec *sim_board_spec(const sim_board *b)
{
    return &b->spec;
}

sim_stats *sim_board_stats(sim_board *b)
{
    return &b->stats;
}

uint64_t sim_clock_ns(const sim_board *b)
{
    return b->now_ns;
}

void sim_clock_advance(sim_board *b, uint64_t ns)
{
    b->now_ns += ns;
}

uint32_t sim_board_random(sim_board *b)
{
    /* xorshift64* */
    b->rng ^= b->rng >> 12;
    b->rng ^= b->rng << 25;
    b->rng ^= b->rng >> 27;
    return (uint32_t)((b->rng * 2685821657736338717ull) >> 32);
}

const char *sim_board_state_file(const sim_board *b)
{
    return b->state_file[0] ? b->state_file : NULL;
}

uint32_t sim_board_ap_base(const sim_board *b)
{
    (void)b;
    return 0xE00FF003u; /* a Cortex-M3/M4 ROM table */
}

double sim_target_voltage(const sim_board *b)
{
    return b->vdd;
}

sim_access sim_dp_idcode(sim_board *b, uint32_t *idcode)
{
    if (b->no_target)
        return SIM_ACC_NO_TARGET;
    *idcode = 0x2BA01477u;
    return SIM_ACC_OK;
}

void sim_nrst_set(sim_board *b, bool asserted)
{
    if (asserted != b->nrst)
        b->nrst_edges++;
    b->nrst = asserted;
}

static uint8_t *mem_at(sim_board *b, uint32_t addr)
{
    if (addr >= FAKE_FLASH_BASE && addr < FAKE_FLASH_BASE + FAKE_FLASH_SIZE)
        return b->flash + (addr - FAKE_FLASH_BASE);
    if (addr >= FAKE_SRAM_BASE && addr < FAKE_SRAM_BASE + FAKE_SRAM_SIZE)
        return b->sram + (addr - FAKE_SRAM_BASE);
    return NULL;
}

static bool debug_reg_read(sim_board *b, uint32_t addr, uint32_t *v)
{
    switch (addr) {
    case 0xE000EDF0u:
        *v = b->dhcsr | (1u << 16); /* S_REGRDY: transfers complete at once */
        return true;
    case 0xE000EDF8u:
        *v = b->dcrdr;
        return true;
    case 0xE000ED00u:
        *v = 0x410FC241u; /* Cortex-M4 r0p1 */
        return true;
    case 0xE0042000u:
        *v = 0x10076413u; /* DBGMCU_IDCODE: STM32F40x rev Z */
        return true;
    case 0x1FFF7A20u:
        *v = 1024u << 16; /* F4 flash size register (KiB) in the upper half */
        return true;
    default:
        if (addr >= 0xE000E000u && addr < 0xE000F000u) {
            *v = b->ppb[(addr - 0xE000E000u) / 4];
            return true;
        }
        return false;
    }
}

static bool debug_reg_write(sim_board *b, uint32_t addr, uint32_t v)
{
    switch (addr) {
    case 0xE000EDF0u:
        if ((v >> 16) == 0xA05Fu) {
            b->dhcsr = v & 0xFFFFu;
            if (v & 2u)
                b->dhcsr |= 1u << 17; /* S_HALT */
        }
        return true;
    case 0xE000EDF4u:
        b->dcrsr = v;
        if (v & (1u << 16))
            b->regs[v & 0x7F] = b->dcrdr;
        else
            b->dcrdr = b->regs[v & 0x7F];
        return true;
    case 0xE000EDF8u:
        b->dcrdr = v;
        return true;
    case 0xE000ED0Cu:
        if ((v >> 16) == 0x05FAu)
            b->aircr_writes++;
        return true;
    default:
        if (addr >= 0xE000E000u && addr < 0xE000F000u) {
            b->ppb[(addr - 0xE000E000u) / 4] = v;
            return true;
        }
        return false;
    }
}

static sim_access access(sim_board *b, bool rd, uint32_t addr, void *buf, uint32_t len,
                         unsigned width, uint32_t *done)
{
    uint32_t pos = 0;
    sim_access r = SIM_ACC_OK;
    if (b->no_target) {
        r = SIM_ACC_NO_TARGET;
        goto out;
    }
    for (; pos < len; pos += width) {
        if (b->wait_next) {
            b->wait_next--;
            r = SIM_ACC_WAIT;
            goto out;
        }
        uint32_t a = addr + pos;
        uint8_t *m = mem_at(b, a);
        uint8_t *p = (uint8_t *)buf + pos;
        if (m) {
            if (rd)
                memcpy(p, m, width);
            else
                memcpy(m, p, width);
            continue;
        }
        uint32_t v = 0;
        if (width == 4 && rd && debug_reg_read(b, a, &v)) {
            memcpy(p, &v, 4);
            continue;
        }
        if (width == 4 && !rd) {
            memcpy(&v, p, 4);
            if (debug_reg_write(b, a, v))
                continue;
        }
        r = SIM_ACC_FAULT;
        goto out;
    }
out:
    if (done)
        *done = pos;
    return r;
}

sim_access sim_mem_read(sim_board *b, uint32_t addr, void *buf, uint32_t len, unsigned width,
                        uint32_t *done)
{
    return access(b, true, addr, buf, len, width, done);
}

sim_access sim_mem_write(sim_board *b, uint32_t addr, const void *buf, uint32_t len, unsigned width,
                         uint32_t *done)
{
    return access(b, false, addr, (void *)buf, len, width, done);
}

/* --- Enough of the board life cycle for the shim (dev target stprog-usbsim-fake) ------- */

sim_board *fake_board_last;

sim_board *sim_board_open(const char *spec_text, char *err, size_t errlen)
{
    sim_probe_kind kind = SIM_PROBE_V2_1;
    if (strstr(spec_text, "probe=v3"))
        kind = SIM_PROBE_V3;
    else if (strstr(spec_text, "probe=v2-1"))
        kind = SIM_PROBE_V2_1;
    else if (strstr(spec_text, "probe=v2"))
        kind = SIM_PROBE_V2;
    sim_board *b = fake_board_new(kind, NULL);
    if (!b && err && errlen)
        snprintf(err, errlen, "out of memory");
    const char *m = strstr(spec_text, "swd-max-khz=");
    if (b && m)
        b->spec.swd_max_khz = (uint32_t)strtoul(m + 12, NULL, 10);
    fake_board_last = b;
    return b;
}

void sim_board_close(sim_board *b)
{
    fake_board_free(b);
}

bool sim_state_error(char *why, size_t len)
{
    (void)why;
    (void)len;
    return false; /* no state file */
}

int sim_board_write_report(const sim_board *b, const char *path)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f,
            "{\"virtual_seconds\": %.6f, \"usb_transfers\": %llu, \"bytes_out\": %llu, "
            "\"bytes_in\": %llu, \"swd_transfers\": %llu}\n",
            (double)b->now_ns / 1e9, (unsigned long long)b->stats.usb_transfers,
            (unsigned long long)b->stats.bytes_out, (unsigned long long)b->stats.bytes_in,
            (unsigned long long)b->stats.swd_transfers);
    return fclose(f);
}

void sim_swo_listen(sim_board *b, uint32_t baud)
{
    b->swo_baud = baud;
    b->swo_len = 0;
}

size_t sim_swo_take(sim_board *b, uint8_t *out, size_t cap)
{
    if (b->swo_baud == 0)
        return 0;
    size_t n = b->swo_len < cap ? b->swo_len : cap;
    memcpy(out, b->swo, n);
    memmove(b->swo, b->swo + n, b->swo_len - n);
    b->swo_len -= n;
    return n;
}
