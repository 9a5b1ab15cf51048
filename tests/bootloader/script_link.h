/* A scripted byte link for the AN3155 driver tests: records every byte the driver sends
 * and answers from a script of reply bytes in which GAP marks silence (the driver's read
 * times out there and the next read starts after it). */
#ifndef TEST_SCRIPT_LINK_H
#define TEST_SCRIPT_LINK_H

#include <stddef.h>
#include <stdint.h>

#include "transport/serial.h"

#define GAP        (-1)
#define SCRIPT_MAX 8192

typedef struct script_link {
    stp_byte_link base;
    int replies[SCRIPT_MAX];
    size_t reply_count, next;
    uint8_t sent[SCRIPT_MAX];
    size_t sent_len;
    unsigned flushes, sleeps;
} script_link;

void script_init(script_link *s);
/* Appends reply bytes (ints: 0..255 or GAP). */
void script_reply(script_link *s, const int *bytes, size_t n);
#define REPLY(s, ...)                                                                              \
    do {                                                                                           \
        const int r_[] = {__VA_ARGS__};                                                            \
        script_reply((s), r_, sizeof(r_) / sizeof(r_[0]));                                         \
    } while (0)
/* True when the driver sent exactly these bytes from offset *pos on (advances *pos). */
int script_sent(script_link *s, size_t *pos, const uint8_t *bytes, size_t n);
#define SENT(s, pos, ...)                                                                          \
    do {                                                                                           \
        const uint8_t e_[] = {__VA_ARGS__};                                                        \
        assert_true(script_sent((s), (pos), e_, sizeof(e_)));                                      \
    } while (0)

#endif
