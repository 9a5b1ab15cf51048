/* libFuzzer target: ROM bootloader (AN3155) replies. The fuzz input is the chip's side of
 * the line: each read takes a length byte and that many bytes from the input (0xFF: all
 * that was asked for; 0: silence, the read times out). The driver syncs, identifies and
 * runs reads, writes, erases and option-byte commands on whatever comes back; it must never
 * crash, hang or read out of bounds. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "probe/an3155.h"

typedef struct fuzz_link {
    stp_byte_link base;
    const uint8_t *data;
    size_t size, pos;
} fuzz_link;

static stp_status f_write(stp_byte_link *l, const uint8_t *buf, size_t len, stp_findings *f)
{
    (void)l, (void)buf, (void)len, (void)f;
    return STP_OK;
}

static stp_status f_read(stp_byte_link *l, uint8_t *buf, size_t len, unsigned tmo, size_t *got,
                         stp_findings *f)
{
    fuzz_link *u = (fuzz_link *)l;
    (void)tmo, (void)f;
    *got = 0;
    if (u->pos >= u->size)
        return STP_OK; /* silence */
    size_t want = u->data[u->pos++];
    if (want == 0xFF || want > len)
        want = len;
    if (want > u->size - u->pos)
        want = u->size - u->pos;
    memcpy(buf, u->data + u->pos, want);
    u->pos += want;
    *got = want;
    return STP_OK;
}

static void f_flush(stp_byte_link *l)
{
    (void)l;
}

static stp_status f_lines(stp_byte_link *l, int dtr, int rts)
{
    (void)l, (void)dtr, (void)rts;
    return STP_ERR_UNSUPPORTED;
}

static void f_sleep(stp_byte_link *l, unsigned ms)
{
    (void)l, (void)ms;
}

static void f_close(stp_byte_link *l)
{
    (void)l;
}

static const stp_byte_link_ops fuzz_ops = {f_write, f_read, f_flush, f_lines, f_sleep, f_close};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    fuzz_link l = {.base = {.ops = &fuzz_ops, .baud = 115200}, .data = data, .size = size};
    stp_an3155 s;
    stp_findings f = {0};
    stp_an3155_init(&s, &l.base, NULL);
    uint8_t buf[600];
    static const uint8_t out[300] = {1, 2, 3};
    static const uint16_t units[3] = {0, 1, 2};
    static const uint32_t sizes[3] = {16384, 16384, 16384};
    static const uint8_t wrp[2] = {0, 3};
    if (stp_an3155_sync(&s, &f) == STP_OK) {
        (void)stp_an3155_identify(&s, &f);
        (void)stp_an3155_read(&s, 0x08000000, buf, sizeof(buf), &f);
        (void)stp_an3155_write(&s, 0x08000000, out, sizeof(out), 0xFF, &f);
        (void)stp_an3155_erase(&s, units, sizes, 3, &f);
        (void)stp_an3155_mass_erase(&s, &f);
        (void)stp_an3155_write_protect(&s, wrp, 2, &f);
        (void)stp_an3155_readout_unprotect(&s, &f);
        (void)stp_an3155_go(&s, 0x08000000, &f);
    }
    uint8_t v, cmds[16];
    size_t n;
    (void)stp_an3155_parse_get(data, size, &v, cmds, sizeof(cmds), &n);
    stp_findings_free(&f);
    return 0;
}
