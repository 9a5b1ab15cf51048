/* SEGGER RTT on the host side: a control block in the target's RAM ("SEGGER RTT" ID, the
 * numbers of up- and down-buffers, then one descriptor per buffer: name, buffer address,
 * size, write offset, read offset, flags). The firmware writes up-buffers and advances
 * WrOff; the host reads between RdOff and WrOff and advances RdOff; down-buffers the other
 * way round. The host never writes an offset it does not own, so neither side loses or
 * repeats a byte whatever the buffer's mode (flags bits 1:0: 0 skip, 1 trim, 2 block; a
 * blocking buffer stalls the firmware until the host has read). Used by `stprog run`,
 * `stprog rtt` and the gdbserver's `monitor rtt`. */
#ifndef STP_OPS_RTT_H
#define STP_OPS_RTT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe/debug.h"

#define STP_RTT_MAX_CHANNELS 16 /* descriptors read per direction */
#define STP_RTT_CB_SIZE_MIN  24 /* ID + the two counts */
#define STP_RTT_DESC_SIZE    24

typedef struct stp_rtt_channel {
    uint32_t desc; /* address of the descriptor */
    uint32_t buf;  /* pBuffer */
    uint32_t size; /* SizeOfBuffer; 0 = the channel is not set up */
    uint32_t flags;
    /* The offset the host owns (RdOff of an up-buffer, WrOff of a down-buffer), as the
     * host last wrote it: only the host moves it, so it is read once, at attach. */
    uint32_t host_off;
    char name[32];
} stp_rtt_channel;

typedef struct stp_rtt {
    stp_debug *d;
    bool found;
    uint32_t cb;                   /* control block address */
    unsigned up_count, down_count; /* as declared (MaxNumUpBuffers, MaxNumDownBuffers) */
    stp_rtt_channel up[STP_RTT_MAX_CHANNELS];
    stp_rtt_channel down[STP_RTT_MAX_CHANNELS];
    /* Memory the buffers must lie in (the chip's SRAM): a descriptor pointing elsewhere is
     * not trusted. */
    uint32_t ram_lo;
    uint64_t ram_hi;
} stp_rtt;

/* Prepares r for the target behind d with its RAM [ram_lo, ram_hi). */
void stp_rtt_init(stp_rtt *r, stp_debug *d, uint32_t ram_lo, uint64_t ram_hi);

/* Checks for a control block at addr and reads its descriptors. STP_OK with r->found when
 * it is there and sane; STP_OK with !r->found when the ID is not (yet) there; an error
 * (finding rtt.bad-control-block) when the ID is there but the rest is not plausible. */
stp_status stp_rtt_attach(stp_rtt *r, uint32_t addr, stp_findings *findings);

/* Scans [lo, lo+len) for the ID (reads in chunks of a few KiB). *addr = the first match's
 * address; STP_OK with *hit false when there is none. */
stp_status stp_rtt_scan(stp_rtt *r, uint32_t lo, uint32_t len, uint32_t *addr, bool *hit,
                        stp_findings *findings);

/* Clears the ID at addr (a stale block from an earlier run must not be read before the new
 * program has set its own up). */
stp_status stp_rtt_wipe_id(stp_debug *d, uint32_t addr, stp_findings *findings);

/* Reads what up-channel ch holds (at most cap bytes): one exchange for WrOff (the only
 * thing read when it is empty), word-aligned reads of the data (one, or two when it wraps
 * around the buffer's end and most of the buffer is not new), one write of RdOff.
 * *got = 0 when it is empty. */
stp_status stp_rtt_read(stp_rtt *r, unsigned ch, uint8_t *buf, size_t cap, size_t *got,
                        stp_findings *findings);

/* Writes as much of data as down-channel ch has room for (one read of the firmware's RdOff,
 * the data, one write of WrOff); *put = bytes written (the rest is for a later call). */
stp_status stp_rtt_write(stp_rtt *r, unsigned ch, const uint8_t *data, size_t len, size_t *put,
                         stp_findings *findings);

/* The buffer's mode name ("skip", "trim", "block", "mode 3"). */
const char *stp_rtt_mode_name(uint32_t flags);

#endif
