/* The ITM packet stream that comes out of SWO (ARMv7-M Architecture Reference Manual,
 * Appendix D "Debug ITM and DWT Packet Protocol"): a streaming decoder that hands out the
 * payload of every software source (stimulus port) packet and skips the rest
 * (synchronisation, overflow, local and global timestamps, extension and DWT hardware
 * source packets), resynchronising on any byte it cannot place. */
#ifndef STP_OPS_ITM_H
#define STP_OPS_ITM_H

#include <stddef.h>
#include <stdint.h>

typedef struct stp_itm_decoder {
    enum { ITM_HEADER = 0, ITM_PAYLOAD, ITM_SKIP_PAYLOAD, ITM_CONTINUATION } state;
    unsigned port; /* of the stimulus packet being read */
    unsigned need; /* payload bytes still to come */
    unsigned have;
    uint8_t payload[4];
    unsigned cont_left;  /* continuation bytes a timestamp may still have */
    uint64_t packets;    /* stimulus packets decoded */
    uint64_t hw_packets; /* hardware source (DWT) packets */
    uint64_t overflows;  /* overflow packets seen (the ITM dropped writes) */
    uint64_t skipped;    /* bytes that fit no packet */
} stp_itm_decoder;

/* Called for each stimulus packet: its port and payload (1, 2 or 4 bytes). */
typedef void (*stp_itm_emit)(void *user, unsigned port, const uint8_t *payload, unsigned len);

void stp_itm_init(stp_itm_decoder *d);
void stp_itm_feed(stp_itm_decoder *d, const uint8_t *data, size_t len, stp_itm_emit emit,
                  void *user);

#endif
