/* RTT control block and buffers (rtt.h). The host reads between RdOff and WrOff and moves
 * RdOff; this side only ever moves WrOff of the up-buffer and RdOff of the down-buffer. */
#include "rtt.h"

#include <stdint.h>

typedef struct rtt_buffer {
    const char *name;
    char *buf;
    unsigned size;
    volatile unsigned wr;
    volatile unsigned rd;
    unsigned flags;
} rtt_buffer;

typedef struct rtt_control_block {
    char id[16];
    int max_up;
    int max_down;
    rtt_buffer up[1];
    rtt_buffer down[1];
} rtt_control_block;

/* The name every RTT reader looks up in the ELF. */
rtt_control_block _SEGGER_RTT;
static char up_buf[RTT_UP_SIZE];
static char down_buf[RTT_DOWN_SIZE];

#define BARRIER() __asm volatile("dmb" ::: "memory")

void rtt_init(unsigned mode)
{
    rtt_control_block *cb = &_SEGGER_RTT;
    cb->max_up = 1;
    cb->max_down = 1;
    cb->up[0] = (rtt_buffer){"Terminal", up_buf, sizeof(up_buf), 0, 0, mode & 3u};
    cb->down[0] = (rtt_buffer){"Terminal", down_buf, sizeof(down_buf), 0, 0, 0};
    /* The ID last, and its first bytes last of all: a reader never sees a whole ID
     * before the block behind it is set up. */
    BARRIER();
    static const char id[] = "SEGGER RTT";
    for (int i = 15; i >= 0; i--) {
        cb->id[i] = i < (int)sizeof(id) ? id[i] : 0;
        if (i == 7)
            BARRIER();
    }
    BARRIER();
}

static unsigned space(const rtt_buffer *b)
{
    unsigned rd = b->rd, wr = b->wr;
    return rd > wr ? rd - wr - 1u : b->size - wr + rd - 1u;
}

size_t rtt_write(const void *data, size_t len)
{
    rtt_buffer *b = &_SEGGER_RTT.up[0];
    const char *p = data;
    unsigned mode = b->flags & 3u;
    if (mode == RTT_MODE_SKIP && space(b) < len)
        return 0;
    size_t done = 0;
    while (done < len) {
        unsigned room = space(b);
        if (room == 0) {
            if (mode != RTT_MODE_BLOCK)
                break;
            continue; /* the host reads and moves RdOff */
        }
        unsigned wr = b->wr;
        unsigned n = b->size - wr; /* up to the end of the buffer */
        if (n > room)
            n = room;
        if (n > len - done)
            n = (unsigned)(len - done);
        for (unsigned i = 0; i < n; i++)
            b->buf[wr + i] = p[done + i];
        BARRIER(); /* the bytes before the offset that shows them */
        wr += n;
        b->wr = wr == b->size ? 0 : wr;
        done += n;
    }
    return done;
}

size_t rtt_puts(const char *s)
{
    size_t n = 0;
    while (s[n] != '\0')
        n++;
    return rtt_write(s, n);
}

size_t rtt_read(void *buf, size_t cap)
{
    rtt_buffer *b = &_SEGGER_RTT.down[0];
    char *out = buf;
    size_t n = 0;
    unsigned rd = b->rd;
    while (n < cap && rd != b->wr) {
        out[n++] = b->buf[rd];
        rd = rd + 1 == b->size ? 0 : rd + 1;
    }
    BARRIER();
    b->rd = rd;
    return n;
}
