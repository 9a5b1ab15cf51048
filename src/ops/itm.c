/* ITM packet decoding (itm.h). Headers per ARMv7-M ARM Appendix D: source packets have
 * bits 1:0 = size (1, 2, 4 bytes), bit 2 = hardware (DWT) source, bits 7:3 = the port;
 * protocol packets have bits 1:0 = 00: synchronisation (0x00 ... 0x80), overflow (0x70),
 * local timestamp format 2 (0x10-0x60, one byte) and format 1 (0xC0-0xF0 plus up to four
 * bytes with a continuation bit), global timestamps (0x94, 0xB4 plus up to six bytes),
 * extension (bit 3 set, continuation in bit 7). */
#include "ops/itm.h"

#include <string.h>

void stp_itm_init(stp_itm_decoder *d)
{
    memset(d, 0, sizeof(*d));
}

static void header(stp_itm_decoder *d, uint8_t b)
{
    if (b & 3u) { /* a source packet */
        unsigned size = (b & 3u) == 3u ? 4u : (b & 3u);
        d->need = size;
        d->have = 0;
        d->port = b >> 3;
        d->state = (b & 4u) ? ITM_SKIP_PAYLOAD : ITM_PAYLOAD;
        return;
    }
    if (b == 0x00u || b == 0x80u)
        return; /* synchronisation */
    if (b == 0x70u) {
        d->overflows++;
        return;
    }
    if ((b & 0x0Fu) == 0) {
        if ((b & 0xC0u) == 0xC0u) { /* local timestamp, format 1 */
            d->cont_left = 4;
            d->state = ITM_CONTINUATION;
        } else if (!(b & 0x80u)) {
            return; /* local timestamp, format 2: this byte alone */
        } else {
            d->skipped++;
        }
        return;
    }
    if (b == 0x94u || b == 0xB4u) { /* global timestamp 1 / 2 */
        d->cont_left = 6;
        d->state = ITM_CONTINUATION;
        return;
    }
    if (b & 0x08u) { /* extension */
        if (b & 0x80u) {
            d->cont_left = 4;
            d->state = ITM_CONTINUATION;
        }
        return;
    }
    d->skipped++;
}

void stp_itm_feed(stp_itm_decoder *d, const uint8_t *data, size_t len, stp_itm_emit emit,
                  void *user)
{
    for (size_t i = 0; i < len; i++) {
        uint8_t b = data[i];
        switch (d->state) {
        case ITM_HEADER:
            header(d, b);
            break;
        case ITM_PAYLOAD:
            d->payload[d->have++] = b;
            if (d->have == d->need) {
                d->packets++;
                if (emit != NULL)
                    emit(user, d->port, d->payload, d->have);
                d->state = ITM_HEADER;
            }
            break;
        case ITM_SKIP_PAYLOAD:
            if (++d->have == d->need) {
                d->hw_packets++;
                d->state = ITM_HEADER;
            }
            break;
        case ITM_CONTINUATION:
            if (!(b & 0x80u) || --d->cont_left == 0)
                d->state = ITM_HEADER;
            break;
        }
    }
}
