/* libFuzzer target: the host side of RTT (src/ops/rtt.c) on target memory the firmware
 * controls. The input is the RAM at 0x20000000 (the control block at its start, anything
 * after it); attach, then reads and writes of every channel while the "firmware" (the
 * input's last bytes) moves the offsets between rounds. Nothing may read or write outside
 * the RAM the descriptors were checked against. */
#include <string.h>

#include "ops/rtt.h"

#define RAM_BASE 0x20000000u
#define RAM_MAX  1024u

typedef struct mem {
    stp_debug base;
    uint8_t ram[RAM_MAX];
    size_t size;
} mem;

static stp_status mem_access(mem *m, uint32_t addr, size_t len)
{
    return addr >= RAM_BASE && addr - RAM_BASE <= m->size && len <= m->size - (addr - RAM_BASE)
               ? STP_OK
               : STP_ERR_TARGET_FAULT;
}

static stp_status mem_read(stp_debug *d, uint32_t addr, void *buf, size_t len, stp_findings *f)
{
    (void)f;
    mem *m = (mem *)d;
    stp_status st = mem_access(m, addr, len);
    if (st == STP_OK)
        memcpy(buf, m->ram + (addr - RAM_BASE), len);
    return st;
}

static stp_status mem_write(stp_debug *d, uint32_t addr, const void *buf, size_t len,
                            stp_findings *f)
{
    (void)f;
    mem *m = (mem *)d;
    stp_status st = mem_access(m, addr, len);
    if (st == STP_OK)
        memcpy(m->ram + (addr - RAM_BASE), buf, len);
    return st;
}

static stp_status mem_read_u32(stp_debug *d, uint32_t addr, uint32_t *v, stp_findings *f)
{
    uint8_t b[4] = {0};
    stp_status st = mem_read(d, addr, b, 4, f);
    *v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
    return st;
}

static stp_status mem_write_u32(stp_debug *d, uint32_t addr, uint32_t v, stp_findings *f)
{
    uint8_t b[4] = {(uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24)};
    return mem_write(d, addr, b, 4, f);
}

static const stp_debug_ops mem_ops = {.read_mem = mem_read,
                                      .write_mem = mem_write,
                                      .read_u32 = mem_read_u32,
                                      .write_u32 = mem_write_u32};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static mem m;
    memset(&m, 0, sizeof(m));
    m.base.ops = &mem_ops;
    m.size = size < RAM_MAX ? size : RAM_MAX;
    memcpy(m.ram, data, m.size);
    stp_rtt r;
    stp_rtt_init(&r, &m.base, RAM_BASE, (uint64_t)RAM_BASE + m.size);
    stp_findings f = {0};
    if (stp_rtt_attach(&r, RAM_BASE, &f) == STP_OK && r.found) {
        uint8_t buf[512];
        for (unsigned round = 0; round < 4; round++) {
            for (unsigned ch = 0; ch < STP_RTT_MAX_CHANNELS; ch++) {
                size_t got = 0, put = 0;
                (void)stp_rtt_read(&r, ch, buf, sizeof(buf) >> round, &got, &f);
                (void)stp_rtt_write(&r, ch, (const uint8_t *)"input\n", 6, &put, &f);
            }
            /* the firmware moves its offsets (the input's tail says how) */
            if (size > RAM_MAX + 8 * round + 8 && r.up[0].size != 0) {
                memcpy(m.ram + (r.up[0].desc - RAM_BASE) + 12, data + RAM_MAX + 8 * round, 4);
                memcpy(m.ram + (r.down[0].desc ? r.down[0].desc - RAM_BASE : 0) + 16,
                       data + RAM_MAX + 8 * round + 4, r.down[0].desc ? 4 : 0);
            }
        }
    }
    uint32_t at = 0;
    bool hit = false;
    (void)stp_rtt_scan(&r, RAM_BASE, (uint32_t)m.size, &at, &hit, &f);
    stp_findings_free(&f);
    return 0;
}
