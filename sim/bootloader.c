/* The ROM bootloader's USART protocol (AN3155), device side. Command codes, ACK/NACK and
 * checksums from AN3155 rev 14; which erase command a chip offers and its protocol version
 * byte from AN2606 (the chip table's bootloader_version: 3.0 and later offer Extended
 * Erase 0x44 instead of Erase 0x43).
 *
 * Frames: the host sends a command byte and its complement; the device answers ACK or
 * NACK. Addresses are 4 bytes MSB first followed by their XOR; lengths are N = count - 1
 * followed by data and the XOR of N and the data. Under read protection (RDP level 1)
 * only Get, Get Version, Get ID and Readout Unprotect are served, the rest is NACKed; at
 * level 2 the bootloader does not run at all. Write Protect, Write Unprotect, Readout
 * Protect and Readout Unprotect end with a system reset, after which the host must send
 * 0x7F again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bootloader_internal.h"

#define ACK  0x79u
#define NACK 0x1Fu
#define SYNC 0x7Fu

#define CMD_GET         0x00u
#define CMD_GET_VERSION 0x01u
#define CMD_GET_ID      0x02u
#define CMD_READ        0x11u
#define CMD_GO          0x21u
#define CMD_WRITE       0x31u
#define CMD_ERASE       0x43u
#define CMD_EXT_ERASE   0x44u
#define CMD_WP          0x63u
#define CMD_WUP         0x73u
#define CMD_RDP         0x82u
#define CMD_RDUP        0x92u

#define BITS_PER_BYTE 11u /* start, 8 data, even parity, stop */
#define DEFAULT_BAUD  115200u

typedef enum bl_state {
    BL_WAIT_SYNC = 0, /* after reset: waiting for 0x7F (auto-baud) */
    BL_WRONG_BAUD,    /* the first byte was not 0x7F: rate measured wrong, deaf until reset */
    BL_READY,         /* serving commands */
    BL_GONE,          /* Go jumped to the application: the bootloader no longer listens */
    BL_HUNG,          /* a flash operation never finished: the ROM code spins on BSY */
} bl_state;

struct sim_bl {
    sim_board *b;
    const sim_bl_family *fam;
    bl_state state;
    uint32_t baud; /* rate found by auto-baud at the last 0x7F */
    sim_bl_stats stats;
    const sim_bl_io *io;
    bool io_failed;
    uint32_t brownouts; /* board brown-outs seen: one more means the chip restarted */
    uint64_t ready_ns;  /* the ROM code listens on the USART from this virtual time on */
};

/* Start-up after a reset until the USART is listening. AN2606 gives no figure for these
 * parts; 50 ms after NRST rises and 100 ms after an option-byte reset (the option bytes
 * load first) are the times issue 14 works with, and what stm32flash and stprog cover by
 * sending 0x7F again after silence. A byte that arrives earlier is lost. */
#define STARTUP_PIN_NS    50000000ull
#define STARTUP_OPTION_NS 100000000ull

/* ---- the line ----------------------------------------------------------------------- */

static void charge(sim_bl *m, uint32_t baud, size_t bytes)
{
    uint64_t rate = baud ? baud : DEFAULT_BAUD;
    sim_clock_advance(m->b, (uint64_t)bytes * BITS_PER_BYTE * 1000000000ull / rate);
}

/* Next good byte; 0 when the line is closed. Bytes with line errors (host not at 8E1, or
 * at another rate than the one found at 0x7F) are lost, as the USART drops them. */
static int rx(sim_bl *m, uint8_t *out)
{
    for (;;) {
        sim_bl_rx r = {0};
        if (m->io->read(m->io->ctx, &r) != 1)
            return 0;
        uint64_t now = sim_clock_ns(m->b);
        if (r.idle_ns != 0 && now < m->ready_ns) /* the chip starts while the line is idle */
            sim_clock_advance(m->b, r.idle_ns < m->ready_ns - now ? r.idle_ns : m->ready_ns - now);
        charge(m, r.baud, 1);
        m->stats.bytes_rx++;
        sim_board_stats(m->b)->bytes_out++;
        if (sim_clock_ns(m->b) < m->ready_ns) {
            m->stats.early_bytes++; /* the ROM code does not listen yet */
            continue;
        }
        bool rate_ok = m->state == BL_WAIT_SYNC || r.baud == 0 || m->baud == 0 || r.baud == m->baud;
        if (!r.frame_ok || !rate_ok || m->state == BL_WRONG_BAUD) {
            m->stats.line_errors++;
            continue;
        }
        if (m->state == BL_WAIT_SYNC)
            m->baud = r.baud;
        *out = r.byte;
        return 1;
    }
}

static void tx(sim_bl *m, const uint8_t *buf, size_t n)
{
    charge(m, m->baud, n);
    m->stats.bytes_tx += n;
    sim_board_stats(m->b)->bytes_in += n;
    if (!m->io_failed && m->io->write(m->io->ctx, buf, n) != 0)
        m->io_failed = true;
}

static void tx1(sim_bl *m, uint8_t v)
{
    tx(m, &v, 1);
}

static void nack(sim_bl *m)
{
    m->stats.nacks++;
    tx1(m, NACK);
}

/* Reads an address frame (4 bytes MSB first + XOR). */
static int rx_addr(sim_bl *m, uint32_t *addr, bool *ok)
{
    uint8_t a[5];
    for (int i = 0; i < 5; i++)
        if (!rx(m, &a[i]))
            return 0;
    *addr = (uint32_t)a[0] << 24 | (uint32_t)a[1] << 16 | (uint32_t)a[2] << 8 | a[3];
    *ok = (uint8_t)(a[0] ^ a[1] ^ a[2] ^ a[3]) == a[4];
    return 1;
}

/* ---- memory ------------------------------------------------------------------------- */

static bool in_area(uint32_t addr, uint32_t len, uint32_t base, uint32_t size)
{
    return addr >= base && addr - base <= size && len <= size - (addr - base);
}

static bool is_flash(const sim_bl *m, uint32_t addr, uint32_t len)
{
    return in_area(addr, len, m->b->chip->flash_base, m->b->flash_size);
}

static bool is_ram(const sim_bl *m, uint32_t addr, uint32_t len)
{
    return in_area(addr, len, m->b->chip->sram_base, m->b->sram_size);
}

static bool readable(sim_bl *m, uint32_t addr, uint32_t len)
{
    return is_flash(m, addr, len) || is_ram(m, addr, len) || sim_sys_ptr(m->b, addr, len) != NULL;
}

static bool protected_rdp(const sim_bl *m)
{
    return m->b->ob_active.rdp_level >= 1;
}

static void system_reset(sim_bl *m)
{
    if (m->fam->reload)
        m->fam->reload(m->b);
    else
        sim_board_reset(m->b, SIM_RESET_SOFT);
    m->state = BL_WAIT_SYNC;
    m->ready_ns = sim_clock_ns(m->b) + STARTUP_OPTION_NS;
}

/* A flash operation that did not finish leaves the ROM code spinning; a brown-out during
 * it restarts the chip (the bootloader waits for 0x7F again and answers nothing now). */
static bool flash_result(sim_bl *m, bool ok)
{
    if (m->b->brownouts != m->brownouts) {
        m->brownouts = m->b->brownouts;
        m->state = BL_WAIT_SYNC;
        return false;
    }
    if (!ok && sim_flash_busy(m->b))
        m->state = BL_HUNG;
    return ok;
}

/* Whether the command still runs (no restart or hang during its flash work). */
static bool alive(const sim_bl *m)
{
    return m->state == BL_READY;
}

/* ---- commands ----------------------------------------------------------------------- */

static bool extended_erase(const sim_bl *m)
{
    return m->b->chip->bootloader_version >= 0x30;
}

static const uint8_t *command_list(const sim_bl *m, size_t *n)
{
    static const uint8_t v2[] = {CMD_GET, CMD_GET_VERSION, CMD_GET_ID, CMD_READ,
                                 CMD_GO,  CMD_WRITE,       CMD_ERASE,  CMD_WP,
                                 CMD_WUP, CMD_RDP,         CMD_RDUP};
    static const uint8_t v3[] = {CMD_GET, CMD_GET_VERSION, CMD_GET_ID,    CMD_READ,
                                 CMD_GO,  CMD_WRITE,       CMD_EXT_ERASE, CMD_WP,
                                 CMD_WUP, CMD_RDP,         CMD_RDUP};
    *n = sizeof v2;
    return extended_erase(m) ? v3 : v2;
}

static void cmd_get(sim_bl *m)
{
    size_t n;
    const uint8_t *list = command_list(m, &n);
    uint8_t buf[16];
    buf[0] = ACK;
    buf[1] = (uint8_t)n; /* bytes that follow minus one: version + n commands */
    buf[2] = m->b->chip->bootloader_version;
    memcpy(buf + 3, list, n);
    buf[3 + n] = ACK;
    tx(m, buf, n + 4);
}

static void cmd_get_version(sim_bl *m)
{
    uint8_t buf[5] = {ACK, m->b->chip->bootloader_version, 0x00, 0x00, ACK};
    tx(m, buf, sizeof buf);
}

static void cmd_get_id(sim_bl *m)
{
    uint16_t pid = m->b->chip->dev_id;
    uint8_t buf[5] = {ACK, 1, (uint8_t)(pid >> 8), (uint8_t)pid, ACK};
    tx(m, buf, sizeof buf);
}

static int cmd_read(sim_bl *m)
{
    uint32_t addr;
    bool ok;
    uint8_t n, nn;
    tx1(m, ACK);
    if (!rx_addr(m, &addr, &ok))
        return 0;
    if (!ok || !readable(m, addr, 1)) {
        nack(m);
        return 1;
    }
    tx1(m, ACK);
    if (!rx(m, &n) || !rx(m, &nn))
        return 0;
    if ((uint8_t)(n ^ nn) != 0xFF || !readable(m, addr, (uint32_t)n + 1)) {
        nack(m);
        return 1;
    }
    uint8_t buf[257];
    buf[0] = ACK;
    for (uint32_t i = 0; i <= n; i++) {
        uint32_t v = 0;
        sim_bus_read(m->b, addr + i, &v, 1, SIM_MASTER_CORE);
        buf[1 + i] = (uint8_t)v;
    }
    tx(m, buf, (size_t)n + 2);
    return 1;
}

static int cmd_go(sim_bl *m)
{
    uint32_t addr;
    bool ok;
    tx1(m, ACK);
    if (!rx_addr(m, &addr, &ok))
        return 0;
    if (!ok || !(is_flash(m, addr, 8) || is_ram(m, addr, 8))) {
        nack(m);
        return 1;
    }
    tx1(m, ACK);
    /* The application's stack pointer and reset handler from its vector table. */
    uint32_t sp = 0, pc = 0;
    sim_bus_read(m->b, addr, &sp, 4, SIM_MASTER_CORE);
    sim_bus_read(m->b, addr + 4, &pc, 4, SIM_MASTER_CORE);
#if SIM_HAVE_CORE
    if (m->b->cpu) {
        sim_cpu_set_reg(m->b->cpu, 17, sp); /* MSP */
        sim_cpu_set_reg(m->b->cpu, 13, sp);
        sim_cpu_set_reg(m->b->cpu, 16, 0x01000000u); /* xPSR: Thumb */
        sim_cpu_set_reg(m->b->cpu, 15, pc & ~1u);
    }
#endif
    m->state = BL_GONE;
    return 1;
}

static int cmd_write(sim_bl *m)
{
    uint32_t addr;
    bool ok;
    tx1(m, ACK);
    if (!rx_addr(m, &addr, &ok))
        return 0;
    if (!ok || addr % 4 != 0 || !(is_flash(m, addr, 1) || is_ram(m, addr, 1))) {
        nack(m);
        return 1;
    }
    tx1(m, ACK);
    uint8_t n, data[256], sum;
    if (!rx(m, &n))
        return 0;
    uint8_t x = n;
    for (uint32_t i = 0; i <= n; i++) {
        if (!rx(m, &data[i]))
            return 0;
        x ^= data[i];
    }
    if (!rx(m, &sum))
        return 0;
    uint32_t len = (uint32_t)n + 1;
    if (sum != x || len % 4 != 0) {
        nack(m);
        return 1;
    }
    if (is_flash(m, addr, len)) {
        ok = flash_result(m, m->fam->program(m->b, addr, data, len));
    } else if (is_ram(m, addr, len)) {
        for (uint32_t i = 0; i < len; i++)
            sim_bus_write(m->b, addr + i, data[i], 1, SIM_MASTER_CORE);
        ok = true;
    } else {
        ok = false;
    }
    if (!alive(m))
        return 1;
    tx1(m, ok ? ACK : NACK);
    m->stats.nacks += ok ? 0 : 1;
    return 1;
}

/* Erases the listed erase units (positions in the device); false on a bad number. */
static bool erase_list(sim_bl *m, const uint16_t *pages, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (pages[i] >= m->b->sector_count)
            return false;
    for (size_t i = 0; i < count; i++)
        if (!flash_result(m, m->fam->erase(m->b, pages[i])))
            return false;
    return true;
}

static int cmd_erase(sim_bl *m)
{
    uint8_t n, p, sum;
    uint16_t pages[256];
    tx1(m, ACK);
    if (!rx(m, &n))
        return 0;
    bool ok;
    if (n == 0xFF) {
        if (!rx(m, &sum))
            return 0;
        ok = sum == 0x00 && m->fam->mass_erase != NULL &&
             flash_result(m, m->fam->mass_erase(m->b, -1));
    } else {
        uint8_t x = n;
        for (uint32_t i = 0; i <= n; i++) {
            if (!rx(m, &p))
                return 0;
            pages[i] = p;
            x ^= p;
        }
        if (!rx(m, &sum))
            return 0;
        ok = sum == x && erase_list(m, pages, (size_t)n + 1);
    }
    if (alive(m))
        ok ? tx1(m, ACK) : nack(m);
    return 1;
}

static int cmd_ext_erase(sim_bl *m)
{
    uint8_t hi, lo, sum;
    tx1(m, ACK);
    if (!rx(m, &hi) || !rx(m, &lo))
        return 0;
    uint16_t n = (uint16_t)(hi << 8 | lo);
    uint8_t x = hi ^ lo;
    bool ok;
    if (n >= 0xFFF0) {
        if (!rx(m, &sum))
            return 0;
        int bank = n == 0xFFFF ? -1 : n == 0xFFFE ? 0 : n == 0xFFFD ? 1 : -2;
        ok = sum == x && bank != -2 && m->fam->mass_erase != NULL &&
             flash_result(m, m->fam->mass_erase(m->b, bank));
    } else {
        size_t count = (size_t)n + 1;
        uint16_t *pages = malloc(count * sizeof *pages);
        ok = pages != NULL;
        for (size_t i = 0; i < count; i++) {
            uint8_t a, b;
            if (!rx(m, &a) || !rx(m, &b)) {
                free(pages);
                return 0;
            }
            x ^= a ^ b;
            if (pages)
                pages[i] = (uint16_t)(a << 8 | b);
        }
        if (!rx(m, &sum)) {
            free(pages);
            return 0;
        }
        ok = ok && sum == x && erase_list(m, pages, count);
        free(pages);
    }
    if (alive(m))
        ok ? tx1(m, ACK) : nack(m);
    return 1;
}

static void current_wrp(const sim_bl *m, sim_ob_active *wrp)
{
    memset(wrp, 0, sizeof *wrp);
    memcpy(wrp->wrp, m->b->ob_active.wrp, sizeof wrp->wrp);
}

/* Ends an option-byte command: ACK when written, then the system reset. */
static void option_done(sim_bl *m, bool ok)
{
    if (!alive(m))
        return;
    ok ? tx1(m, ACK) : nack(m);
    if (ok)
        system_reset(m);
}

static int cmd_write_protect(sim_bl *m)
{
    uint8_t n, code, sum;
    tx1(m, ACK);
    if (!rx(m, &n))
        return 0;
    sim_ob_active wrp;
    memset(&wrp, 0, sizeof wrp);
    uint8_t x = n;
    bool ok = true;
    for (uint32_t i = 0; i <= n; i++) {
        if (!rx(m, &code))
            return 0;
        x ^= code;
        if (code >= sim_wrp_units(m->b))
            ok = false;
        else
            sim_wrp_set(&wrp, code, true);
    }
    if (!rx(m, &sum))
        return 0;
    ok = ok && sum == x;
    if (ok)
        ok = flash_result(m, m->fam->write_protection(m->b, 0, &wrp));
    option_done(m, ok);
    return 1;
}

static void cmd_write_unprotect(sim_bl *m)
{
    sim_ob_active none;
    memset(&none, 0, sizeof none);
    tx1(m, ACK);
    option_done(m, flash_result(m, m->fam->write_protection(m->b, 0, &none)));
}

static void cmd_readout_protect(sim_bl *m)
{
    sim_ob_active wrp;
    current_wrp(m, &wrp);
    tx1(m, ACK);
    option_done(m, flash_result(m, m->fam->write_protection(m->b, 1, &wrp)));
}

static void cmd_readout_unprotect(sim_bl *m)
{
    /* Level 1 -> 0 mass-erases the flash (the controller does it on the RDP regression).
     * F1 erases the option bytes, so its write protection goes too; F2/F4/F7 keep nWRP. */
    sim_ob_active wrp;
    current_wrp(m, &wrp);
    if (m->fam->unprotect_clears_wrp)
        memset(&wrp, 0, sizeof wrp);
    tx1(m, ACK);
    option_done(m, flash_result(m, m->fam->write_protection(m->b, 0, &wrp)));
}

static bool offered(const sim_bl *m, uint8_t cmd)
{
    size_t n;
    const uint8_t *list = command_list(m, &n);
    return memchr(list, cmd, n) != NULL;
}

/* Runs one command whose code and complement were received. 0 when the line closed. */
static int command(sim_bl *m, uint8_t cmd)
{
    m->stats.commands++;
    if (!offered(m, cmd)) {
        nack(m);
        return 1;
    }
    bool open = cmd == CMD_GET || cmd == CMD_GET_VERSION || cmd == CMD_GET_ID || cmd == CMD_RDUP;
    if (!open && protected_rdp(m)) {
        nack(m);
        return 1;
    }
    switch (cmd) {
    case CMD_GET:
        cmd_get(m);
        return 1;
    case CMD_GET_VERSION:
        cmd_get_version(m);
        return 1;
    case CMD_GET_ID:
        cmd_get_id(m);
        return 1;
    case CMD_READ:
        return cmd_read(m);
    case CMD_GO:
        return cmd_go(m);
    case CMD_WRITE:
        return cmd_write(m);
    case CMD_ERASE:
        return cmd_erase(m);
    case CMD_EXT_ERASE:
        return cmd_ext_erase(m);
    case CMD_WP:
        return cmd_write_protect(m);
    case CMD_WUP:
        cmd_write_unprotect(m);
        return 1;
    case CMD_RDP:
        cmd_readout_protect(m);
        return 1;
    default:
        cmd_readout_unprotect(m);
        return 1;
    }
}

/* ---- public ------------------------------------------------------------------------- */

sim_bl *sim_bl_create(sim_board *b, char *err, size_t errlen)
{
    const sim_bl_family *fam = b->fm->rom;
    if (fam == NULL) {
        if (err && errlen)
            snprintf(err, errlen,
                     "sim: no ROM bootloader model for the %s flash controller of %s "
                     "(modelled: F0/F1/F3, F2/F4, F7, L1, L4/G0/G4)",
                     stp_flash_kind_name(b->chip->flash_kind), b->part->name);
        return NULL;
    }
    sim_bl *m = calloc(1, sizeof *m);
    if (m == NULL) {
        if (err && errlen)
            snprintf(err, errlen, "sim: out of memory");
        return NULL;
    }
    m->b = b;
    m->fam = fam;
    m->brownouts = b->brownouts;
    return m;
}

void sim_bl_destroy(sim_bl *m)
{
    free(m);
}

void sim_bl_reset(sim_bl *m)
{
    sim_board_reset(m->b, SIM_RESET_PIN);
    m->state = BL_WAIT_SYNC;
    m->ready_ns = sim_clock_ns(m->b) + STARTUP_PIN_NS;
}

const sim_bl_stats *sim_bl_get_stats(const sim_bl *m)
{
    return &m->stats;
}

/* Whether the chip runs the bootloader at all: boot from system memory, and not RDP 2. */
static bool bootloader_runs(const sim_bl *m)
{
    return m->b->spec.boot0 && m->b->ob_active.rdp_level < 2 && !sim_nrst_held(m->b);
}

int sim_bl_serve(sim_bl *m, const sim_bl_io *io)
{
    m->io = io;
    m->io_failed = false;
    for (;;) {
        uint8_t c, x;
        if (!rx(m, &c))
            break;
        if (!bootloader_runs(m) || m->state == BL_GONE || m->state == BL_HUNG)
            continue; /* nobody listens on the USART */
        if (m->state == BL_WAIT_SYNC) {
            /* Auto-baud measures the first byte: only 0x7F gives the right rate (AN3155
             * "the host sends 0x7F"; AN2606 auto-baud). Anything else locks a wrong one. */
            if (c == SYNC) {
                m->state = BL_READY;
                tx1(m, ACK);
            } else {
                m->state = BL_WRONG_BAUD;
            }
            continue;
        }
        if (!rx(m, &x))
            break;
        if ((uint8_t)(c ^ x) != 0xFF) {
            m->stats.commands++;
            nack(m);
            continue;
        }
        if (!command(m, c))
            break;
    }
    m->io = NULL;
    return m->io_failed ? -1 : 0;
}
