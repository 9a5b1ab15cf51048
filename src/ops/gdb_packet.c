/* GDB remote protocol framing: receiving $data#cs with acks and Ctrl-C, building replies
 * (hex, escaped binary, qXfer chunks) and framing them. No I/O here. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "ops/gdb_proto.h"

enum { RX_IDLE = 0, RX_DATA, RX_ESCAPE, RX_CSUM1, RX_CSUM2 };

static int hexval(uint8_t c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

void stp_gdb_rx_init(stp_gdb_rx *rx, uint8_t *buf, size_t cap)
{
    memset(rx, 0, sizeof(*rx));
    rx->buf = buf;
    rx->cap = cap;
}

static stp_gdb_event rx_data(stp_gdb_rx *rx, uint8_t c)
{
    if (rx->len >= rx->cap) {
        rx->state = RX_IDLE;
        rx->len = 0;
        return STP_GDB_EV_OVERSIZE;
    }
    rx->buf[rx->len++] = c;
    rx->sum = (uint8_t)(rx->sum + c);
    return STP_GDB_EV_NONE;
}

stp_gdb_event stp_gdb_rx_byte(stp_gdb_rx *rx, uint8_t c)
{
    switch (rx->state) {
    case RX_IDLE:
        if (c == '$') {
            rx->state = RX_DATA;
            rx->len = 0;
            rx->sum = 0;
            return STP_GDB_EV_NONE;
        }
        if (c == '+')
            return STP_GDB_EV_ACK;
        if (c == '-')
            return STP_GDB_EV_NAK;
        if (c == 0x03)
            return STP_GDB_EV_INTERRUPT;
        return STP_GDB_EV_GARBAGE;
    case RX_DATA:
        if (c == '#') {
            rx->state = RX_CSUM1;
            return STP_GDB_EV_NONE;
        }
        if (c == '$') { /* a new packet starts: the previous one was cut short */
            rx->len = 0;
            rx->sum = 0;
            return STP_GDB_EV_GARBAGE;
        }
        if (c == '}') /* the escaped byte is checksummed as sent, kept escaped */
            rx->state = RX_ESCAPE;
        return rx_data(rx, c);
    case RX_ESCAPE:
        rx->state = RX_DATA;
        return rx_data(rx, c);
    case RX_CSUM1: {
        int v = hexval(c);
        if (v < 0) {
            rx->state = RX_IDLE;
            return STP_GDB_EV_BAD_CHECKSUM;
        }
        rx->csum = (uint8_t)(v << 4);
        rx->state = RX_CSUM2;
        return STP_GDB_EV_NONE;
    }
    case RX_CSUM2: {
        int v = hexval(c);
        rx->state = RX_IDLE;
        if (v < 0 || (uint8_t)(rx->csum | v) != rx->sum)
            return STP_GDB_EV_BAD_CHECKSUM;
        return STP_GDB_EV_PACKET;
    }
    }
    rx->state = RX_IDLE;
    return STP_GDB_EV_GARBAGE;
}

void stp_gdb_out_init(stp_gdb_out *o, char *buf, size_t cap)
{
    o->buf = buf;
    o->cap = cap;
    o->len = 0;
    o->overflow = false;
    if (cap > 0)
        buf[0] = '\0';
}

static void out_byte(stp_gdb_out *o, char c)
{
    if (o->len + 1 >= o->cap) {
        o->overflow = true;
        return;
    }
    o->buf[o->len++] = c;
    o->buf[o->len] = '\0';
}

void stp_gdb_out_str(stp_gdb_out *o, const char *s)
{
    while (*s != '\0')
        out_byte(o, *s++);
}

void stp_gdb_out_hex(stp_gdb_out *o, const void *data, size_t len)
{
    static const char digits[] = "0123456789abcdef";
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++) {
        out_byte(o, digits[p[i] >> 4]);
        out_byte(o, digits[p[i] & 15]);
    }
}

void stp_gdb_out_binary(stp_gdb_out *o, const void *data, size_t len)
{
    const uint8_t *p = data;
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '#' || p[i] == '$' || p[i] == '}' || p[i] == '*') {
            out_byte(o, '}');
            out_byte(o, (char)(p[i] ^ 0x20));
        } else {
            out_byte(o, (char)p[i]);
        }
    }
}

void stp_gdb_out_fmt(stp_gdb_out *o, const char *fmt, ...)
{
    char tmp[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n < 0 || (size_t)n >= sizeof(tmp)) {
        o->overflow = true;
        return;
    }
    stp_gdb_out_str(o, tmp);
}

void stp_gdb_xfer_reply(stp_gdb_out *o, const char *doc, size_t doc_len, uint32_t offset,
                        uint32_t length)
{
    if (offset >= doc_len) {
        stp_gdb_out_str(o, "l");
        return;
    }
    size_t n = doc_len - offset;
    /* Escaping may double a byte: leave room for it within the reply buffer. */
    size_t room = o->cap > o->len + 8 ? (o->cap - o->len - 8) / 2 : 0;
    if (n > length)
        n = length;
    if (n > room)
        n = room;
    stp_gdb_out_str(o, offset + n >= doc_len ? "l" : "m");
    stp_gdb_out_binary(o, doc + offset, n);
}

size_t stp_gdb_frame(const char *payload, size_t len, char *out, size_t cap)
{
    if (cap < len + 4)
        return 0;
    uint8_t sum = 0;
    out[0] = '$';
    for (size_t i = 0; i < len; i++) {
        out[1 + i] = payload[i];
        sum = (uint8_t)(sum + (uint8_t)payload[i]);
    }
    static const char digits[] = "0123456789abcdef";
    out[len + 1] = '#';
    out[len + 2] = digits[sum >> 4];
    out[len + 3] = digits[sum & 15];
    return len + 4;
}
