/* The ST-Link's SWO capture (DEBUG_COMMAND START_TRACE_RX 0x40, STOP_TRACE_RX 0x41,
 * GET_TRACE_NB 0x42, from V2J13): the probe's UART listens on the target's SWO pin at the
 * rate the host gives and collects what it receives in a buffer of the size the host gives
 * (OpenOCD and stlink-org ask 4096 bytes); GET_TRACE_NB answers the byte count (2 bytes,
 * little-endian) and the host reads them from the trace endpoint (0x83 on V2, 0x82 on
 * V2-1/V3). Bytes that come while the buffer is full are lost. Command layout and reply as
 * OpenOCD's and stlink-org's drivers use them: 40 SIZE16 HZ32, status reply of 2 bytes. */
#include <stdlib.h>
#include <string.h>

#include "sim/swo.h"
#include "stlink_internal.h"

#define TRACE_BUF_MAX 65536u

static uint32_t le32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Moves what the receiver got into the probe's buffer. */
static void capture(sim_stlink *s)
{
    if (!s->swo.on || s->board == NULL)
        return;
    uint8_t tmp[512];
    for (;;) {
        size_t n = sim_swo_take(s->board, tmp, sizeof(tmp));
        if (n == 0)
            return;
        size_t room = s->swo.size - s->swo.len;
        size_t keep = n < room ? n : room;
        memcpy(s->swo.buf + s->swo.len, tmp, keep);
        s->swo.len += keep;
        s->swo.lost += n - keep;
    }
}

void stl_swo_stop(sim_stlink *s)
{
    if (s->swo.on && s->board != NULL)
        sim_swo_listen(s->board, 0);
    s->swo.on = false;
    s->swo.len = 0;
}

bool stl_swo_command(sim_stlink *s, const uint8_t *cmd)
{
    switch (cmd[1]) {
    case STL_DBG_START_TRACE_RX: {
        uint32_t size = (uint32_t)cmd[2] | (uint32_t)cmd[3] << 8;
        uint32_t hz = le32(cmd + 4);
        if (size == 0 || size > TRACE_BUF_MAX)
            size = 4096;
        uint8_t *buf = realloc(s->swo.buf, size);
        if (buf == NULL || hz == 0) {
            stl_reply_status(s, STL_ERR_FAULT, 2);
            return true;
        }
        s->swo.buf = buf;
        s->swo.size = size;
        s->swo.len = 0;
        s->swo.hz = hz;
        s->swo.on = true;
        if (s->board != NULL)
            sim_swo_listen(s->board, hz);
        stl_trace(s, "  SWO capture at %u Hz into %u bytes", (unsigned)hz, (unsigned)size);
        stl_reply_status(s, STL_OK, 2);
        return true;
    }
    case STL_DBG_STOP_TRACE_RX:
        stl_swo_stop(s);
        stl_reply_status(s, STL_OK, 2);
        return true;
    case STL_DBG_GET_TRACE_NB: {
        capture(s);
        uint8_t r[2] = {(uint8_t)s->swo.len, (uint8_t)(s->swo.len >> 8)};
        stl_reply(s, r, 2);
        return true;
    }
    default:
        return false;
    }
}

int stl_swo_bulk_in(sim_stlink *s, uint8_t *buf, size_t maxlen, size_t *actual)
{
    *actual = 0;
    if (s->hung || s->swo.len == 0)
        return SIM_STLINK_TIMEOUT;
    size_t n = s->swo.len < maxlen ? s->swo.len : maxlen;
    memcpy(buf, s->swo.buf, n);
    memmove(s->swo.buf, s->swo.buf + n, s->swo.len - n);
    s->swo.len -= n;
    *actual = n;
    stl_charge_usb(s, n, false);
    return SIM_STLINK_OK;
}

void stl_swo_free(sim_stlink *s)
{
    free(s->swo.buf);
    s->swo.buf = NULL;
}
