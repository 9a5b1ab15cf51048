/* A small RTT implementation for the examples (the control block layout of SEGGER's RTT, so
 * every RTT reader finds it: stprog, OpenOCD's rtt server, J-Link, probe-rs). One
 * up-buffer ("Terminal") and one down-buffer. */
#ifndef EXAMPLE_RTT_H
#define EXAMPLE_RTT_H

#include <stddef.h>

/* Buffer modes (the flags' bits 1:0): what rtt_write does when the up-buffer is full. */
#define RTT_MODE_SKIP  0u /* drop the whole write */
#define RTT_MODE_TRIM  1u /* write what fits */
#define RTT_MODE_BLOCK 2u /* wait until the host has read enough */

#ifndef RTT_UP_SIZE
#define RTT_UP_SIZE 1024u
#endif
#define RTT_DOWN_SIZE 64u

void rtt_init(unsigned mode);
/* Writes len bytes to up-buffer 0 as the mode says; returns the bytes written. */
size_t rtt_write(const void *data, size_t len);
size_t rtt_puts(const char *s); /* rtt_write of the string (no newline added) */
/* Reads what the host sent on down-buffer 0 (up to cap bytes; 0 when nothing). */
size_t rtt_read(void *buf, size_t cap);

#endif
